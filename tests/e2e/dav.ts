/**
 * What the agenda and contacts e2e specs share: requests sent directly to the test Radicale (as another client
 * would, never through Ostal) to check and clean what the server holds, Paris calendar dates as the views show
 * them, and the axe-core check.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { radicaleRequest, type DavReply } from '../servers/http.js';
import { servers } from './ostal.js';

export type TestUser = ReturnType<typeof servers>['users'][number];

export type DavAnswer = DavReply;

/** A request to Radicale as `user` (see radicaleRequest: Depth 1 for PROPFIND/REPORT, body type guessed). */
export function radicale(
  user: TestUser,
  method: string,
  urlPath: string,
  body?: string,
  headers: Record<string, string> = {},
): Promise<DavAnswer> {
  return radicaleRequest(servers(), user, method, urlPath, body, headers);
}

export const calendarPath = (user: TestUser): string => `/${encodeURIComponent(user.username)}/agenda/`;
export const bookPath = (user: TestUser): string => `/${encodeURIComponent(user.username)}/contacts/`;

/** PUT an iCalendar resource, as another client would; the HTTP status. */
export async function putEvent(user: TestUser, urlPath: string, ics: string): Promise<number> {
  return (await radicale(user, 'PUT', urlPath, ics)).status;
}

const unxml = (s: string): string =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&#13;/g, '\r')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');

const ALL_EVENTS =
  '<?xml version="1.0"?><C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><C:calendar-data/></D:prop><C:filter><C:comp-filter name="VCALENDAR"/></C:filter></C:calendar-query>';

/** Resources of the user's « agenda » whose href or (unfolded) text contains `needle`, by a calendar-query REPORT. */
export async function calendarResources(user: TestUser, needle: string): Promise<{ href: string; raw: string }[]> {
  const listing = await radicale(user, 'REPORT', calendarPath(user), ALL_EVENTS);
  const out: { href: string; raw: string }[] = [];
  for (const m of listing.body.matchAll(/<(?:\w+:)?response>([\s\S]*?)<\/(?:\w+:)?response>/g)) {
    const href = /<(?:\w+:)?href>([^<]+)</.exec(m[1]!)?.[1] ?? '';
    const data = /<(?:\w+:)?calendar-data[^>]*>([\s\S]*?)<\/(?:\w+:)?calendar-data>/.exec(m[1]!)?.[1];
    if (!data) continue;
    const raw = unxml(data);
    if (href.includes(needle) || raw.replace(/\r?\n[ \t]/g, '').includes(needle)) out.push({ href, raw });
  }
  return out;
}

/** Every resource of the user's « agenda » holding this UID (calendar-query REPORT with a UID text-match). */
export async function calendarByUid(user: TestUser, uid: string): Promise<string[]> {
  const body = `<?xml version="1.0" encoding="utf-8"?><C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><C:calendar-data/></D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:prop-filter name="UID"><C:text-match collation="i;octet">${uid}</C:text-match></C:prop-filter></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>`;
  const answer = await radicale(user, 'REPORT', calendarPath(user), body);
  return [...answer.body.matchAll(/<(?:\w+:)?calendar-data[^>]*>([\s\S]*?)<\/(?:\w+:)?calendar-data>/g)].map((m) => unxml(m[1]!));
}

/** Delete from the user's « agenda » every resource whose href or text contains `needle` (clean-up). */
export async function deleteCalendarResources(user: TestUser, needle: string): Promise<void> {
  for (const { href } of await calendarResources(user, needle)) await radicale(user, 'DELETE', href);
}

/** The vCards of the user's address book whose text contains `needle` (PROPFIND, then GET of each). */
export async function addressBookCards(user: TestUser, needle: string): Promise<string[]> {
  const list = await radicale(
    user,
    'PROPFIND',
    bookPath(user),
    '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:getetag/></D:prop></D:propfind>',
  );
  const out: string[] = [];
  for (const m of list.body.matchAll(/<(?:\w+:)?href>([^<]+\.vcf)<\/(?:\w+:)?href>/g)) {
    const got = await radicale(user, 'GET', m[1]!);
    if (got.body.includes(needle)) out.push(got.body);
  }
  return out;
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** Today in Paris, 'YYYY-MM-DD'. */
export function parisToday(): string {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' })
      .formatToParts(new Date())
      .map((x) => [x.type, x.value]),
  );
  return `${p.year}-${p.month}-${p.day}`;
}

/** 'YYYY-MM-DD' plus `n` days. */
export function addDays(key: string, n: number): string {
  const d = new Date(`${key}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** 'YYYY-MM-DD' as typed in the French date fields: 'DD/MM/YYYY'. */
export const frDate = (key: string): string => `${key.slice(8, 10)}/${key.slice(5, 7)}/${key.slice(0, 4)}`;

/** Day of the week, Monday = 0. */
export const weekday = (key: string): number => (new Date(`${key}T12:00:00Z`).getUTCDay() + 6) % 7;

/** Serious or critical axe-core violations of the page (WCAG 2.1 AA). */
export async function axeProblems(page: Page): Promise<string[]> {
  const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return axe.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id}: ${v.help} (${v.nodes
          .map((n) => n.target.join(' '))
          .slice(0, 3)
          .join(', ')})`,
    );
}
