// esbuild plugins of the core's bundles (bin/ostal.mjs for the CLI, scripts/build-main.mjs for the app).
//
// lazyLibmimeDbcs: libmime, which imapflow loads, builds iconv-lite's GBK codec (a table of ~22 000 characters) as
// soon as it is loaded, only to learn the class of the decoder every double-byte codec shares. Every process that
// talks IMAP paid for it at its start (~40 ms of a no-change `ostal sync` on a slow machine). In the bundles, that
// lookup is made at the first streaming decode that asks it (libmime's createDecodeStream; Ostal decodes messages
// with postal-mime, so normally never). Same behaviour otherwise. When libmime's text is not the expected one (a
// new version), the file is bundled unchanged: tests/unit/esbuild-plugins.test.ts checks it applies to the one
// installed.
import fs from 'node:fs';
import { builtinModules } from 'node:module';

const EAGER_DBCS = /const DBCS_DECODER = ([\w.]+)\.getCodec\('gbk'\)\.decoder;/;
const DBCS_USE = /codec\.decoder === DBCS_DECODER\b/g;

/** libmime's charset.js with the GBK lookup made at first use, or null when its text is not the expected one. */
export function lazyDbcsSource(text) {
  const eager = EAGER_DBCS.exec(text);
  if (!eager) return null;
  const uses = text.match(DBCS_USE) ?? [];
  // Any other use of the constant would be left pointing at nothing.
  const others = text.replace(EAGER_DBCS, '').replace(DBCS_USE, '').includes('DBCS_DECODER');
  if (uses.length === 0 || others) return null;
  return text
    .replace(EAGER_DBCS, `let DBCS_DECODER;\nconst dbcsDecoder = () => (DBCS_DECODER ??= ${eager[1]}.getCodec('gbk').decoder);`)
    .replace(DBCS_USE, 'codec.decoder === dbcsDecoder()');
}

export const lazyLibmimeDbcs = {
  name: 'ostal-lazy-libmime-dbcs',
  setup(build) {
    build.onLoad({ filter: /[\\/]libmime[\\/]dist[\\/](esm|cjs)[\\/]charset\.js$/ }, async (args) => {
      const contents = lazyDbcsSource(await fs.promises.readFile(args.path, 'utf8'));
      return contents === null ? undefined : { contents, loader: 'js' };
    });
  },
};

// imapflowWithoutUnusedDeps: imapflow loads pino (its default logger) and socks (its SOCKS proxy client, with
// ip-address) as soon as it is loaded. Ostal always gives each ImapFlow its logger (or `logger: false`) and never a
// proxy, so neither is ever called: in the bundles they are replaced by stand-ins that throw a clear error if they
// ever were (~5 ms of every IMAP start on a slow machine, and 150 Ko of the bundle).
const IMAPFLOW_STAND_INS = {
  pino: "export default function pino() { throw new Error('pino is not bundled with Ostal: give ImapFlow a logger'); }\n",
  socks:
    'export const SocksClient = { createConnection() { ' +
    "throw new Error('socks is not bundled with Ostal: ImapFlow is given no SOCKS proxy'); } };\n",
};

export const imapflowWithoutUnusedDeps = {
  name: 'ostal-imapflow-without-unused-deps',
  setup(build) {
    build.onResolve({ filter: /^(pino|socks)$/ }, (args) =>
      /[\\/]node_modules[\\/]imapflow[\\/]/.test(args.importer) ? { path: args.path, namespace: 'ostal-stand-in' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'ostal-stand-in' }, (args) => ({
      contents: IMAPFLOW_STAND_INS[args.path],
      loader: 'js',
    }));
  },
};

// betterSqliteAddonDirect: better-sqlite3 bundled with the CLI (its JavaScript then comes from V8's code cache with the
// rest) and its native addon required by its path. Unbundled, each start resolved and compiled its ten files and
// `bindings` probed a dozen places for the addon (~10 ms). The addon is where node-gyp and prebuild-install put it;
// elsewhere, `bindings` looks for it as before.
export const betterSqliteAddonDirect = {
  name: 'ostal-better-sqlite-addon-direct',
  setup(build) {
    build.onResolve({ filter: /^bindings$/ }, (args) =>
      /[\\/]node_modules[\\/]better-sqlite3[\\/]/.test(args.importer) ? { path: 'bindings', namespace: 'ostal-addon' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'ostal-addon' }, () => ({
      contents: [
        'module.exports = function bindings(name) {',
        '  let file;',
        "  try { file = require.resolve('better-sqlite3/build/Release/' + name); } catch { file = null; }",
        "  return file ? require(file) : require('bindings')(name);",
        '};',
        '',
      ].join('\n'),
      loader: 'js',
      resolveDir: build.initialOptions.absWorkingDir ?? process.cwd(),
    }));
  },
};

const BUILTIN_DEFAULT_IMPORT = /__toESM\(require\("((?:node:)?[a-z_/0-9]+)"\),\s?1\)/g;

/**
 * One module object per Node built-in in a CommonJS bundle: esbuild turns each `import fs from 'node:fs'` into
 * `__toESM(require("node:fs"), 1)`, a fresh object with a getter per export, made again in each of the ~140 modules
 * that import a built-in (~10 ms of every start of the CLI). The bundle's text is rewritten so that each built-in's is
 * made once, at its first import, and shared (its getters read the module itself, as before). Returns the text and
 * how many imports were rewritten.
 */
export function shareBuiltinImports(text) {
  let count = 0;
  const out = text.replace(BUILTIN_DEFAULT_IMPORT, (whole, name) => {
    if (!builtinModules.includes(name.replace(/^node:/, ''))) return whole;
    count += 1;
    return `__ostalBuiltin(${JSON.stringify(name)})`;
  });
  if (count === 0) return { text, count };
  // A function declaration is hoisted: defined at the end, it is there when the first module calls it (after esbuild's
  // own helpers, __toESM among them, were set at the top).
  const helper =
    '\nfunction __ostalBuiltin(name) { const made = (__ostalBuiltin.made ??= new Map()); let m = made.get(name); ' +
    'if (m === undefined) made.set(name, (m = __toESM(require(name), 1))); return m; }\n';
  return { text: out + helper, count };
}
