/**
 * An event that repeats too often (issue « Sécurité », point 4): one VEVENT with twenty hourly series of 20 000
 * occurrences each (400 000 in all, under 3 KB) imported through « Importer… », then a week of the Agenda listed: the
 * core answers in well under a second, the event is there (marked `truncated`, the Agenda's notice) and the other
 * events of the week are complete. Before the bound, each display walked the 400 000 occurrences (about 10 s).
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/core.js';
import { testUser } from '../servers/testing.js';
import { davCore } from './dav-fixture.js';

const user = testUser(5);
const tag = crypto.randomBytes(3).toString('hex');
const denseUid = `dense-${tag}@ailleurs.test`;
const weeklyUid = `hebdo-${tag}@ostal.test`;

function monday(): Date {
  const d = new Date();
  d.setUTCHours(0, 0, 0, 0);
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return d;
}
const key = (d: Date) => d.toISOString().slice(0, 10);

describe('an event that repeats too often', () => {
  let core: Core;
  let accountId: string;

  beforeAll(async () => {
    ({ core, accountId } = await davCore(user));
    expect((await core.handle('sync.run', { accountId, only: 'calendar' })).accounts[0]).toMatchObject({ ok: true });
  }, 60_000);

  afterAll(async () => {
    for (const uid of [denseUid, weeklyUid]) await core.handle('calendar.deleteEvent', { uid, scope: 'series' }).catch(() => undefined);
    await core.handle('sync.run', { accountId, only: 'calendar' });
  }, 60_000);

  it('is imported and a week of the Agenda lists far under the unbounded walk’s ~10 s of core time, with the event marked; the other events are complete', async () => {
    const rules = Array.from({ length: 20 }, (_, i) => `RRULE:FREQ=HOURLY;INTERVAL=1;BYMINUTE=${i * 3};COUNT=20000`);
    const dense = [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//Ailleurs//FR',
      'BEGIN:VEVENT',
      `UID:${denseUid}`,
      'DTSTAMP:20200101T000000Z',
      'DTSTART:20200106T080000Z',
      'DURATION:PT1M',
      ...rules,
      `SUMMARY:Rappel envahissant ${tag}`,
      'END:VEVENT',
      'END:VCALENDAR',
      '',
    ].join('\r\n');
    expect(dense.length).toBeLessThan(3_000);
    const weekStart = monday();
    const weekly = [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//Ostal//FR',
      'BEGIN:VEVENT',
      `UID:${weeklyUid}`,
      'DTSTAMP:20200101T000000Z',
      'DTSTART:20190107T090000Z',
      'DURATION:PT1H',
      'RRULE:FREQ=DAILY',
      `SUMMARY:Point quotidien ${tag}`,
      'END:VEVENT',
      'END:VCALENDAR',
      '',
    ].join('\r\n');
    expect((await core.handle('dav.import', { content: dense, name: 'envahissant.ics', accountId })).imported).toBe(1);
    expect((await core.handle('dav.import', { content: weekly, name: 'quotidien.ics', accountId })).imported).toBe(1);

    const from = key(weekStart);
    const to = key(new Date(weekStart.getTime() + 7 * 86_400_000));
    const t0 = performance.now();
    const week = await core.handle('calendar.occurrences', { from, to });
    const ms = performance.now() - t0;
    // ~0.2 s alone; the unbounded walk took ~10 s. The margin is for a machine loaded by the rest of the suite (1,25 s
    // was seen with a load of 11 on 2 cores): what this guards is the bound, not a speed target (those are benchmarks).
    expect(ms).toBeLessThan(2_500);
    const denseItems = week.filter((o) => o.uid === denseUid);
    expect(denseItems.length).toBeGreaterThan(0);
    expect(denseItems.every((o) => o.truncated === true)).toBe(true);
    // The ordinary daily series since 2019 is whole: one a day, not marked.
    const daily = week.filter((o) => o.uid === weeklyUid);
    expect(daily.map((o) => o.start.slice(0, 10))).toHaveLength(7);
    expect(daily.some((o) => o.truncated)).toBe(false);
    console.log(
      `week listed in ${ms.toFixed(0)} ms: ${week.length} occurrences, ${denseItems.length} of the dense event (stand-in or first ones)`,
    );
  }, 120_000);
});
