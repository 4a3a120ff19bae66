/**
 * Helpers of the espaces de travail tests: a Core per agent and profile (account with the run's Prosody), and the
 * TCP relay of tests/servers/relay.ts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Core } from '../../src/core.js';
import { silentLogger, type Logger } from '../../src/log.js';
import { XmppSession } from '../../src/workspaces/xmpp/session.js';
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
  options: { logger?: Logger; mode?: 'cli' | 'browser' } = {},
): Promise<OpenedCore> {
  const s = getServers();
  const core = await Core.open({
    profileDir,
    mode: options.mode ?? 'cli',
    logger: options.logger ?? silentLogger,
    policyPath: path.join(profileDir, '..', 'no-policy.json'),
  });
  const accountId = await addServerAccount(core, user, { xmpp });
  await core.handle('settings.set', { key: 'workspaces.webdavRoot', value: s.sharedWebdavRoot });
  // The agent's Documents folder (the spaces' documents go in its « Espaces »): beside the profile, never the real one.
  await core.handle('settings.set', { key: 'files.localRoot', value: path.join(path.dirname(profileDir), 'Documents') });
  return { core, accountId };
}

export function tempProfile(dirs: string[], label: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `ostal-espaces-${label}-`));
  dirs.push(dir);
  return path.join(dir, 'profil');
}

/**
 * A plain XMPP client of a test user on the run's Prosody (no Ostal): what a tool, a forger or another device of the
 * user does. A negative priority keeps it from getting the messages sent to the user's bare address.
 */
export function plainSession(user: User, priority = 0): Promise<XmppSession> {
  return XmppSession.open({
    service: `xmpp://localhost:${getServers().prosody.port}`,
    domain: 'ostal.test',
    username: user.email.split('@')[0]!,
    password: user.password,
    log: silentLogger,
    priority,
  });
}

/**
 * The cores of one test file: each opened as an agent with the run's Prosody in a new profile (`open`), or in a given
 * profile with a given XMPP address (`openIn`); `closeAll` (the file's afterAll) closes those still open and removes
 * every profile folder made through `profile`.
 */
export class WorkspaceCores {
  private readonly cores: Core[] = [];
  private readonly dirs: string[] = [];

  /** A new profile folder, removed by closeAll. */
  profile(label: string): string {
    return tempProfile(this.dirs, label);
  }

  open(user: User, label: string): Promise<OpenedCore> {
    return this.openIn(user, this.profile(label), `xmpp://localhost:${getServers().prosody.port}`);
  }

  async openIn(user: User, profileDir: string, xmpp: string | null): Promise<OpenedCore> {
    const opened = await openWorkspaceCore(user, profileDir, xmpp);
    this.cores.push(opened.core);
    return opened;
  }

  /** Close one core during the test (it is not closed again at the end). */
  async close(core: Core): Promise<void> {
    this.cores.splice(this.cores.indexOf(core), 1);
    await core.close();
  }

  async closeAll(): Promise<void> {
    for (const c of this.cores.splice(0)) await c.close().catch(() => undefined);
    for (const d of this.dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  }
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
