/**
 * Vitest globalSetup: gives every test file the real test servers.
 * - If OSTAL_TEST_SERVERS names an existing servers.json (servers started beforehand by
 *   `npm run servers -- start` or by the test script), reuse it and leave it running at the end.
 * - Otherwise start a run seeded with 'test' and stop it at teardown.
 * In both cases OSTAL_TEST_SERVERS and NODE_EXTRA_CA_CERTS are set in this (main) process before
 * vitest forks its workers (pool 'forks'), so workers inherit them; `provide('servers', info)`
 * also hands the info over (read it with getServers() from tests/servers/testing.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { pruneServers, readServersInfo, startServers, stopServers } from './index.js';
import type { ServersInfo } from './types.js';

interface SetupContext {
  provide: (key: 'servers', value: ServersInfo) => void;
}

declare module 'vitest' {
  export interface ProvidedContext {
    servers: ServersInfo;
  }
}

export default async function setup(ctx: SetupContext): Promise<() => Promise<void>> {
  const preset = process.env.OSTAL_TEST_SERVERS;
  let info: ServersInfo;
  let owned = false;
  if (preset && fs.existsSync(preset)) {
    info = readServersInfo(preset);
    if (info.seed !== undefined && info.seed !== 'test') {
      throw new Error(`OSTAL_TEST_SERVERS=${preset} was seeded with '${info.seed}', tests need a run seeded with 'test' (SEED_COUNTS)`);
    }
  } else {
    // Runs left behind by killed test runs (their owner is gone) are stopped first.
    await pruneServers().catch(() => undefined);
    info = await startServers({ seed: 'test', ownerPid: process.pid });
    owned = true;
  }
  process.env.OSTAL_TEST_SERVERS = path.join(info.dir, 'servers.json');
  // Keep a CA bundle already given (e.g. the system bundle) and add the run's CA to it.
  const prior = process.env.NODE_EXTRA_CA_CERTS;
  if (prior !== info.caCertPath) {
    if (prior && fs.existsSync(prior) && prior !== info.caCertPath) {
      const bundle = path.join(info.dir, 'tls', 'extra-ca-bundle.pem');
      fs.writeFileSync(bundle, fs.readFileSync(info.caCertPath, 'utf8') + '\n' + fs.readFileSync(prior, 'utf8'));
      process.env.NODE_EXTRA_CA_CERTS = bundle;
    } else {
      process.env.NODE_EXTRA_CA_CERTS = info.caCertPath;
    }
  }
  ctx.provide('servers', info);
  return async () => {
    if (owned) await stopServers(info);
  };
}
