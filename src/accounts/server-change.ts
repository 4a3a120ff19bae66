/**
 * Changing where an account connects asks for its password again: otherwise anyone who can edit the account (a
 * moment at an unlocked session, a forged settings import) could point IMAP, SMTP or a DAV server at their own
 * machine and collect the stored password at the next sync. A changed server address is accepted by accounts.update
 * only together with the password, which is then checked against the new servers.
 */
import type { ServerSettings } from '../shared/contract.js';
import { OstalError } from '../errors.js';
import { t } from '../i18n/index.js';

export const SERVER_ADDRESS_FIELDS = ['imap', 'smtp', 'caldav', 'carddav', 'webdav'] as const;
export type ServerAddressField = (typeof SERVER_ADDRESS_FIELDS)[number];

/** Where a URL sends credentials: scheme, host and port (a path change on the same server is not a new server). */
function destination(value: string | null | undefined): string | null {
  if (!value) return null;
  try {
    const u = new URL(value);
    return `${u.protocol}//${u.hostname.toLowerCase()}:${u.port}`;
  } catch {
    return value.trim().toLowerCase();
  }
}

/** The server fields whose address now points somewhere the stored password was never sent (removals do not count). */
export function newServerDestinations(before: Partial<ServerSettings>, after: Partial<ServerSettings>): ServerAddressField[] {
  return SERVER_ADDRESS_FIELDS.filter((field) => {
    const next = destination(after[field]);
    return next !== null && next !== destination(before[field]);
  });
}

/** Refuse (French message) a change of server address that comes without the password. */
export function requirePasswordForNewServers(before: Partial<ServerSettings>, after: Partial<ServerSettings>, password: string | undefined | null): void {
  if (password) return;
  const changed = newServerDestinations(before, after);
  if (changed.length === 0) return;
  throw new OstalError('invalid_input', t('accounts.passwordForNewServer', { servers: changed.map((f) => t(`accounts.endpoints.${f}`)).join(', ') }), { details: { fields: changed } });
}
