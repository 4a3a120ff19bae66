/**
 * Forged iMIP messages (issue « Sécurité », point 1 and 2), delivered through the test Postfix like any mail: a REPLY
 * speaking for someone else, from a non-participant, dated 2099 or with an invented PARTSTAT; a REQUEST and a CANCEL
 * about an existing event from someone other than its organiser. After the mail sync and after every action the card
 * could offer, the event on Radicale is byte for byte what it was, and the card says why in French.
 *
 * Organiser agent4, participant agent3, forger agent2 (authenticated as itself, writing other From: headers, as a
 * colleague's compromised account or an outside sender would).
 */
import crypto from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/core.js';
import { DavRepository } from '../../src/calendar/repository.js';
import { testUser } from '../servers/testing.js';
import { davCore, radicale } from './dav-fixture.js';
import { deliverItip, openBySubject } from './imip-fixture.js';

const organiser = testUser(4);
const guest = testUser(3);
const forger = testUser(2);
const tag = crypto.randomBytes(3).toString('hex');
const title = `Commission des finances ${tag}`;

/** A forged message: authenticated as the forger, with any From. */
function deliver(to: string, from: string, subject: string, method: string, ics: string): Promise<void> {
  return deliverItip({ login: forger, from, to, subject, method, ics });
}

function itip(method: string, uid: string, lines: string[]): string {
  return [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Faussaire//FR',
    `METHOD:${method}`,
    'BEGIN:VEVENT',
    `UID:${uid}`,
    ...lines,
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');
}

/** The event's text on Radicale, as another client sees it. */
async function onRadicale(core: Core, user: typeof organiser, uid: string): Promise<string> {
  const obj = new DavRepository(core.ctx.db).objectByUid('calendar', uid);
  expect(obj).not.toBeNull();
  const reply = await radicale(user, 'GET', obj!.href);
  expect(reply.status).toBe(200);
  return reply.body;
}

const open = openBySubject;

describe('forged iMIP messages change nothing', () => {
  let org: { core: Core; accountId: string };
  let part: { core: Core; accountId: string };
  let uid: string;

  beforeAll(async () => {
    org = await davCore(organiser);
    part = await davCore(guest);
    for (const c of [org, part])
      expect((await c.core.handle('sync.run', { accountId: c.accountId, only: 'calendar' })).accounts[0]).toMatchObject({ ok: true });
    ({ uid } = await org.core.handle('calendar.createEvent', {
      event: { summary: title, start: '2027-09-14T18:00', end: '2027-09-14T20:00', allDay: false, attendees: [guest.email] },
    }));
    await org.core.handle('mail.outbox.drain', { accountId: org.accountId, ignoreBackoff: true });
    expect((await org.core.handle('sync.run', { accountId: org.accountId, only: 'calendar' })).accounts[0]).toMatchObject({ ok: true });
    // The participant accepts the real invitation: the event is in both agendas.
    const invitation = await open(part.core, part.accountId, `Invitation\u00a0: ${title}`);
    expect(invitation.invitation).toMatchObject({ method: 'REQUEST', refusal: null, authWarning: null });
    await part.core.handle('calendar.respondToInvitation', {
      accountId: part.accountId,
      ics: invitation.invitation!.ics,
      response: 'ACCEPTED',
      messageId: invitation.messageId,
    });
    expect((await part.core.handle('sync.run', { accountId: part.accountId, only: 'calendar' })).accounts[0]).toMatchObject({ ok: true });
    // The real answer reaches the organiser and is written in the event before any forged message arrives.
    await part.core.handle('mail.outbox.drain', { accountId: part.accountId, ignoreBackoff: true });
    const answer = await open(org.core, org.accountId, `Accepté\u00a0: ${title}`);
    expect(answer.invitation).toMatchObject({ method: 'REPLY', refusal: null, reply: { status: 'ACCEPTED', applied: true } });
    expect((await org.core.handle('sync.run', { accountId: org.accountId, only: 'calendar' })).accounts[0]).toMatchObject({ ok: true });
  }, 120_000);

  it('REPLYs that speak for someone else, come from a non-participant, are dated 2099 or invent a PARTSTAT are not applied, at sync or when read', async () => {
    const before = await onRadicale(org.core, organiser, uid);
    const stamp = '20261201T100000Z';
    const organizerLine = `ORGANIZER:mailto:${organiser.email}`;
    const forged = [
      {
        subject: `Refusé (usurpé) ${tag}`,
        from: forger.email,
        attendee: guest.email,
        partstat: 'DECLINED',
        dtstamp: stamp,
        reason: /parle au nom de agent3@ostal\.test, mais le message a été envoyé par agent2@ostal\.test/,
      },
      {
        subject: `Accepté (intrus) ${tag}`,
        from: forger.email,
        attendee: forger.email,
        partstat: 'ACCEPTED',
        dtstamp: stamp,
        reason: /agent2@ostal\.test ne fait pas partie des participants/,
      },
      {
        subject: `Refusé (2099) ${tag}`,
        from: guest.email,
        attendee: guest.email,
        partstat: 'DECLINED',
        dtstamp: '20990101T000000Z',
        reason: /datée dans le futur/,
      },
      {
        subject: `Réponse inventée ${tag}`,
        from: guest.email,
        attendee: guest.email,
        partstat: 'PIRATE',
        dtstamp: stamp,
        reason: /n’est pas une réponse connue/,
      },
    ];
    for (const f of forged) {
      await deliver(
        organiser.email,
        f.from,
        f.subject,
        'REPLY',
        itip('REPLY', uid, [
          organizerLine,
          `ATTENDEE;PARTSTAT=${f.partstat}:mailto:${f.attendee}`,
          `DTSTAMP:${f.dtstamp}`,
          'SEQUENCE:0',
          'DTSTART:20270914T160000Z',
          `SUMMARY:${title}`,
        ]),
      );
    }
    for (const f of forged) {
      const view = await open(org.core, org.accountId, f.subject);
      expect(view.invitation?.method).toBe('REPLY');
      expect(view.invitation?.refusal).toMatch(f.reason);
      expect(view.invitation?.reply?.applied).toBe(false);
    }
    // Nothing was written, nothing waits to be written.
    await org.core.handle('sync.run', { accountId: org.accountId, only: 'calendar' });
    expect((await org.core.handle('calendar.event', { uid })).attendeeStatus).toEqual([
      { email: guest.email, name: null, status: 'ACCEPTED' },
    ]);
    expect(await onRadicale(org.core, organiser, uid)).toBe(before);
  }, 120_000);

  it('a REQUEST and a CANCEL about the participant’s event from someone else than its organiser: refused on the card and by every action', async () => {
    const before = await onRadicale(part.core, guest, uid);
    await deliver(
      guest.email,
      forger.email,
      `Invitation modifiée ${tag}`,
      'REQUEST',
      itip('REQUEST', uid, [
        `ORGANIZER:mailto:${forger.email}`,
        `ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:${guest.email}`,
        'DTSTAMP:20261201T100000Z',
        'SEQUENCE:5',
        'DTSTART:20270914T060000Z',
        'DTEND:20270914T070000Z',
        'SUMMARY:Réunion déplacée',
      ]),
    );
    // Same organiser written in the text, but sent by someone else.
    await deliver(
      guest.email,
      forger.email,
      `Annulation usurpée ${tag}`,
      'CANCEL',
      itip('CANCEL', uid, [
        `ORGANIZER:mailto:${organiser.email}`,
        `ATTENDEE:mailto:${guest.email}`,
        'DTSTAMP:20261201T100000Z',
        'SEQUENCE:5',
        'DTSTART:20270914T160000Z',
        'STATUS:CANCELLED',
      ]),
    );

    const request = await open(part.core, part.accountId, `Invitation modifiée ${tag}`);
    expect(request.invitation).toMatchObject({ method: 'REQUEST', inAgenda: true });
    expect(request.invitation!.refusal).toMatch(
      /^Ce message de agent2@ostal\.test concerne un événement de votre agenda dont agent2@ostal\.test n’est pas l’organisateur/,
    );
    for (const response of ['ACCEPTED', 'TENTATIVE', 'DECLINED'] as const) {
      await expect(
        part.core.handle('calendar.respondToInvitation', {
          accountId: part.accountId,
          ics: request.invitation!.ics,
          response,
          messageId: request.messageId,
        }),
      ).rejects.toMatchObject({ code: 'invalid_input', message: request.invitation!.refusal });
    }
    const cancel = await open(part.core, part.accountId, `Annulation usurpée ${tag}`);
    expect(cancel.invitation).toMatchObject({ method: 'CANCEL', inAgenda: true });
    expect(cancel.invitation!.refusal).toMatch(/n’est pas l’organisateur/);
    await expect(
      part.core.handle('calendar.removeCancelled', { accountId: part.accountId, ics: cancel.invitation!.ics, messageId: cancel.messageId }),
    ).rejects.toMatchObject({ code: 'invalid_input' });
    // Without the message it came with, a cancellation cannot be checked: refused too.
    await expect(
      part.core.handle('calendar.removeCancelled', { accountId: part.accountId, ics: cancel.invitation!.ics }),
    ).rejects.toMatchObject({ code: 'invalid_input' });

    await part.core.handle('sync.run', { accountId: part.accountId, only: 'calendar' });
    expect(await onRadicale(part.core, guest, uid)).toBe(before);
    expect(
      (await part.core.handle('mail.outbox.list', { accountId: part.accountId })).filter(
        (m) => m.subject.includes(title) || m.subject.includes('Réunion déplacée'),
      ),
    ).toEqual([]);
  }, 120_000);

  it('a CANCEL of the organiser’s own event sent by someone else removes nothing and sends nothing; the real cancellation removes the participant’s copy and sends nothing', async () => {
    const before = await onRadicale(org.core, organiser, uid);
    const forgedIcs = itip('CANCEL', uid, [
      `ORGANIZER:mailto:${organiser.email}`,
      `ATTENDEE:mailto:${organiser.email}`,
      'DTSTAMP:20261201T100000Z',
      'SEQUENCE:5',
      'DTSTART:20270914T160000Z',
      'STATUS:CANCELLED',
    ]);
    await deliver(organiser.email, forger.email, `Annulation de votre réunion ${tag}`, 'CANCEL', forgedIcs);
    const forgedCancel = await open(org.core, org.accountId, `Annulation de votre réunion ${tag}`);
    // A cancellation that claims to be mine is not a card (my own copies never are): nothing to click.
    expect(forgedCancel.invitation).toBeNull();
    // And the API refuses it: I organise this event, a received message cannot remove it.
    await expect(
      org.core.handle('calendar.removeCancelled', { accountId: org.accountId, ics: forgedIcs, messageId: forgedCancel.messageId }),
    ).rejects.toMatchObject({
      code: 'invalid_input',
      message: 'Vous êtes l’organisateur de cet événement\u00a0: une invitation reçue ne peut pas le modifier.',
    });
    const outboxBefore = (await org.core.handle('mail.outbox.list', { accountId: org.accountId, includeSent: true })).length;
    await org.core.handle('sync.run', { accountId: org.accountId, only: 'calendar' });
    expect(await onRadicale(org.core, organiser, uid)).toBe(before);

    // The organiser really cancels: the participant's « Retirer de mon agenda » removes the event and sends nothing.
    await org.core.handle('calendar.deleteEvent', { uid, scope: 'series' });
    await org.core.handle('mail.outbox.drain', { accountId: org.accountId, ignoreBackoff: true });
    expect((await org.core.handle('mail.outbox.list', { accountId: org.accountId, includeSent: true })).length).toBe(outboxBefore + 1);
    const real = await open(part.core, part.accountId, `Annulé\u00a0: ${title}`);
    expect(real.invitation).toMatchObject({ method: 'CANCEL', refusal: null, inAgenda: true });
    const partOutbox = (await part.core.handle('mail.outbox.list', { accountId: part.accountId, includeSent: true })).length;
    const href = new DavRepository(part.core.ctx.db).objectByUid('calendar', uid)!.href;
    expect(
      await part.core.handle('calendar.removeCancelled', {
        accountId: part.accountId,
        ics: real.invitation!.ics,
        messageId: real.messageId,
      }),
    ).toEqual({ removed: true });
    expect((await part.core.handle('mail.outbox.list', { accountId: part.accountId, includeSent: true })).length).toBe(partOutbox);
    expect((await part.core.handle('sync.run', { accountId: part.accountId, only: 'calendar' })).accounts[0]).toMatchObject({ ok: true });
    expect((await radicale(guest, 'GET', href)).status).toBe(404);
    expect(new DavRepository(part.core.ctx.db).objectByUid('calendar', uid)).toBeNull();
  }, 120_000);
});
