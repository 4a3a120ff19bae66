/** « Envoyer plus tard »: the composer's choices and typed times from a given now, in Paris (vitest sets TZ). */
import { describe, expect, it } from 'vitest';
import { chosenSendAt, scheduledParts, sendLaterChoices, typedDay } from '../../renderer/src/views/courrier/send-later';

describe('sendLaterChoices', () => {
  it('on a Tuesday: tomorrow 8:00 and next Monday 8:00 (Paris, winter: 07:00 UTC)', () => {
    const now = new Date('2026-12-08T15:00:00Z'); // mardi 8 décembre
    expect(sendLaterChoices(now)).toEqual({ tomorrow: '2026-12-09T07:00:00.000Z', monday: '2026-12-14T07:00:00.000Z' });
  });

  it('on a Friday: Saturday morning and Monday morning', () => {
    expect(sendLaterChoices(new Date('2026-12-11T17:30:00Z'))).toEqual({
      tomorrow: '2026-12-12T07:00:00.000Z',
      monday: '2026-12-14T07:00:00.000Z',
    });
  });

  it('on a Saturday evening (23:30 in Paris): Sunday and Monday', () => {
    expect(sendLaterChoices(new Date('2026-12-12T22:30:00Z'))).toEqual({
      tomorrow: '2026-12-13T07:00:00.000Z',
      monday: '2026-12-14T07:00:00.000Z',
    });
  });

  it('on a Sunday: tomorrow is Monday, so no « Lundi matin »', () => {
    expect(sendLaterChoices(new Date('2026-12-13T10:00:00Z'))).toEqual({ tomorrow: '2026-12-14T07:00:00.000Z', monday: null });
    // 00:30 on Monday in Paris is still Sunday in UTC: the day is Paris's (Monday), Monday morning is next week's.
    expect(sendLaterChoices(new Date('2026-12-13T23:30:00Z'))).toEqual({
      tomorrow: '2026-12-15T07:00:00.000Z',
      monday: '2026-12-21T07:00:00.000Z',
    });
  });

  it('the day before clocks go forward, 8:00 tomorrow is summer time (06:00 UTC)', () => {
    expect(sendLaterChoices(new Date('2027-03-27T12:00:00Z')).tomorrow).toBe('2027-03-28T06:00:00.000Z');
  });
});

describe('chosenSendAt', () => {
  const now = new Date('2026-12-08T15:00:00Z'); // mardi 8 décembre, 16:00 à Paris

  it('takes « 9/12 » and « 8h30 » as the Agenda does', () => {
    expect(typedDay('9/12', now)).toBe('2026-12-09');
    expect(typedDay('09/12/2026', now)).toBe('2026-12-09');
    expect(typedDay('1/1', now)).toBe('2027-01-01'); // passed this year: next year
    expect(typedDay('31/2', now)).toBeNull();
    expect(chosenSendAt('9/12', '8h30', now)).toEqual({ ok: true, at: '2026-12-09T07:30:00.000Z' });
  });

  it('says what is wrong: the date, the time, already past, more than a year ahead', () => {
    expect(chosenSendAt('demain', '8:00', now)).toEqual({ ok: false, problem: 'date' });
    expect(chosenSendAt('9/12', '25h', now)).toEqual({ ok: false, problem: 'time' });
    expect(chosenSendAt('8/12/2026', '9:00', now)).toEqual({ ok: false, problem: 'past' });
    expect(chosenSendAt('9/12/2027', '9:00', now)).toEqual({ ok: false, problem: 'tooFar' });
  });

  it('on the day clocks go back, 8:00 is winter time (07:00 UTC)', () => {
    expect(chosenSendAt('31/10/2027', '8:00', now)).toEqual({ ok: true, at: '2027-10-31T07:00:00.000Z' });
  });
});

describe('scheduledParts', () => {
  it('reads « mardi 8 décembre » and « 08:00 » in Paris, the year when it is another one', () => {
    const now = new Date('2026-12-07T10:00:00Z');
    expect(scheduledParts('2026-12-08T07:00:00.000Z', now)).toEqual({ day: 'mardi 8 décembre', time: '08:00' });
    expect(scheduledParts('2027-01-04T07:00:00.000Z', now)).toEqual({ day: 'lundi 4 janvier 2027', time: '08:00' });
  });
});
