/**
 * « Cet événement et les suivants » against the real Radicale, through the operations journal: the series
 * ends just before the chosen occurrence (RRULE UNTIL in UTC for a Europe/Paris series) and a new series
 * (new UID, RELATED-TO the first) starts there with the change; an occurrence moved after the split point
 * and a cancelled one go with the new series; a COUNT continues with what remained; deleting « cet événement
 * et les suivants » only ends the series; a 412 on the first series keeps the server's version, sends the new
 * series and offers the end of the first again. Checked by REPORTs sent directly to Radicale, not through Ostal.
 * agent4's calendar (unique UIDs and titles).
 */
import crypto from 'node:crypto';
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/core.js';
import type { SyncScheduler } from '../../src/sync/scheduler.js';
import { SEED_COLLECTIONS } from '../servers/seed.js';
import { testUser } from '../servers/testing.js';
import { davCore, pendingDavOperations, radicale } from './dav-fixture.js';

const user = testUser(4);
const tag = () => crypto.randomBytes(4).toString('hex');

const calendarPath = () => `/${encodeURIComponent(user.username)}/${SEED_COLLECTIONS.calendar}/`;

/** The VEVENTs of the resources of the calendar whose text contains `needle` (a UID or a title), by a REPORT. */
async function serverEvents(needle: string): Promise<{ href: string; vevents: ICAL.Component[] }[]> {
  const body = `<?xml version="1.0" encoding="utf-8"?><C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/><C:calendar-data/></D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"/></C:comp-filter></C:filter></C:calendar-query>`;
  const res = await radicale(user, 'REPORT', calendarPath(), body, { Depth: '1' });
  expect(res.status).toBe(207);
  const out: { href: string; vevents: ICAL.Component[] }[] = [];
  for (const m of res.body.matchAll(/<(?:\w+:)?response>([\s\S]*?)<\/(?:\w+:)?response>/g)) {
    const href = /<(?:\w+:)?href>([^<]+)</.exec(m[1]!)?.[1] ?? '';
    const data = /<(?:\w+:)?calendar-data[^>]*>([\s\S]*?)<\/(?:\w+:)?calendar-data>/.exec(m[1]!)?.[1];
    if (!data) continue;
    const raw = data.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&').replace(/&#13;/g, '\r');
    if (!raw.replace(/\r?\n[ \t]/g, '').includes(needle)) continue;
    out.push({ href, vevents: new ICAL.Component(ICAL.parse(raw) as unknown[]).getAllSubcomponents('vevent') });
  }
  return out;
}

const masterOf = (vevents: ICAL.Component[]) => vevents.find((v) => !v.hasProperty('recurrence-id'))!;
const text = (prop: ICAL.Property | null) => (prop ? String(prop.getFirstValue()) : null);

const parisClock = (iso: string) =>
  new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', hour: '2-digit', minute: '2-digit' }).format(new Date(iso));
