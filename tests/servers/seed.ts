/**
 * Seeds a run with realistic French data (tests/fixtures/seed/data.ts): mail through IMAP APPEND
 * (fixed dates and flags), one calendar and one address book per user on Radicale, files in each
 * user's WebDAV folder on Apache. 'test' is fully deterministic and described by SEED_COUNTS;
 * 'demo' is richer (DEMO_COUNTS), same content at every run, its dates anchored on the current week.
 *
 * Tests may rely on SEED_COUNTS for every user, but tests that CHANGE server data (send, delete,
 * flag, upload…) must do it on agent2…agent5, or adjust what they expect; agent1 stays read-only.
 */
import https from 'node:https';
import fs from 'node:fs';
import { ImapFlow } from 'imapflow';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import {
  ARCHIVE_TEMPLATES,
  DEMO_EVENT_TITLES,
  DRAFT_TEMPLATES,
  EXTERNAL,
  INBOX_TEMPLATES,
  JUNK_TEMPLATES,
  SENT_TEMPLATES,
  TEST_EVENTS,
  TRASH_TEMPLATES,
  BUDGET_CSV,
  contactsFor,
  prng,
  testFiles,
  tinyOdt,
  tinyPdf,
  type SeedContact,
  type SeedEvent,
  type SeedFile,
  type SeedMessage,
  type SeedPerson,
} from '../fixtures/seed/data.js';
import { encodePath, httpsRequest } from './http.js';
import type { ServersInfo, TestUser } from './types.js';
import { TEST_USERS } from './users.js';

export type SeedFolder = SeedMessage['folder'];
export const SEED_FOLDERS: readonly SeedFolder[] = ['INBOX', 'Sent', 'Archive', 'Drafts', 'Trash', 'Junk'];

export interface FolderCount {
  total: number;
  unread: number;
}

export interface UserSeedCounts {
  mail: Record<SeedFolder, FolderCount>;
  /** Events (VEVENT resources) in the calendar SEED_COLLECTIONS.calendar. */
  events: number;
  /** vCards in the address book SEED_COLLECTIONS.addressBook. */
  contacts: number;
  /** Entries at the root of https://localhost:<apache>/dav/<email>/ (folders end with '/'). */
  files: string[];
  /** Every path seeded in WebDAV, folders end with '/'. */
  allFiles: string[];
}

export type SeedCounts = Record<string, UserSeedCounts>;

/** Collections created on Radicale for each user: https://localhost:<radicale>/<email>/<name>/ */
export const SEED_COLLECTIONS = {
  calendar: 'agenda',
  calendarName: 'Agenda professionnel',
  addressBook: 'contacts',
  addressBookName: 'Carnet d’adresses',
} as const;

interface UserPlan {
  user: TestUser;
  messages: SeedMessage[];
  events: SeedEvent[];
  contacts: SeedContact[];
  files: SeedFile[];
}

const person = (u: TestUser): SeedPerson => ({ name: u.name, email: u.email });
const firstName = (p: SeedPerson): string => p.name.split(' ')[0] as string;
const DAY = 86_400_000;
const HOUR = 3_600_000;

function message(
  kind: string,
  u: number,
  folder: SeedFolder,
  i: number,
  tpl: (typeof INBOX_TEMPLATES)[number],
  from: SeedPerson,
  to: SeedPerson,
  date: Date,
  seen: boolean,
  extra: Partial<SeedMessage> = {},
): SeedMessage {
  const text = tpl.text(firstName(to), from.name);
  const msg: SeedMessage = {
    folder,
    from,
    to: [to],
    subject: tpl.subject,
    text,
    date,
    seen,
    messageId: `<seed-${kind}-${u + 1}-${folder.toLowerCase()}-${i}@ostal.test>`,
    ...extra,
  };
  if (tpl.html) {
    const paras = text.split('\n\n').map((p) => `<p>${p.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/\n/g, '<br>')}</p>`);
    msg.html = `<!doctype html><html lang="fr"><body>${paras.join('\n')}</body></html>`;
  }
  if (tpl.attachment === 'pdf')
    msg.attachment = { filename: 'Facture 2026-0142.pdf', contentType: 'application/pdf', content: tinyPdf('Facture 2026-0142') };
  if (tpl.attachment === 'csv')
    msg.attachment = {
      filename: 'Tarifs cantine 2026.csv',
      contentType: 'text/csv; charset=utf-8',
      content: Buffer.from(BUDGET_CSV, 'utf8'),
    };
  return msg;
}

