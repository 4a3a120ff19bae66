#!/usr/bin/env node
// Entry of the headless CLI (`npm run -s ostal -- …` or the `ostal` bin).
// It runs dist/cli/ostal.mjs, a bundle of the TypeScript core made with esbuild on first use and again whenever
// a file under src/ is newer: IT scripts and benchmarks start it often, and compiling the core through tsx at
// every start cost about a second. When the bundle cannot be built, the core runs through tsx as before.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(root, 'dist', 'cli');
const bundle = path.join(outDir, 'ostal.mjs');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

/** Write a file under a temporary name, then rename it: a concurrent start never reads half a file. */
function placeAtomically(target, write) {
  const tmp = `${target}.${process.pid}.tmp`;
  write(tmp);
  fs.renameSync(tmp, target);
}

/** True when dist/cli/ostal.mjs is there and newer than every source file (building it if needed). */
async function ensureBundle() {
  let built = 0;
  try {
    built = fs.statSync(bundle).mtimeMs;
  } catch {
    built = 0;
  }
  if (built > newestMtime(path.join(root, 'src'))) return true;
  try {
    const { build } = await import('esbuild');
    const result = await build({
      absWorkingDir: root,
      entryPoints: ['src/cli/cli.ts'],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      // Every pure-JS dependency goes into the one file (resolving and reading ~400 module files cost ~150 ms at each
      // start); native and optional modules stay outside, loaded from node_modules.
      external: ['better-sqlite3', 'electron', 'esbuild', 'tsx', 'mediasoup', 'keytar', 'pino-pretty'],
      // CommonJS dependencies call require() for Node's own modules: give the bundle one.
      banner: {
        js: "import { createRequire as __ostalCreateRequire } from 'node:module'; const require = __ostalCreateRequire(import.meta.url);",
      },
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
    placeAtomically(bundle, (tmp) => fs.writeFileSync(tmp, result.outputFiles[0].contents));
    return true;
  } catch (err) {
    if (process.env.OSTAL_DEBUG) process.stderr.write(`ostal: CLI bundle not built, running through tsx (${err})\n`);
    return false;
  }
}

let main;
if (await ensureBundle()) {
  ({ main } = await import(pathToFileURL(bundle).href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/cli.ts'));
}
process.exitCode = await main(process.argv.slice(2));
