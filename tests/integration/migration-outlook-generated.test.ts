/**
 * Migration of an Outlook file holding mail, contacts and appointments into the test servers (real sockets): Dovecot
 * for the mail, Radicale for CardDAV and CalDAV. The samples of pst-extractor hold no contact and no readable series
 * of plain appointments next to mail, so the file is generated here (tests/fixtures/pst-writer.ts, written from
 * [MS-PST]), once as a PST and once as an OST. Debian's readpst (pst-utils) is the reference on the same file:
 * messages per folder, contacts (their names) and events (their titles); the server then holds exactly that, and a
 * second import adds nothing.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import PostalMime from 'postal-mime';
import { describe, expect, it } from 'vitest';
import { Core } from '../../src/core.js';
import { silentLogger } from '../../src/log.js';
import type { MigrationReport } from '../../src/shared/contract.js';
import { radicaleRequest } from '../servers/http.js';
import { runLayout } from '../servers/layout.js';
import { getServers } from '../servers/testing.js';
import type { TestUser } from '../servers/types.js';
import { SAMPLE_ATTACHMENTS, SAMPLE_CONTACTS, SAMPLE_EVENTS, writeSamplePst } from '../fixtures/sample-pst.js';
import { addImapUser, imapConnection } from './mail-offline-fixture.js';
import { addServerAccount, radicaleUrl } from './account-fixture.js';

type Reference = {
  /** Messages per folder (path below the store's folder, « / » between names). */
  mail: Map<string, number>;
  /** Contacts as « family;given » (vCard N). */
  contacts: string[];
  /** Event titles. */
  events: string[];
  /** The parts of each series' RRULE (sorted), by title. */
  rrules: Map<string, string[]>;
  /** Attachments (name → bytes) of each message, by Message-ID. */
  attachments: Map<string, Map<string, Buffer>>;
};

/** A message's attachments: name → bytes. */
async function attachmentsOf(raw: Buffer): Promise<{ messageId: string; files: Map<string, Buffer> }> {
  const email = await PostalMime.parse(raw);
  const files = new Map<string, Buffer>();
  for (const a of email.attachments) files.set(a.filename ?? '', Buffer.from(a.content as ArrayBuffer));
  return { messageId: email.messageId ?? '', files };
}

/** Unfolds and unescapes one vCard/iCalendar property value of `text`. */
function values(text: string, name: string): string[] {
  const unfolded = text.replace(/\r?\n[ \t]/g, '');
  return [...unfolded.matchAll(new RegExp(`^${name}(?:;[^:\\r\\n]*)?:(.*)$`, 'gm'))].map((m) =>
    m[1].replace(/\r$/, '').replace(/\\([,;\\])/g, '$1'),
  );
}

/** What readpst finds in the file: one file per item (-M), the folder tree (-r), vCards for contacts (-cv). */
async function readpstReference(file: string): Promise<Reference> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-readpst-gen-'));
  execFileSync('readpst', ['-j', '0', '-D', '-q', '-r', '-M', '-cv', '-o', out, file]);
  const ref: Reference = { mail: new Map(), contacts: [], events: [], rrules: new Map(), attachments: new Map() };
  const messages: string[] = [];
  const walk = (dir: string, names: string[]) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) {
        walk(full, [...names, e.name]);
        continue;
      }
      const content = fs.readFileSync(full, 'utf8');
      if (content.startsWith('BEGIN:VCARD')) ref.contacts.push(...values(content, 'N').map((n) => n.split(';').slice(0, 2).join(';')));
      else if (content.startsWith('BEGIN:VCALENDAR')) {
        ref.events.push(...values(content, 'SUMMARY'));
        const rrule = values(content, 'RRULE')[0];
        if (rrule) ref.rrules.set(values(content, 'SUMMARY')[0], rrule.split(';').sort());
      } else {
        const folder = names.slice(1).join(' / ');
        ref.mail.set(folder, (ref.mail.get(folder) ?? 0) + 1);
        messages.push(full);
      }
    }
  };
  walk(out, []);
  for (const m of messages) {
    const { messageId, files } = await attachmentsOf(fs.readFileSync(m));
    ref.attachments.set(messageId, files);
  }
  fs.rmSync(out, { recursive: true, force: true });
  return ref;
}

