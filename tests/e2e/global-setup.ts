import path from 'node:path';
import { startServers, stopServers } from '../servers/index.js';

/**
 * Reuses the servers started by `npm test` (OSTAL_TEST_SERVERS); started alone (`npx playwright test`), starts its own
 * and stops them at the end.
 */
export default async function globalSetup(): Promise<(() => Promise<void>) | undefined> {
  if (process.env.OSTAL_TEST_SERVERS) return undefined;
  const servers = await startServers({ seed: 'test' });
  process.env.OSTAL_TEST_SERVERS = path.join(servers.dir, 'servers.json');
  process.env.NODE_EXTRA_CA_CERTS = servers.caCertPath;
  return async () => {
    await stopServers(servers);
  };
}