function mailPlan(kind: 'test' | 'demo', u: number, now: Date): SeedMessage[] {
  const me = person(TEST_USERS[u] as TestUser);
  const others = TEST_USERS.filter((_, j) => j !== u).map(person);
  const senders = [...others, ...EXTERNAL];
  const rich = u === 0;
  const out: SeedMessage[] = [];
  const base = kind === 'test' ? Date.UTC(2026, 2, 2, 8, 0) : now.getTime() - 30 * DAY;
  const add = (
    folder: SeedFolder,
    tpls: typeof INBOX_TEMPLATES,
    n: number,
    opts: (i: number) => { seen: boolean; date: Date; flagged?: boolean },
    fromMe = false,
  ): void => {
    for (let i = 0; i < n; i++) {
      const tpl = tpls[i % tpls.length] as (typeof INBOX_TEMPLATES)[number];
      const round = Math.floor(i / tpls.length);
      const t = round > 0 ? { ...tpl, subject: `${round % 2 === 1 ? 'Re: ' : 'TR: '}${tpl.subject}` } : tpl;
      const other = senders[(i + u) % senders.length] as SeedPerson;
      const o = opts(i);
      const extra: Partial<SeedMessage> = { flagged: o.flagged };
      if (folder === 'Drafts') extra.draft = true;
      out.push(message(kind, u, folder, i, t, fromMe ? me : other, fromMe ? other : me, o.date, o.seen, extra));
    }
  };
  if (kind === 'test') {
    const inboxN = rich ? 12 : 6;
    const unread = rich ? 5 : 2;
    add('INBOX', INBOX_TEMPLATES, inboxN, (i) => ({ seen: i < inboxN - unread, flagged: i === 1, date: new Date(base + i * 7 * HOUR) }));
    add('Sent', SENT_TEMPLATES, rich ? 3 : 2, (i) => ({ seen: true, date: new Date(base + DAY + i * 5 * HOUR) }), true);
    add('Archive', ARCHIVE_TEMPLATES, rich ? 4 : 2, (i) => ({ seen: true, date: new Date(Date.UTC(2026, 0, 10) + i * 3 * DAY) }));
    if (rich) {
      add('Drafts', DRAFT_TEMPLATES, 1, () => ({ seen: true, date: new Date(base + 2 * DAY) }), true);
      add('Trash', TRASH_TEMPLATES, 1, () => ({ seen: true, date: new Date(base - DAY) }));
      add('Junk', JUNK_TEMPLATES, 1, () => ({ seen: false, date: new Date(base - 2 * DAY) }));
    }
  } else {
    const inboxN = rich ? 40 : 12;
    const unread = rich ? 9 : 3;
    const rand = prng(1000 + u);
    const step = (30 * DAY) / inboxN;
    add('INBOX', INBOX_TEMPLATES, inboxN, (i) => ({
      seen: i < inboxN - unread,
      flagged: rand() < 0.1,
      date: new Date(Math.floor((base + i * step + rand() * HOUR) / 60_000) * 60_000),
    }));
    add(
      'Sent',
      SENT_TEMPLATES,
      rich ? 12 : 3,
      (i) => ({ seen: true, date: new Date(Math.floor((base + i * 2.3 * DAY) / 60_000) * 60_000) }),
      true,
    );
    add('Archive', ARCHIVE_TEMPLATES, rich ? 20 : 4, (i) => ({ seen: true, date: new Date(base - (i + 1) * 4 * DAY) }));
    add('Drafts', DRAFT_TEMPLATES, 1, () => ({ seen: true, date: new Date(now.getTime() - DAY) }), true);
    add('Trash', TRASH_TEMPLATES, rich ? 3 : 1, (i) => ({ seen: true, date: new Date(base + i * DAY) }));
    add('Junk', JUNK_TEMPLATES, rich ? 2 : 1, (i) => ({ seen: false, date: new Date(base + i * 5 * DAY) }));
  }
  return out;
}

