/**
 * Import of .ics and .vcf files (tests/fixtures/calendar-import, contacts-import): an Outlook export with its
 * own time zone, a monthly series with an EXDATE and a moved date, an all-day event, and broken items (no
 * start, impossible date, truncated file, unreadable card, card without a name) — the good items are imported
 * and reach Radicale, the bad ones are listed with a French reason, nothing crashes. agent4 (unique UIDs).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Core } from '../../src/core.js';
import { silentLogger } from '../../src/log.js';
import { testUser } from '../servers/testing.js';
import { addServerAccount, radicaleUrl } from './account-fixture.js';

const user = testUser(4);
const stamp = crypto.randomBytes(4).toString('hex');
const fixture = (name: string) =>
  fs.readFileSync(path.join(import.meta.dirname, '..', 'fixtures', name), 'utf8').replaceAll('STAMP', stamp);
const parisClock = (iso: string) =>
  new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', hour: '2-digit', minute: '2-digit' }).format(new Date(iso));

describe('Import of .ics and .vcf files', () => {
  let dir: string;
  let core: Core;
  let accountId: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-import-'));
    core = await Core.open({
      profileDir: path.join(dir, 'profil'),
      mode: 'cli',
      logger: silentLogger,
      policyPath: path.join(dir, 'no-policy.json'),
    });
    const dav = radicaleUrl();
    accountId = await addServerAccount(core, user, { caldav: dav, carddav: dav });
    for (const only of ['calendar', 'contacts'] as const)
      expect((await core.handle('sync.run', { accountId, only })).accounts[0]).toMatchObject({ ok: true });
  });
  afterAll(async () => {
    await core.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('an Outlook .ics: good events imported (own time zone, EXDATE, moved date, all-day), bad ones refused with a reason', async () => {
    const result = await core.handle('dav.import', { content: fixture('calendar-import/outlook.ics'), name: 'outlook.ics' });
    expect(result).toMatchObject({ kind: 'calendar', imported: 2, replaced: 0 });
    expect(result.refused).toEqual([
      { item: 'Réunion sans date', reason: 'sans date de début' },
      { item: 'Date impossible', reason: expect.any(String) },
    ]);
    expect(result.message).toContain('2 événement(s) importé(s).');
    expect(result.message).toContain('«\u00a0Réunion sans date\u00a0» (sans date de début)');
    const list = (await core.handle('calendar.list', { from: '2027-01-01', to: '2027-07-01' })).filter((e) => e.uid.endsWith(stamp));
    const conseil = list.filter((e) => e.uid === `conseil-municipal-${stamp}`);
    // Six first Mondays, March cancelled, February moved to Tuesday with its own title.
    expect(conseil).toHaveLength(5);
    expect(conseil.map((e) => e.start.slice(0, 10))).not.toContain('2027-03-01');
    expect(conseil.find((e) => e.summary === 'Conseil municipal (budget)')?.start).toBe('2027-02-02T17:30:00.000Z');
    for (const e of conseil.filter((x) => x.summary === 'Conseil municipal')) expect(parisClock(e.start)).toBe('18:30');
    expect(list.find((e) => e.uid === `fete-${stamp}`)).toMatchObject({ allDay: true, start: '2027-06-14', end: '2027-06-16' });

    const report = await core.handle('sync.run', { accountId, only: 'calendar' });
    expect(report.accounts[0]).toMatchObject({ ok: true });
    const pending = core.ctx.db.prepare("SELECT count(*) AS n FROM operations WHERE kind LIKE 'dav.%' AND state != 'done'").get() as {
      n: number;
    };
    expect(pending.n).toBe(0);
    // Imported again: replaced, not doubled.
    const again = await core.handle('dav.import', { content: fixture('calendar-import/outlook.ics'), name: 'outlook.ics' });
    expect(again).toMatchObject({ imported: 2, replaced: 2 });
    await core.handle('sync.run', { accountId, only: 'calendar' });
    expect(
      (await core.handle('calendar.list', { from: '2027-06-01', to: '2027-07-01' })).filter((e) => e.uid === `fete-${stamp}`),
    ).toHaveLength(1);
    expect(await core.handle('dav.conflicts', {})).toEqual([]);
  });

  it('a truncated .ics keeps its complete event; a text file is refused as a whole with a French message', async () => {
    const cut = await core.handle('dav.import', { content: fixture('calendar-import/tronque.ics'), name: 'tronque.ics' });
    expect(cut.imported).toBe(1);
    expect((await core.handle('calendar.list', { from: '2027-01-10', to: '2027-01-11' })).map((e) => e.summary)).toContain(
      'Permanence des élus',
    );
    const text = await core.handle('dav.import', { content: fixture('calendar-import/pas-un-agenda.ics'), name: 'pas-un-agenda.ics' });
    expect(text).toMatchObject({ imported: 0, message: 'Aucun événement importé.' });
    await expect(core.handle('dav.import', { content: 'bonjour', name: 'note.txt' })).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringContaining('ni un agenda (.ics) ni un carnet d’adresses (.vcf)'),
    });
    await core.handle('sync.run', { accountId, only: 'calendar' });
  });

  it('a .vcf: good cards imported (vCard 3.0 and 4.0 without UID), broken ones refused; they reach Radicale', async () => {
    const result = await core.handle('dav.import', { content: fixture('contacts-import/carnet.vcf'), name: 'carnet.vcf' });
    expect(result).toMatchObject({ kind: 'addressbook', imported: 2 });
    expect(result.refused.map((r) => r.reason)).toEqual(['sans nom', 'fiche illisible']);
    expect(result.refused[1]!.item).toBe('Ligne illisible');
    const contacts = await core.handle('contacts.list', {});
    expect(contacts.find((c) => c.uid === `lambert-${stamp}`)).toMatchObject({
      fn: 'Jérôme Lambert',
      emails: ['jerome.lambert@prefecture.example'],
      phones: ['05 65 23 10 00'],
    });
    expect(contacts.find((c) => c.fn === `Agnès Moreau ${stamp}`)).toBeDefined();
    expect((await core.handle('sync.run', { accountId, only: 'contacts' })).accounts[0]).toMatchObject({ ok: true });
    const pending = core.ctx.db
      .prepare("SELECT count(*) AS n FROM operations WHERE kind LIKE 'dav.addressbook.%' AND state != 'done'")
      .get() as { n: number };
    expect(pending.n).toBe(0);
    // Clean up the server.
    for (const c of (await core.handle('contacts.list', {})).filter(
      (x) => x.uid === `lambert-${stamp}` || x.fn === `Agnès Moreau ${stamp}`,
    ))
      await core.handle('contacts.delete', { uid: c.uid });
    await core.handle('sync.run', { accountId, only: 'contacts' });
  });
});
