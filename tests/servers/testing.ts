/** Helpers for test files: the running test servers and their CA. */
import fs from 'node:fs';
import { inject } from 'vitest';
import { readServersInfo } from './index.js';
import type { ServersInfo } from './types.js';

let cached: ServersInfo | undefined;

/** The servers of this test run (from OSTAL_TEST_SERVERS, else from vitest's provide/inject). */
export function getServers(): ServersInfo {
  if (cached) return cached;
  const file = process.env.OSTAL_TEST_SERVERS;
  if (file && fs.existsSync(file)) {
    cached = readServersInfo(file);
  } else {
    const injected = inject('servers') as ServersInfo | undefined;
    if (!injected) throw new Error('no test servers: run through vitest (globalSetup) or set OSTAL_TEST_SERVERS');
    cached = injected;
  }
  return cached;
}

/** PEM of the run's CA, to pass as `ca` where a TLS client takes one. */
export function caCert(): string {
  return fs.readFileSync(getServers().caCertPath, 'utf8');
}

/** The test user agentN (1…5). */
export function testUser(n: 1 | 2 | 3 | 4 | 5): ServersInfo['users'][number] {
  const u = getServers().users[n - 1];
  if (!u) throw new Error(`no test user ${n}`);
  return u;
}
