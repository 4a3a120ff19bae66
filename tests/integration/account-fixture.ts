/**
 * The account of a test user on the test servers, added through accounts.add as the app adds one: mail over implicit
 * TLS and SMTP, the other servers only when a test gives them. One helper for every fixture that opens a core.
 */
import type { Core } from '../../src/core.js';
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
