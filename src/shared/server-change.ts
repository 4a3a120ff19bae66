/**
 * Changing where an account connects asks for its password again: otherwise anyone who can edit the account (a
 * moment at an unlocked session, a forged settings import) could point IMAP, SMTP or a DAV server at their own
 * machine and collect the stored password at the next sync. The core refuses such a change without the password
 * (src/accounts/server-change.ts); the account editor asks for it first (renderer). One rule for both.
 */
export const SERVER_ADDRESS_FIELDS = ['imap', 'smtp', 'caldav', 'carddav', 'webdav', 'sieve'] as const;
export type ServerAddressField = (typeof SERVER_ADDRESS_FIELDS)[number];

/** The address fields of an account's server settings. */
export type ServerAddresses = Partial<Record<ServerAddressField, string | null>>;

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
export function newServerDestinations(before: ServerAddresses, after: ServerAddresses): ServerAddressField[] {
  return SERVER_ADDRESS_FIELDS.filter((field) => {
    const next = destination(after[field]);
    return next !== null && next !== destination(before[field]);
  });
}
