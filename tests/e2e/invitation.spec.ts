/**
 * Invitations by mail (iMIP) between two Ostal instances through the real test servers: the organiser
 * (agent4, Sacha Durand) creates an event with a participant in Agenda; the invitation leaves through the
 * Boîte d'envoi and Postfix; the participant (agent2, Dominique Bernard) sees the invitation card in
 * Courrier and clicks « Accepter »: the event enters agent2's agenda and the REPLY goes back by mail. The
 * organiser's mail sync writes the answer in the event (seen on Radicale by a calendar-query REPORT sent
 * directly, not through Ostal); the answer's card says « … a accepté », the event details too.
 * Then the organiser deletes the event: agent2 gets « Cette réunion a été annulée » and removes it.
 * agent1's mailbox is left alone (read-only by convention); unique titles.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Browser, type Page } from '@playwright/test';
import ICAL from 'ical.js';
import { ImapFlow } from 'imapflow';
import { addDays, axeProblems, calendarByUid, calendarPath, frDate, parisToday, putEvent, radicale, type TestUser } from './dav.js';
import { deliverItip } from '../servers/itip.js';
import { SHOTS_DIR, addAccountByCli, servers, startOstal, tempProfile, type RunningOstal, expectConnectionState } from './ostal.js';
import { ENGLISH_WORDS, findEnglishWords } from './english-words.js';

const stamp = `inv${Date.now().toString(36)}`;
const VISIO = 'https://visio.ostal.test';
const running: RunningOstal[] = [];

test.afterEach(async () => {
  for (const o of running.splice(0)) await o.stop();
});

type User = TestUser;

/** A parameter (PARTSTAT by default) of `attendee` in the user's event on Radicale (null when the event or the line is missing). */
async function serverPartstat(user: User, uid: string, attendee: string, parameter = 'partstat'): Promise<string | null> {
  const [raw] = await calendarByUid(user, uid);
  if (!raw) return null;
  const vevent = new ICAL.Component(ICAL.parse(raw) as unknown[]).getFirstSubcomponent('vevent');
  const line = vevent?.getAllProperties('attendee').find((p) => String(p.getFirstValue()).toLowerCase() === `mailto:${attendee}`);
  return line ? String(line.getParameter(parameter)) : null;
}

/** Remove from the user's INBOX the messages of this run (invitations, answers, cancellations). */
async function deleteMessages(user: User): Promise<void> {
  const s = servers();
  const client = new ImapFlow({
    host: 'localhost',
    port: s.imap.tlsPort,
    secure: true,
    tls: { ca: [fs.readFileSync(s.caCertPath, 'utf8')] },
    auth: { user: user.username, pass: user.password },
    logger: false,
  });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.mailboxOpen('INBOX');
    const uids = (await client.search({ subject: stamp }, { uid: true })) || [];
    if (uids.length) await client.messageDelete(uids, { uid: true });
  } finally {
    await client.logout().catch(() => undefined);
  }
}

/** English words of the glossary's forbidden list visible in `text`. */
function englishIn(text: string): string[] {
  return ENGLISH_WORDS.filter((w) => new RegExp(`\\b${w}\\b`, 'i').test(text));
}

const longDay = (key: string) =>
  new Intl.DateTimeFormat('fr-FR', { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }).format(
    new Date(`${key}T12:00:00Z`),
  );

/** A profile for `user` (account by the CLI, mail, calendar and contacts synced) and its browser-mode Ostal in a page of its own. */
async function openOstal(browser: Browser, user: User, policyFile: string): Promise<{ page: Page; ostal: RunningOstal }> {
  const profileDir = tempProfile();
  addAccountByCli(profileDir, user, {}, 'mail,calendar,contacts');
  const ostal = await startOstal({ profileDir, env: { OSTAL_POLICIES: policyFile } });
  running.push(ostal);
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const page = await context.newPage();
  await page.goto(ostal.url);
  // Connected to its core; the first background sync (contacts, files…) may still run: openMail waits for the message itself.
  await expectConnectionState(page, profileDir, /^(online|syncing)$/);
  return { page, ostal };
}

/** Courrier, Boîte de réception: synchronise until the message whose subject holds `subject` is listed, then open it. */
async function openMail(page: Page, subject: string): Promise<void> {
  await page.getByRole('button', { name: 'Courrier' }).click();
  await page.getByTestId('folder').filter({ hasText: 'Boîte de réception' }).click();
  const row = page.getByTestId('message').filter({ hasText: subject });
  await expect(async () => {
    if (!(await row.count())) await page.getByTestId('sync-now').first().click();
    await expect(row).toHaveCount(1, { timeout: 3_000 });
  }).toPass({ timeout: 60_000 });
  await row.click();
  await expect(page.getByTestId('reader-subject')).toContainText(subject);
}

