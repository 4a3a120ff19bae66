#!/usr/bin/env node
// Entry of the headless CLI (`npm run -s ostal -- …` or the `ostal` bin; bin/ostal.mjs runs this file too).
// It runs dist/cli/ostal.cjs (with dist/cli/mail-store-worker.cjs, the mail sync's store worker), a bundle of the
// TypeScript core made with esbuild on first use and again whenever a file under src/ (or this file, or
// scripts/esbuild-plugins.mjs) is newer: IT scripts and benchmarks start it often, and compiling the core through tsx
// at every start cost about a second. When the bundle cannot be built, the core runs through tsx as before.
//
// The bundle is CommonJS, compiled through vm.Script with V8's code cache (dist/cli/ostal.cjs.<key>.<command>.cache,
// written after a command's first run of a new bundle): parsing and compiling the ~4 Mo of JavaScript at every start
// cost ~0,1 s, reading the cache a tenth of that. The key names the bundle (inode, size, modification time) and Node's
// version; V8 itself refuses a cache made by another V8 or other flags, and the bundle is then compiled as without one.
//
// This file is CommonJS itself: Node starts a CommonJS entry ~10 ms sooner than an ES module (no ESM loader to set up
// before the first line runs).
'use strict';
const { isAscii } = require('node:buffer');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const { createRequire } = require('node:module');
const path = require('node:path');
const vm = require('node:vm');

const root = path.resolve(__dirname, '..');
const outDir = path.join(root, 'dist', 'cli');
const bundle = path.join(outDir, 'ostal.cjs');
const worker = path.join(outDir, 'mail-store-worker.cjs');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