const pad = (n: number): string => String(n).padStart(2, '0');

function demoEvents(now: Date): SeedEvent[] {
  const monday = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  monday.setUTCDate(monday.getUTCDate() - ((monday.getUTCDay() + 6) % 7));
  const day = (offset: number): string => {
    const d = new Date(monday.getTime() + offset * DAY);
    return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  };
  const rand = prng(4242);
  const events: SeedEvent[] = [
    {
      uid: 'ostal-demo-evt-weekly',
      summary: 'Réunion de service',
      location: 'Salle des mariages',
      start: `${day(-14)}T09:00`,
      end: `${day(-14)}T10:00`,
      rrule: 'FREQ=WEEKLY;BYDAY=MO;COUNT=20',
    },
    {
      uid: 'ostal-demo-evt-conseil',
      summary: 'Conseil municipal',
      location: 'Salle du conseil, mairie',
      description: 'Ordre du jour : budget, tarifs de la cantine, questions diverses.',
      start: `${day(3)}T18:30`,
      end: `${day(3)}T21:00`,
    },
    { uid: 'ostal-demo-evt-allday', summary: 'Journée de l’environnement', start: day(12), end: day(13) },
  ];
  for (let i = 0; i < 22; i++) {
    const [summary, location] = DEMO_EVENT_TITLES[i % DEMO_EVENT_TITLES.length] as [string, string | undefined];
    const week = Math.floor(i / 6) - 1;
    const wd = 1 + Math.floor(rand() * 4);
    const h = 9 + Math.floor(rand() * 8);
    const d = day(week * 7 + wd);
    events.push({
      uid: `ostal-demo-evt-${i}`,
      summary,
      location,
      start: `${d}T${pad(h)}:${rand() < 0.5 ? '00' : '30'}`,
      end: `${d}T${pad(h + 1)}:00`,
    });
  }
  return events;
}

function demoFiles(name: string): SeedFile[] {
  return [
    ...testFiles(name),
    { path: 'Ressources humaines/' },
    {
      path: 'Ressources humaines/Tableau des effectifs.csv',
      content: Buffer.from('Service;Agents\nÉtat civil;4\nUrbanisme;3\nServices techniques;12\n', 'utf8'),
    },
    {
      path: 'Ressources humaines/Fiche de poste – agent d’accueil.odt',
      content: tinyOdt(['Fiche de poste : agent d’accueil', 'Missions : accueil physique et téléphonique, état civil, élections.']),
    },
    { path: 'Conseil municipal/' },
    { path: 'Conseil municipal/Délibération n° 2026-014.pdf', content: tinyPdf('Deliberation 2026-014') },
    {
      path: 'Conseil municipal/Procès-verbal du 12 mars 2026.odt',
      content: tinyOdt(['Procès-verbal de la séance du 12 mars 2026', 'Présents : 15 ; représentés : 2.']),
    },
  ];
}

export function seedPlan(kind: 'test' | 'demo', now = new Date()): UserPlan[] {
  return TEST_USERS.map((user, u) => {
    const others = TEST_USERS.filter((_, j) => j !== u).map(person);
    return {
      user,
      messages: mailPlan(kind, u, now),
      events: kind === 'test' ? TEST_EVENTS : demoEvents(now),
      contacts: contactsFor(others),
      files: kind === 'test' ? testFiles(user.name) : demoFiles(user.name),
    };
  });
}

function countsOf(plans: UserPlan[]): SeedCounts {
  const out: SeedCounts = {};
  for (const p of plans) {
    const mail = Object.fromEntries(SEED_FOLDERS.map((f) => [f, { total: 0, unread: 0 }])) as Record<SeedFolder, FolderCount>;
    for (const m of p.messages) {
      mail[m.folder].total++;
      if (!m.seen) mail[m.folder].unread++;
    }
    const allFiles = p.files.map((f) => f.path);
    out[p.user.email] = {
      mail,
      events: p.events.length,
      contacts: p.contacts.length,
      files: allFiles.filter((f) => !f.replace(/\/$/, '').includes('/')),
      allFiles,
    };
  }
  return out;
}

