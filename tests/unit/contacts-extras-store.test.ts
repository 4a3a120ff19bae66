/**
 * The contacts list reads the store's columns, never the vCard text (migration 019): a profile with cards stored
 * before it gets them filled once when it opens (a card that cannot be read keeps empty extras and still lists with
 * its name); local writes fill them at once; the list shows them even when the stored text no longer parses.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { Core } from '../../src/core.js';
import { silentLogger } from '../../src/log.js';
import { migrate, readMigrations } from '../../src/store/database.js';
import { DavRepository } from '../../src/calendar/repository.js';
import { fillContactExtras } from '../../src/contacts/address-book.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-contact-extras-'));
  dirs.push(d);
  return d;
};
const openCore = (dir: string) =>
  Core.open({ profileDir: dir, mode: 'cli', logger: silentLogger, policyPath: path.join(dir, 'no-policy.json') });

const card = (uid: string, fn: string, more: string[] = []) =>
  ['BEGIN:VCARD', 'VERSION:3.0', `UID:${uid}`, `FN:${fn}`, ...more, 'END:VCARD', ''].join('\r\n');

const columns = (db: Database.Database, href: string) =>
  db.prepare('SELECT organization, job_title AS title, note, address, birthday FROM dav_objects WHERE href = ?').get(href);

/** A profile database as Ostal left it before migration 019, with one account, an address book, a calendar and rows. */
function oldProfile(dir: string): void {
  const db = new Database(path.join(dir, 'ostal.sqlite'));
  migrate(
    db,
    readMigrations().filter((m) => m.version <= 18),
  );
  expect(db.pragma('user_version', { simple: true })).toBe(18);
  db.prepare('INSERT INTO accounts (id, email, name, settings, created_at) VALUES (?, ?, ?, ?, ?)').run(
    'a1',
    'agent@mairie.test',
    'Agent',
    JSON.stringify({ imap: 'imaps://localhost:1', smtp: 'smtp://localhost:2' }),
    new Date().toISOString(),
  );
  const coll = db.prepare('INSERT INTO dav_collections (account_id, kind, href, display_name) VALUES (?, ?, ?, ?)');
  coll.run('a1', 'addressbook', '/a/contacts/', 'Carnet d’adresses');
  coll.run('a1', 'calendar', '/a/agenda/', 'Agenda');
  const obj = db.prepare(
    'INSERT INTO dav_objects (account_id, collection_href, href, etag, raw, uid, title, emails, phones) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  obj.run(
    'a1',
    '/a/contacts/',
    '/a/contacts/lambert.vcf',
    '"1"',
    card('lambert', 'Jérôme Lambert', [
      'ORG:Préfecture du Lot;Service des élections',
      'TITLE:Chef de bureau',
      'NOTE:Présent le mardi\\nBureau 12',
      'ADR;TYPE=work:;;Place Chapou;Cahors;;46000;France',
      'BDAY:1975-03-14',
      'EMAIL:j.lambert@lot.example',
    ]),
    'lambert',
    'Jérôme Lambert',
    '["j.lambert@lot.example"]',
    '[]',
  );
  // Stored long ago by a sync that read its UID and name with a more lenient parser: ical.js refuses it now.
  obj.run(
    'a1',
    '/a/contacts/',
    '/a/contacts/casse.vcf',
    '"2"',
    'BEGIN:VCARD\r\nUID:casse\r\nFN:Carte abîmée\r\nBEGIN:VEVENT',
    'casse',
    'Carte abîmée',
    '[]',
    '[]',
  );
  obj.run(
    'a1',
    '/a/agenda/',
    '/a/agenda/ev.ics',
    '"3"',
    'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:ev\r\nDTSTART:20260105T090000Z\r\nSUMMARY:Réunion\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n',
    'ev',
    'Réunion',
    '[]',
    '[]',
  );
  db.close();
}

describe('contacts: organisation, fonction, note, address and birthday stored as columns', () => {
  it('a profile with cards stored before migration 019 gets them read once when it opens; a broken card keeps empty extras', async () => {
    const dir = tempDir();
    oldProfile(dir);
    const core = await openCore(dir);
    try {
      const db = core.ctx.db;
      expect(db.pragma('user_version', { simple: true })).toBeGreaterThanOrEqual(19);
      expect(columns(db, '/a/contacts/lambert.vcf')).toEqual({
        organization: 'Préfecture du Lot, Service des élections',
        title: 'Chef de bureau',
        note: 'Présent le mardi\nBureau 12',
        address: 'Place Chapou\n46000 Cahors\nFrance',
        birthday: '1975-03-14',
      });
      const empty = { organization: '', title: '', note: '', address: '', birthday: '' };
      expect(columns(db, '/a/contacts/casse.vcf')).toEqual(empty);
      expect(columns(db, '/a/agenda/ev.ics')).toEqual(empty);
      // Nothing left to read: the next start costs one lookup of an empty index.
      expect(new DavRepository(db).objectsWithoutExtras(10)).toEqual([]);
      expect(fillContactExtras(db)).toBe(0);
      const list = await core.handle('contacts.list', {});
      expect(list.map((c) => c.fn)).toEqual(['Carte abîmée', 'Jérôme Lambert']);
      expect(list[0]).toMatchObject({ uid: 'casse', ...empty, addressBook: 'Carnet d’adresses' });
      expect(list[1]).toMatchObject({ uid: 'lambert', title: 'Chef de bureau', address: 'Place Chapou\n46000 Cahors\nFrance' });
    } finally {
      await core.close();
    }
  });

  it('a local write fills the columns at once, and the list reads them, not the text', async () => {
    const dir = tempDir();
    oldProfile(dir);
    const core = await openCore(dir);
    try {
      const db = core.ctx.db;
      const { uid } = await core.handle('contacts.create', {
        contact: {
          fn: 'Anne Roux',
          emails: ['anne.roux@mairie.example'],
          phones: [],
          organization: 'Mairie de Figeac',
          title: 'Secrétaire générale',
          address: { street: '8 place Vival\nBâtiment B', postalCode: '46100', locality: 'Figeac' },
          birthday: '1980-11-02',
        },
      });
      const href = (db.prepare('SELECT href FROM dav_objects WHERE uid = ?').get(uid) as { href: string }).href;
      expect(columns(db, href)).toEqual({
        organization: 'Mairie de Figeac',
        title: 'Secrétaire générale',
        note: '',
        address: '8 place Vival\nBâtiment B\n46100 Figeac',
        birthday: '1980-11-02',
      });
      await core.handle('contacts.update', {
        uid,
        contact: { fn: 'Anne Roux', emails: [], phones: [], organization: 'Mairie de Figeac', title: 'Directrice', note: 'Le lundi' },
      });
      // title and note changed; address and birthday, left out, are kept.
      expect(columns(db, href)).toMatchObject({ title: 'Directrice', note: 'Le lundi', birthday: '1980-11-02' });
      // The list never parses: with its text unreadable, the card still lists with what its columns hold.
      db.prepare("UPDATE dav_objects SET raw = 'plus une carte' WHERE href = ?").run(href);
      expect((await core.handle('contacts.list', {})).find((c) => c.uid === uid)).toEqual({
        uid,
        fn: 'Anne Roux',
        emails: [],
        phones: [],
        organization: 'Mairie de Figeac',
        title: 'Directrice',
        note: 'Le lundi',
        address: '8 place Vival\nBâtiment B\n46100 Figeac',
        birthday: '1980-11-02',
        addressBook: 'Carnet d’adresses',
      });
    } finally {
      await core.close();
    }
  });
});
