// The store worker from the TypeScript sources (tests, `npm run bench`, the CLI when its bundle cannot be built).
// Bundled builds run dist/*/mail-store-worker.cjs instead (whole-store-host.ts). Here esbuild bundles
// whole-store-worker.ts in memory and it runs as the CommonJS module it is built as: a few tens of milliseconds,
// where compiling it module by module through tsx's loader cost ~0,3 s of the worker's start. tsx when esbuild fails.
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('./whole-store-worker.ts', import.meta.url));
let code = null;
try {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['better-sqlite3'],
    write: false,
    logLevel: 'silent',
  });
  await esbuild.stop?.();
  code = result.outputFiles[0].text;
} catch {
  code = null;
}
if (code !== null) {
  const module = { exports: {} };
  new Function('exports', 'require', 'module', '__filename', '__dirname', code)(
    module.exports,
    createRequire(entry),
    module,
    entry,
    path.dirname(entry),
  );
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./whole-store-worker.ts');
}
