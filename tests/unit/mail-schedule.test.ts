/** « Envoyer plus tard »: the core's reading of the requested time, its refusals, and the Date header at send time. */
import { describe, expect, it } from 'vitest';
import { checkSendAt, parseSendAt, withDateHeader } from '../../src/mail/schedule.js';

const now = new Date('2026-12-08T10:00:00Z'); // mardi 8 décembre 2026, 11:00 à Paris

describe('checkSendAt', () => {
  it('reads a time without offset as Paris time, and one with an offset as given', () => {
    expect(parseSendAt('2026-12-09T08:00', 'Europe/Paris')?.toISOString()).toBe('2026-12-09T07:00:00.000Z');
    expect(parseSendAt('2026-12-09T08:00+01:00')?.toISOString()).toBe('2026-12-09T07:00:00.000Z');
    expect(parseSendAt('2026-12-09T07:00:00.000Z')?.toISOString()).toBe('2026-12-09T07:00:00.000Z');
    // Summer time: 08:00 in Paris is 06:00 UTC in July.
    expect(parseSendAt('2027-07-01T08:00', 'Europe/Paris')?.toISOString()).toBe('2027-07-01T06:00:00.000Z');
  });

  it('on the day clocks go forward, 02:30 (which never shows) is read as 03:30 summer time; 08:00 is 06:00 UTC', () => {
    expect(parseSendAt('2027-03-28T02:30', 'Europe/Paris')?.toISOString()).toBe('2027-03-28T01:30:00.000Z');
    expect(parseSendAt('2027-03-28T08:00', 'Europe/Paris')?.toISOString()).toBe('2027-03-28T06:00:00.000Z');
    expect(parseSendAt('2027-10-31T08:00', 'Europe/Paris')?.toISOString()).toBe('2027-10-31T07:00:00.000Z');
  });

  it('refuses what is not a date-time', () => {
    for (const bad of ['demain', '2026-12-09', '2026-02-31T08:00', '2026-12-09T25:00', '2026-02-31T08:00Z', ''])
      expect(checkSendAt(bad, now, 'Europe/Paris')).toEqual({ ok: false, reason: 'invalid' });
  });

  it('refuses a time past by more than a minute, takes one just past (it leaves at once)', () => {
    expect(checkSendAt('2026-12-08T10:58', now, 'Europe/Paris')).toEqual({ ok: false, reason: 'past' });
    const justPast = checkSendAt('2026-12-08T09:59:30Z', now, 'Europe/Paris');
    expect(justPast.ok).toBe(true);
  });

  it('takes up to one year ahead, not more', () => {
    expect(checkSendAt('2027-12-08T10:00:00Z', now).ok).toBe(true);
    expect(checkSendAt('2027-12-08T10:01:00Z', now)).toEqual({ ok: false, reason: 'tooFar' });
  });
});

describe('withDateHeader', () => {
  it('replaces the Date header only (folded or not), keeps the Message-ID and the body', () => {
    const raw = Buffer.from(
      'From: a@b.fr\r\nDate: Mon, 07 Dec 2026\r\n 10:00:00 +0000\r\nMessage-ID: <x@b.fr>\r\n\r\nDate: in the body\r\né\r\n',
      'utf8',
    );
    const out = withDateHeader(raw, new Date('2026-12-09T07:00:00Z')).toString('utf8');
    expect(out).toBe('From: a@b.fr\r\nDate: Wed, 09 Dec 2026 07:00:00 +0000\r\nMessage-ID: <x@b.fr>\r\n\r\nDate: in the body\r\né\r\n');
  });

  it('adds a Date header to a message without one', () => {
    const out = withDateHeader(Buffer.from('Subject: x\r\n\r\nbody'), new Date('2026-12-09T07:00:00Z')).toString();
    expect(out.startsWith('Date: Wed, 09 Dec 2026 07:00:00 +0000\r\nSubject: x\r\n')).toBe(true);
  });
});