/** Agenda, the week after the current one (the event is 7 days ahead), and the event's tile. */
async function eventInAgenda(page: Page, title: string) {
  await page.getByRole('button', { name: 'Agenda' }).click();
  await expect(page.getByTestId('agenda-timegrid')).toBeVisible({ timeout: 30_000 });
  await page.getByTestId('mode-semaine').click();
  await page.getByTestId('agenda-period').click();
  await page.keyboard.press('ArrowRight');
  return page.getByTestId('agenda-event').filter({ hasText: title });
}

test('invitation : Sacha invite Dominique, Dominique accepte dans Courrier, Sacha voit la réponse dans son agenda et sur le serveur', async ({
  browser,
}) => {
  test.setTimeout(240_000);
  const s = servers();
  const organiser = s.users[3]!; // agent4
  const guest = s.users[1]!; // agent2
  const policyFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-invitation-policy-')), 'policies.json');
  fs.writeFileSync(policyFile, JSON.stringify({ settings: { 'visio.serverUrl': { value: VISIO, locked: true } } }));
  const day = addDays(parisToday(), 7);
  const title = `Commission des travaux ${stamp}`;

  try {
    // The organiser creates the event with Dominique as participant, a place and a visio link.
    const org = await openOstal(browser, organiser, policyFile);
    await org.page.getByRole('button', { name: 'Agenda' }).click();
    await expect(org.page.getByTestId('agenda-timegrid')).toBeVisible({ timeout: 30_000 });
    const editor = org.page.getByTestId('event-editor');
    // The list of calendars loads with the view: « Nouvel événement » before it says there is none.
    await expect(async () => {
      await org.page.getByTestId('new-event').click();
      await expect(editor).toBeVisible({ timeout: 1_000 });
    }).toPass({ timeout: 20_000 });
    await editor.getByLabel('Titre').fill(title);
    await editor.getByLabel('Date de début').fill(frDate(day));
    await editor.getByLabel('Heure de début').fill('14:30');
    await editor.getByLabel('Date de fin').fill(frDate(day));
    await editor.getByLabel('Heure de fin').fill('16:00');
    await editor.getByLabel('Lieu').fill('Salle du conseil municipal');
    // The participant typed by name (a contact of the organiser's), shown by name with the address the invitation goes to.
    const participants = editor.getByLabel('Participants', { exact: true });
    await participants.fill(guest.name);
    await participants.press('Enter');
    await expect(editor.getByRole('list', { name: 'Participants invités' })).toHaveText(`${guest.name} (${guest.email})×`);
    await editor.getByTestId('add-visio').click();
    await expect(editor.getByTestId('editor-meeting-link')).toContainText(`${VISIO}/salle/`);
    const link = ((await editor.getByTestId('editor-meeting-link').locator('code').textContent()) ?? '').trim();
    await editor.getByTestId('save-event').click();
    await expect(editor).toBeHidden();
    const orgEvent = await eventInAgenda(org.page, title);
    await expect(orgEvent).toHaveCount(1);
    const uid = (await orgEvent.first().getAttribute('data-uid'))!;
    expect(uid).toBeTruthy();
    await expect.poll(() => serverPartstat(organiser, uid, guest.email), { timeout: 30_000 }).toBe('NEEDS-ACTION');
    // The invitation names the participant (CN from the organiser's contact), as Thunderbird does.
    expect(await serverPartstat(organiser, uid, guest.email, 'cn')).toBe(guest.name);

    // The participant: the invitation card in Courrier.
    const gst = await openOstal(browser, guest, policyFile);
    await openMail(gst.page, `Invitation\u00a0: ${title}`);
    const card = gst.page.getByTestId('invitation-card');
    await expect(card).toBeVisible();
    await expect(card).toHaveAttribute('data-state', 'waiting');
    await expect(card.getByTestId('invitation-title')).toHaveText(title);
    await expect(card.getByTestId('invitation-when')).toHaveText(`${longDay(day)}, de 14\u00a0h\u00a030 à 16\u00a0h`);
    await expect(card.getByTestId('invitation-place')).toHaveText('Salle du conseil municipal');
    await expect(card).toContainText(organiser.name);
    await expect(card.getByTestId('invitation-visio')).toHaveText(link);
    await expect(card.getByRole('button', { name: 'Accepter' })).toBeVisible();
    await expect(card.getByRole('button', { name: 'Peut-être' })).toBeVisible();
    await expect(card.getByRole('button', { name: 'Refuser' })).toBeVisible();
    expect(englishIn(await card.innerText())).toEqual([]);
    await card.scrollIntoViewIfNeeded();
    await gst.page.screenshot({ path: path.join(SHOTS_DIR, 'courrier-invitation.png') });
    expect(await axeProblems(gst.page), 'axe-core, invitation').toEqual([]);

    await card.getByRole('button', { name: 'Accepter' }).click();
    await expect(card).toHaveAttribute('data-state', 'ACCEPTED');
    await expect(card.getByTestId('invitation-status')).toHaveText('Vous avez accepté. L’événement est dans votre agenda.');
    await expect(card.getByRole('button', { name: 'Accepter' })).toHaveAttribute('aria-pressed', 'true');
    await gst.page.screenshot({ path: path.join(SHOTS_DIR, 'courrier-invitation-acceptee.png') });
    expect(await axeProblems(gst.page), 'axe-core, invitation acceptée').toEqual([]);

    // The participant's agenda has the event; it reached agent2's calendar on Radicale with the answer.
    const guestEvent = await eventInAgenda(gst.page, title);
    await expect(guestEvent).toHaveCount(1);
    // The participant has no contact of their own address: the details name them by the event's CN.
    await guestEvent.first().click();
    const guestDetails = gst.page.getByTestId('event-details');
    await expect(guestDetails).toContainText(`${guest.name} (${guest.email}) — a accepté`);
    // (whole words in Unicode: « accepté » is no « accept »)
    expect(findEnglishWords(await guestDetails.innerText())).toEqual([]);
    await gst.page.screenshot({ path: path.join(SHOTS_DIR, 'agenda-invitation-details-participant.png') });
    await guestDetails.getByRole('button', { name: 'Fermer' }).click();
    await expect.poll(() => serverPartstat(guest, uid, guest.email), { timeout: 30_000 }).toBe('ACCEPTED');
    // Reopening the message: the answer comes from the agenda, not from the screen that was left.
    await gst.page.reload();
    await openMail(gst.page, `Invitation\u00a0: ${title}`);
    await expect(gst.page.getByTestId('invitation-card')).toHaveAttribute('data-state', 'ACCEPTED');

    // The organiser's mail sync brings the answer: it is written in the event (and sent to Radicale) before the message is opened.
    await org.page.getByRole('button', { name: 'Courrier' }).click();
    await expect(async () => {
      await org.page.getByTestId('sync-now').first().click();
      expect(await serverPartstat(organiser, uid, guest.email)).toBe('ACCEPTED');
    }).toPass({ timeout: 60_000, intervals: [2_000] });
    await openMail(org.page, `Accepté\u00a0: ${title}`);
    const replyCard = org.page.getByTestId('invitation-card');
    await expect(replyCard).toHaveAttribute('data-method', 'REPLY');
    await expect(replyCard.getByTestId('invitation-status')).toHaveText(`${guest.name} a accepté.`);
    await expect(replyCard.getByTestId('invitation-reply-note')).toHaveText('Sa réponse est notée dans votre agenda.');
    await org.page.screenshot({ path: path.join(SHOTS_DIR, 'courrier-invitation-reponse.png') });
    expect(await axeProblems(org.page), 'axe-core, réponse').toEqual([]);
    const orgTile = await eventInAgenda(org.page, title);
    await orgTile.first().click();
    const details = org.page.getByTestId('event-details');
    await expect(details).toContainText(`${guest.name} (${guest.email}) — a accepté`);
    await details.getByRole('button', { name: 'Fermer' }).click();

    // The organiser deletes the event: the participant gets the cancellation and takes it out of the agenda.
    await orgTile.first().click();
    await details.getByTestId('delete-event').click();
    await details.getByTestId('delete-confirm-yes').click();
    await expect(org.page.getByTestId('agenda-event').filter({ hasText: title })).toHaveCount(0);
    await expect.poll(async () => (await calendarByUid(organiser, uid)).length, { timeout: 30_000 }).toBe(0);
    await openMail(gst.page, `Annulé\u00a0: ${title}`);
    const cancelCard = gst.page.getByTestId('invitation-card');
    await expect(cancelCard).toHaveAttribute('data-state', 'cancelled');
    await expect(cancelCard).toContainText('Cette réunion a été annulée');
    await expect(cancelCard.getByTestId('invitation-status')).toHaveText('Elle figure encore dans votre agenda.');
    await gst.page.screenshot({ path: path.join(SHOTS_DIR, 'courrier-invitation-annulee.png') });
    await cancelCard.getByRole('button', { name: 'Retirer de mon agenda' }).click();
    await expect(cancelCard.getByTestId('invitation-status')).toHaveText('Elle ne figure pas dans votre agenda.');
    await expect.poll(async () => (await calendarByUid(guest, uid)).length, { timeout: 30_000 }).toBe(0);
    expect(await axeProblems(gst.page), 'axe-core, annulation').toEqual([]);
  } finally {
    await deleteMessages(guest);
    await deleteMessages(organiser);
  }
});

