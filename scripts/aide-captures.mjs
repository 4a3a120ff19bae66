/**
 * Publishes the screenshots of the help pages: every `capture:NAME.png` named in renderer/src/aide/pages/*.md is
 * copied from the e2e suite's screenshots (test-results/screens, written by tests/e2e) to aide/captures/ of the built
 * renderer, where the help centre loads them. `npm test` runs it after the end-to-end tests, so the help shows the
 * interface of that very run; the e2e spec aide-centre.spec.ts runs it too and checks the result.
 *
 *   node scripts/aide-captures.mjs [--screens DIR] [--renderer DIR]
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PAGES_DIRS = [path.join(ROOT, 'renderer', 'src', 'aide', 'pages'), path.join(ROOT, 'renderer', 'src', 'aide')];

/** Every screenshot name the help pages (and « Quoi de neuf ») show. */
export function referencedCaptures() {
  const names = new Set();
  for (const dir of PAGES_DIRS) {
    for (const file of fs.readdirSync(dir)) {
      if (!file.endsWith('.md')) continue;
      for (const m of fs.readFileSync(path.join(dir, file), 'utf8').matchAll(/\(capture:([a-z0-9][a-z0-9-]*\.png)\)/g)) names.add(m[1]);
    }
  }
  return [...names].sort();
}

/**
 * Copies the referenced screenshots that exist; removes published ones that no longer exist in `screensDir` (a page
 * never shows a picture older than the run's). Returns what was copied and what is missing.
 */
export function publishCaptures({
  screensDir = path.join(ROOT, 'test-results', 'screens'),
  rendererDir = process.env.OSTAL_RENDERER_DIR ?? path.join(ROOT, 'renderer', 'dist'),
} = {}) {
  const target = path.join(rendererDir, 'aide', 'captures');
  fs.mkdirSync(target, { recursive: true });
  const copied = [];
  const missing = [];
  for (const name of referencedCaptures()) {
    const source = path.join(screensDir, name);
    if (fs.existsSync(source)) {
      fs.copyFileSync(source, path.join(target, name));
      copied.push(name);
    } else {
      fs.rmSync(path.join(target, name), { force: true });
      missing.push(name);
    }
  }
  return { target, copied, missing };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (flag) => {
    const i = process.argv.indexOf(flag);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const result = publishCaptures({ screensDir: arg('--screens'), rendererDir: arg('--renderer') });
  process.stdout.write(
    `Aide : ${result.copied.length} captures publiées dans ${result.target}` +
      (result.missing.length ? ` ; absentes (spécifications non lancées) : ${result.missing.join(', ')}` : '') +
      '\n',
  );
}
