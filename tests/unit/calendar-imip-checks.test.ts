import { describe, expect, it } from 'vitest';
import { applyReplyText, checkReply, FUTURE_STAMP_SKEW_MS } from '../../src/calendar/imip.js';
import { isLaterAnswer } from '../../src/calendar/imip-answers.js';
import { senderAuthentication } from '../../src/mail/sender-authentication.js';

const stored = [
  'BEGIN:VCALENDAR',
  'VERSION:2.0',
  'PRODID:-//Ostal//Agenda//FR',
  'BEGIN:VEVENT',
  'UID:conseil@ostal.test',
  'DTSTAMP:20261201T080000Z',
  'DTSTART:20270110T090000Z',
  'DTEND:20270110T100000Z',
  'SUMMARY:Conseil',
  'ORGANIZER:mailto:maire@commune.test',
  'ATTENDEE;PARTSTAT=NEEDS-ACTION;X-OSTAL-RECEIVED-DTSTAMP=20261130T000000Z:mailto:agent@commune.test',
  'END:VEVENT',
  'END:VCALENDAR',
  '',
].join('\r\n');

function reply(attendee: string, partstat: string, dtstamp: string, sequence = 0): string {
  return [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'METHOD:REPLY',
    'BEGIN:VEVENT',
    'UID:conseil@ostal.test',
    `DTSTAMP:${dtstamp}`,
    `SEQUENCE:${sequence}`,
    'ORGANIZER:mailto:maire@commune.test',
    `ATTENDEE;PARTSTAT=${partstat}:mailto:${attendee}`,
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');
}

const now = Date.UTC(2026, 11, 5, 12, 0, 0);

describe('checkReply: a REPLY is applied only when it may be', () => {
  it.each([
    ['another sender', reply('agent@commune.test', 'ACCEPTED', '20261205T100000Z'), 'pirate@ailleurs.test', 'notSender'],
    ['no sender known', reply('agent@commune.test', 'ACCEPTED', '20261205T100000Z'), null, 'notSender'],
    ['a non-participant', reply('pirate@ailleurs.test', 'ACCEPTED', '20261205T100000Z'), 'pirate@ailleurs.test', 'notAttendee'],
    ['an invented PARTSTAT', reply('agent@commune.test', 'X-PIRATE', '20261205T100000Z'), 'agent@commune.test', 'badStatus'],
    ['a DTSTAMP in 2099', reply('agent@commune.test', 'DECLINED', '20990101T000000Z'), 'agent@commune.test', 'future'],
  ])('refuses %s', (_what, ics, sender, reason) => {
    expect(checkReply(ics, stored, sender, now)).toMatchObject({ refused: reason });
  });

  it('accepts the participant’s own answer (case-insensitive address), a DTSTAMP within the allowed clock difference', () => {
    const soon = new Date(now + FUTURE_STAMP_SKEW_MS - 60_000)
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z');
    const check = checkReply(reply('agent@commune.test', 'accepted', soon), stored, 'Agent@Commune.test', now);
    expect(check).toEqual({
      answers: [{ attendee: 'agent@commune.test', recurrenceId: '', status: 'ACCEPTED', sequence: 0, dtstamp: soon }],
    });
  });

  it('orders answers by SEQUENCE then DTSTAMP, writes only later ones and drops the legacy private parameter', () => {
    expect(isLaterAnswer({ sequence: 1, dtstamp: '20260101T000000Z' }, { sequence: 0, dtstamp: '20261201T000000Z' })).toBe(true);
    expect(isLaterAnswer({ sequence: 0, dtstamp: '20261201T000000Z' }, { sequence: 0, dtstamp: '20261201T000000Z' })).toBe(false);
    expect(isLaterAnswer({ sequence: 0, dtstamp: '20261202T000000Z' }, null)).toBe(true);
    const answer = { attendee: 'agent@commune.test', recurrenceId: '', status: 'ACCEPTED', sequence: 0, dtstamp: '20261205T100000Z' };
    expect(applyReplyText(stored, [answer], () => ({ sequence: 0, dtstamp: '20261206T000000Z' }))).toBeNull();
    const applied = applyReplyText(stored, [answer], () => null)!;
    expect(applied.changed).toBe(true);
    expect(applied.raw).toMatch(/ATTENDEE;PARTSTAT=ACCEPTED:mailto:agent@commune\.test/);
    expect(applied.raw).not.toMatch(/X-OSTAL/i);
  });
});

describe('senderAuthentication: what the receiving server says of the From address', () => {
  it.each([
    [['mx.commune.test; dkim=pass header.d=commune.test; dmarc=pass (p=reject) header.from=commune.test'], 'agent@commune.test', 'aligned'],
    [['mx.commune.test; dkim=fail header.d=commune.test; dmarc=fail header.from=commune.test'], 'agent@commune.test', 'failed'],
    [['mx.commune.test; dkim=pass header.d=services.commune.test'], 'agent@services.commune.test', 'aligned'],
    [['mx.commune.test; dkim=pass header.d=ailleurs.test'], 'agent@commune.test', 'unknown'],
    [['mx.commune.test; dkim=fail header.d=commune.test'], 'agent@commune.test', 'failed'],
    [['mx.commune.test; spf=pass smtp.mailfrom=commune.test'], 'agent@commune.test', 'unknown'],
    // Only the topmost field counts: one written further down by the sender proves nothing.
    [
      ['mx.commune.test; dmarc=fail header.from=commune.test', 'mx.commune.test; dmarc=pass header.from=commune.test'],
      'agent@commune.test',
      'failed',
    ],
    [[], 'agent@commune.test', 'unknown'],
  ])('%j from %s → %s', (headers, from, expected) => {
    expect(senderAuthentication(headers, from)).toBe(expected);
  });
});