const parisDay = (iso: string) =>
  new Intl.DateTimeFormat('fr-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(iso));

/**
 * A calendar sync until the journal is empty: a write made while a background replay (started by the previous
 * write) is past its replay step waits for the next run, so one sync.run may join a run that no longer sends it.
 * Then until the scheduler is settled: the replay a write requested runs after the sync.run that returned first, and
 * its pull would take a change the test then makes on Radicale before Ostal's own write meets it (no 412).
 */
async function syncAll(core: Core, accountId: string): Promise<void> {
  for (let i = 0; i < 5; i++) {
    const report = await core.handle('sync.run', { accountId, only: 'calendar' });
    expect(report.accounts[0]).toMatchObject({ ok: true });
    if (pendingDavOperations(core, { withFailed: true }) === 0) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const scheduler = core.ctx.sync as SyncScheduler;
  for (let i = 0; i < 200 && !scheduler.isSettled; i++) await new Promise((r) => setTimeout(r, 25));
  expect(scheduler.isSettled).toBe(true);
}

describe('« Cet événement et les suivants », with Radicale', () => {
  let core: Core;
  let accountId: string;
  // Mondays of March 2027 around the change of time (Sunday 28 March): 1, 8, 15, 22, 29, then 5 and 12 April.
  const Y = 2027;

  beforeAll(async () => {
    ({ core, accountId } = await davCore(user));
    const report = await core.handle('sync.run', { accountId, only: 'calendar' });
    expect(report.accounts[0]).toMatchObject({ ok: true });
  });
  afterAll(async () => {
    await core?.close();
  });

  it('a weekly Europe/Paris series split at its third date: UNTIL in UTC, a new series at 14:00 taking the moved and the cancelled dates after the split', async () => {
    const summary = `Conseil ${tag()}`;
    const { uid } = await core.handle('calendar.createEvent', {
      event: { summary, start: `${Y}-03-01T10:00`, end: `${Y}-03-01T11:00`, allDay: false, rrule: 'FREQ=WEEKLY;BYDAY=MO' },
    });
    const window = { from: `${Y}-02-25`, to: `${Y}-04-17` };
    const series = (await core.handle('calendar.list', window)).filter((e) => e.uid === uid);
    expect(series.map((e) => parisDay(e.start))).toEqual(
      [1, 8, 15, 22, 29].map((d) => `${Y}-03-${String(d).padStart(2, '0')}`).concat([`${Y}-04-05`, `${Y}-04-12`]),
    );
    // After the split point: the 29 March one moved to Tuesday 30 at 16:00, the 5 April one cancelled.
    const march29 = series[4]!;
    const details29 = await core.handle('calendar.event', { uid, recurrenceId: march29.recurrenceId });
    await core.handle('calendar.updateEvent', {
      uid,
      scope: 'occurrence',
      recurrenceId: march29.recurrenceId,
      event: { ...details29, start: `${Y}-03-30T16:00`, end: `${Y}-03-30T17:00` },
    });
    await core.handle('calendar.deleteEvent', { uid, scope: 'occurrence', recurrenceId: series[5]!.recurrenceId });
    // Before the split point: the 8 March one gets its own title (stays with the first series).
    const details8 = await core.handle('calendar.event', { uid, recurrenceId: series[1]!.recurrenceId });
    await core.handle('calendar.updateEvent', {
      uid,
      scope: 'occurrence',
      recurrenceId: series[1]!.recurrenceId,
      event: { ...details8, summary: `${summary} (salle B)` },
    });

    // « Cet événement et les suivants » on 15 March: 14:00–15:00 and a new place.
    const third = series[2]!;
    expect(third.recurrenceId).toBe(`${Y}-03-15T09:00:00.000Z`);
    const details = await core.handle('calendar.event', { uid, recurrenceId: third.recurrenceId });
    const result = await core.handle('calendar.updateEvent', {
      uid,
      scope: 'following',
      recurrenceId: third.recurrenceId,
      event: { ...details, start: `${Y}-03-15T14:00`, end: `${Y}-03-15T15:00`, location: 'Salle du conseil' },
    });
    expect(result.uid).not.toBe(uid);
    const newUid = result.uid;

    // Locally at once: 10:00 before, 14:00 after (also after the change of time), the moved and cancelled dates kept.
    const local = (await core.handle('calendar.list', window)).filter((e) => e.uid === uid || e.uid === newUid);
    expect(local.map((e) => [e.uid === uid ? 'old' : 'new', parisDay(e.start), parisClock(e.start)])).toEqual([
      ['old', `${Y}-03-01`, '10:00'],
      ['old', `${Y}-03-08`, '10:00'],
      ['new', `${Y}-03-15`, '14:00'],
      ['new', `${Y}-03-22`, '14:00'],
      ['new', `${Y}-03-30`, '16:00'],
      ['new', `${Y}-04-12`, '14:00'],
    ]);
    expect(local.find((e) => parisDay(e.start) === `${Y}-03-08`)!.summary).toBe(`${summary} (salle B)`);

    await syncAll(core, accountId);
    expect(pendingDavOperations(core, { withFailed: true })).toBe(0);
    expect(await core.handle('dav.conflicts', {})).toEqual([]);

    // What Radicale holds: two resources.
    const [oldOnServer] = await serverEvents(`UID:${uid}`);
    const [newOnServer] = await serverEvents(`UID:${newUid}`);
    expect(oldOnServer).toBeDefined();
    expect(newOnServer).toBeDefined();
    const oldMaster = masterOf(oldOnServer!.vevents);
    // 15 March 10:00 Paris is 09:00Z: the first series ends one second before.
    expect(String(oldMaster.getFirstPropertyValue('rrule'))).toBe(`FREQ=WEEKLY;BYDAY=MO;UNTIL=${Y}0315T085959Z`);
    expect(String(oldMaster.getFirstPropertyValue('dtstart'))).toBe(`${Y}-03-01T10:00:00`);
    expect(oldMaster.getFirstProperty('dtstart')!.getParameter('tzid')).toBe('Europe/Paris');
    expect(oldMaster.getAllProperties('exdate')).toHaveLength(0);
    expect(
      oldOnServer!.vevents.filter((v) => v.hasProperty('recurrence-id')).map((v) => text(v.getFirstProperty('recurrence-id'))),
    ).toEqual([`${Y}-03-08T10:00:00`]);

    const newMaster = masterOf(newOnServer!.vevents);
    expect(newMaster.getFirstPropertyValue('uid')).toBe(newUid);
    expect(String(newMaster.getFirstPropertyValue('dtstart'))).toBe(`${Y}-03-15T14:00:00`);
    expect(newMaster.getFirstProperty('dtstart')!.getParameter('tzid')).toBe('Europe/Paris');
    expect(String(newMaster.getFirstPropertyValue('dtend'))).toBe(`${Y}-03-15T15:00:00`);
    expect(String(newMaster.getFirstPropertyValue('rrule'))).toBe('FREQ=WEEKLY;BYDAY=MO');
    expect(newMaster.getFirstPropertyValue('location')).toBe('Salle du conseil');
    expect(newMaster.getFirstPropertyValue('summary')).toBe(summary);
    expect(newMaster.getFirstPropertyValue('related-to')).toBe(uid);
    // The cancelled 5 April and the moved 29 March follow the new hours (their ids are the new series' dates).
    expect(newMaster.getAllProperties('exdate').map(text)).toEqual([`${Y}-04-05T14:00:00`]);
    const moved = newOnServer!.vevents.filter((v) => v.hasProperty('recurrence-id'));
    expect(
      moved.map((v) => [v.getFirstPropertyValue('uid'), text(v.getFirstProperty('recurrence-id')), text(v.getFirstProperty('dtstart'))]),
    ).toEqual([[newUid, `${Y}-03-29T14:00:00`, `${Y}-03-30T16:00:00`]]);

    // Clean up.
    await core.handle('calendar.deleteEvent', { uid, scope: 'series' });
    await core.handle('calendar.deleteEvent', { uid: newUid, scope: 'series' });
    await syncAll(core, accountId);
    expect(await serverEvents(summary)).toHaveLength(0);
  });

  it('a COUNT series continues with what remained; at the first date the whole series changes (no split)', async () => {
    const summary = `Permanence ${tag()}`;
    const { uid } = await core.handle('calendar.createEvent', {
      event: { summary, start: `${Y}-05-03T09:00`, end: `${Y}-05-03T12:00`, allDay: false, rrule: 'FREQ=DAILY;COUNT=10' },
    });
    const window = { from: `${Y}-05-01`, to: `${Y}-05-31` };
    const series = (await core.handle('calendar.list', window)).filter((e) => e.uid === uid);
    expect(series).toHaveLength(10);
    const fourth = series[3]!;
    const details = await core.handle('calendar.event', { uid, recurrenceId: fourth.recurrenceId });
    expect(details.rrule).toBe('FREQ=DAILY;COUNT=10');
    const { uid: newUid } = await core.handle('calendar.updateEvent', {
      uid,
      scope: 'following',
      recurrenceId: fourth.recurrenceId,
      event: { ...details, summary: `${summary} (après-midi)`, start: `${Y}-05-06T14:00`, end: `${Y}-05-06T17:00` },
    });
    const local = (await core.handle('calendar.list', window)).filter((e) => e.uid === uid || e.uid === newUid);
    expect(local).toHaveLength(10);
    expect(local.filter((e) => e.uid === newUid).map((e) => parisClock(e.start))).toEqual(Array(7).fill('14:00'));
    await syncAll(core, accountId);
    expect(pendingDavOperations(core, { withFailed: true })).toBe(0);
    const [oldOnServer] = await serverEvents(`UID:${uid}`);
    const [newOnServer] = await serverEvents(`UID:${newUid}`);
    // 6 May 09:00 Paris (summer time) is 07:00Z.
    expect(String(masterOf(oldOnServer!.vevents).getFirstPropertyValue('rrule'))).toBe(`FREQ=DAILY;UNTIL=${Y}0506T065959Z`);
    expect(String(masterOf(newOnServer!.vevents).getFirstPropertyValue('rrule'))).toBe('FREQ=DAILY;COUNT=7');

    // At the first date of the new series, « et les suivants » is the whole series: same UID, no third resource.
    const first = await core.handle('calendar.event', { uid: newUid, recurrenceId: local.find((e) => e.uid === newUid)!.recurrenceId });
    const again = await core.handle('calendar.updateEvent', {
      uid: newUid,
      scope: 'following',
      recurrenceId: first.recurrenceId,
      event: { ...first, start: `${Y}-05-06T15:00`, end: `${Y}-05-06T18:00` },
    });
    expect(again.uid).toBe(newUid);
    expect(parisClock((await core.handle('calendar.list', window)).find((e) => e.uid === newUid)!.start)).toBe('15:00');
    await syncAll(core, accountId);
    expect(pendingDavOperations(core, { withFailed: true })).toBe(0);
    expect(await serverEvents(summary)).toHaveLength(2);
    expect(String(masterOf((await serverEvents(`UID:${newUid}`))[0]!.vevents).getFirstPropertyValue('dtstart'))).toBe(
      `${Y}-05-06T15:00:00`,
    );
    await core.handle('calendar.deleteEvent', { uid, scope: 'series' });
    await core.handle('calendar.deleteEvent', { uid: newUid, scope: 'series' });
    await syncAll(core, accountId);
  });

  it('deleting « cet événement et les suivants » ends the series (UNTIL, later overrides gone); at the first date it deletes it', async () => {
    const summary = `Astreinte ${tag()}`;
    const { uid } = await core.handle('calendar.createEvent', {
      event: { summary, start: `${Y}-10-18T08:30`, end: `${Y}-10-18T09:00`, allDay: false, rrule: 'FREQ=WEEKLY;BYDAY=MO' },
    });
    const window = { from: `${Y}-10-01`, to: `${Y}-12-01` };
    const series = (await core.handle('calendar.list', window)).filter((e) => e.uid === uid);
    const d4 = await core.handle('calendar.event', { uid, recurrenceId: series[3]!.recurrenceId });
    await core.handle('calendar.updateEvent', {
      uid,
      scope: 'occurrence',
      recurrenceId: series[3]!.recurrenceId,
      event: { ...d4, start: `${Y}-11-09T10:00`, end: `${Y}-11-09T10:30` },
    });
    // Split point: Monday 1 November 08:30 Paris, winter time (the change was on 31 October): 07:30Z.
    await core.handle('calendar.deleteEvent', { uid, scope: 'following', recurrenceId: series[2]!.recurrenceId });
    const local = (await core.handle('calendar.list', window)).filter((e) => e.uid === uid);
    expect(local.map((e) => parisDay(e.start))).toEqual([`${Y}-10-18`, `${Y}-10-25`]);
    await syncAll(core, accountId);
    expect(pendingDavOperations(core, { withFailed: true })).toBe(0);
    const [onServer] = await serverEvents(`UID:${uid}`);
    expect(onServer!.vevents).toHaveLength(1);
    expect(String(masterOf(onServer!.vevents).getFirstPropertyValue('rrule'))).toBe(`FREQ=WEEKLY;BYDAY=MO;UNTIL=${Y}1101T072959Z`);

    await core.handle('calendar.deleteEvent', { uid, scope: 'following', recurrenceId: local[0]!.recurrenceId });
    expect((await core.handle('calendar.list', window)).filter((e) => e.uid === uid)).toHaveLength(0);
    await syncAll(core, accountId);
    expect(await serverEvents(`UID:${uid}`)).toHaveLength(0);
  });

  it('412 on the first series (changed on the server meanwhile): the new series is sent, the server’s version kept, the end of the first series offered again', async () => {
    const summary = `Réunion de quartier ${tag()}`;
    const { uid } = await core.handle('calendar.createEvent', {
      event: { summary, start: `${Y}-09-06T18:00`, end: `${Y}-09-06T19:00`, allDay: false, rrule: 'FREQ=WEEKLY;BYDAY=MO' },
    });
    await syncAll(core, accountId);
    // Another client renames the series on Radicale; Ostal has not seen it yet.
    const [onServer] = await serverEvents(`UID:${uid}`);
    const master = masterOf(onServer!.vevents);
    master.updatePropertyWithValue('summary', `${summary} (renommée ailleurs)`);
    const vcal = master.parent!;
    const put = await radicale(user, 'PUT', onServer!.href, vcal.toString(), { 'Content-Type': 'text/calendar; charset=utf-8' });
    expect(put.status).toBeLessThan(300);
    const series = (await core.handle('calendar.list', { from: `${Y}-09-01`, to: `${Y}-10-01` })).filter((e) => e.uid === uid);
    const details = await core.handle('calendar.event', { uid, recurrenceId: series[2]!.recurrenceId });
    const { uid: newUid } = await core.handle('calendar.updateEvent', {
      uid,
      scope: 'following',
      recurrenceId: series[2]!.recurrenceId,
      event: { ...details, start: `${Y}-09-20T20:00`, end: `${Y}-09-20T21:00` },
    });
    await syncAll(core, accountId);
    expect(pendingDavOperations(core, { withFailed: true })).toBe(0);
    const conflict = (await core.handle('dav.conflicts', {})).find((c) => c.uid === uid);
    expect(conflict?.action).toBe('put');
    // Nothing overwritten: the server's rename is there, the first series unchanged (no UNTIL yet); the new series is there.
    const [kept] = await serverEvents(`UID:${uid}`);
    expect(masterOf(kept!.vevents).getFirstPropertyValue('summary')).toBe(`${summary} (renommée ailleurs)`);
    expect(String(masterOf(kept!.vevents).getFirstPropertyValue('rrule'))).toBe('FREQ=WEEKLY;BYDAY=MO');
    const [created] = await serverEvents(`UID:${newUid}`);
    expect(String(masterOf(created!.vevents).getFirstPropertyValue('dtstart'))).toBe(`${Y}-09-20T20:00:00`);
    // « Réappliquer ma modification »: the first series ends before the split date.
    await core.handle('dav.resolveConflict', { id: conflict!.id, action: 'reapply' });
    await syncAll(core, accountId);
    expect(pendingDavOperations(core, { withFailed: true })).toBe(0);
    const [ended] = await serverEvents(`UID:${uid}`);
    // 20 September 18:00 Paris (summer time) is 16:00Z.
    expect(String(masterOf(ended!.vevents).getFirstPropertyValue('rrule'))).toBe(`FREQ=WEEKLY;BYDAY=MO;UNTIL=${Y}0920T155959Z`);
    expect((await core.handle('dav.conflicts', {})).find((c) => c.uid === uid)).toBeUndefined();
    await core.handle('calendar.deleteEvent', { uid, scope: 'series' });
    await core.handle('calendar.deleteEvent', { uid: newUid, scope: 'series' });
    await syncAll(core, accountId);
  });

  it('an all-day weekly series split ends the day before (UNTIL as a date)', async () => {
    const summary = `Marché ${tag()}`;
    const { uid } = await core.handle('calendar.createEvent', {
      event: { summary, start: `${Y}-06-05`, end: `${Y}-06-06`, allDay: true, rrule: 'FREQ=WEEKLY;BYDAY=SA' },
    });
    const series = (await core.handle('calendar.list', { from: `${Y}-06-01`, to: `${Y}-07-01` })).filter((e) => e.uid === uid);
    expect(series[1]!.recurrenceId).toBe(`${Y}-06-12`);
    const details = await core.handle('calendar.event', { uid, recurrenceId: series[1]!.recurrenceId });
    const { uid: newUid } = await core.handle('calendar.updateEvent', {
      uid,
      scope: 'following',
      recurrenceId: series[1]!.recurrenceId,
      event: { ...details, location: 'Place de la mairie' },
    });
    await syncAll(core, accountId);
    expect(pendingDavOperations(core, { withFailed: true })).toBe(0);
    expect(String(masterOf((await serverEvents(`UID:${uid}`))[0]!.vevents).getFirstPropertyValue('rrule'))).toBe(
      `FREQ=WEEKLY;BYDAY=SA;UNTIL=${Y}0611`,
    );
    const next = masterOf((await serverEvents(`UID:${newUid}`))[0]!.vevents);
    expect(String(next.getFirstPropertyValue('dtstart'))).toBe(`${Y}-06-12`);
    expect(next.getFirstPropertyValue('location')).toBe('Place de la mairie');
    await core.handle('calendar.deleteEvent', { uid, scope: 'series' });
    await core.handle('calendar.deleteEvent', { uid: newUid, scope: 'series' });
    await syncAll(core, accountId);
  });

  it('« Tous les événements » from an occurrence, in one call: the series keeps its first day and takes the new hours', async () => {
    const summary = `Permanence ${tag()}`;
    const { uid } = await core.handle('calendar.createEvent', {
      event: { summary, start: `${Y}-03-01T10:00`, end: `${Y}-03-01T11:00`, allDay: false, rrule: 'FREQ=WEEKLY;BYDAY=MO;COUNT=7' },
    });
    const window = { from: `${Y}-02-25`, to: `${Y}-04-17` };
    const fifth = (await core.handle('calendar.list', window)).filter((e) => e.uid === uid)[4]!;
    const details = await core.handle('calendar.event', { uid, recurrenceId: fifth.recurrenceId });
    expect(details.start).toBe(`${Y}-03-29T10:00`);
    // The editor sends the dates it shows (the occurrence's) with the new hours.
    const result = await core.handle('calendar.updateEvent', {
      uid,
      scope: 'series',
      recurrenceId: fifth.recurrenceId,
      event: { ...details, start: `${Y}-03-29T16:00`, end: `${Y}-03-29T17:30` },
    });
    expect(result.uid).toBe(uid);
    expect(await core.handle('calendar.event', { uid })).toMatchObject({
      start: `${Y}-03-01T16:00`,
      end: `${Y}-03-01T17:30`,
      rrule: 'FREQ=WEEKLY;COUNT=7;BYDAY=MO',
    });
    const local = (await core.handle('calendar.list', window)).filter((e) => e.uid === uid);
    expect(local.map((e) => [parisDay(e.start), parisClock(e.start)])).toEqual(
      [1, 8, 15, 22, 29]
        .map((d) => [`${Y}-03-${String(d).padStart(2, '0')}`, '16:00'])
        .concat([
          [`${Y}-04-05`, '16:00'],
          [`${Y}-04-12`, '16:00'],
        ]),
    );
    await syncAll(core, accountId);
    expect(pendingDavOperations(core, { withFailed: true })).toBe(0);
    const [stored] = await serverEvents(`UID:${uid}`);
    expect(text(masterOf(stored!.vevents).getFirstProperty('dtstart'))).toBe(`${Y}-03-01T16:00:00`);
    await core.handle('calendar.deleteEvent', { uid, scope: 'series' });
    await syncAll(core, accountId);
  });
});
