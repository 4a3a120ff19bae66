/**
 * « Cet événement et les suivants » on series written by other clients (pure, no server): DTSTART in UTC,
 * RDATE and overrides after the split point, an override moved across it; the dates of the two series
 * together are those of the series before, each once.
 */
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventDetails, splitSeries, truncateSeries } from '../../src/calendar/event-model.js';
import { expandCalendarObject } from '../../src/calendar/icalendar.js';
import { setUserTimeZone } from '../../src/shared/time.js';

// An agent in Paris: the editor's wall clock is the user's zone.
beforeAll(() => setUserTimeZone('Europe/Paris'));
afterAll(() => setUserTimeZone(null));

const ics = (...lines: string[]) =>
  ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Autre//Test//FR', ...lines, 'END:VCALENDAR', ''].join('\r\n');
const from = Date.parse('2027-01-01T00:00:00Z');
const to = Date.parse('2027-03-01T00:00:00Z');
const starts = (raw: string) => expandCalendarObject(raw, from, to).map((o) => o.start);
const master = (raw: string) =>
  new ICAL.Component(ICAL.parse(raw) as unknown[]).getAllSubcomponents('vevent').find((v) => !v.hasProperty('recurrence-id'))!;
const overrides = (raw: string) =>
  new ICAL.Component(ICAL.parse(raw) as unknown[]).getAllSubcomponents('vevent').filter((v) => v.hasProperty('recurrence-id'));

// Thursdays 08:00Z from 7 January 2027, an extra date (RDATE) on Saturday 30 January, the 28 January one moved
// to Friday 29 at 15:00Z, the 4 February one moved back before the split point (Tuesday 12 January).
const utcSeries = ics(
  'BEGIN:VEVENT',
  'UID:autre-client',
  'DTSTAMP:20261201T000000Z',
  'DTSTART:20270107T080000Z',
  'DTEND:20270107T090000Z',
  'RRULE:FREQ=WEEKLY;COUNT=8',
  'RDATE:20270130T080000Z',
  'SUMMARY:Comité technique',
  'END:VEVENT',
  'BEGIN:VEVENT',
  'UID:autre-client',
  'DTSTAMP:20261201T000000Z',
  'RECURRENCE-ID:20270128T080000Z',
  'DTSTART:20270129T150000Z',
  'DTEND:20270129T160000Z',
  'SUMMARY:Comité technique (déplacé)',
  'END:VEVENT',
  'BEGIN:VEVENT',
  'UID:autre-client',
  'DTSTAMP:20261201T000000Z',
  'RECURRENCE-ID:20270204T080000Z',
  'DTSTART:20270112T080000Z',
  'DTEND:20270112T090000Z',
  'SUMMARY:Comité technique (avancé)',
  'END:VEVENT',
);

describe('splitting a series written by another client', () => {
  it('same hours: the dates of both series are the dates before, each once; UNTIL in UTC; RDATE, overrides and COUNT follow', () => {
    const before = starts(utcSeries).sort();
    expect(before).toHaveLength(9);
    const third = expandCalendarObject(utcSeries, from, to).find((o) => o.recurrenceId === '2027-01-21T08:00:00.000Z')!;
    const details = eventDetails(utcSeries, third.recurrenceId);
    const split = splitSeries(
      utcSeries,
      third.recurrenceId!,
      { ...details, location: 'Salle 2' },
      { organizer: null, rev: 'r1', newRev: 'r2', uid: 'suite' },
    );
    expect(split.kind).toBe('split');
    if (split.kind !== 'split') return;
    expect(String(master(split.truncated).getFirstPropertyValue('rrule'))).toBe('FREQ=WEEKLY;UNTIL=20270121T075959Z');
    expect(master(split.truncated).getAllProperties('rdate')).toHaveLength(0);
    // The 4 February override belongs to the new series (its id is after the split), even shown before it.
    expect(overrides(split.truncated)).toHaveLength(0);
    const next = master(split.created.raw);
    expect(String(next.getFirstPropertyValue('rrule'))).toBe('FREQ=WEEKLY;COUNT=6');
    expect(next.getFirstPropertyValue('location')).toBe('Salle 2');
    expect(next.getAllProperties('rdate').map((p) => p.getFirstValue()!.toString())).toEqual(['2027-01-30T08:00:00Z']);
    expect(
      overrides(split.created.raw).map((o) => [
        o.getFirstPropertyValue('uid'),
        String(o.getFirstPropertyValue('recurrence-id')),
        String(o.getFirstPropertyValue('dtstart')),
      ]),
    ).toEqual([
      ['suite', '2027-01-28T08:00:00Z', '2027-01-29T15:00:00Z'],
      ['suite', '2027-02-04T08:00:00Z', '2027-01-12T08:00:00Z'],
    ]);
    const after = [...starts(split.truncated), ...starts(split.created.raw)].sort();
    expect(after).toEqual(before);
  });

  it('new hours: later dates follow the wall-clock shift in Paris, moved ones keep their own time', () => {
    const third = '2027-01-21T08:00:00.000Z';
    const details = eventDetails(utcSeries, third);
    expect(details.start).toBe('2027-01-21T09:00');
    const split = splitSeries(
      utcSeries,
      third,
      { ...details, start: '2027-01-21T11:30', end: '2027-01-21T12:30' },
      { organizer: null, rev: 'r1', newRev: 'r2', uid: 'suite' },
    );
    if (split.kind !== 'split') throw new Error('expected a split');
    const dates = expandCalendarObject(split.created.raw, from, to).map((o) => [o.recurrenceId, o.start]);
    // In the order of their ids; the 4 February one stays where it was moved (12 January, 08:00Z).
    expect(dates).toEqual([
      ['2027-01-21T10:30:00.000Z', '2027-01-21T10:30:00.000Z'],
      ['2027-01-28T10:30:00.000Z', '2027-01-29T15:00:00.000Z'],
      ['2027-01-30T10:30:00.000Z', '2027-01-30T10:30:00.000Z'],
      ['2027-02-04T10:30:00.000Z', '2027-01-12T08:00:00.000Z'],
      ['2027-02-11T10:30:00.000Z', '2027-02-11T10:30:00.000Z'],
      ['2027-02-18T10:30:00.000Z', '2027-02-18T10:30:00.000Z'],
      ['2027-02-25T10:30:00.000Z', '2027-02-25T10:30:00.000Z'],
    ]);
  });

  it('at the first date: the whole series; truncating there: nothing left (null)', () => {
    const details = eventDetails(utcSeries, '2027-01-07T08:00:00.000Z');
    expect(splitSeries(utcSeries, '2027-01-07T08:00:00.000Z', details, { organizer: null, rev: 'r1', newRev: 'r2' }).kind).toBe('series');
    expect(truncateSeries(utcSeries, '2027-01-07T08:00:00.000Z', { rev: 'r1' })).toBeNull();
    const truncated = truncateSeries(utcSeries, '2027-01-14T08:00:00.000Z', { rev: 'r1' })!;
    expect(starts(truncated)).toEqual(['2027-01-07T08:00:00.000Z']);
  });
});
