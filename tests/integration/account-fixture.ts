/**
 * The account of a test user on the test servers, added through accounts.add as the app adds one: mail over implicit
 * TLS and SMTP, the other servers only when a test gives them. One helper for every fixture that opens a core.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Core } from '../../src/core.js';
import { silentLogger } from '../../src/log.js';
import type { ServerSettings } from '../../src/shared/contract.js';
import { getServers } from '../servers/testing.js';
import type { TestUser } from '../servers/types.js';

type OtherServers = Partial<Pick<ServerSettings, 'caldav' | 'carddav' | 'webdav' | 'xmpp'>>;

/** Radicale's root, for `caldav` and `carddav`. */
export function radicaleUrl(): string {
  return `https://localhost:${getServers().radicale.port}/`;
}

/** Add `user`'s account; an account of that address already in the profile is kept (its id returned). */
export async function addServerAccount(
  core: Core,
  user: TestUser,
  servers: OtherServers = {},
  options: { pinnedCertificates?: string[] } = {},
): Promise<string> {
  const existing = (await core.handle('accounts.list', {})).find((a) => a.email === user.email);
  if (existing) return existing.id;
  const s = getServers();
  const added = await core.handle('accounts.add', {
    email: user.email,
    password: user.password,
    name: user.name,
    settings: {
      imap: `imaps://localhost:${s.imap.tlsPort}`,
      smtp: `smtp://localhost:${s.smtp.port}`,
      caldav: null,
      carddav: null,
      webdav: null,
      username: user.username,
      ...servers,
    },
    ...options,
  });
  return added.id;
}

/**
 * A Core (CLI mode, no policy, silent log) on a new temporary profile — its folder pushed to `dirs` for the test's
 * clean-up — holding `user`'s account with the given servers besides mail.
 */
export async function coreWithAccount(
  user: TestUser,
  dirs: string[],
  prefix: string,
  servers: OtherServers = {},
): Promise<{ core: Core; accountId: string; dir: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(dir);
  const core = await Core.open({
    profileDir: path.join(dir, 'profil'),
    mode: 'cli',
    logger: silentLogger,
    policyPath: path.join(dir, 'no-policy.json'),
  });
  try {
    return { core, accountId: await addServerAccount(core, user, servers), dir };
  } catch (err) {
    await core.close();
    throw err;
  }
}