/** What the 'test' seed puts on the servers, per user email. */
export const SEED_COUNTS: SeedCounts = countsOf(seedPlan('test'));
/** What the 'demo' seed puts on the servers, per user email (same at every run). */
export const DEMO_COUNTS: SeedCounts = countsOf(seedPlan('demo'));

// ---------------------------------------------------------------------------------------------
// Writers

async function rawMessage(m: SeedMessage): Promise<Buffer> {
  const fmt = (p: SeedPerson): { name: string; address: string } => ({ name: p.name, address: p.email });
  const composer = new MailComposer({
    from: fmt(m.from),
    to: m.to.map(fmt),
    cc: m.cc?.map(fmt),
    subject: m.subject,
    text: m.text,
    html: m.html,
    date: m.date,
    messageId: m.messageId,
    attachments: m.attachment
      ? [{ filename: m.attachment.filename, contentType: m.attachment.contentType, content: m.attachment.content }]
      : undefined,
    headers: { 'Content-Language': 'fr' },
  });
  return composer.compile().build();
}

async function seedMail(info: ServersInfo, plan: UserPlan, ca: string): Promise<void> {
  const client = new ImapFlow({
    host: 'localhost',
    port: info.imap.tlsPort,
    secure: true,
    auth: { user: plan.user.username, pass: plan.user.password },
    tls: { ca, rejectUnauthorized: true },
    logger: false,
  });
  await client.connect();
  try {
    for (const m of plan.messages) {
      const flags = [...(m.seen ? ['\\Seen'] : []), ...(m.flagged ? ['\\Flagged'] : []), ...(m.draft ? ['\\Draft'] : [])];
      const ok = await client.append(m.folder, await rawMessage(m), flags, m.date);
      if (!ok) throw new Error(`IMAP APPEND to ${m.folder} refused for ${plan.user.email}`);
    }
  } finally {
    await client.logout().catch(() => client.close());
  }
}

const CRLF = '\r\n';

/** Folds a content line at 75 octets (RFC 5545 §3.1 / RFC 6350 §3.2), never inside a UTF-8 sequence. */
function fold(line: string): string {
  const bytes = Buffer.from(line, 'utf8');
  if (bytes.length <= 75) return line;
  const parts: string[] = [];
  let start = 0;
  let limit = 75;
  while (start < bytes.length) {
    let end = Math.min(start + limit, bytes.length);
    while (end < bytes.length && ((bytes[end] as number) & 0xc0) === 0x80) end--;
    parts.push(bytes.subarray(start, end).toString('utf8'));
    start = end;
    limit = 74;
  }
  return parts.join(`${CRLF} `);
}

const icsText = (s: string): string => s.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\n/g, '\\n');

const VTIMEZONE_PARIS = [
  'BEGIN:VTIMEZONE',
  'TZID:Europe/Paris',
  'BEGIN:DAYLIGHT',
  'TZOFFSETFROM:+0100',
  'TZOFFSETTO:+0200',
  'TZNAME:CEST',
  'DTSTART:20000326T020000',
  'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
  'END:DAYLIGHT',
  'BEGIN:STANDARD',
  'TZOFFSETFROM:+0200',
  'TZOFFSETTO:+0100',
  'TZNAME:CET',
  'DTSTART:20001029T030000',
  'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
  'END:STANDARD',
  'END:VTIMEZONE',
];

