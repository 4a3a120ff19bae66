import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatNumber, formatSize } from '../../renderer/src/lib/format';
import { newEventSlot, startOfWeek } from '../../renderer/src/views/agenda/dates';
import { compareFrench } from '../../src/shared/format';
import {
  formatClockTime,
  formatListDate,
  formatLongDate,
  formatSentenceTime,
  formatShortDate,
  setUserTimeZone,
} from '../../src/shared/time';

describe('French dates (GLOSSAIRE.md)', () => {
  // The interface shows the computer's zone (src/shared/time.ts): here an agent in Paris.
  beforeAll(() => setUserTimeZone('Europe/Paris'));
  afterAll(() => setUserTimeZone(null));
  // 23 November 2026, 14:30 in Paris (UTC+1 in winter).
  const instant = '2026-11-23T13:30:00Z';

  it('lists use « 23/11/2026 »', () => {
    expect(formatShortDate(instant)).toBe('23/11/2026');
  });
  it("grids use « 14:30 » on 24 hours, in the user's zone by default", () => {
    expect(formatClockTime(instant)).toBe('14:30');
    expect(formatClockTime('2026-07-01T21:05:00Z')).toBe('23:05'); // summer time, UTC+2
    expect(formatClockTime(instant, 'UTC')).toBe('13:30');
  });
  it('sentences use « 14 h 30 » and « 9 h » with non-breaking spaces', () => {
    expect(formatSentenceTime(instant)).toBe('14\u00a0h\u00a030');
    expect(formatSentenceTime('2026-11-23T08:00:00Z')).toBe('9\u00a0h');
  });
  it('full dates read « lundi 23 novembre 2026 »', () => {
    expect(formatLongDate(instant)).toBe('lundi 23 novembre 2026');
  });
  it('a message of today shows its time, an older one its date', () => {
    const now = new Date('2026-11-23T20:00:00Z');
    expect(formatListDate(instant, now)).toBe('14:30');
    expect(formatListDate('2026-11-22T13:30:00Z', now)).toBe('22/11/2026');
    // 23:30 UTC on the 22nd is already the 23rd in Paris: today.
    expect(formatListDate('2026-11-22T23:30:00Z', now)).toBe('00:30');
  });
  it('returns an empty text for missing or invalid dates', () => {
    expect(formatListDate(null)).toBe('');
    expect(formatShortDate('pas une date')).toBe('');
  });
});

describe('French numbers and sizes', () => {
  it('groups thousands with a narrow no-break space and uses a decimal comma', () => {
    expect(formatNumber(1234.5)).toBe('1\u202f234,5');
  });
  it.each([
    [512, '512\u00a0octets'],
    [1536, '1,5\u00a0Ko'],
    [13_002_342, '12,4\u00a0Mo'],
    [1.2 * 1024 ** 3, '1,2\u00a0Go'],
    [300 * 1024 * 1024, '300\u00a0Mo'],
  ])('%d octets → %s', (bytes, text) => {
    expect(formatSize(bytes)).toBe(text);
  });
});

describe('weeks start on Monday', () => {
  it('gives the Monday of a Thursday', () => {
    expect(startOfWeek('2026-11-26')).toBe('2026-11-23');
  });
  it('keeps a Sunday in the week that started the Monday before', () => {
    expect(startOfWeek('2026-11-29')).toBe('2026-11-23');
  });
});

describe('names in French order (contacts, suggestions)', () => {
  it('puts accented initials with their letter, case and accents aside', () => {
    const names = ['Zoé Martin', 'émile Durand', 'Élodie Petit', 'Eric Blanc', 'Ève Roux', 'agnès Vidal'];
    expect([...names].sort(compareFrench)).toEqual(['agnès Vidal', 'Élodie Petit', 'émile Durand', 'Eric Blanc', 'Ève Roux', 'Zoé Martin']);
    expect(compareFrench('élodie', 'Élodie')).toBe(0);
  });
});

describe('newEventSlot (« Nouvel événement » without a time pointed at)', () => {
  // Paris wall-clock instants (winter: UTC+1).
  const at = (iso: string) => new Date(`${iso}+01:00`);

  it('today: the next half hour, as Outlook', () => {
    expect(newEventSlot('2026-12-07', at('2026-12-07T14:10:00'))).toEqual({ day: '2026-12-07', minutes: 14 * 60 + 30 });
    expect(newEventSlot('2026-12-07', at('2026-12-07T14:30:00'))).toEqual({ day: '2026-12-07', minutes: 15 * 60 });
    expect(newEventSlot('2026-12-07', at('2026-12-07T00:05:00'))).toEqual({ day: '2026-12-07', minutes: 30 });
    expect(newEventSlot('2026-12-07', at('2026-12-07T22:59:00'))).toEqual({ day: '2026-12-07', minutes: 23 * 60 });
  });

  it('today with less than an hour left: tomorrow at 9:00', () => {
    expect(newEventSlot('2026-12-07', at('2026-12-07T23:00:00'))).toEqual({ day: '2026-12-08', minutes: 9 * 60 });
    expect(newEventSlot('2026-12-13', at('2026-12-13T23:45:00'))).toEqual({ day: '2026-12-14', minutes: 9 * 60 });
  });

  it('another day shown: 9:00 that day', () => {
    expect(newEventSlot('2026-12-09', at('2026-12-07T14:10:00'))).toEqual({ day: '2026-12-09', minutes: 9 * 60 });
    expect(newEventSlot('2026-12-01', at('2026-12-07T14:10:00'))).toEqual({ day: '2026-12-01', minutes: 9 * 60 });
  });
});
