#!/usr/bin/env node
// `npm test`: the whole suite, as CI runs it. Typecheck and lint, build the interface, start the real test servers
// once (tests/servers/), then vitest (unit + integration) and Playwright (end to end in Debian's Chromium) against
// them. Ends with one line "N passed, N failed" and a non-zero exit code if anything failed.
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
const built = stage('build renderer', node, ['node_modules/vite/bin/vite.js', 'build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn']);

const { startServers, stopServers } = await import('../tests/servers/index.ts');
process.stdout.write('\n=== test servers ===\n');
const t0 = Date.now();
const servers = await startServers({ seed: 'test' });
timings.push(`test servers: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
const env = {
  ...process.env,
  OSTAL_TEST_SERVERS: path.join(servers.dir, 'servers.json'),
  NODE_EXTRA_CA_CERTS: servers.caCertPath,
};

try {
  const vitestJson = path.join(resultsDir, 'vitest.json');
  stage('vitest', node, ['node_modules/vitest/vitest.mjs', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestJson}`], env);
  if (fs.existsSync(vitestJson)) {
    const r = JSON.parse(fs.readFileSync(vitestJson, 'utf8'));
    passed += r.numPassedTests ?? 0;
    failed += (r.numFailedTests ?? 0) + (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  } else failed += 1;

  if (built) {
    const pwJson = path.join(resultsDir, 'playwright.json');
    stage('playwright', node, ['node_modules/@playwright/test/cli.js', 'test', '--reporter=list,json'], { ...env, PLAYWRIGHT_JSON_OUTPUT_NAME: pwJson });
    if (fs.existsSync(pwJson)) {
      const s = JSON.parse(fs.readFileSync(pwJson, 'utf8')).stats ?? {};
      passed += (s.expected ?? 0) + (s.flaky ?? 0);
      failed += (s.unexpected ?? 0) + (s.skipped ?? 0);
    } else failed += 1;
  } else failed += 1;
} finally {
  await stopServers(servers);
}

process.stdout.write(`\n${timings.join('\n')}\n`);
if (failures.length) process.stdout.write(`Échecs : ${failures.join(', ')}\n`);
if (failures.length && failed === 0) failed = failures.length;
process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
process.exit(failures.length || failed ? 1 : 0);
