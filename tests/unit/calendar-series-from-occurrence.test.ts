/**
 * « Tous les événements » chosen while editing one occurrence (pure, no server): the editor sends that
 * occurrence's dates; the series keeps its first day and takes the new hours and length in days.
 */
import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { createEventObject, eventDetails, seriesTimesFromOccurrence, updateSeries } from '../../src/calendar/event-model.js';
import { expandCalendarObject } from '../../src/calendar/icalendar.js';

const options = { organizer: null, rev: 'r2' };
const master = (raw: string) =>
  new ICAL.Component(ICAL.parse(raw) as unknown[]).getAllSubcomponents('vevent').find((v) => !v.hasProperty('recurrence-id'))!;

describe('seriesTimesFromOccurrence', () => {
  it('timed: the first day of the series with the edited hours', () => {
    expect(seriesTimesFromOccurrence('2027-01-04T09:00', { start: '2027-03-15T14:00', end: '2027-03-15T15:30', allDay: false })).toEqual({
      start: '2027-01-04T14:00',
      end: '2027-01-04T15:30',
    });
  });

  it('timed over midnight: the end keeps its distance in days', () => {
    expect(seriesTimesFromOccurrence('2027-01-29T09:00', { start: '2027-03-12T22:00', end: '2027-03-13T01:00', allDay: false })).toEqual({
      start: '2027-01-29T22:00',
      end: '2027-01-30T01:00',
    });
  });

  it('all-day: only days count, the end stays exclusive (across a month and a year end)', () => {
    expect(seriesTimesFromOccurrence('2026-12-31', { start: '2027-02-10', end: '2027-02-13', allDay: true })).toEqual({
      start: '2026-12-31',
      end: '2027-01-03',
    });
    expect(seriesTimesFromOccurrence('2027-02-28', { start: '2027-06-01', end: '2027-06-02', allDay: true })).toEqual({
      start: '2027-02-28',
      end: '2027-03-01',
    });
  });

  it('an end left empty is the start', () => {
    expect(seriesTimesFromOccurrence('2027-01-04T09:00', { start: '2027-03-15T14:00', end: '', allDay: false })).toEqual({
      start: '2027-01-04T14:00',
      end: '2027-01-04T14:00',
    });
  });
});

describe('updateSeries from an occurrence', () => {
  // Mondays 09:00–10:00 Europe/Paris from 4 January 2027 (winter time), 20 occurrences.
  const { raw } = createEventObject(
    { summary: 'Point d’équipe', start: '2027-01-04T09:00', end: '2027-01-04T10:00', allDay: false, rrule: 'FREQ=WEEKLY;COUNT=20' },
    { organizer: null, uid: 'point', rev: 'r1' },
  );
  const occurrences = expandCalendarObject(raw, Date.parse('2027-01-01T00:00:00Z'), Date.parse('2027-07-01T00:00:00Z'));
  // 5 April 2027: summer time.
  const april = occurrences.find((o) => o.start.startsWith('2027-04-05'))!;

  it('keeps the first day, takes the new hours (wall clock across the change to summer time)', () => {
    const details = eventDetails(raw, april.recurrenceId);
    expect(details.start).toBe('2027-04-05T09:00');
    const updated = updateSeries(
      raw,
      { ...details, summary: 'Point d’équipe (après-midi)', start: '2027-04-05T14:00', end: '2027-04-05T15:00' },
      { ...options, fromOccurrence: april.recurrenceId },
    );
    const series = eventDetails(updated, null);
    expect(series).toMatchObject({
      start: '2027-01-04T14:00',
      end: '2027-01-04T15:00',
      summary: 'Point d’équipe (après-midi)',
      rrule: 'FREQ=WEEKLY;COUNT=20',
    });
    const after = expandCalendarObject(updated, Date.parse('2027-01-01T00:00:00Z'), Date.parse('2027-07-01T00:00:00Z'));
    expect(after).toHaveLength(occurrences.length);
    expect(after.find((o) => o.start.startsWith('2027-04-05'))?.start).toBe('2027-04-05T12:00:00.000Z');
    expect(after[0]?.start).toBe('2027-01-04T13:00:00.000Z');
  });

  it('a date changed in the editor does not move the series', () => {
    const details = eventDetails(raw, april.recurrenceId);
    const updated = updateSeries(
      raw,
      { ...details, start: '2027-04-07T09:30', end: '2027-04-07T10:00' },
      { ...options, fromOccurrence: april.recurrenceId },
    );
    expect(eventDetails(updated, null)).toMatchObject({ start: '2027-01-04T09:30', end: '2027-01-04T10:00' });
  });

  it('without an occurrence the dates are the series’ own (unchanged behaviour)', () => {
    const updated = updateSeries(raw, { ...eventDetails(raw, null), start: '2027-01-11T08:00', end: '2027-01-11T09:00' }, options);
    expect(eventDetails(updated, null)).toMatchObject({ start: '2027-01-11T08:00', end: '2027-01-11T09:00' });
  });

  it('all-day series written by another client: first day kept, length in days taken', () => {
    const other = [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//Autre//Test//FR',
      'BEGIN:VEVENT',
      'UID:conges',
      'DTSTAMP:20261201T000000Z',
      'DTSTART;VALUE=DATE:20270105',
      'DTEND;VALUE=DATE:20270106',
      'RRULE:FREQ=MONTHLY;COUNT=6',
      'SUMMARY:Astreinte',
      'END:VEVENT',
      'END:VCALENDAR',
      '',
    ].join('\r\n');
    const march = expandCalendarObject(other, Date.parse('2027-03-01T00:00:00Z'), Date.parse('2027-04-01T00:00:00Z'))[0]!;
    const details = eventDetails(other, march.recurrenceId);
    expect(details).toMatchObject({ start: '2027-03-05', end: '2027-03-06', allDay: true });
    const updated = updateSeries(other, { ...details, end: '2027-03-07' }, { ...options, fromOccurrence: march.recurrenceId });
    expect(eventDetails(updated, null)).toMatchObject({
      start: '2027-01-05',
      end: '2027-01-07',
      allDay: true,
      rrule: 'FREQ=MONTHLY;COUNT=6',
    });
    expect(String(master(updated).getFirstPropertyValue('dtstart'))).toBe('2027-01-05');
  });
});