test('invitation falsifiée : une invitation et une annulation envoyées par quelqu’un d’autre que l’organisateur ne proposent rien et ne changent rien', async ({
  browser,
}) => {
  test.setTimeout(180_000);
  const s = servers();
  const organiser = s.users[3]!; // agent4
  const guest = s.users[1]!; // agent2, whose agenda holds the event
  const forger = s.users[2]!; // agent3
  const policyFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-invitation-policy-')), 'policies.json');
  fs.writeFileSync(policyFile, JSON.stringify({}));
  const day = addDays(parisToday(), 9).replace(/-/g, '');
  const uid = `conseil-${stamp}@ostal.test`;
  const title = `Conseil municipal ${stamp}`;
  const event = (method: string | null, organizer: string, extra: string[] = []) =>
    [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//Test//FR',
      ...(method ? [`METHOD:${method}`] : []),
      'BEGIN:VEVENT',
      `UID:${uid}`,
      'DTSTAMP:20261201T080000Z',
      'SEQUENCE:0',
      `DTSTART:${day}T170000Z`,
      `DTEND:${day}T190000Z`,
      `SUMMARY:${title}`,
      `ORGANIZER;CN=${organiser.name}:mailto:${organizer}`,
      `ATTENDEE;PARTSTAT=ACCEPTED:mailto:${guest.email}`,
      ...extra,
      'END:VEVENT',
      'END:VCALENDAR',
      '',
    ].join('\r\n');
  // The participant's agenda holds the real event (organised by agent4), as after accepting it.
  expect(await putEvent(guest, `${calendarPath(guest)}${stamp}.ics`, event(null, organiser.email))).toBe(201);
  const onServer = async () => (await calendarByUid(guest, uid)).join('\n');
  const before = await onServer();
  try {
    // agent3 sends a changed invitation naming itself organiser, and a cancellation naming agent4 as organiser.
    await deliverItip(s, {
      login: forger,
      to: guest.email,
      subject: `Invitation modifiée ${stamp}`,
      method: 'REQUEST',
      ics: event('REQUEST', forger.email, ['SUMMARY:Réunion déplacée']).replace(`SUMMARY:${title}\r\n`, ''),
    });
    await deliverItip(s, {
      login: forger,
      to: guest.email,
      subject: `Annulation ${stamp}`,
      method: 'CANCEL',
      ics: event('CANCEL', organiser.email, ['STATUS:CANCELLED']).replace('SEQUENCE:0', 'SEQUENCE:3'),
    });

    const gst = await openOstal(browser, guest, policyFile);
    for (const [subject, shot] of [
      [`Invitation modifiée ${stamp}`, 'courrier-invitation-falsifiee.png'],
      [`Annulation ${stamp}`, 'courrier-annulation-falsifiee.png'],
    ] as const) {
      await openMail(gst.page, subject);
      const card = gst.page.getByTestId('invitation-card');
      await expect(card.getByTestId('invitation-refusal')).toHaveText(
        `Ce message de ${forger.email} concerne un événement de votre agenda dont ${forger.email} n’est pas l’organisateur\u00a0: il ne peut pas le modifier. Votre agenda reste inchangé.`,
      );
      // Nothing to click that would change the event.
      await expect(card.getByRole('button')).toHaveCount(0);
      expect(englishIn(await card.innerText())).toEqual([]);
      await card.scrollIntoViewIfNeeded();
      await gst.page.screenshot({ path: path.join(SHOTS_DIR, shot) });
      expect(await axeProblems(gst.page), `axe-core, ${subject}`).toEqual([]);
    }
    // The event on the server is what it was, after the sync.
    await gst.page.getByTestId('sync-now').first().click();
    await expect(gst.page.getByTestId('connection-state')).toHaveAttribute('data-state', 'online', { timeout: 30_000 });
    expect(await onServer()).toBe(before);
  } finally {
    await radicale(guest, 'DELETE', `${calendarPath(guest)}${stamp}.ics`);
    await deleteMessages(guest);
  }
});
