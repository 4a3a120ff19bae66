/**
 * The esbuild plugins of the core's bundles (scripts/esbuild-plugins.mjs), each on a bundle made here and run:
 * - libmime's GBK table is built at its first use, not when libmime is loaded. It must apply to the libmime installed
 *   (a new version changes the text it rewrites: this test then fails, and the bundles still work, only slower to
 *   start), and the bundled libmime must decode as before;
 * - imapflow without pino and socks (stand-ins that say so if ever called);
 * - better-sqlite3 inside the bundle, its addon required by its path;
 * - one module object per Node built-in.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript build script without type declarations
import * as plugins from '../../scripts/esbuild-plugins.mjs';

const { betterSqliteAddonDirect, imapflowWithoutUnusedDeps, lazyDbcsSource, lazyLibmimeDbcs, shareBuiltinImports } = plugins;

const root = path.resolve(import.meta.dirname, '../..');
const rewrite = lazyDbcsSource as (text: string) => string | null;

describe('esbuild plugin: libmime without its GBK table at load', () => {
  // Inside the repository (ignored .cache/), so the bundle resolves node_modules.
  fs.mkdirSync(path.join(root, '.cache'), { recursive: true });
  const dir = fs.mkdtempSync(path.join(root, '.cache', 'esbuild-plugins-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('applies to both builds of the libmime installed', () => {
    for (const flavour of ['esm', 'cjs']) {
      const text = fs.readFileSync(path.join(root, 'node_modules', 'libmime', 'dist', flavour, 'charset.js'), 'utf8');
      const out = rewrite(text);
      expect(out, flavour).not.toBeNull();
      expect(out).toContain('dbcsDecoder()');
      expect(out).not.toMatch(/const DBCS_DECODER = .*getCodec\('gbk'\)/);
    }
  });

  it('leaves a text it does not recognise unchanged (null), never half rewritten', () => {
    expect(rewrite('const x = 1;')).toBeNull();
    const eager = "const DBCS_DECODER = iconv.getCodec('gbk').decoder;\n";
    expect(rewrite(eager)).toBeNull(); // no use to rewrite
    expect(rewrite(`${eager}if (codec.decoder === DBCS_DECODER) {}\nexport { DBCS_DECODER };\n`)).toBeNull(); // another use
    expect(rewrite(`${eager}if (codec.decoder === DBCS_DECODER) {}\n`)).toContain('codec.decoder === dbcsDecoder()');
  });

  it('bundled: loading libmime builds no GBK codec, and a GBK stream cut inside a character decodes as before', async () => {
    const entry = path.join(dir, 'entry.mjs');
    fs.writeFileSync(
      entry,
      [
        "import iconv from 'iconv-lite';",
        "import libmime from 'libmime';",
        'const atLoad = Object.keys(iconv._codecDataCache);',
        "const bytes = iconv.encode('Compte rendu : 会议纪要，预算。', 'gbk');",
        "const stream = libmime.createDecodeStream('gbk');",
        'const parts = [];',
        "stream.on('data', (c) => parts.push(c));",
        "stream.on('end', () => console.log(JSON.stringify({ atLoad, text: Buffer.concat(parts).toString('utf8'), after: Object.keys(iconv._codecDataCache) })));",
        // Cut in the middle of the first two-byte character.
        "const cut = bytes.indexOf(iconv.encode('会', 'gbk')) + 1;",
        'stream.write(bytes.subarray(0, cut));',
        'stream.end(bytes.subarray(cut));',
        '',
      ].join('\n'),
    );
    const outfile = path.join(dir, 'bundle.cjs');
    await build({
      absWorkingDir: root,
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      outfile,
      logLevel: 'silent',
      plugins: [lazyLibmimeDbcs],
    });
    expect(fs.readFileSync(outfile, 'utf8')).toContain('dbcsDecoder()');
    const run = spawnSync(process.execPath, [outfile], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    const result = JSON.parse(run.stdout) as { atLoad: string[]; text: string; after: string[] };
    expect(result.atLoad.some((name) => /gbk|cp936/.test(name))).toBe(false);
    expect(result.text).toBe('Compte rendu : 会议纪要，预算。');
    expect(result.after.some((name) => /gbk|cp936/.test(name))).toBe(true);
  });
});

describe('esbuild plugins: imapflow, better-sqlite3 and the built-ins in the CLI bundle', () => {
  fs.mkdirSync(path.join(root, '.cache'), { recursive: true });
  const dir = fs.mkdtempSync(path.join(root, '.cache', 'esbuild-plugins-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const share = shareBuiltinImports as (text: string) => { text: string; count: number };

  /** Bundle `source` as bin/ostal.mjs bundles the CLI, rewritten as it is; returns the file and its text. */
  async function bundle(name: string, source: string, plugins: unknown[]): Promise<{ file: string; text: string }> {
    const entry = path.join(dir, `${name}.mjs`);
    fs.writeFileSync(entry, source);
    const result = await build({
      absWorkingDir: root,
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      external: ['electron'],
      write: false,
      outfile: path.join(dir, `${name}.cjs`),
      logLevel: 'silent',
      plugins: plugins as never[],
    });
    const { text } = share(result.outputFiles[0]!.text);
    const file = path.join(dir, `${name}.cjs`);
    fs.writeFileSync(file, text);
    return { file, text };
  }

  /** Run a bundle, recording every module Node was asked to resolve (bundled code asks none but externals). */
  function run(file: string): { stdout: string; stderr: string; resolved: string[] } {
    const hook = path.join(dir, 'record-resolve.cjs');
    fs.writeFileSync(
      hook,
      [
        "const Module = require('node:module');",
        'const seen = [];',
        'const original = Module._resolveFilename;',
        'Module._resolveFilename = function (request, ...rest) { seen.push(request); return original.call(this, request, ...rest); };',
        "process.on('exit', () => process.stderr.write('RESOLVED ' + JSON.stringify(seen) + '\\n'));",
        '',
      ].join('\n'),
    );
    const r = spawnSync(process.execPath, ['--require', hook, file], { encoding: 'utf8' });
    const line = r.stderr.split('\n').find((l) => l.startsWith('RESOLVED ')) ?? 'RESOLVED []';
    return {
      stdout: r.stdout,
      stderr: r.stderr
        .split('\n')
        .filter((l) => l && !l.startsWith('RESOLVED '))
        .join('\n'),
      resolved: JSON.parse(line.slice('RESOLVED '.length)) as string[],
    };
  }

  it('imapflow loads without pino and socks, and a call to either says why it is not there', async () => {
    const { file, text } = await bundle(
      'imapflow',
      [
        "import { ImapFlow } from 'imapflow';",
        "const quiet = new ImapFlow({ host: '127.0.0.1', port: 1, logger: false });",
        'let defaultLogger = null;',
        "try { new ImapFlow({ host: '127.0.0.1', port: 1 }); } catch (err) { defaultLogger = String(err.message); }",
        'let proxy = null;',
        "const viaProxy = new ImapFlow({ host: '127.0.0.1', port: 1, logger: false, proxy: 'socks5://127.0.0.1:1' });",
        "viaProxy.on('error', () => {});",
        'viaProxy.connect().then(',
        "  () => console.log('connected?'),",
        '  (err) => {',
        '    proxy = String(err._err?.message ?? err.message);',
        '    console.log(JSON.stringify({ quiet: typeof quiet.connect, defaultLogger, proxy }));',
        '  },',
        ');',
        '',
      ].join('\n'),
      [imapflowWithoutUnusedDeps],
    );
    // Neither package's code is in the bundle.
    expect(text).not.toContain('node_modules/pino/');
    expect(text).not.toContain('node_modules/socks/');
    expect(text).not.toContain('node_modules/sonic-boom/');
    const r = run(file);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as { quiet: string; defaultLogger: string | null; proxy: string | null };
    expect(out.quiet).toBe('function');
    expect(out.defaultLogger).toContain('pino is not bundled with Ostal');
    expect(out.proxy).toContain('socks is not bundled with Ostal');
  });

  it('better-sqlite3 runs from the bundle, its addon required by its path (no `bindings` search)', async () => {
    const { file, text } = await bundle(
      'sqlite',
      [
        "import Database from 'better-sqlite3';",
        "const db = new Database(':memory:');",
        "db.exec('CREATE TABLE t (x TEXT)');",
        "db.prepare('INSERT INTO t VALUES (?)').run('réunion');",
        "console.log(JSON.stringify(db.prepare('SELECT x FROM t').get()));",
        'db.close();',
        '',
      ].join('\n'),
      [betterSqliteAddonDirect],
    );
    expect(text).not.toContain('require("better-sqlite3")');
    const r = run(file);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ x: 'réunion' });
    // Node was asked for the addon itself, never for the package or `bindings`.
    expect(r.resolved.some((m) => m.endsWith(`${path.sep}better_sqlite3.node`))).toBe(true);
    expect(r.resolved).not.toContain('better-sqlite3');
    expect(r.resolved).not.toContain('bindings');
  });

  it('each built-in imported by default is made once and shared by every module that imports it', async () => {
    fs.writeFileSync(path.join(dir, 'a.mjs'), "import fs from 'node:fs';\nexport const a = () => fs.existsSync;\n");
    fs.writeFileSync(
      path.join(dir, 'b.mjs'),
      "import fs from 'node:fs';\nimport os from 'os';\nexport const b = () => [fs.existsSync, os.tmpdir()];\n",
    );
    const { file, text } = await bundle(
      'builtins',
      [
        "import { a } from './a.mjs';",
        "import { b } from './b.mjs';",
        "import path from 'node:path';",
        "import fs from 'node:fs';",
        'console.log(JSON.stringify({ same: a() === b()[0] && a() === fs.existsSync, tmp: typeof b()[1], sep: path.sep, made: [...__ostalBuiltin.made.keys()].sort() }));',
        '',
      ].join('\n'),
      [],
    );
    expect(text.match(/__ostalBuiltin\("node:fs"\)/g)).toHaveLength(3);
    expect(text).not.toMatch(/__toESM\(require\("(node:)?(fs|os|path)"\)/);
    const r = run(file);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ same: true, tmp: 'string', sep: path.sep, made: ['node:fs', 'node:path', 'os'] });
  });

  it('the rewrite touches built-ins only, and nothing when there is none', () => {
    const text = 'var a = __toESM(require("node:fs"), 1);\nvar b = __toESM(require("zod"), 1);\nvar c = __toESM(require("node:fs"),1);\n';
    const { text: out, count } = share(text);
    expect(count).toBe(2);
    expect(out).toContain('var a = __ostalBuiltin("node:fs");');
    expect(out).toContain('var b = __toESM(require("zod"), 1);');
    expect(out).toContain('var c = __ostalBuiltin("node:fs");');
    expect(out).toContain('function __ostalBuiltin(name)');
    expect(share('var b = __toESM(require("zod"), 1);\n')).toEqual({ text: 'var b = __toESM(require("zod"), 1);\n', count: 0 });
  });
});
