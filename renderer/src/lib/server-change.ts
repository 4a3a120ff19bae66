/**
 * The account editor asks for the password again when a server address changes: the core refuses such a change
 * without it (src/accounts/server-change.ts, same rule: scheme, host and port; a removed server does not count).
 */
const FIELDS = ['imap', 'smtp', 'caldav', 'carddav', 'webdav'] as const;

/** The address fields of an account's ServerSettings. */
type ServerAddresses = Partial<Record<(typeof FIELDS)[number], string | null>>;

function destination(value: string | null | undefined): string | null {
  if (!value) return null;
  try {
    const u = new URL(value);
    return `${u.protocol}//${u.hostname.toLowerCase()}:${u.port}`;
  } catch {
    return value.trim().toLowerCase();
  }
}

/** The server fields that now point somewhere new. */
export function changedServerAddresses(before: ServerAddresses, after: ServerAddresses): (typeof FIELDS)[number][] {
  return FIELDS.filter((field) => {
    const next = destination(after[field]);
    return next !== null && next !== destination(before[field]);
  });
}
