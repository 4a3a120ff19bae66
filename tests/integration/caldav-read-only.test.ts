/**
 * A calendar shared to the agent in read-only, on the real Radicale (rights « r », tests/servers/configs.ts): Ostal
 * reads its DAV:current-user-privilege-set at the sync and marks it read-only (calendar.calendars, occurrences,
 * details, calendar.list as the CLI's JSON gives it); creating, changing, deleting one of its events or answering an
 * invitation stored in it is refused with a French message, nothing is queued in the journal and the calendar on
 * Radicale stays byte for byte as it was; the agent's own calendar stays writable and receives a new event by default.
 */
import fs from 'node:fs';
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/core.js';
import type { CalendarEventInput } from '../../src/shared/contract.js';
import { getServers } from '../servers/testing.js';
import { davCore, pendingDavOperations, radicale } from './dav-fixture.js';
import { eventIcs, readOnlyCalendarUser, type ReadOnlySetup } from './read-only-fixture.js';

const year = new Date().getFullYear() + 1;
const tag = crypto.randomBytes(4).toString('hex');
const day = `${year}-05-25`;
const uids = { holiday: `ferie-${tag}`, invited: `invite-${tag}`, own: `propre-${tag}` };

const event = (summary: string): CalendarEventInput => ({
  summary,
  start: `${day}T14:00`,
  end: `${day}T15:00`,
  allDay: false,
  location: '',
  attendees: [],
  reminderMinutes: null,
});

/** An invitation a colleague sent, stored in the shared read-only calendar (METHOD:REQUEST, the agent invited). */
function invitationIcs(me: string): string {
  return eventIcs(uids.invited, day, '10:00', '11:00', `Comité de quartier ${tag}`)
    .replace('VERSION:2.0', 'VERSION:2.0\r\nMETHOD:REQUEST')
    .replace(
      'END:VEVENT',
      `ORGANIZER;CN=Camille Martin:mailto:agent1@ostal.test\r\nATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:${me}\r\nEND:VEVENT`,
    );
}