/** "YYYY-MM-DDTHH:MM" wall-clock time in Europe/Paris → "YYYYMMDDTHHMMSSZ" (UTC). */
export function parisToUtc(local: string): string {
  const [d, t] = local.split('T') as [string, string];
  const [y, mo, da] = d.split('-').map(Number) as [number, number, number];
  const [h, mi] = t.split(':').map(Number) as [number, number];
  const guess = Date.UTC(y, mo - 1, da, h, mi);
  const offsetAt = (ms: number): number => {
    const parts = Object.fromEntries(
      new Intl.DateTimeFormat('en-GB', {
        timeZone: 'Europe/Paris',
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
      })
        .formatToParts(new Date(ms))
        .map((p) => [p.type, p.value]),
    );
    return Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute)) - ms;
  };
  const utc = guess - offsetAt(guess - offsetAt(guess));
  return new Date(utc)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/**
 * Recurring events carry TZID=Europe/Paris (so that recurrences keep their wall-clock time across
 * DST, as real clients write them); single events are written in UTC, which also keeps Radicale
 * fast (its time-zone handling costs ~40 ms per event).
 */
function veventLines(e: SeedEvent, organizer: TestUser): string[] {
  const dt = (v: string, prop: string): string => {
    if (!v.includes('T')) return `${prop};VALUE=DATE:${v.replace(/-/g, '')}`;
    return e.rrule ? `${prop};TZID=Europe/Paris:${v.replace(/[-:]/g, '')}00` : `${prop}:${parisToUtc(v)}`;
  };
  return [
    'BEGIN:VEVENT',
    `UID:${e.uid}`,
    'DTSTAMP:20260101T000000Z',
    dt(e.start, 'DTSTART'),
    dt(e.end, 'DTEND'),
    `SUMMARY:${icsText(e.summary)}`,
    ...(e.location ? [`LOCATION:${icsText(e.location)}`] : []),
    ...(e.description ? [`DESCRIPTION:${icsText(e.description)}`] : []),
    ...(e.rrule ? [`RRULE:${e.rrule}`] : []),
    `ORGANIZER;CN=${organizer.name}:mailto:${organizer.email}`,
    'END:VEVENT',
  ];
}

/** Every event of a calendar in one VCALENDAR (one VTIMEZONE), for a whole-collection PUT. */
export function calendarIcs(events: SeedEvent[], organizer: TestUser): string {
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Ostal//Donnees de test//FR',
    'CALSCALE:GREGORIAN',
    ...(events.some((e) => e.rrule && e.start.includes('T')) ? VTIMEZONE_PARIS : []),
    ...events.flatMap((e) => veventLines(e, organizer)),
    'END:VCALENDAR',
  ];
  return lines.map(fold).join(CRLF) + CRLF;
}

/** One event as its own VCALENDAR resource (what a client PUTs). */
export function eventIcs(e: SeedEvent, organizer: TestUser): string {
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Ostal//Donnees de test//FR',
    'CALSCALE:GREGORIAN',
    ...(e.rrule && e.start.includes('T') ? VTIMEZONE_PARIS : []),
    ...veventLines(e, organizer),
    'END:VCALENDAR',
  ];
  return lines.map(fold).join(CRLF) + CRLF;
}

export function contactVcf(c: SeedContact): string {
  const lines = [
    'BEGIN:VCARD',
    'VERSION:3.0',
    `UID:${c.uid}`,
    `FN:${icsText(`${c.given} ${c.family}`)}`,
    `N:${icsText(c.family)};${icsText(c.given)};;;`,
    ...(c.org ? [`ORG:${icsText(c.org)}`] : []),
    ...(c.title ? [`TITLE:${icsText(c.title)}`] : []),
    `EMAIL;TYPE=INTERNET,WORK:${c.email}`,
    ...(c.phone ? [`TEL;TYPE=WORK,VOICE:${c.phone}`] : []),
    'END:VCARD',
  ];
  return lines.map(fold).join(CRLF) + CRLF;
}

async function dav(
  info: ServersInfo,
  port: number,
  ca: string,
  agent: https.Agent,
  user: TestUser,
  method: string,
  path: string,
  body: string | Buffer | undefined,
  contentType: string | undefined,
  okStatuses: number[],
): Promise<void> {
  const headers: Record<string, string> = {};
  if (contentType) headers['Content-Type'] = contentType;
  const t0 = Date.now();
  const r = await httpsRequest({ port, method, path, ca, agent, body, headers, auth: { user: user.username, password: user.password } });
  if (process.env.OSTAL_SERVERS_DEBUG && Date.now() - t0 > 300)
    process.stderr.write(`[servers] slow ${method} ${path}: ${Date.now() - t0} ms\n`);
  if (!okStatuses.includes(r.status)) {
    throw new Error(`${method} ${path} on port ${port} answered ${r.status}: ${r.body.slice(0, 300)}`);
  }
  void info;
}

