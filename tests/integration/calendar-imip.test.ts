/**
 * Invitations by mail (iMIP): an event created with a participant sends METHOD:REQUEST through the Boîte
 * d'envoi and the test SMTP server; its cancellation sends METHOD:CANCEL. Checked in the participant's
 * mailbox with an independent IMAP connection. Organiser agent4, participant agent3 (unique titles).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Core } from '../../src/core.js';
import { silentLogger } from '../../src/log.js';
import { caCert, getServers, testUser } from '../servers/testing.js';
import { deliverItip, openBySubject } from './imip-fixture.js';
import { radicale } from './dav-fixture.js';
import { DavRepository } from '../../src/calendar/repository.js';
import { addServerAccount, radicaleUrl } from './account-fixture.js';

const organiser = testUser(4);
const guest = testUser(3);

/** Raw sources of the INBOX messages (of the guest, or another user) whose subject contains `needle`. */
async function guestMessages(needle: string, user = guest): Promise<string[]> {
  const s = getServers();
  const client = new ImapFlow({
    host: 'localhost',
    port: s.imap.tlsPort,
    secure: true,
    auth: { user: user.username, pass: user.password },
    tls: { ca: caCert() },
    logger: false,
  });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const lock = await client.getMailboxLock('INBOX', { readOnly: true });
    try {
      const uids = await client.search({ subject: needle }, { uid: true });
      if (!Array.isArray(uids) || !uids.length) return [];
      const out: string[] = [];
      for (const m of await client.fetchAll(uids.join(','), { source: true }, { uid: true })) out.push(m.source?.toString('utf8') ?? '');
      return out;
    } finally {
      lock.release();
    }
  } finally {
    await client.logout().catch(() => undefined);
  }
}

/** Delete from the user's INBOX the messages whose subject contains `needle` (this test's, so that the mailbox stays small). */
async function deleteMessages(needle: string, user: ReturnType<typeof testUser>): Promise<void> {
  const s = getServers();
  const client = new ImapFlow({
    host: 'localhost',
    port: s.imap.tlsPort,
    secure: true,
    auth: { user: user.username, pass: user.password },
    tls: { ca: caCert() },
    logger: false,
  });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.mailboxOpen('INBOX');
    const uids = await client.search({ subject: needle }, { uid: true });
    if (Array.isArray(uids) && uids.length) await client.messageDelete(uids, { uid: true });
  } finally {
    await client.logout().catch(() => undefined);
  }
}

/** The text/calendar part (base64) of a raw message for `method`, decoded. */
function calendarPart(raw: string, method: string): string {
  const m = new RegExp(`method=${method}[\\s\\S]*?\\r?\\n\\r?\\n([A-Za-z0-9+/=\\r\\n]+?)\\r?\\n--`, 'i').exec(raw);
  return Buffer.from(m![1]!.replace(/\s+/g, ''), 'base64').toString('utf8');
}

async function coreFor(
  user: ReturnType<typeof testUser>,
  dir: string,
  profile = user.username,
): Promise<{ core: Core; accountId: string }> {
  const core = await Core.open({
    profileDir: path.join(dir, profile),
    mode: 'cli',
    logger: silentLogger,
    policyPath: path.join(dir, 'no-policy.json'),
  });
  const dav = radicaleUrl();
  const accountId = await addServerAccount(core, user, { caldav: dav, carddav: dav });
  expect((await core.handle('sync.run', { accountId, only: 'calendar' })).accounts[0]).toMatchObject({ ok: true });
  return { core, accountId };
}