function mtimeOf(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

/** Write a file under a temporary name, then rename it: a concurrent start never reads half a file. */
function placeAtomically(target, write) {
  const tmp = `${target}.${process.pid}.tmp`;
  write(tmp);
  fs.renameSync(tmp, target);
}

/** True when dist/cli/ostal.cjs is there and newer than every source file (building it if needed). */
async function ensureBundle() {
  let built = 0;
  try {
    built = fs.statSync(bundle).mtimeMs;
  } catch {
    built = 0;
  }
  // The sources, and how they are bundled (this file, the plugins).
  const inputs = Math.max(
    newestMtime(path.join(root, 'src')),
    mtimeOf(__filename),
    mtimeOf(path.join(root, 'scripts', 'esbuild-plugins.mjs')),
  );
  if (built > inputs && fs.existsSync(worker)) return true;
  try {
    const { build } = require('esbuild');
    const { betterSqliteAddonDirect, imapflowWithoutUnusedDeps, lazyLibmimeDbcs, shareBuiltinImports } =
      await import('../scripts/esbuild-plugins.mjs');
    // The store worker of the one-pass mail sync (src/mail/whole-store-host.ts looks for it next to the bundle).
    const workerBuild = build({
      absWorkingDir: root,
      entryPoints: ['src/mail/whole-store-worker.ts'],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      external: ['better-sqlite3'],
      minifyWhitespace: true,
      legalComments: 'none',
      write: false,
      outfile: worker,
      logLevel: 'silent',
    });
    const result = await build({
      absWorkingDir: root,
      entryPoints: ['src/cli/cli.ts'],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      // Every pure-JS dependency goes into the one file (resolving and reading ~400 module files cost ~150 ms at each
      // start); native and optional modules stay outside, loaded from node_modules.
      // Externals are require()d only: a real import() in the bundle fails once it runs from V8's code cache (Node 20
      // loses the script's dynamic-import loader, ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING), so an ESM-only package or
      // one loaded by a dynamic import (the Outlook readers, the PAC sandbox) stays inside. better-sqlite3 is inside
      // too, its native addon required by its path (scripts/esbuild-plugins.mjs).
      external: ['electron', 'esbuild', 'tsx', 'mediasoup', 'keytar', 'pino-pretty'],
      // import.meta.url does not exist in CommonJS: the bundle's own file URL (the store finds its migrations by it).
      define: { 'import.meta.url': '__ostalImportMetaUrl' },
      banner: { js: "const __ostalImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
      // libmime's GBK table built at its first use, not at every start; imapflow without pino and socks, which Ostal
      // never calls; better-sqlite3's addon found without `bindings` (scripts/esbuild-plugins.mjs).
      plugins: [lazyLibmimeDbcs, imapflowWithoutUnusedDeps, betterSqliteAddonDirect],
      // Blanks and comments out (a third of the bytes read and hashed at each start); names stay readable in stacks.
      minifyWhitespace: true,
      legalComments: 'none',
      write: false,
      outfile: bundle,
      logLevel: 'silent',
    });
    // The bundled store looks for its SQL migrations next to the bundle.
    const migrationsSrc = path.join(root, 'src', 'store', 'migrations');
    const migrationsOut = path.join(outDir, 'migrations');
    fs.mkdirSync(migrationsOut, { recursive: true });
    const wanted = new Set(fs.readdirSync(migrationsSrc));
    for (const name of wanted) {
      placeAtomically(path.join(migrationsOut, name), (tmp) => fs.copyFileSync(path.join(migrationsSrc, name), tmp));
    }
    // A migration renamed or removed in src/ must not linger next to the bundle (two files of one number stop the store).
    for (const name of fs.readdirSync(migrationsOut))
      if (name.endsWith('.sql') && !wanted.has(name)) fs.rmSync(path.join(migrationsOut, name), { force: true });
    const workerResult = await workerBuild;
    placeAtomically(worker, (tmp) => fs.writeFileSync(tmp, workerResult.outputFiles[0].contents));
    // Each Node built-in's module object made once, not in every module importing it (scripts/esbuild-plugins.mjs).
    const { text } = shareBuiltinImports(result.outputFiles[0].text);
    placeAtomically(bundle, (tmp) => fs.writeFileSync(tmp, text));
    // The ESM bundle of earlier versions is not used any more.
    fs.rmSync(path.join(outDir, 'ostal.mjs'), { force: true });
    return true;
  } catch (err) {
    if (process.env.OSTAL_DEBUG) process.stderr.write(`ostal: CLI bundle not built, running through tsx (${err})\n`);
    return false;
  }
}

/**
 * Compile and run the bundle as Node runs a CommonJS module, with V8's code cache when there is one for this very
 * bundle. Returns its exports and a function that writes the cache (null when the one read was accepted).
 */
function loadBundle() {
  // Read through one descriptor: a bundle renamed into place meanwhile by another start is not mixed with this one.
  const fd = fs.openSync(bundle, 'r');
  let bytes, stat;
  try {
    stat = fs.fstatSync(fd);
    bytes = fs.readFileSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  // The bundle is ASCII (tests/integration/cli.test.ts checks it): read as a one-byte string, faster than UTF-8.
  const source = isAscii(bytes) ? bytes.latin1Slice(0, bytes.length) : bytes.toString('utf8');
  const key = createHash('sha256')
    .update([process.version, process.arch, stat.ino, stat.size, stat.mtimeMs].join('\n'))
    .digest('hex')
    .slice(0, 16);
  // One cache per command (its first word): a cache holds the functions its first run compiled, and `status` run first
  // after an update would otherwise leave `sync` compiling IMAP's code at each of its starts.
  const command = /^[a-z]{1,20}$/.test(process.argv[2] ?? '') ? process.argv[2] : 'other';
  const cacheFile = path.join(outDir, `ostal.cjs.${key}.${command}.cache`);
  let cachedData;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: bundle,
    cachedData,
    importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, outDir);
  const saveCache =
    cachedData && !script.cachedDataRejected
      ? null
      : () => {
          // After the run: the functions this command compiled are in the cache too. A read-only install keeps none.
          try {
            placeAtomically(cacheFile, (tmp) => fs.writeFileSync(tmp, script.createCachedData()));
            for (const name of fs.readdirSync(outDir))
              if (name.startsWith('ostal.cjs.') && name.endsWith('.cache') && !name.startsWith(`ostal.cjs.${key}.`))
                fs.rmSync(path.join(outDir, name), { force: true });
          } catch (err) {
            if (process.env.OSTAL_DEBUG) process.stderr.write(`ostal: code cache not written (${err})\n`);
          }
        };
  return { main: module.exports.main, saveCache };
}

async function run() {
  let main;
  let saveCache = null;
  if (await ensureBundle()) {
    ({ main, saveCache } = loadBundle());
  } else {
    const { register } = await import('tsx/esm/api');
    register();
    ({ main } = await import('../src/cli/cli.ts'));
  }
  process.exitCode = await main(process.argv.slice(2));
  saveCache?.();
}

run().catch((err) => {
  process.stderr.write(`${err?.stack ?? err}\n`);
  process.exitCode = 1;
});
