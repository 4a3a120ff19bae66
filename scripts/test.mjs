#!/usr/bin/env node
// `npm test`: the whole suite, as CI runs it. Typecheck and lint (ESLint, the dependency rules of
// .dependency-cruiser.cjs, Prettier), build the interface, start the real test servers once (tests/servers/), then vitest
// (unit + integration) and Playwright (end to end in Debian's Chromium) against them. Ends with one line
// "N passed, N failed" and a non-zero exit code if anything failed.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register();
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
const resultsDir = path.join(root, 'test-results');
fs.mkdirSync(resultsDir, { recursive: true });

const failures = [];
let passed = 0;
let failed = 0;
const timings = [];

function stage(name, cmd, cmdArgs, env = process.env) {
  const t0 = Date.now();
  process.stdout.write(`\n=== ${name} ===\n`);
  const r = spawnSync(cmd, cmdArgs, { stdio: 'inherit', env });
  const seconds = ((Date.now() - t0) / 1000).toFixed(1);
  timings.push(`${name}: ${seconds} s`);
  if (r.status !== 0) failures.push(`${name} (code ${r.status ?? r.signal})`);
  return r.status === 0;
}

const node = process.execPath;
stage('typecheck', node, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json', '--noEmit']);
stage('typecheck main/', node, ['node_modules/typescript/bin/tsc', '-p', 'main/tsconfig.json', '--noEmit']);
stage('lint', node, ['node_modules/eslint/bin/eslint.js', '.', '--max-warnings=0']);
// The import graph rules (.dependency-cruiser.cjs): violations grouped by rule, non-zero exit if any.
stage('lint: dependency rules', node, ['scripts/lint-deps.mjs']);
stage('lint: format', node, ['node_modules/prettier/bin/prettier.cjs', '--check', '.', '--log-level', 'warn']);
const built = stage('build renderer', node, [
  'node_modules/vite/bin/vite.js',
  'build',
  '--config',
  'renderer/vite.config.ts',
  '--logLevel',
  'warn',
]);

const { startServers, stopServers, startServer, serverStatus, readServersInfo } = await import('../tests/servers/index.ts');

/** Last lines of a log file, or a note that it is missing. */
function tail(file, lines = 15) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return `(pas de journal ${file})`;
  }
}

/**
 * A shared test server that died during a stage makes every later test that needs it fail for a reason the test
 * does not show. Say so loudly (with the end of its log), count it as a failure, and start it again so the next
 * stage tests Ostal, not the corpse.
 */
async function checkServers(afterStage) {
  // Read again: a test may have restarted a server (new PID, same port) through servers.json.
  const current = readServersInfo(servers.dir);
  const status = serverStatus(current);
  for (const [name, alive] of Object.entries(status)) {
    if (alive) continue;
    failures.push(`serveur de test « ${name} » arrêté pendant ${afterStage}`);
    process.stdout.write(`\n!!! Le serveur de test « ${name} » s’est arrêté pendant ${afterStage}. Fin de son journal :\n`);
    const logs = path.join(servers.dir, 'logs');
    for (const f of fs.readdirSync(logs).filter((f) => f.startsWith(name === 'imap' ? 'dovecot' : name === 'smtp' ? 'postfix' : name))) {
      process.stdout.write(`--- ${f}\n${tail(path.join(logs, f))}\n`);
    }
    try {
      await startServer(current, name);
      process.stdout.write(`!!! « ${name} » redémarré sur le même port pour la suite.\n`);
    } catch (e) {
      process.stdout.write(`!!! « ${name} » ne redémarre pas : ${e instanceof Error ? e.message : String(e)}\n`);
    }
  }
}

/** Playwright tests that failed once and passed at their second try: listed loudly, they are bugs to look at. */
const unstable = [];

/** Names of the failed tests in vitest's and Playwright's JSON reports, for the summary at the very end. */
function failedNames(vitestJson, pwJson) {
  const out = [];
  try {
    for (const file of JSON.parse(fs.readFileSync(vitestJson, 'utf8')).testResults ?? []) {
      const rel = path.relative(root, file.name);
      for (const t of file.assertionResults ?? []) if (t.status !== 'passed') out.push(`vitest ${rel} › ${t.fullName} (${t.status})`);
      if ((file.assertionResults ?? []).length === 0 && file.status !== 'passed')
        out.push(`vitest ${rel} (${file.message || file.status})`);
    }
  } catch {
    /* no report */
  }
  try {
    const walk = (suite) => {
      for (const spec of suite.specs ?? []) {
        for (const t of spec.tests ?? []) {
          if (t.status === 'flaky') unstable.push(`playwright ${spec.file}:${spec.line} › ${spec.title}`);
          else if (t.status !== 'expected') out.push(`playwright ${spec.file}:${spec.line} › ${spec.title} (${t.status})`);
        }
      }
      for (const s of suite.suites ?? []) walk(s);
    };
    for (const s of JSON.parse(fs.readFileSync(pwJson, 'utf8')).suites ?? []) walk(s);
  } catch {
    /* no report */
  }
  return out;
}
process.stdout.write('\n=== test servers ===\n');
const t0 = Date.now();
const servers = await startServers({ seed: 'test' });
timings.push(`test servers: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
const env = {
  ...process.env,
  OSTAL_TEST_SERVERS: path.join(servers.dir, 'servers.json'),
  NODE_EXTRA_CA_CERTS: servers.caCertPath,
};

const vitestJson = path.join(resultsDir, 'vitest.json');
const pwJson = path.join(resultsDir, 'playwright.json');
for (const f of [vitestJson, pwJson]) fs.rmSync(f, { force: true });
try {
  stage(
    'vitest',
    node,
    ['node_modules/vitest/vitest.mjs', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestJson}`],
    env,
  );
  if (fs.existsSync(vitestJson)) {
    const r = JSON.parse(fs.readFileSync(vitestJson, 'utf8'));
    passed += r.numPassedTests ?? 0;
    failed += (r.numFailedTests ?? 0) + (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  } else failed += 1;
  await checkServers('vitest');

  if (built) {
    stage('playwright', node, ['node_modules/@playwright/test/cli.js', 'test', '--reporter=list,json'], {
      ...env,
      PLAYWRIGHT_JSON_OUTPUT_NAME: pwJson,
    });
    if (fs.existsSync(pwJson)) {
      const s = JSON.parse(fs.readFileSync(pwJson, 'utf8')).stats ?? {};
      passed += (s.expected ?? 0) + (s.flaky ?? 0);
      failed += (s.unexpected ?? 0) + (s.skipped ?? 0);
    } else failed += 1;
    await checkServers('playwright');
    // The help centre shows the screenshots of this very run (renderer/src/aide, scripts/aide-captures.mjs).
    const { publishCaptures } = await import('./aide-captures.mjs');
    const published = publishCaptures();
    timings.push(`aide : ${published.copied.length} captures publiées, ${published.missing.length} absentes`);
  } else failed += 1;
} finally {
  await stopServers(servers);
}

const names = failedNames(vitestJson, pwJson);
if (names.length) process.stdout.write(`\nTests en échec :\n${names.map((n) => `  ✘ ${n}`).join('\n')}\n`);
if (unstable.length)
  process.stdout.write(`\nTests instables (échec, puis réussite au second essai) :\n${unstable.map((n) => `  ⚠ ${n}`).join('\n')}\n`);
process.stdout.write(`\n${timings.join('\n')}\n`);
if (failures.length) process.stdout.write(`Échecs : ${failures.join(', ')}\n`);
if (failures.length && failed === 0) failed = failures.length;
process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
process.exit(failures.length || failed ? 1 : 0);
