/**
 * Time zones in one place (src/shared/time.ts): wall clock ↔ instant across the DST changes of Paris, a zone
 * without DST (La Réunion), the conflict copy's name, and the calendar in the user's zone (new events with
 * their TZID and VTIMEZONE, floating times, a Paris event seen from La Réunion, VTIMEZONEs built from Intl).
 */
import fs from 'node:fs';
import ICAL from 'ical.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createEventObject, eventDetails } from '../../src/calendar/event-model.js';
import { expandCalendarObject, vtimezoneText, windowBound } from '../../src/calendar/icalendar.js';
import { conflictName } from '../../src/files/names.js';
import {
  clockParts,
  conflictStamp,
  formatDayKey,
  formatSentenceTime,
  formatWallSentenceTime,
  formatZoneName,
  offsetMinutes,
  setUserTimeZone,
  userTimeZone,
  wallClockString,
  wallClockToInstant,
  zoneTransitions,
} from '../../src/shared/time.js';

const iso = (ms: number) => new Date(ms).toISOString();

afterEach(() => setUserTimeZone(null));

describe('the user’s zone', () => {
  it('lives in a module without any import (Intl only), that the core and the renderer both load', () => {
    const source = fs.readFileSync(new URL('../../src/shared/time.ts', import.meta.url), 'utf8');
    expect(source).not.toMatch(/^\s*import\s/m);
    expect(source).not.toMatch(/\b(require|process|window|document)\b/);
  });

  it('is the computer’s, overridable for tests', () => {
    expect(userTimeZone()).toBe(new Intl.DateTimeFormat().resolvedOptions().timeZone);
    setUserTimeZone('Indian/Reunion');
    expect(userTimeZone()).toBe('Indian/Reunion');
    expect(() => setUserTimeZone('Mars/Olympus')).toThrow(RangeError);
    setUserTimeZone(null);
    expect(userTimeZone()).toBe(new Intl.DateTimeFormat().resolvedOptions().timeZone);
  });
});

describe('wall clock ↔ instant', () => {
  it('Paris, spring forward (29 March 2026): 02:30 does not exist and is read as 03:30 summer time', () => {
    expect(iso(wallClockToInstant('2026-03-29T01:30', 'Europe/Paris'))).toBe('2026-03-29T00:30:00.000Z');
    expect(iso(wallClockToInstant('2026-03-29T02:30', 'Europe/Paris'))).toBe('2026-03-29T01:30:00.000Z');
    expect(iso(wallClockToInstant('2026-03-29T03:30', 'Europe/Paris'))).toBe('2026-03-29T01:30:00.000Z');
    expect(wallClockString('2026-03-29T01:30:00Z', 'Europe/Paris')).toBe('2026-03-29T03:30');
  });

  it('Paris, fall back (25 October 2026): 02:30 happens twice, the first one is taken', () => {
    expect(iso(wallClockToInstant('2026-10-25T02:30', 'Europe/Paris'))).toBe('2026-10-25T00:30:00.000Z');
    expect(wallClockString('2026-10-25T00:30:00Z', 'Europe/Paris')).toBe('2026-10-25T02:30');
    expect(wallClockString('2026-10-25T01:30:00Z', 'Europe/Paris')).toBe('2026-10-25T02:30');
    expect(iso(wallClockToInstant('2026-10-25T03:30', 'Europe/Paris'))).toBe('2026-10-25T02:30:00.000Z');
  });

  it('Paris, 09:00 in winter and in summer; offsets of 60 and 120 minutes', () => {
    expect(iso(wallClockToInstant('2026-01-15T09:00', 'Europe/Paris'))).toBe('2026-01-15T08:00:00.000Z');
    expect(iso(wallClockToInstant('2026-07-15T09:00', 'Europe/Paris'))).toBe('2026-07-15T07:00:00.000Z');
    expect(offsetMinutes('2026-01-15T08:00:00Z', 'Europe/Paris')).toBe(60);
    expect(offsetMinutes('2026-07-15T07:00:00Z', 'Europe/Paris')).toBe(120);
    expect(zoneTransitions('Europe/Paris', Date.UTC(2026, 0, 1), Date.UTC(2027, 0, 1))).toEqual([
      { at: Date.parse('2026-03-29T01:00:00Z'), from: 60, to: 120 },
      { at: Date.parse('2026-10-25T01:00:00Z'), from: 120, to: 60 },
    ]);
  });

  it('La Réunion has no DST: UTC+4 all year', () => {
    expect(iso(wallClockToInstant('2026-01-15T09:00', 'Indian/Reunion'))).toBe('2026-01-15T05:00:00.000Z');
    expect(iso(wallClockToInstant('2026-07-15T09:00', 'Indian/Reunion'))).toBe('2026-07-15T05:00:00.000Z');
    expect(zoneTransitions('Indian/Reunion', Date.UTC(1970, 0, 1), Date.UTC(2038, 0, 1))).toEqual([]);
    expect(clockParts('2026-12-14T05:00:00Z', 'Indian/Reunion')).toEqual({ day: '2026-12-14', minutes: 540, time: '09:00' });
    // 22:00 UTC is already the next day in La Réunion.
    expect(clockParts('2026-12-14T22:00:00Z', 'Indian/Reunion').day).toBe('2026-12-15');
  });

  it('the default zone is the user’s', () => {
    setUserTimeZone('America/Cayenne');
    expect(wallClockString('2026-12-14T12:00:00Z')).toBe('2026-12-14T09:00');
    expect(formatSentenceTime('2026-12-14T12:00:00Z')).toBe('9\u00a0h');
  });
});