describe('iMIP invitations through the Boîte d’envoi', () => {
  let dir: string;
  let core: Core;
  let accountId: string;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-imip-'));
    core = await Core.open({
      profileDir: path.join(dir, 'profil'),
      mode: 'cli',
      logger: silentLogger,
      policyPath: path.join(dir, 'no-policy.json'),
    });
    const dav = radicaleUrl();
    accountId = await addServerAccount(core, organiser, { caldav: dav, carddav: dav });
    expect((await core.handle('sync.run', { accountId, only: 'calendar' })).accounts[0]).toMatchObject({ ok: true });
  });
  afterAll(async () => {
    await core.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('REQUEST on creation, CANCEL on deletion, with a French text and the event as text/calendar', async () => {
    const title = `Comité de pilotage ${crypto.randomBytes(3).toString('hex')}`;
    const { uid } = await core.handle('calendar.createEvent', {
      event: {
        summary: title,
        start: '2027-10-05T14:00',
        end: '2027-10-05T16:00',
        allDay: false,
        location: 'Salle Jean Jaurès',
        attendees: [guest.email],
        reminderMinutes: 10,
      },
    });
    const queued = (await core.handle('mail.outbox.list', { accountId })).find((m) => m.subject === `Invitation\u00a0: ${title}`);
    expect(queued?.to).toEqual([guest.email]);
    await core.handle('mail.outbox.drain', { accountId, ignoreBackoff: true });
    await expect.poll(async () => (await guestMessages(title)).length, { timeout: 20_000 }).toBe(1);
    const [request] = await guestMessages(title);
    expect(request).toMatch(/Content-Type: text\/calendar; charset=utf-8; method=REQUEST/i);
    const ics = Buffer.from(
      /method=REQUEST[\s\S]*?\r?\n\r?\n([A-Za-z0-9+/=\r\n]+?)\r?\n--/i.exec(request!)![1]!.replace(/\s+/g, ''),
      'base64',
    )
      .toString('utf8')
      .replace(/\r?\n[ \t]/g, '');
    expect(ics).toContain('METHOD:REQUEST');
    expect(ics).toContain(`UID:${uid}`);
    expect(ics).toContain(`ORGANIZER;CN=${organiser.name}:mailto:${organiser.email}`);
    expect(ics).toMatch(/ATTENDEE;[^\r\n]*PARTSTAT=NEEDS-ACTION[^\r\n]*:mailto:agent3@ostal\.test/);
    expect(ics).not.toContain('VALARM');
    expect(ics).not.toContain('X-OSTAL-REV');
    expect(ics).toContain('LOCATION:Salle Jean Jaurès');
    expect(request).toMatch(/^Subject: .*Invitation/m);

    await core.handle('calendar.deleteEvent', { uid, scope: 'series' });
    await core.handle('mail.outbox.drain', { accountId, ignoreBackoff: true });
    await expect.poll(async () => (await guestMessages(title)).length, { timeout: 20_000 }).toBe(2);
    const cancel = (await guestMessages(title)).find((m) => /method=CANCEL/i.test(m));
    expect(cancel).toBeDefined();
    await core.handle('sync.run', { accountId, only: 'calendar' });
  }, 60_000);

  it('the invitation names people: ATTENDEE CN from the one contact of the address, ORGANIZER CN from the account’s name (escaped), on Radicale and in the mail', async () => {
    const named = await coreFor(organiser, dir, 'noms');
    try {
      // The organiser's address book (seeded on Radicale) has one contact for the guest.
      expect((await named.core.handle('sync.run', { accountId: named.accountId, only: 'contacts' })).accounts[0]).toMatchObject({
        ok: true,
      });
      const guestContacts = (await named.core.handle('contacts.list', {})).filter((c) =>
        c.emails.some((e) => e.toLowerCase() === guest.email),
      );
      expect(guestContacts.map((c) => c.fn)).toEqual([guest.name]);
      // A name with a comma, double quotes and accents (local to this profile: the account's display name).
      const accountName = 'Durand, Sacha "DGS" Mairie d’Éguilles';
      await named.core.handle('accounts.update', { id: named.accountId, name: accountName });
      const title = `Réunion nommée ${crypto.randomBytes(3).toString('hex')}`;
      const { uid } = await named.core.handle('calendar.createEvent', {
        event: { summary: title, start: '2027-10-06T10:00', end: '2027-10-06T11:00', allDay: false, attendees: [guest.email] },
      });
      const expectNames = (ics: string) => {
        const text = ics.replace(/\r?\n[ \t]/g, '');
        expect(text).toMatch(new RegExp(`^ATTENDEE;CN=${guest.name};[^\\r\\n]*:mailto:${guest.email.replace('.', '\\.')}\\r?$`, 'm'));
        expect(text).toContain(`ORGANIZER;CN="Durand, Sacha ^'DGS^' Mairie d’Éguilles":mailto:${organiser.email}`);
      };
      // Stored on Radicale (read by another client).
      expect((await named.core.handle('sync.run', { accountId: named.accountId, only: 'calendar' })).accounts[0]).toMatchObject({
        ok: true,
      });
      const obj = new DavRepository(named.core.ctx.db).objectByUid('calendar', uid);
      const stored = await radicale(organiser, 'GET', obj!.href);
      expect(stored.status).toBe(200);
      expectNames(stored.body);
      // And the details read the names back as written.
      const details = await named.core.handle('calendar.event', { uid });
      expect(details.attendeeStatus).toEqual([{ email: guest.email, name: guest.name, status: 'NEEDS-ACTION' }]);
      // The invitation in the guest's mailbox.
      await named.core.handle('mail.outbox.drain', { accountId: named.accountId, ignoreBackoff: true });
      await expect.poll(async () => (await guestMessages(title)).length, { timeout: 20_000 }).toBe(1);
      const [request] = await guestMessages(title);
      expectNames(calendarPart(request!, 'REQUEST'));
      await named.core.handle('calendar.deleteEvent', { uid, scope: 'series' });
      await named.core.handle('mail.outbox.drain', { accountId: named.accountId, ignoreBackoff: true });
      await named.core.handle('sync.run', { accountId: named.accountId, only: 'calendar' });
      await deleteMessages(title, guest);
    } finally {
      await named.core.close();
    }
  }, 90_000);

  it('a participant that is not an address: the API names the entry in French, the log keeps the technical reason, nothing is sent', async () => {
    const warn = vi.spyOn(core.ctx.log, 'warn');
    try {
      const base = { summary: 'Entrée fautive', start: '2027-10-07T10:00', end: '2027-10-07T11:00', allDay: false };
      const outboxBefore = (await core.handle('mail.outbox.list', { accountId })).length;
      for (const entry of ['Dominique Bernard <agent2@ostal.test>', 'pas une adresse']) {
        await expect(core.handle('calendar.createEvent', { event: { ...base, attendees: [guest.email, entry] } })).rejects.toMatchObject({
          code: 'invalid_input',
          message: `«\u00a0${entry}\u00a0» n’est pas une adresse de courriel valable\u00a0: l’événement n’a pas été enregistré. Indiquez l’adresse du participant seule, par exemple prenom.nom@mairie.fr.`,
        });
        expect(warn).toHaveBeenCalledWith('calendar: event refused', {
          err: expect.objectContaining({ message: `invalid attendee: ${entry}` }),
        });
      }
      // The same check on a change of an existing event.
      const { uid } = await core.handle('calendar.createEvent', { event: base });
      await expect(
        core.handle('calendar.updateEvent', { uid, scope: 'series', event: { ...base, attendees: ['pas une adresse'] } }),
      ).rejects.toMatchObject({
        code: 'invalid_input',
        message: expect.stringMatching(/^«\u00a0pas une adresse\u00a0» n’est pas une adresse de courriel valable/),
      });
      // Another mistake keeps the general message.
      await expect(
        core.handle('calendar.updateEvent', { uid, scope: 'series', event: { ...base, end: '2027-10-07T09:00' } }),
      ).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/^Cet événement ne peut pas être enregistré/) });
      expect((await core.handle('mail.outbox.list', { accountId })).length).toBe(outboxBefore);
      await core.handle('calendar.deleteEvent', { uid, scope: 'series' });
      await core.handle('sync.run', { accountId, only: 'calendar' });
    } finally {
      warn.mockRestore();
    }
  }, 60_000);

  it('the guest accepts: the event enters the guest’s agenda, the REPLY shows the guest as accepted in the organiser’s event', async () => {
    const title = `Réunion de chantier ${crypto.randomBytes(3).toString('hex')}`;
    const { uid } = await core.handle('calendar.createEvent', {
      event: { summary: title, start: '2027-11-03T09:00', end: '2027-11-03T10:00', allDay: false, attendees: [guest.email] },
    });
    await core.handle('mail.outbox.drain', { accountId, ignoreBackoff: true });
    await expect.poll(async () => (await guestMessages(title)).length, { timeout: 20_000 }).toBe(1);
    const request = calendarPart((await guestMessages(title))[0]!, 'REQUEST');

    const other = await coreFor(guest, dir);
    try {
      await expect(
        other.core.handle('calendar.respondToInvitation', {
          accountId: other.accountId,
          ics: 'BEGIN:VCALENDAR\r\nEND:VCALENDAR',
          response: 'ACCEPTED',
        }),
      ).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringContaining('illisible') });
      await other.core.handle('calendar.respondToInvitation', { accountId: other.accountId, ics: request, response: 'ACCEPTED' });
      expect((await other.core.handle('calendar.list', { from: '2027-11-03', to: '2027-11-04' })).find((e) => e.uid === uid)?.summary).toBe(
        title,
      );
      await other.core.handle('mail.outbox.drain', { accountId: other.accountId, ignoreBackoff: true });
      expect((await other.core.handle('sync.run', { accountId: other.accountId, only: 'calendar' })).accounts[0]).toMatchObject({
        ok: true,
      });
      // Leave the guest's calendar as it was (other tests read agent3's).
      await other.core.handle('calendar.deleteEvent', { uid, scope: 'series' });
      await other.core.handle('sync.run', { accountId: other.accountId, only: 'calendar' });
      expect(
        (await other.core.handle('mail.outbox.list', { accountId: other.accountId })).filter((m) => m.subject.includes(title)),
      ).toEqual([]);
    } finally {
      await other.core.close();
    }

    await expect.poll(async () => (await guestMessages(title, organiser)).length, { timeout: 20_000 }).toBe(1);
    const reply = calendarPart((await guestMessages(title, organiser))[0]!, 'REPLY');
    expect(reply).toContain('METHOD:REPLY');
    // The organiser's mail sync writes the answer in the event; reading the message again changes nothing.
    const opened = await openBySubject(core, accountId, title);
    expect(opened.invitation).toMatchObject({
      method: 'REPLY',
      refusal: null,
      reply: { email: guest.email, status: 'ACCEPTED', applied: true },
    });
    const details = await core.handle('calendar.event', { uid });
    expect(details.attendeeStatus).toEqual([{ email: guest.email, name: null, status: 'ACCEPTED' }]);
    await core.handle('sync.run', { accountId, only: 'calendar' });
    const journal = () =>
      core.ctx.db.prepare("SELECT count(*) FROM operations WHERE account_id = ? AND kind LIKE 'dav.%'").pluck().get(accountId);
    const before = journal();
    expect((await core.handle('mail.message', { accountId, folder: 'INBOX', uid: opened.uid })).invitation).toMatchObject({
      reply: { applied: true },
    });
    expect(journal()).toBe(before);
  }, 90_000);

  it('the reader shows the invitation with my answer from the agenda; REPLYs are written in the organiser’s event by the mail sync, the later one wins; a broken one gives a French message', async () => {
    const title = `Conseil d’école ${crypto.randomBytes(3).toString('hex')}`;
    const { uid } = await core.handle('calendar.createEvent', {
      event: {
        summary: title,
        start: '2027-12-07T09:30',
        end: '2027-12-07T11:00',
        allDay: false,
        location: 'Mairie annexe',
        attendees: [guest.email],
      },
    });
    await core.handle('mail.outbox.drain', { accountId, ignoreBackoff: true });

    const other = await coreFor(guest, dir, 'lecteur');
    try {
      const view = await openBySubject(other.core, other.accountId, title);
      expect(view.text).toContain(`${title}\u00a0», mardi 7 décembre 2027, de 9\u00a0h\u00a030 à 11\u00a0h`);
      expect(view.invitation).toMatchObject({
        method: 'REQUEST',
        problem: null,
        uid,
        summary: title,
        start: '2027-12-07T09:30',
        end: '2027-12-07T11:00',
        allDay: false,
        location: 'Mairie annexe',
        organizer: { address: organiser.email, name: organiser.name },
        myAnswer: null,
        inAgenda: false,
        reply: null,
      });
      await other.core.handle('calendar.respondToInvitation', {
        accountId: other.accountId,
        ics: view.invitation!.ics,
        response: 'TENTATIVE',
        messageId: view.messageId,
      });
      const again = await other.core.handle('mail.message', { accountId: other.accountId, folder: 'INBOX', uid: view.uid });
      expect(again.invitation).toMatchObject({ myAnswer: 'TENTATIVE', inAgenda: true });
      // DTSTAMP of a REPLY is to the second: the next answer is a later one.
      await new Promise((r) => setTimeout(r, 1100));
      // Declined: the event leaves the agenda; the answer comes from the REPLY in the Boîte d'envoi, answering that message.
      await other.core.handle('calendar.respondToInvitation', {
        accountId: other.accountId,
        ics: view.invitation!.ics,
        response: 'DECLINED',
        messageId: view.messageId,
      });
      const declined = await other.core.handle('mail.message', { accountId: other.accountId, folder: 'INBOX', uid: view.uid });
      expect(declined.invitation).toMatchObject({ myAnswer: 'DECLINED', inAgenda: false });
      expect((await other.core.handle('calendar.list', { from: '2027-12-07', to: '2027-12-08' })).filter((e) => e.uid === uid)).toEqual([]);
      await other.core.handle('mail.outbox.drain', { accountId: other.accountId, ignoreBackoff: true });
      await other.core.handle('sync.run', { accountId: other.accountId, only: 'calendar' });

      // A text/calendar part that is not iCalendar: the message stays readable, the card says why in French.
      await other.core.handle('mail.send', {
        accountId: other.accountId,
        to: [organiser.email],
        subject: `Invitation abîmée ${title}`,
        text: 'Le texte du message reste lisible.',
        attachments: [
          {
            filename: 'invitation.ics',
            contentType: 'text/calendar; charset=utf-8; method=REQUEST',
            contentBase64: Buffer.from('BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nDTSTART:pas une date\r\n', 'utf8').toString(
              'base64',
            ),
          },
        ],
      });
      await other.core.handle('mail.outbox.drain', { accountId: other.accountId, ignoreBackoff: true });
    } finally {
      await other.core.close();
    }

    // The organiser's mail sync fetches both answers: the later one (declined) is written in the event, before any is opened.
    await expect
      .poll(
        async () => {
          await core.handle('sync.run', { accountId, only: 'mail' });
          return (await core.handle('calendar.event', { uid })).attendeeStatus;
        },
        { timeout: 30_000, interval: 500 },
      )
      .toEqual([{ email: guest.email, name: null, status: 'DECLINED' }]);
    // Opening them changes nothing: the older answer says a later one is noted.
    const tentative = await openBySubject(core, accountId, `Peut-être\u00a0: ${title}`);
    expect(tentative.invitation).toMatchObject({
      method: 'REPLY',
      reply: { email: guest.email, name: guest.name, status: 'TENTATIVE', applied: false, superseded: true },
    });
    const declinedReply = await openBySubject(core, accountId, `Refusé\u00a0: ${title}`);
    expect(declinedReply.invitation).toMatchObject({ method: 'REPLY', reply: { status: 'DECLINED', applied: true, superseded: false } });
    expect((await core.handle('calendar.event', { uid })).attendeeStatus[0]!.status).toBe('DECLINED');
    // Opening the older answer again still changes nothing.
    expect((await core.handle('mail.message', { accountId, folder: 'INBOX', uid: tentative.uid })).invitation).toMatchObject({
      reply: { status: 'TENTATIVE', superseded: true },
    });
    expect((await core.handle('calendar.event', { uid })).attendeeStatus[0]!.status).toBe('DECLINED');

    // My own copy in Envoyés of the invitation I sent: no card (nothing to answer).
    const sentCopy = await openBySubject(core, accountId, `Invitation\u00a0: ${title}`, 'Sent');
    expect(sentCopy.attachments.some((a) => a.mimeType === 'text/calendar')).toBe(true);
    expect(sentCopy.invitation).toBeNull();

    const broken = await openBySubject(core, accountId, `Invitation abîmée ${title}`);
    expect(broken.text).toContain('Le texte du message reste lisible.');
    expect(broken.invitation).toMatchObject({ method: 'REQUEST', problem: expect.stringContaining('illisible') });

    await core.handle('calendar.deleteEvent', { uid, scope: 'series' });
    await core.handle('mail.outbox.drain', { accountId, ignoreBackoff: true });
    await core.handle('sync.run', { accountId, only: 'calendar' });
    const tag = title.slice(-6);
    await deleteMessages(tag, organiser);
    await expect.poll(async () => (await guestMessages(tag)).length, { timeout: 20_000 }).toBe(2);
    await deleteMessages(tag, guest);
  }, 120_000);

  it('one occurrence moved (REQUEST with RECURRENCE-ID only) keeps the series when accepted; one cancelled (CANCEL with RECURRENCE-ID): « Retirer de mon agenda » removes that date only', async () => {
    const tag = crypto.randomBytes(3).toString('hex');
    const title = `Permanence du jeudi ${tag}`;
    const uid = `permanence-${tag}@autre-logiciel.test`;
    const zone = [
      'BEGIN:VTIMEZONE',
      'TZID:Europe/Paris',
      'BEGIN:STANDARD',
      'DTSTART:19701025T030000',
      'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
      'TZOFFSETFROM:+0200',
      'TZOFFSETTO:+0100',
      'END:STANDARD',
      'BEGIN:DAYLIGHT',
      'DTSTART:19700329T020000',
      'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
      'TZOFFSETFROM:+0100',
      'TZOFFSETTO:+0200',
      'END:DAYLIGHT',
      'END:VTIMEZONE',
    ];
    const people = [
      `ORGANIZER;CN=${organiser.name}:mailto:${organiser.email}`,
      `ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:${guest.email}`,
    ];
    const request = [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//Autre logiciel//FR',
      'METHOD:REQUEST',
      ...zone,
      'BEGIN:VEVENT',
      `UID:${uid}`,
      'DTSTAMP:20261201T080000Z',
      'SEQUENCE:0',
      'DTSTART;TZID=Europe/Paris:20280106T090000',
      'DTEND;TZID=Europe/Paris:20280106T100000',
      'RRULE:FREQ=WEEKLY;COUNT=4',
      `SUMMARY:${title}`,
      ...people,
      'END:VEVENT',
      'END:VCALENDAR',
      '',
    ].join('\r\n');
    const cancel = [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//Autre logiciel//FR',
      'METHOD:CANCEL',
      ...zone,
      'BEGIN:VEVENT',
      `UID:${uid}`,
      'DTSTAMP:20261201T090000Z',
      'SEQUENCE:1',
      'RECURRENCE-ID;TZID=Europe/Paris:20280113T090000',
      'DTSTART;TZID=Europe/Paris:20280113T090000',
      'DTEND;TZID=Europe/Paris:20280113T100000',
      `SUMMARY:${title}`,
      'STATUS:CANCELLED',
      ...people,
      'END:VEVENT',
      'END:VCALENDAR',
      '',
    ].join('\r\n');

    const other = await coreFor(guest, dir, 'annulation');
    try {
      await other.core.handle('calendar.respondToInvitation', { accountId: other.accountId, ics: request, response: 'ACCEPTED' });
      const dates = async () =>
        (await other.core.handle('calendar.list', { from: '2028-01-01', to: '2028-02-15' }))
          .filter((e) => e.uid === uid)
          .map((e) => e.start.slice(0, 10));
      expect(await dates()).toEqual(['2028-01-06', '2028-01-13', '2028-01-20', '2028-01-27']);
      // One date moved (a REQUEST holding only that occurrence): accepting it changes that date and keeps the series.
      const moved = request
        .replace('SEQUENCE:0', 'SEQUENCE:1\r\nRECURRENCE-ID;TZID=Europe/Paris:20280120T090000')
        .replace('DTSTART;TZID=Europe/Paris:20280106T090000', 'DTSTART;TZID=Europe/Paris:20280120T140000')
        .replace('DTEND;TZID=Europe/Paris:20280106T100000', 'DTEND;TZID=Europe/Paris:20280120T150000')
        .replace('RRULE:FREQ=WEEKLY;COUNT=4\r\n', '');
      // It comes by mail from the organiser (whose client is not Ostal here): sent as agent4 through the test server.
      await deliverItip({
        login: organiser,
        to: guest.email,
        subject: `Modifié\u00a0: ${title} (20 janvier)`,
        method: 'REQUEST',
        ics: moved,
      });
      const movedView = await openBySubject(other.core, other.accountId, `${title} (20 janvier)`);
      expect(movedView.invitation).toMatchObject({ method: 'REQUEST', refusal: null });
      await other.core.handle('calendar.respondToInvitation', {
        accountId: other.accountId,
        ics: moved,
        response: 'ACCEPTED',
        messageId: movedView.messageId,
      });
      const starts = async () =>
        (await other.core.handle('calendar.list', { from: '2028-01-01', to: '2028-02-15' }))
          .filter((e) => e.uid === uid)
          .map((e) => e.start);
      expect(await starts()).toEqual([
        '2028-01-06T08:00:00.000Z',
        '2028-01-13T08:00:00.000Z',
        '2028-01-20T13:00:00.000Z',
        '2028-01-27T08:00:00.000Z',
      ]);
      // The cancellation arrives by mail from the organiser.
      await deliverItip({
        login: organiser,
        to: guest.email,
        subject: `Annulé\u00a0: ${title} (13 janvier)`,
        method: 'CANCEL',
        ics: cancel,
      });
      const view = await openBySubject(other.core, other.accountId, `${title} (13 janvier)`);
      expect(view.invitation).toMatchObject({
        method: 'CANCEL',
        uid,
        recurrenceId: '2028-01-13T08:00:00.000Z',
        start: '2028-01-13T09:00',
        inAgenda: true,
        organizer: { address: organiser.email, name: organiser.name },
      });
      // « Retirer de mon agenda »: that date only, and nothing is sent.
      const outboxBefore = (await other.core.handle('mail.outbox.list', { accountId: other.accountId, includeSent: true })).length;
      expect(
        await other.core.handle('calendar.removeCancelled', {
          accountId: other.accountId,
          ics: view.invitation!.ics,
          messageId: view.messageId,
        }),
      ).toEqual({ removed: true });
      expect(await dates()).toEqual(['2028-01-06', '2028-01-20', '2028-01-27']);
      expect((await other.core.handle('mail.outbox.list', { accountId: other.accountId, includeSent: true })).length).toBe(outboxBefore);
      const again = await other.core.handle('mail.message', { accountId: other.accountId, folder: 'INBOX', uid: view.uid });
      expect(again.invitation).toMatchObject({ method: 'CANCEL', inAgenda: false });
      // Leave agent3's calendar and the organiser's mailbox as they were.
      await other.core.handle('calendar.deleteEvent', { uid, scope: 'series' });
      await other.core.handle('mail.outbox.drain', { accountId: other.accountId, ignoreBackoff: true });
      expect((await other.core.handle('sync.run', { accountId: other.accountId, only: 'calendar' })).accounts[0]).toMatchObject({
        ok: true,
      });
    } finally {
      await other.core.close();
    }
    await deleteMessages(tag, guest);
    await expect.poll(async () => (await guestMessages(tag, organiser)).length, { timeout: 20_000 }).toBe(2);
    await deleteMessages(tag, organiser);
  }, 90_000);
});