/** A fresh user on Dovecot and Radicale, with an empty calendar and address book. */
async function davUser(name: string): Promise<{ user: TestUser; cal: string; book: string }> {
  const s = getServers();
  const user = addImapUser(s, name);
  fs.appendFileSync(runLayout(s.dir).radicale.users, `${user.username}:${user.password}\n`);
  await (await imapConnection(s, user)).logout();
  const base = `/${encodeURIComponent(user.username)}/`;
  // Radicale reads its users file again when it changes: wait until the new user is let in.
  for (let i = 0; ; i++) {
    const r = await radicaleRequest(s, user, 'PROPFIND', base);
    if (r.status === 207) break;
    if (i > 40) throw new Error(`Radicale refuses the new user: ${r.status}`);
    await new Promise((res) => setTimeout(res, 250));
  }
  const cal = `${base}agenda/`;
  const empty = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Ostal//Test//FR\r\nEND:VCALENDAR\r\n';
  expect((await radicaleRequest(s, user, 'PUT', cal, empty)).status).toBe(201);
  const book = `${base}contacts/`;
  const mkcol =
    '<?xml version="1.0" encoding="utf-8"?><D:mkcol xmlns:D="DAV:" xmlns:CR="urn:ietf:params:xml:ns:carddav"><D:set><D:prop>' +
    '<D:resourcetype><D:collection/><CR:addressbook/></D:resourcetype><D:displayname>Contacts</D:displayname></D:prop></D:set></D:mkcol>';
  expect((await radicaleRequest(s, user, 'MKCOL', book, mkcol)).status).toBe(201);
  return { user, cal, book };
}

/** The bodies of the collection's resources ending in `ext`. */
async function resources(user: TestUser, collection: string, ext: string): Promise<string[]> {
  const s = getServers();
  const listing = await radicaleRequest(s, user, 'PROPFIND', collection);
  expect(listing.status).toBe(207);
  const hrefs = (listing.body.match(new RegExp(`<(?:\\w+:)?href>[^<]*\\${ext}</(?:\\w+:)?href>`, 'g')) ?? []).map((h) =>
    h.replace(/<[^>]+>/g, ''),
  );
  return Promise.all(hrefs.map(async (h) => (await radicaleRequest(s, user, 'GET', h)).body));
}

/** Messages per IMAP folder. */
async function serverCounts(user: TestUser): Promise<Map<string, number>> {
  const client = await imapConnection(getServers(), user);
  try {
    const result = new Map<string, number>();
    for (const box of await client.list()) {
      const status = await client.status(box.path, { messages: true });
      result.set(box.path, status ? (status.messages ?? 0) : 0);
    }
    return result;
  } finally {
    await client.logout();
  }
}

const sortStrings = (list: string[]) => [...list].sort((a, b) => a.localeCompare(b));