describe('French formats', () => {
  it('conflict copies are named « conflit du 23-11-2026 14 h 30 » in the user’s zone, as the interface shows', () => {
    const when = new Date('2026-11-23T13:30:00Z');
    expect(conflictStamp(when, 'Europe/Paris')).toEqual({ date: '23-11-2026', hour: '14', minute: '30' });
    expect(conflictName('/docs/rapport.odt', when, () => false, 'Europe/Paris')).toBe('/docs/rapport (conflit du 23-11-2026 14 h 30).odt');
    setUserTimeZone('Indian/Reunion');
    expect(conflictName('/docs/rapport.odt', when, () => false)).toBe('/docs/rapport (conflit du 23-11-2026 17 h 30).odt');
    expect(formatSentenceTime(when)).toBe('17\u00a0h\u00a030');
    const taken = new Set(['/docs/rapport (conflit du 23-11-2026 17 h 30).odt']);
    expect(conflictName('/docs/rapport.odt', when, (c) => taken.has(c))).toBe('/docs/rapport (conflit du 23-11-2026 17 h 30, 2).odt');
  });

  it('day keys and wall clocks read as written, whatever the zone', () => {
    setUserTimeZone('Pacific/Noumea');
    expect(formatDayKey('2026-11-23')).toBe('lundi 23 novembre 2026');
    expect(formatDayKey('2026-11-23', 'heading')).toBe('lundi 23 novembre');
    expect(formatDayKey('2026-11-23', 'short')).toBe('lun. 23');
    expect(formatDayKey('2026-11-23', 'month')).toBe('novembre 2026');
    expect(formatWallSentenceTime('2026-11-23T14:30')).toBe('14\u00a0h\u00a030');
    expect(formatWallSentenceTime('2026-11-23T09:00')).toBe('9\u00a0h');
  });

  it('zones are named in French', () => {
    expect(formatZoneName('Europe/Paris')).toBe('heure de Paris');
    expect(formatZoneName('Indian/Reunion')).toBe('heure de La Réunion');
  });
});

