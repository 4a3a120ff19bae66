/**
 * « Agenda » of the espaces de travail: one calendar per space under the organisation's shared CalDAV root (policy key
 * `workspaces.caldavRoot`), named after the room's local part, so every member finds it from the room alone. It is
 * made (MKCALENDAR) when the space is created, and synced as one more calendar of each member's account (src/calendar/
 * dav-sync.ts asks for {@link spaceCalendarHrefs}): it shows in Agenda and in the space. No import of src/calendar/
 * here (the calendar sync imports this module).
 */
import type { CoreContext } from '../context.js';
import { DavClient } from '../dav/client.js';
import { OstalError } from '../errors.js';
import { readSetting } from '../store/settings-repository.js';
import type { Logger } from '../log.js';

const localPart = (jid: string): string => jid.slice(0, jid.indexOf('@'));
const xmlEscape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** URL of the space's calendar, or null when IT gave no shared CalDAV root. */
export function spaceCalendarUrl(ctx: Pick<CoreContext, 'db' | 'policy'>, room: string): string | null {
  const root = readSetting(ctx, 'workspaces.caldavRoot');
  if (!root) return null;
  return `${root.endsWith('/') ? root : root + '/'}${encodeURIComponent(localPart(room))}/`;
}

/**
 * Decoded paths of the calendars of the account's spaces on the server of `caldavBase` (the account's CalDAV server).
 * A shared root on another server is left out: the account's password is never sent to a server it was not given for.
 */
export function spaceCalendarHrefs(
  ctx: Pick<CoreContext, 'db' | 'policy'>,
  accountId: string,
  caldavBase: string,
  log?: Logger,
): { room: string; href: string; name: string }[] {
  const rows = ctx.db.prepare('SELECT id, name FROM workspaces WHERE account_id = ? ORDER BY name').all(accountId) as {
    id: string;
    name: string;
  }[];
  const origin = new URL(caldavBase).origin;
  const out: { room: string; href: string; name: string }[] = [];
  for (const r of rows) {
    const url = spaceCalendarUrl(ctx, r.id);
    if (!url) return [];
    const u = new URL(url);
    if (u.origin !== origin) {
      log?.warn('workspaces: shared CalDAV root on another server than the account’s, space calendars not synced', { origin: u.origin });
      return [];
    }
    out.push({ room: r.id, href: decodeURIComponent(u.pathname), name: r.name });
  }
  return out;
}

/** MKCALENDAR of the space's calendar (its display name: the space's). An existing one (405) is kept. */
export async function makeSpaceCalendar(
  url: string,
  name: string,
  credentials: { username: string; password: string; pinnedCertificates: string[] },
): Promise<void> {
  const client = new DavClient(url, credentials);
  try {
    const body =
      '<?xml version="1.0" encoding="utf-8"?><C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop>' +
      `<D:displayname>${xmlEscape(name)}</D:displayname>` +
      '<C:supported-calendar-component-set><C:comp name="VEVENT"/></C:supported-calendar-component-set>' +
      '</D:prop></D:set></C:mkcalendar>';
    const res = await client.request('MKCALENDAR', url, { body, kind: 'mkcalendar' });
    if (res.status === 201 || res.status === 405) return;
    throw client.statusError(res.status);
  } catch (err) {
    throw err instanceof OstalError ? err : new OstalError('internal', String(err), { cause: err });
  } finally {
    client.close();
  }
}