describe('A calendar shared in read-only, with Radicale', () => {
  let setup: ReadOnlySetup;
  let core: Core;
  let accountId: string;

  beforeAll(async () => {
    const s = getServers();
    setup = await readOnlyCalendarUser(
      s,
      'test-lecture-seule',
      [{ uid: uids.holiday, ics: eventIcs(uids.holiday, day, '09:00', '18:00', `Lundi de Pentecôte ${tag}`) }],
      [{ uid: uids.own, ics: eventIcs(uids.own, day, '16:00', '17:00', `Permanence ${tag}`) }],
    );
    const invited = invitationIcs(setup.user.email);
    fs.writeFileSync(setup.storageOf(uids.invited), invited.replace('METHOD:REQUEST\r\n', ''));
    // Dovecot may refuse a user just added for a moment (it re-reads its file when it sees it changed).
    for (let attempt = 0; ; attempt++) {
      try {
        ({ core, accountId } = await davCore(setup.user));
        break;
      } catch (err) {
        if (attempt >= 10) throw err;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    const report = await core.handle('sync.run', { accountId, only: 'calendar' });
    expect(report.accounts[0]).toMatchObject({ ok: true });
  });
  afterAll(async () => {
    await core?.close();
  });

  it('Radicale itself refuses the agent a write in that calendar (the rights are read-only)', async () => {
    const put = await radicale(
      setup.user,
      'PUT',
      `${encodeURI(setup.readOnlyHref)}essai-${tag}.ics`,
      eventIcs(`essai-${tag}`, day, '08:00', '09:00', 'Essai'),
    );
    expect(put.status).toBe(403);
  });

  it('is discovered read-only, the agent’s own calendar writable', async () => {
    const calendars = await core.handle('calendar.calendars', {});
    expect(
      calendars.map((c) => ({ href: c.href, name: c.name, readOnly: c.readOnly })).sort((a, b) => a.name.localeCompare(b.name)),
    ).toEqual([
      { href: setup.writableHref, name: setup.writableName, readOnly: false },
      { href: setup.readOnlyHref, name: setup.readOnlyName, readOnly: true },
    ]);
    const occurrences = await core.handle('calendar.occurrences', { from: day, to: `${year}-05-26` });
    expect(occurrences.find((o) => o.uid === uids.holiday)).toMatchObject({ readOnly: true, calendarHref: setup.readOnlyHref });
    expect(occurrences.find((o) => o.uid === uids.own)).toMatchObject({ readOnly: false, calendarHref: setup.writableHref });
    // calendar.list is what `ostal calendar list --json` prints: the added field.
    const listed = await core.handle('calendar.list', { from: day, to: `${year}-05-26` });
    expect(listed.find((e) => e.uid === uids.holiday)?.readOnly).toBe(true);
    expect(listed.find((e) => e.uid === uids.own)?.readOnly).toBe(false);
    expect((await core.handle('calendar.event', { uid: uids.holiday })).readOnly).toBe(true);
    expect((await core.handle('calendar.event', { uid: uids.own })).readOnly).toBe(false);
  });

  it('create, change, delete and answer in it are refused in French; nothing queued, Radicale unchanged', async () => {
    const before = fs.readFileSync(setup.storageOf(uids.holiday), 'utf8');
    const listBefore = (await radicale(setup.user, 'PROPFIND', encodeURI(setup.readOnlyHref), undefined, { Depth: '1' })).body;
    const refusal = {
      code: 'forbidden',
      message: expect.stringContaining(`L’agenda «\u00a0${setup.readOnlyName}\u00a0» est en lecture seule`),
    };
    await expect(
      core.handle('calendar.createEvent', { event: event(`Réunion ${tag}`), calendarHref: setup.readOnlyHref, accountId }),
    ).rejects.toMatchObject(refusal);
    await expect(
      core.handle('calendar.updateEvent', { uid: uids.holiday, event: event(`Lundi déplacé ${tag}`), scope: 'series' }),
    ).rejects.toMatchObject(refusal);
    await expect(core.handle('calendar.deleteEvent', { uid: uids.holiday, scope: 'series' })).rejects.toMatchObject(refusal);
    await expect(
      core.handle('calendar.respondToInvitation', { accountId, ics: invitationIcs(setup.user.email), response: 'ACCEPTED' }),
    ).rejects.toMatchObject(refusal);
    expect(pendingDavOperations(core, { withFailed: true })).toBe(0);
    expect(await core.handle('mail.outbox.list', { accountId })).toEqual([]);
    // The event still shows as it was.
    const shown = await core.handle('calendar.occurrences', { from: day, to: `${year}-05-26` });
    expect(shown.find((o) => o.uid === uids.holiday)).toMatchObject({ summary: `Lundi de Pentecôte ${tag}`, pending: false });
    expect(shown.some((o) => o.summary === `Réunion ${tag}`)).toBe(false);
    const report = await core.handle('sync.run', { accountId, only: 'calendar' });
    expect(report.accounts[0]).toMatchObject({ ok: true });
    expect(fs.readFileSync(setup.storageOf(uids.holiday), 'utf8')).toBe(before);
    const listAfter = (await radicale(setup.user, 'PROPFIND', encodeURI(setup.readOnlyHref), undefined, { Depth: '1' })).body;
    expect(listAfter).toBe(listBefore);
  });

  it('the writable calendar stays writable: a new event goes there by default and reaches Radicale', async () => {
    const { uid } = await core.handle('calendar.createEvent', { event: event(`Réunion d’équipe ${tag}`) });
    const report = await core.handle('sync.run', { accountId, only: 'calendar' });
    expect(report.accounts[0]).toMatchObject({ ok: true });
    expect(pendingDavOperations(core, { withFailed: true })).toBe(0);
    const shown = (await core.handle('calendar.occurrences', { from: day, to: `${year}-05-26` })).find((o) => o.uid === uid);
    expect(shown).toMatchObject({ calendarHref: setup.writableHref, readOnly: false });
    // GET of a calendar collection: Radicale answers the whole calendar.
    const onServer = await radicale(setup.user, 'GET', encodeURI(setup.writableHref));
    expect(onServer.body).toContain(`UID:${uid}`);
    await core.handle('calendar.updateEvent', { uid: uids.own, event: event(`Permanence déplacée ${tag}`), scope: 'series' });
    await core.handle('sync.run', { accountId, only: 'calendar' });
    const own = await radicale(setup.user, 'GET', `${encodeURI(setup.writableHref)}${uids.own}.ics`);
    expect(own.body).toContain(`SUMMARY:Permanence déplacée ${tag}`);
  });
});