describe('the calendar in the user’s zone', () => {
  const input = {
    summary: 'Permanence',
    start: '2026-12-14T09:00',
    end: '2026-12-14T10:00',
    allDay: false,
    location: '',
    description: '',
    attendees: [],
    rrule: null,
    reminderMinutes: null,
    meetingUrl: null,
  };

  it('a new event in La Réunion is written with TZID Indian/Reunion and its VTIMEZONE, and reads back at 09:00', () => {
    setUserTimeZone('Indian/Reunion');
    const { raw } = createEventObject(input, { organizer: null, rev: 'r1' });
    expect(raw).toContain('DTSTART;TZID=Indian/Reunion:20261214T090000');
    const vtz = new ICAL.Component(ICAL.parse(raw) as unknown[]).getFirstSubcomponent('vtimezone')!;
    expect(vtz.getFirstPropertyValue('tzid')).toBe('Indian/Reunion');
    expect(String(vtz.getFirstSubcomponent('standard')!.getFirstPropertyValue('tzoffsetto'))).toBe('+04:00');
    const [occ] = expandCalendarObject(raw, windowBound('2026-12-14'), windowBound('2026-12-15'));
    expect(occ?.start).toBe('2026-12-14T05:00:00.000Z');
    expect(eventDetails(raw, null).start).toBe('2026-12-14T09:00');
    // Another agent in Paris sees it at 06:00.
    setUserTimeZone('Europe/Paris');
    expect(eventDetails(raw, null).start).toBe('2026-12-14T06:00');
  });

  it('all-day events keep their dates, floating times are read in the user’s zone', () => {
    setUserTimeZone('Indian/Reunion');
    const { raw } = createEventObject({ ...input, start: '2026-12-14', end: '2026-12-15', allDay: true }, { organizer: null, rev: 'r1' });
    expect(raw).toContain('DTSTART;VALUE=DATE:20261214');
    expect(raw).not.toContain('VTIMEZONE');
    expect(expandCalendarObject(raw, windowBound('2026-12-14'), windowBound('2026-12-15'))[0]?.start).toBe('2026-12-14');
    const floating = [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//T//FR',
      'BEGIN:VEVENT',
      'UID:fl',
      'DTSTART:20261214T090000',
      'DTEND:20261214T100000',
      'END:VEVENT',
      'END:VCALENDAR',
      '',
    ].join('\r\n');
    expect(expandCalendarObject(floating, windowBound('2026-12-14'), windowBound('2026-12-15'))[0]?.start).toBe('2026-12-14T05:00:00.000Z');
  });

  it('a Paris event (TZID without VTIMEZONE) is seen at the right time in La Réunion, in winter and in summer', () => {
    setUserTimeZone('Indian/Reunion');
    const paris = (day: string) =>
      [
        'BEGIN:VCALENDAR',
        'VERSION:2.0',
        'PRODID:-//T//FR',
        'BEGIN:VEVENT',
        `UID:p${day}`,
        `DTSTART;TZID=Europe/Paris:${day}T100000`,
        `DTEND;TZID=Europe/Paris:${day}T110000`,
        'END:VEVENT',
        'END:VCALENDAR',
        '',
      ].join('\r\n');
    const winter = expandCalendarObject(paris('20261214'), windowBound('2026-12-14'), windowBound('2026-12-15'))[0]!;
    expect(clockParts(winter.start).time).toBe('13:00');
    const summer = expandCalendarObject(paris('20260715'), windowBound('2026-07-15'), windowBound('2026-07-16'))[0]!;
    expect(clockParts(summer.start).time).toBe('12:00');
  });

  it('VTIMEZONEs built from Intl give the same instants as Intl (yearly rules, past changes, southern hemisphere)', () => {
    for (const tzid of ['America/New_York', 'Pacific/Noumea', 'Australia/Sydney', 'America/Cayenne', 'Europe/Paris']) {
      const text = vtimezoneText(tzid);
      if (tzid === 'America/New_York') expect(text).toContain('RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU');
      for (const wall of ['1978-01-15T10:00', '1997-02-01T10:00', '2026-01-15T10:00', '2026-07-15T10:00', '2031-11-20T10:00']) {
        const w = wall.replace(/[-:]/g, '');
        const raw = [
          'BEGIN:VCALENDAR',
          'VERSION:2.0',
          'PRODID:-//T//FR',
          text.replace(/^BEGIN:VCALENDAR\r\n|\r\nEND:VCALENDAR$/g, ''),
          'BEGIN:VEVENT',
          `UID:${tzid}${w}`,
          `DTSTART;TZID=${tzid}:${w}00`,
          'END:VEVENT',
          'END:VCALENDAR',
          '',
        ].join('\r\n');
        const [occ] = expandCalendarObject(
          raw,
          Date.parse(`${wall.slice(0, 10)}T00:00:00Z`) - 86_400_000,
          Date.parse(`${wall.slice(0, 10)}T00:00:00Z`) + 2 * 86_400_000,
        );
        expect(occ?.start, `${tzid} ${wall}`).toBe(iso(wallClockToInstant(wall, tzid)));
      }
    }
  });
});
