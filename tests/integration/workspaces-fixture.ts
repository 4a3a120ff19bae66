/**
 * Helpers of the espaces de travail tests: a Core per agent and profile (account with the run's Prosody), and the
 * TCP relay of tests/servers/relay.ts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Core } from '../../src/core.js';
import { silentLogger, type Logger } from '../../src/log.js';
import { getServers } from '../servers/testing.js';
import type { User } from './files-fixture.js';
import { addServerAccount } from './account-fixture.js';

export { Relay } from '../servers/relay.js';

export interface OpenedCore {
  core: Core;
  accountId: string;
}

export async function openWorkspaceCore(
  user: User,
  profileDir: string,
  xmpp: string | null,
  options: { logger?: Logger } = {},
): Promise<OpenedCore> {
  const s = getServers();
  const core = await Core.open({
    profileDir,
    mode: 'cli',
    logger: options.logger ?? silentLogger,
    policyPath: path.join(profileDir, '..', 'no-policy.json'),
  });
  const accountId = await addServerAccount(core, user, { xmpp });
  await core.handle('settings.set', { key: 'workspaces.webdavRoot', value: s.sharedWebdavRoot });
  return { core, accountId };
}

export function tempProfile(dirs: string[], label: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `ostal-espaces-${label}-`));
  dirs.push(dir);
  return path.join(dir, 'profil');
}

/**
 * Syncs the agent's spaces until `spaceId` is listed (20 s at most) and returns the list. The agent may be online
 * elsewhere (another test file's Ostal): that one takes the invitation live and bookmarks the space a moment later, so
 * a new profile finds it at one of its next syncs, not always the first — as a user's second computer would.
 */
export async function refreshUntilListed(core: Core, spaceId: string): Promise<string[]> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const ids = (await core.handle('workspaces.refresh', {})).map((w) => w.id);
    if (ids.includes(spaceId) || Date.now() > deadline) return ids;
    await new Promise((r) => setTimeout(r, 500));
  }
}