async function seedDav(info: ServersInfo, plan: UserPlan, ca: string): Promise<void> {
  const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
  const u = plan.user;
  const base = `/${encodePath(u.username)}/`;
  const rp = info.radicale.port;
  try {
    // Radicale creates the principal collection on the owner's first authenticated request.
    await dav(info, rp, ca, agent, u, 'PROPFIND', base, undefined, undefined, [207]);
    // One PUT per collection: Radicale creates the collection and splits it by UID (far faster
    // than one PUT per item), then PROPPATCH gives it its French name and colour.
    const cal = `${base}${SEED_COLLECTIONS.calendar}/`;
    await dav(info, rp, ca, agent, u, 'PUT', cal, calendarIcs(plan.events, u), 'text/calendar; charset=utf-8', [201]);
    await dav(
      info,
      rp,
      ca,
      agent,
      u,
      'PROPPATCH',
      cal,
      `<?xml version="1.0" encoding="utf-8"?>
<D:propertyupdate xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:I="http://apple.com/ns/ical/">
  <D:set><D:prop>
    <D:displayname>${SEED_COLLECTIONS.calendarName}</D:displayname>
    <C:calendar-description>Agenda de ${u.name}</C:calendar-description>
    <I:calendar-color>#000091</I:calendar-color>
  </D:prop></D:set>
</D:propertyupdate>`,
      'application/xml; charset=utf-8',
      [207],
    );
    const book = `${base}${SEED_COLLECTIONS.addressBook}/`;
    await dav(info, rp, ca, agent, u, 'PUT', book, plan.contacts.map(contactVcf).join(''), 'text/vcard; charset=utf-8', [201]);
    await dav(
      info,
      rp,
      ca,
      agent,
      u,
      'PROPPATCH',
      book,
      `<?xml version="1.0" encoding="utf-8"?>
<D:propertyupdate xmlns:D="DAV:" xmlns:CR="urn:ietf:params:xml:ns:carddav">
  <D:set><D:prop>
    <D:displayname>${SEED_COLLECTIONS.addressBookName}</D:displayname>
    <CR:addressbook-description>Contacts de ${u.name}</CR:addressbook-description>
  </D:prop></D:set>
</D:propertyupdate>`,
      'application/xml; charset=utf-8',
      [207],
    );
    // WebDAV files on Apache
    const ap = info.apache.port;
    const root = `/dav/${encodePath(u.username)}/`;
    for (const f of plan.files) {
      if (f.path.endsWith('/')) {
        await dav(info, ap, ca, agent, u, 'MKCOL', `${root}${encodePath(f.path)}`, undefined, undefined, [201]);
      } else {
        await dav(
          info,
          ap,
          ca,
          agent,
          u,
          'PUT',
          `${root}${encodePath(f.path)}`,
          f.content ?? Buffer.alloc(0),
          'application/octet-stream',
          [201, 204],
        );
      }
    }
  } finally {
    agent.destroy();
  }
}

/** Puts the 'test' or 'demo' data on a freshly started run (not idempotent: seed a run once). */
export async function seedServers(info: ServersInfo, kind: 'test' | 'demo'): Promise<void> {
  const ca = fs.readFileSync(info.caCertPath, 'utf8');
  const plans = seedPlan(kind);
  const t0 = Date.now();
  const lap = <T>(what: string, p: Promise<T>): Promise<T> =>
    p.then((v) => {
      if (process.env.OSTAL_SERVERS_DEBUG) process.stderr.write(`[servers] seed ${what}: ${Date.now() - t0} ms\n`);
      return v;
    });
  await Promise.all(
    plans.map(async (p) =>
      Promise.all([lap(`mail ${p.user.email}`, seedMail(info, p, ca)), lap(`dav ${p.user.email}`, seedDav(info, p, ca))]),
    ),
  );
}
