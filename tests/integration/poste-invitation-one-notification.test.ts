/**
 * One notification per meeting invitation (issue 18, known defect): an invitation arriving in the Boîte de réception
 * used to make two desktop notifications, the new-mail one and then « Invitation ». Here the page's decisions
 * (src/shared/notification-rules.ts: NewMailPlanner for new mail, groupInvitations for invitations) are driven by
 * the core's real events during a real mail sync against Dovecot, as renderer/src/desktop/notifications.tsx drives
 * them: each `mail.changed` makes a look at the folder's unread messages (mail.list), each `mail.invitation` is queued
 * and told to the planner. Cases: one invitation → only « Invitation »; an invitation and an ordinary message in the
 * same sync → « Invitation » and a new-mail notification for the ordinary one only; a forged invitation (DMARC failed
 * at the receiving server) → no « Invitation », an ordinary new-mail notification.
 */
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { Events } from '../../src/shared/contract.js';
import {
  folderKey,
  groupInvitations,
  NewMailPlanner,
  type InvitationGroup,
  type InvitationItem,
  type NewMailGroup,
} from '../../src/shared/notification-rules.js';
import { mailOnlyCore } from './mail-sync-fixture.js';
import { getServers } from '../servers/testing.js';
import { addImapUser, imapConnection } from './mail-offline-fixture.js';

const s = getServers();
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const organiser = `jeanne.martin@${s.domain}`;

function invitation(options: { uid: string; summary: string; to: string; forged?: boolean }): string {
  const ics = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Test//FR',
    'METHOD:REQUEST',
    'BEGIN:VEVENT',
    `UID:${options.uid}`,
    'DTSTAMP:20261201T090000Z',
    'DTSTART:20270114T090000Z',
    'DTEND:20270114T100000Z',
    `SUMMARY:${options.summary}`,
    `ORGANIZER;CN=Jeanne Martin:mailto:${organiser}`,
    `ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:${options.to}`,
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');
  const boundary = `b-${options.uid}`;
  return [
    ...(options.forged ? [`Authentication-Results: mx.${s.domain}; dmarc=fail header.from=${s.domain}`] : []),
    `From: Jeanne Martin <${organiser}>`,
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
    'Content-Type: text/calendar; charset=utf-8; method=REQUEST',
    '',
    ics,
    `--${boundary}--`,
    '',
  ].join('\r\n');
}

const ordinary = (to: string, subject: string) =>
  `From: Paul Roux <paul.roux@${s.domain}>\r\nTo: <${to}>\r\nSubject: ${subject}\r\nDate: Tue, 01 Dec 2026 09:05:00 +0000\r\n\r\nBonjour.\r\n`;

/**
 * A profile with the account, a first sync and the page's first look at the Boîte de réception (nothing announced);
 * then `messages` arrive on the server and one more sync runs while the page's decisions follow the core's events.
 * Returns every notification the page would show.
 */
async function notificationsFor(prefix: string, messages: (to: string) => string[]) {
  const user = addImapUser(s, prefix);
  // Dovecot knows the new user once it answers (imapConnection waits for that); the connection appends later.
  const server = await imapConnection(s, user);
  const { core, accountId } = await mailOnlyCore(user, dirs);
  try {
    expect((await core.handle('sync.run', { accountId, only: 'mail' })).accounts[0]).toMatchObject({ ok: true });

    const planner = new NewMailPlanner();
    const baseline = new Map<string, number | null>();
    const mailShown: NewMailGroup[] = [];
    const queued: InvitationItem[] = [];
    let chain: Promise<void> = Promise.resolve();
    const look = (announce: boolean) => {
      chain = chain.then(async () => {
        const page = await core.handle('mail.list', { accountId, folder: 'INBOX', offset: 0, limit: 20, filter: 'unread' });
        const { groups, seenUpTo } = planner.look(
          accountId,
          'INBOX',
          page.messages.map((m) => ({
            uid: m.uid,
            hasBody: m.hasBody,
            sender: m.from ? m.from.name || m.from.address : '',
            subject: m.subject,
          })),
          { announce, invitations: true, now: Date.now() },
        );
        if (!baseline.has(folderKey(accountId, 'INBOX'))) baseline.set(folderKey(accountId, 'INBOX'), seenUpTo);
        mailShown.push(...groups);
      });
      return chain;
    };
    await look(false);

    for (const raw of messages(user.email)) await server.append('INBOX', raw);

    core.onEvent((event, data) => {
      if (event === 'mail.changed' && (data as Events['mail.changed']).folders.includes('INBOX')) void look(true);
      if (event === 'mail.invitation') {
        const item = data as Events['mail.invitation'];
        queued.push(item);
        planner.invitation(item);
      }
    });
    expect((await core.handle('sync.run', { accountId, only: 'mail' })).accounts[0]).toMatchObject({ ok: true });
    await chain;
    const invitationsShown: InvitationGroup[] = groupInvitations(queued, baseline, new Set());
    return { mailShown, invitationsShown, total: mailShown.length + invitationsShown.length };
  } finally {
    await server.logout().catch(() => undefined);
    await core.close();
  }
}

describe('a meeting invitation makes one desktop notification', () => {
  it('one invitation: « Invitation » only, no new-mail notification for it', { timeout: 60_000 }, async () => {
    const stamp = Date.now().toString(36);
    const shown = await notificationsFor('test-poste-invit1-seule', (to) => [
      invitation({ uid: `seule-${stamp}`, summary: 'Conseil d’école', to }),
    ]);
    expect(shown.invitationsShown).toHaveLength(1);
    expect(shown.invitationsShown[0]).toMatchObject({ count: 1, newest: { summary: 'Conseil d’école', sender: 'Jeanne Martin' } });
    expect(shown.mailShown).toEqual([]);
    expect(shown.total).toBe(1);
  });

  it('an invitation and an ordinary message: « Invitation », and new mail for the ordinary one only', { timeout: 60_000 }, async () => {
    const stamp = Date.now().toString(36);
    const shown = await notificationsFor('test-poste-invit1-mixte', (to) => [
      invitation({ uid: `mixte-${stamp}`, summary: 'Réunion de service', to }),
      ordinary(to, 'Compte rendu du conseil'),
    ]);
    expect(shown.invitationsShown).toHaveLength(1);
    expect(shown.invitationsShown[0].newest.summary).toBe('Réunion de service');
    const announced = shown.mailShown.flatMap((g) => g.lines.map((l) => l.subject));
    expect(announced).toEqual(['Compte rendu du conseil']);
    expect(shown.mailShown.reduce((n, g) => n + g.count, 0)).toBe(1);
    expect(shown.total).toBe(2);
  });

  it('a forged invitation: no « Invitation », one ordinary new-mail notification', { timeout: 60_000 }, async () => {
    const stamp = Date.now().toString(36);
    const shown = await notificationsFor('test-poste-invit1-fausse', (to) => [
      invitation({ uid: `fausse-${stamp}`, summary: 'Virement urgent', to, forged: true }),
    ]);
    expect(shown.invitationsShown).toEqual([]);
    expect(shown.mailShown).toHaveLength(1);
    expect(shown.mailShown[0]).toMatchObject({ count: 1, newest: { subject: 'Invitation : Virement urgent', sender: 'Jeanne Martin' } });
  });
});