describe('fichier Outlook avec courrier, contacts et rendez-vous (généré) : tout arrive sur IMAP, CardDAV et CalDAV', () => {
  for (const variant of ['pst', 'ost'] as const) {
    it(
      `le ${variant.toUpperCase()} : messages par dossier, contacts et événements comme readpst ; une seconde importation n’ajoute rien`,
      { timeout: 180_000 },
      async () => {
        const s = getServers();
        const { user, cal, book } = await davUser(`mig-gen-${variant}`);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-mig-gen-'));
        const file = writeSamplePst(dir, variant);
        const before = fs.readFileSync(file);

        // The reference: readpst on the same file.
        const ref = await readpstReference(file);
        expect(ref.mail.get('Boîte de réception')).toBe(3);
        expect(ref.mail.get('Boîte de réception / Projets')).toBe(2);
        expect(ref.contacts.length).toBe(SAMPLE_CONTACTS.length);
        expect(ref.events.length).toBe(SAMPLE_EVENTS.length);

        const core = await Core.open({ profileDir: path.join(dir, 'profil'), mode: 'cli', logger: silentLogger, policyPath: null });
        let first: MigrationReport;
        let second: MigrationReport;
        try {
          const dav = radicaleUrl();
          const accountId = await addServerAccount(core, user, { caldav: dav, carddav: dav });
          await core.handle('sync.run', { accountId, only: 'calendar' });
          await core.handle('sync.run', { accountId, only: 'contacts' });
          first = await core.handle('migration.run', { paths: [file], accountId });
          second = await core.handle('migration.run', { paths: [file], accountId });
        } finally {
          await core.close();
        }

        // Mail: the report's folders and the server's hold readpst's counts.
        const mailFolders = first.folders.filter((f) => f.kind === 'mail');
        expect(Object.fromEntries(mailFolders.map((f) => [f.source, f.imported]))).toEqual(Object.fromEntries(ref.mail));
        const byName = new Map(mailFolders.map((f) => [f.source, f.target]));
        expect(byName.get('Boîte de réception')).toBe('INBOX');
        // A sub-folder of Outlook's inbox goes below the account's INBOX, not below a new « Boîte de réception ».
        expect(byName.get('Boîte de réception / Projets')).toBe('INBOX/Projets');
        expect(byName.get('Éléments envoyés')).toBe('Sent');
        const counts = await serverCounts(user);
        for (const f of mailFolders) expect(counts.get(f.target), f.target).toBe(ref.mail.get(f.source));
        expect(counts.has('Boîte de réception')).toBe(false);
        expect([...counts.values()].reduce((a, b) => a + b, 0)).toBe([...ref.mail.values()].reduce((a, b) => a + b, 0));

        // The message with recipients, a flag and attachments (one of 5 Kio, kept in a subnode of the file): its
        // attachments on the server are readpst's, name and bytes; unread and flagged as in Outlook.
        const withFiles = ref.attachments.get('<inbox-2@exemple.fr>');
        expect([...(withFiles?.keys() ?? [])].sort()).toEqual(SAMPLE_ATTACHMENTS.map((a) => a.name).sort());
        const client = await imapConnection(s, user);
        try {
          const lock = await client.getMailboxLock('INBOX', { readOnly: true });
          try {
            let seen = 0;
            for await (const m of client.fetch('1:*', { envelope: true, flags: true, source: true })) {
              const id = m.envelope?.messageId ?? '';
              const files = (await attachmentsOf(m.source as Buffer)).files;
              expect(Object.fromEntries(files), id).toEqual(Object.fromEntries(ref.attachments.get(id) ?? new Map()));
              if (id !== '<inbox-2@exemple.fr>') continue;
              seen++;
              expect(m.flags?.has('\\Flagged')).toBe(true);
              expect(m.flags?.has('\\Seen')).toBe(false);
              expect(m.envelope?.to?.map((a) => a.address)).toEqual(['agent@exemple.fr']);
              expect(m.envelope?.cc?.map((a) => `${a.name} <${a.address}>`)).toEqual(['Hélène Bérard <helene.berard@exemple.fr>']);
            }
            expect(seen).toBe(1);
          } finally {
            lock.release();
          }
        } finally {
          await client.logout();
        }

        // Contacts on CardDAV: readpst's, by name (accents kept).
        const cards = await resources(user, book, '.vcf');
        expect(cards.length).toBe(ref.contacts.length);
        const names = cards.flatMap((c) => values(c, 'N').map((n) => n.split(';').slice(0, 2).join(';')));
        expect(sortStrings(names)).toEqual(sortStrings(ref.contacts));
        expect(names).toContain('Bérard;Hélène');
        const helene = cards.find((c) => c.includes('Hélène')) ?? '';
        expect(values(helene, 'EMAIL')).toEqual(['helene.berard@exemple.fr']);
        expect(values(helene, 'ORG')).toEqual(['Région Occitanie']);
        expect(values(helene, 'TEL').sort()).toEqual(['+33 5 61 00 00 01', '+33 6 12 34 56 78']);

        // Events on CalDAV: readpst's, by title; the all-day one as a date, the French location kept.
        const events = await resources(user, cal, '.ics');
        expect(events.length).toBe(ref.events.length);
        expect(sortStrings(events.flatMap((e) => values(e, 'SUMMARY')))).toEqual(sortStrings(ref.events));
        const allDay = events.find((e) => e.includes('SUMMARY:Journée de formation')) ?? '';
        // Stored from midnight to midnight in Paris: the same days in the calendar, not the day before.
        expect(allDay).toMatch(/DTSTART;VALUE=DATE:20260114\r?\n/);
        expect(allDay).toMatch(/DTEND;VALUE=DATE:20260115\r?\n/);
        const holidays = events.find((e) => e.includes('SUMMARY:Congés d’été')) ?? '';
        expect(holidays).toMatch(/DTSTART;VALUE=DATE:20260713\r?\n/);
        expect(holidays).toMatch(/DTEND;VALUE=DATE:20260715\r?\n/);
        const committee = events.find((e) => e.includes('SUMMARY:Comité de pilotage')) ?? '';
        expect(values(committee, 'LOCATION')).toEqual(['Hôtel de Région, salle Pierre-Paul Riquet']);
        expect(committee).toMatch(/DTSTART[^:\r\n]*:20260112T090000Z/);

        // Series: readpst's RRULE, part for part; the deleted Monday removed (readpst writes no EXDATE); the all-day
        // yearly series with days, not instants; none reduced to its first occurrence.
        expect(ref.rrules.size).toBe(2);
        for (const [summary, parts] of ref.rrules) {
          const event = events.find((e) => values(e, 'SUMMARY').includes(summary)) ?? '';
          // (The VEVENT's RRULE, not those of the VTIMEZONE before it.)
          expect(
            values(event.slice(event.indexOf('BEGIN:VEVENT')), 'RRULE')[0]
              ?.split(';')
              .sort(),
            summary,
          ).toEqual(parts);
        }
        const weekly = events.find((e) => e.includes('SUMMARY:Point hebdomadaire')) ?? '';
        // 10:00 in the series' zone: Paris, or the machine's zone when it has Paris's offsets (Brussels…).
        expect(weekly).toMatch(/DTSTART;TZID=Europe\/[A-Za-z_]+:20260302T100000\r?\n/);
        expect(weekly).toMatch(/EXDATE;TZID=Europe\/[A-Za-z_]+:20260316T100000\r?\n/);
        const birthday = events.find((e) => e.includes('SUMMARY:Anniversaire d’Hélène Bérard')) ?? '';
        expect(birthday).toMatch(/DTSTART;VALUE=DATE:20260423\r?\n/);
        expect(birthday).toMatch(/DTEND;VALUE=DATE:20260424\r?\n/);
        expect(first.notes).toEqual([]);

        const davFolders = first.folders.filter((f) => f.kind !== 'mail');
        expect(davFolders.find((f) => f.kind === 'contacts')?.imported).toBe(ref.contacts.length);
        expect(davFolders.find((f) => f.kind === 'calendar')?.imported).toBe(ref.events.length);
        expect(first.skipped).toEqual([]);

        // A second run adds nothing, anywhere.
        expect(second.totals.imported).toBe(0);
        expect(Object.fromEntries(await serverCounts(user))).toEqual(Object.fromEntries(counts));
        expect((await resources(user, book, '.vcf')).length).toBe(ref.contacts.length);
        expect((await resources(user, cal, '.ics')).length).toBe(ref.events.length);
        // Nothing in the source changed.
        expect(fs.readFileSync(file).equals(before)).toBe(true);
        fs.rmSync(dir, { recursive: true, force: true });
      },
    );
  }
});
