import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandCalendarObject, parseCalendarObject, windowBound } from '../../src/calendar/icalendar.js';
import { setUserTimeZone } from '../../src/shared/time.js';

// An agent in Paris: window bounds and floating times are read in the user's zone.
beforeAll(() => setUserTimeZone('Europe/Paris'));
afterAll(() => setUserTimeZone(null));

const ics = (...lines: string[]) =>
  ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Ostal//Test//FR', ...lines, 'END:VCALENDAR', ''].join('\r\n');

const PARIS = [
  'BEGIN:VTIMEZONE',
  'TZID:Europe/Paris',
  'BEGIN:DAYLIGHT',
  'TZOFFSETFROM:+0100',
  'TZOFFSETTO:+0200',
  'DTSTART:19810329T020000',
  'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
  'END:DAYLIGHT',
  'BEGIN:STANDARD',
  'TZOFFSETFROM:+0200',
  'TZOFFSETTO:+0100',
  'DTSTART:19961027T030000',
  'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
  'END:STANDARD',
  'END:VTIMEZONE',
];

describe('recurrence expansion', () => {
  const weekly = ics(
    ...PARIS,
    'BEGIN:VEVENT',
    'UID:conseil',
    'DTSTART;TZID=Europe/Paris:20260105T100000',
    'DTEND;TZID=Europe/Paris:20260105T110000',
    'RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=6',
    'EXDATE;TZID=Europe/Paris:20260119T100000',
    'SUMMARY:Réunion de service',
    'END:VEVENT',
    'BEGIN:VEVENT',
    'UID:conseil',
    'RECURRENCE-ID;TZID=Europe/Paris:20260126T100000',
    'DTSTART;TZID=Europe/Paris:20260127T150000',
    'DTEND;TZID=Europe/Paris:20260127T160000',
    'SUMMARY:Réunion de service (déplacée)',
    'END:VEVENT',
  );

  it('a weekly series drops its EXDATE and moves its overridden occurrence', () => {
    const occ = expandCalendarObject(weekly, windowBound('2026-01-01'), windowBound('2026-03-01'));
    expect(occ.map((o) => o.start)).toEqual([
      '2026-01-05T09:00:00.000Z',
      '2026-01-12T09:00:00.000Z',
      '2026-01-27T14:00:00.000Z',
      '2026-02-02T09:00:00.000Z',
      '2026-02-09T09:00:00.000Z',
    ]);
    const moved = occ[2];
    expect(moved).toMatchObject({
      uid: 'conseil',
      recurrenceId: '2026-01-26T09:00:00.000Z',
      summary: 'Réunion de service (déplacée)',
      end: '2026-01-27T15:00:00.000Z',
      allDay: false,
    });
    expect(occ[0]?.summary).toBe('Réunion de service');
  });

  it('only occurrences overlapping the window are returned', () => {
    const occ = expandCalendarObject(weekly, windowBound('2026-01-12'), windowBound('2026-01-13'));
    expect(occ.map((o) => o.recurrenceId)).toEqual(['2026-01-12T09:00:00.000Z']);
  });

  it('a daily 09:00 Europe/Paris series stays at 09:00 local across both DST changes of 2026', () => {
    const daily = ics(
      ...PARIS,
      'BEGIN:VEVENT',
      'UID:quotidien',
      'DTSTART;TZID=Europe/Paris:20260301T090000',
      'DTEND;TZID=Europe/Paris:20260301T093000',
      'RRULE:FREQ=DAILY',
      'SUMMARY:Point du matin',
      'END:VEVENT',
    );
    const march = expandCalendarObject(daily, windowBound('2026-03-28'), windowBound('2026-03-31'));
    expect(march.map((o) => o.start)).toEqual(['2026-03-28T08:00:00.000Z', '2026-03-29T07:00:00.000Z', '2026-03-30T07:00:00.000Z']);
    const october = expandCalendarObject(daily, windowBound('2026-10-24'), windowBound('2026-10-27'));
    expect(october.map((o) => o.start)).toEqual(['2026-10-24T07:00:00.000Z', '2026-10-25T08:00:00.000Z', '2026-10-26T08:00:00.000Z']);
    expect(october.map((o) => o.end)).toEqual(['2026-10-24T07:30:00.000Z', '2026-10-25T08:30:00.000Z', '2026-10-26T08:30:00.000Z']);
  });

  it("floating times are read in the user's zone (Paris here)", () => {
    const raw = ics('BEGIN:VEVENT', 'UID:f', 'DTSTART:20260710T090000', 'DTEND:20260710T100000', 'SUMMARY:Flottant', 'END:VEVENT');
    expect(expandCalendarObject(raw, windowBound('2026-07-10'), windowBound('2026-07-11'))[0]?.start).toBe('2026-07-10T07:00:00.000Z');
  });

  it('RDATE adds an occurrence; all-day events give dates and last one day', () => {
    const raw = ics(
      'BEGIN:VEVENT',
      'UID:ferie',
      'DTSTART;VALUE=DATE:20260714',
      'RRULE:FREQ=YEARLY;COUNT=2',
      'RDATE;VALUE=DATE:20260815',
      'SUMMARY:Fête',
      'END:VEVENT',
    );
    const occ = expandCalendarObject(raw, windowBound('2026-01-01'), windowBound('2028-01-01'));
    expect(occ.map((o) => [o.start, o.end, o.allDay])).toEqual([
      ['2026-07-14', '2026-07-15', true],
      ['2026-08-15', '2026-08-16', true],
      ['2027-07-14', '2027-07-15', true],
    ]);
  });
});

describe('malformed calendar objects', () => {
  it('throw instead of giving a wrong event', () => {
    expect(() => parseCalendarObject('pas du tout un agenda')).toThrow();
    expect(() => parseCalendarObject(ics('BEGIN:VTODO', 'UID:t', 'END:VTODO'))).toThrow(/VEVENT/);
    expect(() => parseCalendarObject(ics('BEGIN:VEVENT', 'SUMMARY:Sans UID', 'DTSTART:20260101T100000Z', 'END:VEVENT'))).toThrow(/UID/);
    expect(() => expandCalendarObject('BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n', 0, 1)).toThrow();
  });

  it('parse the UID and summary of a good one', () => {
    expect(parseCalendarObject(ics('BEGIN:VEVENT', 'UID:u1', 'DTSTART:20260101T100000Z', 'SUMMARY:Vœux du maire', 'END:VEVENT'))).toEqual({
      uid: 'u1',
      summary: 'Vœux du maire',
    });
  });

  it('an invalid window bound is refused', () => {
    expect(() => windowBound('demain')).toThrow();
  });
});
