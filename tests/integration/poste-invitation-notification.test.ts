/**
 * Meeting invitations notified on the desktop (issue 18): when the mail sync downloads a Boîte de réception message
 * carrying an iMIP REQUEST, the core emits `mail.invitation` (folder, uid, summary, sender) for the page's
 * notifications; a REQUEST whose sender the receiving server found forged (DMARC failed), a CANCEL and a plain
 * message emit nothing. Real Dovecot, a user of its own filled by IMAP APPEND.
 */
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { Events } from '../../src/shared/contract.js';
import { mailOnlyCore } from './mail-sync-fixture.js';
import { getServers } from '../servers/testing.js';
import { addImapUser, imapConnection } from './mail-offline-fixture.js';

const s = getServers();
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function itipMessage(options: {
  method: 'REQUEST' | 'CANCEL';
  uid: string;
  summary: string;
  from: string;
  to: string;
  forged?: boolean;
}): string {
  const ics = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Test//FR',
    `METHOD:${options.method}`,
    'BEGIN:VEVENT',
    `UID:${options.uid}`,
    'DTSTAMP:20261201T090000Z',
    'DTSTART:20270114T090000Z',
    'DTEND:20270114T100000Z',
    `SUMMARY:${options.summary}`,
    `ORGANIZER;CN=Jeanne Martin:mailto:${options.from}`,
    `ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:${options.to}`,
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');
  const boundary = `b-${options.uid}`;
  return [
    ...(options.forged ? [`Authentication-Results: mx.${s.domain}; dmarc=fail header.from=${options.from.split('@')[1]}`] : []),
    `From: Jeanne Martin <${options.from}>`,
    `To: <${options.to}>`,
    `Subject: Invitation : ${options.summary}`,
    `Message-ID: <${options.uid}@${s.domain}>`,
    'Date: Tue, 01 Dec 2026 09:00:00 +0000',
    'MIME-Version: 1.0',
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    `Vous êtes invité à ${options.summary}.`,
    `--${boundary}`,
    `Content-Type: text/calendar; charset=utf-8; method=${options.method}`,
    '',
    ics,
    `--${boundary}--`,
    '',
  ].join('\r\n');
}

describe('invitations announced for desktop notifications', () => {
  it(
    'a REQUEST downloaded into the Boîte de réception emits mail.invitation; a forged one, a CANCEL and a plain message do not',
    { timeout: 60_000 },
    async () => {
      const user = addImapUser(s, 'test-poste-invit');
      const organiser = `jeanne.martin@${s.domain}`;
      const server = await imapConnection(s, user);
      const stamp = Date.now().toString(36);
      try {
        await server.append(
          'INBOX',
          itipMessage({ method: 'REQUEST', uid: `vraie-${stamp}`, summary: 'Conseil d’école', from: organiser, to: user.email }),
        );
        await server.append(
          'INBOX',
          itipMessage({
            method: 'REQUEST',
            uid: `fausse-${stamp}`,
            summary: 'Virement urgent',
            from: organiser,
            to: user.email,
            forged: true,
          }),
        );
        await server.append(
          'INBOX',
          itipMessage({ method: 'CANCEL', uid: `annul-${stamp}`, summary: 'Réunion annulée', from: organiser, to: user.email }),
        );
        await server.append('INBOX', `From: <${organiser}>\r\nTo: <${user.email}>\r\nSubject: Simple message\r\n\r\nBonjour.\r\n`);
      } finally {
        await server.logout();
      }

      const { core, accountId } = await mailOnlyCore(user, dirs);
      try {
        const seen: Events['mail.invitation'][] = [];
        core.onEvent((event, data) => {
          if (event === 'mail.invitation') seen.push(data as Events['mail.invitation']);
        });
        expect((await core.handle('sync.run', { accountId, only: 'mail' })).accounts[0]).toMatchObject({ ok: true });
        const messages = await core.handle('mail.messages', { accountId, folder: 'INBOX', limit: 10 });
        const real = messages.find((m) => m.subject.includes('Conseil'));
        expect(real).toBeDefined();
        expect(seen).toEqual([
          { accountId, folder: 'INBOX', uid: real!.uid, eventUid: `vraie-${stamp}`, summary: 'Conseil d’école', sender: 'Jeanne Martin' },
        ]);
      } finally {
        await core.close();
      }
    },
  );
});
