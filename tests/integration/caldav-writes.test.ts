/**
 * Agenda writes against the real Radicale, through the operations journal: an event created while the server
 * is unreachable (a TCP relay in front of Radicale, closed then reopened) shows at once and reaches the server
 * when it returns; a replay whose first PUT landed without an answer is recognised (no duplicate, no conflict);
 * a 412 keeps the server's version and sets the user's aside with a French notice, re-applied on demand;
 * « cet événement » (RECURRENCE-ID) and deleting one occurrence (EXDATE) land on Radicale exactly so, checked
 * by a REPORT sent directly to Radicale. agent4's calendar is written (unique UIDs).
 */
import crypto from 'node:crypto';
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/core.js';
import type { CalendarEventInput } from '../../src/shared/contract.js';
import { SEED_COLLECTIONS } from '../servers/seed.js';
import { TcpRelay } from './mail-sync-fixture.js';
import { getServers, testUser } from '../servers/testing.js';
import { davCore, pendingDavOperations, radicale } from './dav-fixture.js';

const user = testUser(4);

const calendarPath = () => `/${encodeURIComponent(user.username)}/${SEED_COLLECTIONS.calendar}/`;

/** Every resource of the calendar holding this UID, by a calendar-query REPORT sent to Radicale. */
async function serverObjects(uid: string): Promise<{ href: string; raw: string }[]> {
  const body = `<?xml version="1.0" encoding="utf-8"?><C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/><C:calendar-data/></D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:prop-filter name="UID"><C:text-match collation="i;octet">${uid}</C:text-match></C:prop-filter></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>`;
  const res = await radicale(user, 'REPORT', calendarPath(), body, { Depth: '1' });
  expect(res.status).toBe(207);
  const out: { href: string; raw: string }[] = [];
  for (const m of res.body.matchAll(/<(?:\w+:)?response>([\s\S]*?)<\/(?:\w+:)?response>/g)) {
    const href = /<(?:\w+:)?href>([^<]+)</.exec(m[1]!)?.[1] ?? '';
    const data = /<(?:\w+:)?calendar-data[^>]*>([\s\S]*?)<\/(?:\w+:)?calendar-data>/.exec(m[1]!)?.[1];
    if (data) out.push({ href, raw: data.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&').replace(/&#13;/g, '\r') });
  }
  return out;
}

function vevents(raw: string): ICAL.Component[] {
  return new ICAL.Component(ICAL.parse(raw) as unknown[]).getAllSubcomponents('vevent');
}

/** Wall-clock time in Paris of an ISO instant, 'HH:mm'. */
const parisClock = (iso: string) =>
  new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', hour: '2-digit', minute: '2-digit' }).format(new Date(iso));
const parisDay = (iso: string) =>
  new Intl.DateTimeFormat('fr-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(iso));

const year = new Date().getFullYear() + 1;
const tag = () => crypto.randomBytes(4).toString('hex');

describe('Agenda writes through the journal, with Radicale', () => {
  const relay = new TcpRelay(getServers().radicale.port);
  let core: Core;
  let accountId: string;

  beforeAll(async () => {
    await relay.open();
    ({ core, accountId } = await davCore(user, { davPort: relay.port }));
    const report = await core.handle('sync.run', { accountId, only: 'calendar' });
    expect(report.accounts[0]).toMatchObject({ ok: true });
    expect((await core.handle('calendar.calendars', {})).map((c) => c.name)).toContain(SEED_COLLECTIONS.calendarName);
  });
  afterAll(async () => {
    await core.close();
    await relay.close();
  });

  it('an event created offline shows at once and reaches Radicale when the server returns', async () => {
    await relay.close();
    const summary = `Conseil municipal hors ligne ${tag()}`;
    const event: CalendarEventInput = {
      summary,
      start: `${year}-02-10T18:30`,
      end: `${year}-02-10T20:00`,
      allDay: false,
      location: 'Salle du conseil',
      attendees: [],
      reminderMinutes: 15,
    };
    const { uid } = await core.handle('calendar.createEvent', { event });
    const local = await core.handle('calendar.list', { from: `${year}-02-10`, to: `${year}-02-11` });
    expect(local.find((e) => e.uid === uid)).toMatchObject({ summary, calendar: SEED_COLLECTIONS.calendarName });
    expect(parisClock(local.find((e) => e.uid === uid)!.start)).toBe('18:30');
    const offline = await core.handle('sync.run', { accountId, only: 'calendar' });
    expect(offline.accounts[0]?.ok).toBe(false);
    expect(offline.accounts[0]?.error?.message).toMatch(/^Le serveur localhost \(port \d+\) refuse la connexion\./);
    expect(await serverObjects(uid)).toHaveLength(0);
    expect(pendingDavOperations(core)).toBeGreaterThan(0);
    const occ = await core.handle('calendar.occurrences', { from: `${year}-02-10`, to: `${year}-02-11` });
    expect(occ.find((e) => e.uid === uid)?.pending).toBe(true);

    await relay.open();
    const online = await core.handle('sync.run', { accountId, only: 'calendar' });
    expect(online.accounts[0]).toMatchObject({ ok: true });
    expect(pendingDavOperations(core)).toBe(0);
    const onServer = await serverObjects(uid);
    expect(onServer).toHaveLength(1);
    const [vevent] = vevents(onServer[0]!.raw);
    expect(vevent!.getFirstPropertyValue('summary')).toBe(summary);
    expect(vevent!.getFirstPropertyValue('location')).toBe('Salle du conseil');
    expect(vevent!.getFirstProperty('dtstart')!.getParameter('tzid')).toBe('Europe/Paris');
    expect(String(vevent!.getFirstPropertyValue('dtstart'))).toBe(`${year}-02-10T18:30:00`);
    expect(vevent!.getFirstSubcomponent('valarm')).not.toBeNull();
    const after = await core.handle('calendar.occurrences', { from: `${year}-02-10`, to: `${year}-02-11` });
    expect(after.filter((e) => e.uid === uid)).toHaveLength(1);
    expect(after.find((e) => e.uid === uid)?.pending).toBe(false);
  });

  it('a replay whose PUT already landed (answer lost) is done, without duplicate nor conflict', async () => {
    await relay.close();
    const summary = `Réunion rejouée ${tag()}`;
    const { uid } = await core.handle('calendar.createEvent', {
      event: { summary, start: `${year}-03-02T10:00`, end: `${year}-03-02T11:00`, allDay: false },
    });
    const op = core.ctx.db
      .prepare("SELECT payload FROM operations WHERE kind = 'dav.calendar.put' AND state = 'pending' ORDER BY id DESC LIMIT 1")
      .get() as { payload: string };
    const payload = JSON.parse(op.payload) as { href: string; raw: string };
    // The first attempt reached Radicale but its answer never came back.
    expect(
      (await radicale(user, 'PUT', payload.href.split('/').map(encodeURIComponent).join('/'), payload.raw, { 'If-None-Match': '*' }))
        .status,
    ).toBe(201);
    await relay.open();
    const report = await core.handle('sync.run', { accountId, only: 'calendar' });
    expect(report.accounts[0]).toMatchObject({ ok: true });
    expect(await core.handle('dav.conflicts', {})).toEqual([]);
    expect(pendingDavOperations(core)).toBe(0);
    expect(await serverObjects(uid)).toHaveLength(1);
    const list = await core.handle('calendar.list', { from: `${year}-03-02`, to: `${year}-03-03` });
    expect(list.filter((e) => e.uid === uid)).toHaveLength(1);
  });

  it('an event organised by someone else is an invitation in the grid (not moved by dragging); one the agent organises, or a personal one, is not', async () => {
    const day = `${year}-05-11`.replaceAll('-', '');
    const put = async (uid: string, extra: string[]) => {
      const ics = [
        'BEGIN:VCALENDAR',
        'VERSION:2.0',
        'PRODID:-//Test//FR',
        'BEGIN:VEVENT',
        `UID:${uid}`,
        'DTSTAMP:20261130T120000Z',
        `DTSTART:${day}T080000Z`,
        `DTEND:${day}T090000Z`,
        `SUMMARY:Organisateur ${uid}`,
        ...extra,
        'END:VEVENT',
        'END:VCALENDAR',
        '',
      ].join('\r\n');
      expect((await radicale(user, 'PUT', `${calendarPath()}${uid}.ics`, ics)).status).toBe(201);
    };
    const uids = { other: `recue-${tag()}`, mine: `mienne-${tag()}`, personal: `perso-${tag()}` };
    await put(uids.other, ['ORGANIZER;CN=Jeanne Martin:mailto:Jeanne.Martin@ostal.test', `ATTENDEE:mailto:${user.email}`]);
    await put(uids.mine, [`ORGANIZER:mailto:${user.email.toUpperCase()}`, 'ATTENDEE:mailto:jeanne.martin@ostal.test']);
    await put(uids.personal, []);
    expect((await core.handle('sync.run', { accountId, only: 'calendar' })).accounts[0]).toMatchObject({ ok: true });
    const occ = await core.handle('calendar.occurrences', { from: `${year}-05-11`, to: `${year}-05-12` });
    const invitation = (uid: string) => occ.find((o) => o.uid === uid)?.invitation;
    expect([invitation(uids.other), invitation(uids.mine), invitation(uids.personal)]).toEqual([true, false, false]);
    for (const uid of Object.values(uids)) await radicale(user, 'DELETE', `${calendarPath()}${uid}.ics`);
  });

  it('412: the server changed the event meanwhile: its version is kept, the user’s is set aside, then re-applied', async () => {
    const summary = `Permanence ${tag()}`;
    const event: CalendarEventInput = { summary, start: `${year}-04-07T14:00`, end: `${year}-04-07T15:00`, allDay: false };
    const { uid } = await core.handle('calendar.createEvent', { event });
    await core.handle('sync.run', { accountId, only: 'calendar' });
    const [stored] = await serverObjects(uid);
    expect(stored).toBeDefined();
    // Someone else changes the event on the server.
    const serverSummary = `${summary} (salle 2 – changé sur le serveur)`;
    const changed = stored!.raw.replace(/SUMMARY:[^\r\n]*/, `SUMMARY:${serverSummary}`);
    expect((await radicale(user, 'PUT', stored!.href, changed)).status).toBeLessThan(300);
    // Offline, the user changes it too.
    await relay.close();
    const mine = `${summary} (ma version)`;
    await core.handle('calendar.updateEvent', { uid, scope: 'series', event: { ...event, summary: mine } });
    expect((await core.handle('calendar.list', { from: `${year}-04-07`, to: `${year}-04-08` })).find((e) => e.uid === uid)?.summary).toBe(
      mine,
    );
    await relay.open();
    const report = await core.handle('sync.run', { accountId, only: 'calendar' });
    expect(report.accounts[0]).toMatchObject({ ok: true });
    const conflicts = await core.handle('dav.conflicts', {});
    const conflict = conflicts.find((c) => c.uid === uid);
    expect(conflict).toMatchObject({ kind: 'calendar', action: 'put', title: mine });
    expect(conflict!.message).toContain('modifié sur le serveur');
    expect(conflict!.message).toContain(mine);
    // Server version shown, server untouched.
    expect((await core.handle('calendar.list', { from: `${year}-04-07`, to: `${year}-04-08` })).find((e) => e.uid === uid)?.summary).toBe(
      serverSummary,
    );
    expect(vevents((await serverObjects(uid))[0]!.raw)[0]!.getFirstPropertyValue('summary')).toBe(serverSummary);

    // « Réappliquer ma modification ».
    await core.handle('dav.resolveConflict', { id: conflict!.id, action: 'reapply' });
    expect((await core.handle('calendar.list', { from: `${year}-04-07`, to: `${year}-04-08` })).find((e) => e.uid === uid)?.summary).toBe(
      mine,
    );
    await core.handle('sync.run', { accountId, only: 'calendar' });
    expect((await core.handle('dav.conflicts', {})).find((c) => c.uid === uid)).toBeUndefined();
    expect(vevents((await serverObjects(uid))[0]!.raw)[0]!.getFirstPropertyValue('summary')).toBe(mine);
    expect(pendingDavOperations(core)).toBe(0);
  });

  it('a deletion answered 412 keeps the server’s version and offers to delete again', async () => {
    const summary = `Astreinte ${tag()}`;
    const { uid } = await core.handle('calendar.createEvent', {
      event: { summary, start: `${year}-05-05`, end: `${year}-05-06`, allDay: true },
    });
    await core.handle('sync.run', { accountId, only: 'calendar' });
    const [stored] = await serverObjects(uid);
    expect(
      (await radicale(user, 'PUT', stored!.href, stored!.raw.replace(/SUMMARY:[^\r\n]*/, `SUMMARY:${summary} bis`))).status,
    ).toBeLessThan(300);
    await relay.close();
    await core.handle('calendar.deleteEvent', { uid, scope: 'series' });
    expect((await core.handle('calendar.list', { from: `${year}-05-05`, to: `${year}-05-06` })).find((e) => e.uid === uid)).toBeUndefined();
    await relay.open();
    await core.handle('sync.run', { accountId, only: 'calendar' });
    const conflict = (await core.handle('dav.conflicts', {})).find((c) => c.uid === uid);
    expect(conflict).toMatchObject({ action: 'delete' });
    expect((await core.handle('calendar.list', { from: `${year}-05-05`, to: `${year}-05-06` })).find((e) => e.uid === uid)?.summary).toBe(
      `${summary} bis`,
    );
    await core.handle('dav.resolveConflict', { id: conflict!.id, action: 'reapply' });
    await core.handle('sync.run', { accountId, only: 'calendar' });
    expect(await serverObjects(uid)).toHaveLength(0);
    expect((await core.handle('calendar.list', { from: `${year}-05-05`, to: `${year}-05-06` })).find((e) => e.uid === uid)).toBeUndefined();
  });

  it('weekly series: one occurrence moved (RECURRENCE-ID), one cancelled (EXDATE), exactly so on Radicale', async () => {
    const summary = `Point d’équipe ${tag()}`;
    // Five Mondays from the first Monday of November (after the October change of time).
    const first = 1 + ((8 - new Date(Date.UTC(year, 10, 1)).getUTCDay()) % 7);
    const day = (n: number) => `${year}-11-${String(n).padStart(2, '0')}`;
    const { uid } = await core.handle('calendar.createEvent', {
      event: { summary, start: `${day(first)}T09:00`, end: `${day(first)}T09:30`, allDay: false, rrule: 'FREQ=WEEKLY;COUNT=5;BYDAY=MO' },
    });
    const series = (await core.handle('calendar.list', { from: `${year}-11-01`, to: `${year}-12-31` })).filter((e) => e.uid === uid);
    expect(series).toHaveLength(5);
    const second = series[1]!;
    const third = series[2]!;
    const details = await core.handle('calendar.event', { uid, recurrenceId: second.recurrenceId });
    expect(details).toMatchObject({ start: `${day(first + 7)}T09:00`, rrule: 'FREQ=WEEKLY;COUNT=5;BYDAY=MO' });
    await core.handle('calendar.updateEvent', {
      uid,
      scope: 'occurrence',
      recurrenceId: second.recurrenceId,
      event: { ...details, summary: `${summary} (décalé)`, start: `${day(first + 8)}T14:00`, end: `${day(first + 8)}T15:00` },
    });
    await core.handle('calendar.deleteEvent', { uid, scope: 'occurrence', recurrenceId: third.recurrenceId });
    const local = (await core.handle('calendar.list', { from: `${year}-11-01`, to: `${year}-12-31` })).filter((e) => e.uid === uid);
    expect(local).toHaveLength(4);
    const moved = local.find((e) => e.recurrenceId === second.recurrenceId)!;
    expect(moved.summary).toBe(`${summary} (décalé)`);
    expect(parisDay(moved.start)).toBe(day(first + 8));
    expect(parisClock(moved.start)).toBe('14:00');
    expect(local.find((e) => e.recurrenceId === third.recurrenceId)).toBeUndefined();

    const report = await core.handle('sync.run', { accountId, only: 'calendar' });
    expect(report.accounts[0]).toMatchObject({ ok: true });
    expect(pendingDavOperations(core)).toBe(0);
    const onServer = await serverObjects(uid);
    expect(onServer).toHaveLength(1);
    const comps = vevents(onServer[0]!.raw);
    const master = comps.find((c) => !c.hasProperty('recurrence-id'))!;
    const override = comps.find((c) => c.hasProperty('recurrence-id'))!;
    expect(comps).toHaveLength(2);
    expect(String(master.getFirstPropertyValue('rrule'))).toBe('FREQ=WEEKLY;COUNT=5;BYDAY=MO');
    const exdate = master.getFirstProperty('exdate')!;
    expect(String(exdate.getFirstValue())).toBe(`${day(first + 14)}T09:00:00`);
    expect(exdate.getParameter('tzid')).toBe('Europe/Paris');
    expect(String(override.getFirstPropertyValue('recurrence-id'))).toBe(`${day(first + 7)}T09:00:00`);
    expect(String(override.getFirstPropertyValue('dtstart'))).toBe(`${day(first + 8)}T14:00:00`);
    expect(override.getFirstPropertyValue('summary')).toBe(`${summary} (décalé)`);

    // The whole series: title changed, the moved occurrence keeps its own.
    const master2 = await core.handle('calendar.event', { uid });
    await core.handle('calendar.updateEvent', { uid, scope: 'series', event: { ...master2, summary: `${summary} (série)` } });
    await core.handle('sync.run', { accountId, only: 'calendar' });
    const after = (await core.handle('calendar.list', { from: `${year}-11-01`, to: `${year}-12-31` })).filter((e) => e.uid === uid);
    expect(after.map((e) => e.summary).sort()).toEqual([
      `${summary} (décalé)`,
      `${summary} (série)`,
      `${summary} (série)`,
      `${summary} (série)`,
    ]);
  });

  it('a daily 09:00 Europe/Paris series across the last Sundays of March and October stays at 09:00 local', async () => {
    const summary = `Café du matin ${tag()}`;
    const { uid } = await core.handle('calendar.createEvent', {
      event: { summary, start: `${year}-03-25T09:00`, end: `${year}-03-25T09:15`, allDay: false, rrule: 'FREQ=DAILY' },
    });
    const spring = (await core.handle('calendar.list', { from: `${year}-03-25`, to: `${year}-04-05` })).filter((e) => e.uid === uid);
    const autumn = (await core.handle('calendar.list', { from: `${year}-10-20`, to: `${year}-11-03` })).filter((e) => e.uid === uid);
    expect(spring).toHaveLength(11);
    expect(autumn).toHaveLength(14);
    for (const e of [...spring, ...autumn]) expect(parisClock(e.start)).toBe('09:00');
    // The UTC hour changes across each transition: 08:00Z in winter (UTC+1), 07:00Z in summer (UTC+2).
    const utcHours = new Set([...spring, ...autumn].map((e) => new Date(e.start).getUTCHours()));
    expect(utcHours).toEqual(new Set([7, 8]));
    await core.handle('calendar.deleteEvent', { uid, scope: 'series' });
    await core.handle('sync.run', { accountId, only: 'calendar' });
    expect(await serverObjects(uid)).toHaveLength(0);
  });

  it('bad input gives a French message and writes nothing', async () => {
    const before = pendingDavOperations(core);
    await expect(
      core.handle('calendar.createEvent', {
        event: { summary: '', start: `${year}-01-01T10:00`, end: `${year}-01-01T11:00`, allDay: false },
      }),
    ).rejects.toMatchObject({ code: 'invalid_input', message: 'Donnez un titre à l’événement.' });
    await expect(
      core.handle('calendar.createEvent', { event: { summary: 'x', start: 'demain', end: 'après', allDay: false } }),
    ).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringContaining('vérifiez les dates') });
    await expect(
      core.handle('calendar.createEvent', {
        event: { summary: 'x', start: `${year}-01-01T10:00`, end: `${year}-01-01T11:00`, allDay: false, rrule: 'FREQ=TOUSLESJOURS' },
      }),
    ).rejects.toMatchObject({ code: 'invalid_input' });
    expect(pendingDavOperations(core)).toBe(before);
  });
});
