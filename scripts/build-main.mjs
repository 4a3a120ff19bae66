// Bundle the Electron side (main/) into dist/main/*.cjs with esbuild:
//   electron.cjs (main process), preload.cjs (sandboxed preload), core-process.cjs (utility process),
//   mail-store-worker.cjs (a worker thread of the core).
// The core's SQL migrations are copied to dist/main/migrations/, where the bundled
// src/store/database.ts looks for them (next to the module).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { imapflowWithoutUnusedDeps, lazyLibmimeDbcs } from './esbuild-plugins.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const defaultOutdir = path.join(root, 'dist', 'main');

/** import.meta.url does not exist in CommonJS: give each bundle its own file URL. */
const importMetaUrlBanner = "const __ostalImportMetaUrl = require('node:url').pathToFileURL(__filename).href;";

/**
 * `extraEntryPoints` ({ name: 'path.ts' }): more programs bundled exactly as the core's utility process is (the mail
 * benchmark measures the core so, as the installed app runs it).
 */
export async function buildMain({
  production = process.env.NODE_ENV === 'production',
  outdir = defaultOutdir,
  extraEntryPoints = {},
} = {}) {
  fs.rmSync(outdir, { recursive: true, force: true });
  const common = {
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    outdir,
    outExtension: { '.js': '.cjs' },
    external: ['electron', 'better-sqlite3'],
    sourcemap: production ? false : 'linked',
    minify: false,
    legalComments: 'none',
    logLevel: 'warning',
    define: { 'import.meta.url': '__ostalImportMetaUrl' },
    banner: { js: importMetaUrlBanner },
    // libmime's GBK table built at its first use, not at every start of the core; imapflow without pino and socks,
    // which Ostal never calls (./esbuild-plugins.mjs).
    plugins: [lazyLibmimeDbcs, imapflowWithoutUnusedDeps],
  };
  // mail-store-worker.cjs: the store worker of the one-pass mail sync, found next to the core's bundle
  // (src/mail/whole-store-host.ts).
  await build({
    ...common,
    entryPoints: {
      electron: 'main/electron.ts',
      'core-process': 'main/core-process.ts',
      'mail-store-worker': 'src/mail/whole-store-worker.ts',
      ...extraEntryPoints,
    },
  });
  // The preload runs sandboxed: it may require 'electron' only, so everything else is inlined.
  await build({ ...common, entryPoints: { preload: 'main/preload.ts' }, external: ['electron'] });

  const migrationsSrc = path.join(root, 'src', 'store', 'migrations');
  const migrationsOut = path.join(outdir, 'migrations');
  fs.mkdirSync(migrationsOut, { recursive: true });
  const wanted = fs.readdirSync(migrationsSrc).filter((f) => f.endsWith('.sql'));
  for (const f of wanted) fs.copyFileSync(path.join(migrationsSrc, f), path.join(migrationsOut, f));
  // A migration renamed or removed in src/ must not linger in the build (two files of one number stop the store).
  for (const f of fs.readdirSync(migrationsOut))
    if (f.endsWith('.sql') && !wanted.includes(f)) fs.rmSync(path.join(migrationsOut, f), { force: true });
  return outdir;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildMain().then(
    (dir) => console.log(`Électron : processus principal construit dans ${path.relative(root, dir)}`),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
