import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Core } from '../../src/core.js';
import { silentLogger, type Logger } from '../../src/log.js';
import { DavRepository, type DavObject } from '../../src/calendar/repository.js';
import { AccountRepository } from '../../src/store/account-repository.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-calendar-store-'));
let core: Core;
const warnings: string[] = [];
const logger: Logger = { ...silentLogger, warn: (msg) => void warnings.push(msg) };

beforeAll(async () => {
  core = await Core.open({ profileDir: dir, mode: 'cli', logger, policyPath: path.join(dir, 'no-policy.json') });
  core.ctx.db
    .prepare('INSERT INTO accounts (id, email, name, settings, created_at) VALUES (?, ?, ?, ?, ?)')
    .run(
      'a1',
      'agent@mairie.test',
      'Agent',
      JSON.stringify({ imap: 'imaps://localhost:1', smtp: 'smtp://localhost:2' }),
      new Date().toISOString(),
    );
  expect(new AccountRepository(core.ctx.db).get('a1')?.email).toBe('agent@mairie.test');
  const repo = new DavRepository(core.ctx.db);
  repo.upsertCollection({ accountId: 'a1', kind: 'calendar', href: '/a/agenda/', displayName: 'Agenda professionnel', color: '#000091' });
  repo.upsertCollection({ accountId: 'a1', kind: 'addressbook', href: '/a/contacts/', displayName: 'Carnet d’adresses', color: null });
  const base = { accountId: 'a1', etag: '"1"', emails: [], phones: [] };
  const ev = (uid: string, start: string, summary: string) =>
    [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'BEGIN:VEVENT',
      `UID:${uid}`,
      `DTSTART:${start}`,
      'DURATION:PT1H',
      `SUMMARY:${summary}`,
      'END:VEVENT',
      'END:VCALENDAR',
      '',
    ].join('\r\n');
  const objects: DavObject[] = [
    {
      ...base,
      collectionHref: '/a/agenda/',
      href: '/a/agenda/2.ics',
      raw: ev('2', '20260302T130000Z', 'Commission'),
      uid: '2',
      title: 'Commission',
    },
    {
      ...base,
      collectionHref: '/a/agenda/',
      href: '/a/agenda/1.ics',
      raw: ev('1', '20260302T080000Z', 'Conseil'),
      uid: '1',
      title: 'Conseil',
    },
    {
      ...base,
      collectionHref: '/a/agenda/',
      href: '/a/agenda/bad.ics',
      raw: 'BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:pas une date',
      uid: 'bad',
      title: '',
    },
    { ...base, collectionHref: '/a/contacts/', href: '/a/contacts/f.vcf', raw: '', uid: 'f', title: 'Fabien Roux', emails: ['f@x.fr'] },
    {
      ...base,
      collectionHref: '/a/contacts/',
      href: '/a/contacts/e.vcf',
      raw: '',
      uid: 'e',
      title: 'Élodie Vidal',
      emails: ['e@x.fr'],
      phones: ['05 65 00 00 00'],
    },
    { ...base, collectionHref: '/a/contacts/', href: '/a/contacts/d.vcf', raw: '', uid: 'd', title: 'david Bru', emails: [] },
  ];
  repo.putObjects(objects);
});
afterAll(async () => {
  await core.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('calendar.list and contacts.list read the store', () => {
  it('a calendar marked read-only at a sync keeps the mark until a sync says otherwise (migration 020)', async () => {
    const repo = new DavRepository(core.ctx.db);
    const feries = { accountId: 'a1', kind: 'calendar' as const, href: '/a/feries/', displayName: 'Jours fériés', color: null };
    repo.upsertCollection({ ...feries, readOnly: true });
    expect((await core.handle('calendar.calendars', {})).find((c) => c.href === '/a/feries/')?.readOnly).toBe(true);
    // Renamed without a word on the privileges: still read-only.
    repo.upsertCollection({ ...feries, displayName: 'Jours fériés 2027' });
    expect(repo.collection('a1', '/a/feries/')).toMatchObject({ displayName: 'Jours fériés 2027', readOnly: true });
    repo.upsertCollection({ ...feries, readOnly: false });
    expect(repo.collection('a1', '/a/feries/')?.readOnly).toBe(false);
    expect((await core.handle('calendar.calendars', {})).find((c) => c.href === '/a/agenda/')?.readOnly).toBe(false);
    repo.removeCollectionsExcept('a1', 'calendar', ['/a/agenda/']);
    expect(repo.collection('a1', '/a/feries/')).toBeNull();
  });

  it('sorts occurrences by start and skips a malformed stored object with a log line', async () => {
    const list = await core.handle('calendar.list', { from: '2026-03-02', to: '2026-03-03' });
    expect(list).toEqual([
      {
        uid: '1',
        recurrenceId: null,
        start: '2026-03-02T08:00:00.000Z',
        end: '2026-03-02T09:00:00.000Z',
        allDay: false,
        summary: 'Conseil',
        calendar: 'Agenda professionnel',
        readOnly: false,
      },
      {
        uid: '2',
        recurrenceId: null,
        start: '2026-03-02T13:00:00.000Z',
        end: '2026-03-02T14:00:00.000Z',
        allDay: false,
        summary: 'Commission',
        calendar: 'Agenda professionnel',
        readOnly: false,
      },
    ]);
    expect(warnings.some((w) => w.includes('calendar object skipped'))).toBe(true);
  });

  it('sorts contacts by name in French order (accents and case ignored)', async () => {
    const contacts = await core.handle('contacts.list', {});
    expect(contacts.map((c) => c.fn)).toEqual(['david Bru', 'Élodie Vidal', 'Fabien Roux']);
    expect(contacts[1]).toEqual({
      uid: 'e',
      fn: 'Élodie Vidal',
      emails: ['e@x.fr'],
      phones: ['05 65 00 00 00'],
      // An unreadable text (here none) still gives the card its name, addresses and numbers; its extras, read once
      // at the next start (stored without them), are '' until then.
      organization: '',
      title: '',
      note: '',
      address: '',
      birthday: '',
      addressBook: 'Carnet d’adresses',
    });
  });

  it('removing the account removes its calendars and contacts', () => {
    core.ctx.db.prepare('DELETE FROM accounts WHERE id = ?').run('a1');
    expect(core.ctx.db.prepare('SELECT count(*) AS n FROM dav_objects').get()).toEqual({ n: 0 });
  });
});
