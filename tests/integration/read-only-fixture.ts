/**
 * A calendar shared to the agent in read-only, on the test Radicale: a new agent of its own (IMAP login in Dovecot,
 * DAV login in Radicale), whose home holds a writable calendar « Agenda » (made by MKCALENDAR as the agent) and a
 * read-only one named `lecture-seule-…` (tests/servers/configs.ts radicaleRights gives the agent only « r » on it),
 * put with its events straight into Radicale's storage, as its owner or IT would have filled it. No seeded agent is
 * touched: their calendars and event counts stay as the other tests expect them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ensureVmailUser } from '../servers/daemons.js';
import { READ_ONLY_CALENDAR_PREFIX } from '../servers/configs.js';
import { radicaleRequest } from '../servers/http.js';
import { runLayout } from '../servers/layout.js';
import type { ServersInfo, TestUser } from '../servers/types.js';
import { addImapUser } from './mail-offline-fixture.js';

export interface ReadOnlySetup {
  user: TestUser;
  /** Hrefs (decoded paths, as Ostal stores them) of the writable and the read-only calendars. */
  writableHref: string;
  readOnlyHref: string;
  /** The display names: « Agenda » and « Jours fériés de la commune ». */
  writableName: string;
  readOnlyName: string;
  /** Path of an event file of the read-only calendar in Radicale's storage, to read it back unchanged. */
  storageOf: (uid: string) => string;
}

/** One iCalendar object (Paris times, 'YYYY-MM-DD' and 'HH:mm'). */
export function eventIcs(uid: string, day: string, from: string, to: string, summary: string): string {
  const d = day.replaceAll('-', '');
  return [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Test//FR',
    'BEGIN:VEVENT',
    `UID:${uid}`,
    'DTSTAMP:20261130T120000Z',
    `DTSTART;TZID=Europe/Paris:${d}T${from.replace(':', '')}00`,
    `DTEND;TZID=Europe/Paris:${d}T${to.replace(':', '')}00`,
    `SUMMARY:${summary}`,
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');
}

/**
 * A new agent (`prefix`) with both calendars; `readOnlyEvents` go into the read-only one (by its storage),
 * `writableEvents` into « Agenda » (by PUT as the agent).
 */
export async function readOnlyCalendarUser(
  s: ServersInfo,
  prefix: string,
  readOnlyEvents: { uid: string; ics: string }[],
  writableEvents: { uid: string; ics: string }[] = [],
): Promise<ReadOnlySetup> {
  const user = addImapUser(s, prefix);
  const layout = runLayout(s.dir);
  // Its mail home, owned by the mail user before the first login (as tests/e2e/courrier-imap.ts newMailbox does).
  const [local, domain] = user.username.split('@') as [string, string];
  const home = path.join(layout.dovecot.mail, domain, local);
  const vmail = await ensureVmailUser();
  fs.mkdirSync(home, { recursive: true, mode: 0o700 });
  fs.chownSync(home, vmail.uid, vmail.gid);
  // Radicale reads its users file at each login.
  fs.appendFileSync(layout.radicale.users, `${user.username}:${user.password}\n`);
  const writableName = 'Agenda';
  const readOnlyName = 'Jours fériés de la commune';
  const base = `/${encodeURIComponent(user.username)}/`;
  const mk = await radicaleRequest(
    s,
    user,
    'MKCALENDAR',
    `${base}agenda/`,
    `<?xml version="1.0" encoding="utf-8"?><C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop><D:displayname>${writableName}</D:displayname></D:prop></D:set></C:mkcalendar>`,
  );
  if (mk.status !== 201) throw new Error(`MKCALENDAR answered ${mk.status}: ${mk.body}`);
  for (const e of writableEvents) {
    const put = await radicaleRequest(s, user, 'PUT', `${base}agenda/${e.uid}.ics`, e.ics);
    if (put.status !== 201) throw new Error(`PUT answered ${put.status}`);
  }
  const name = `${READ_ONLY_CALENDAR_PREFIX}-feries`;
  const folder = path.join(layout.radicale.storage, 'collection-root', user.username, name);
  fs.mkdirSync(folder, { recursive: true, mode: 0o700 });
  fs.writeFileSync(
    path.join(folder, '.Radicale.props'),
    JSON.stringify({
      'C:supported-calendar-component-set': 'VEVENT',
      'D:displayname': readOnlyName,
      'ICAL:calendar-color': '#6a6a6a',
      tag: 'VCALENDAR',
    }),
  );
  for (const e of readOnlyEvents) fs.writeFileSync(path.join(folder, `${e.uid}.ics`), e.ics);
  return {
    user,
    writableHref: `/${user.username}/agenda/`,
    readOnlyHref: `/${user.username}/${name}/`,
    writableName,
    readOnlyName,
    storageOf: (uid) => path.join(folder, `${uid}.ics`),
  };
}
