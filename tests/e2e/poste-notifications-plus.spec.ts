/**
 * Notifications beyond new mail (issue 18), browser mode: a meeting invitation arriving while Agenda is on screen
 * gives one « Invitation : … » notification (a click opens its message); an Agenda reminder shown through the desktop
 * side with its « Rappeler dans 5 min » action (the page plays Electron's preload, `window.ostalDesktop.notify`, as
 * main/electron.ts would show it): answering that action puts the reminder off, through the same decision as the
 * notice's button. The web notifications are recorded by wrapping window.Notification in an init script.
 */
import { expect, test } from '@playwright/test';
import { addImapUser, imapConnection } from '../integration/mail-offline-fixture.js';
import { profileWithMailAccount } from './courrier-imap.js';
import { notifications, recordNotifications, startOnAgenda } from './notifications-record.js';
import { calendarPath, deleteCalendarResources, putEvent } from './dav.js';
import { addAccountByCli, logTail, servers, startOstal, tempProfile, type RunningOstal } from './ostal.js';

const s = servers();
let ostal: RunningOstal | undefined;
const stamp = `posteplus${Date.now()}`;

test.afterEach(async ({ page: _page }, testInfo) => {
  if (testInfo.status !== testInfo.expectedStatus && ostal) {
    await testInfo.attach('ostal', { body: ostal.output(), contentType: 'text/plain' });
    console.log(`core log:\n${logTail(ostal.profileDir)}`);
  }
  await ostal?.stop();
  ostal = undefined;
});

test('une invitation à une réunion reçue pendant l’Agenda : une notification « Invitation », un clic ouvre le message', async ({
  page,
  context,
}) => {
  const user = addImapUser(s, 'test-poste-invitation');
  const server = await imapConnection(s, user);
  try {
    ostal = await startOnAgenda(page, context, profileWithMailAccount(user));

    const summary = `Conseil d’école ${stamp}`;
    const organiser = 'jeanne.martin@ostal.test';
    const ics = [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//Test//FR',
      'METHOD:REQUEST',
      'BEGIN:VEVENT',
      `UID:invitation-${stamp}`,
      'DTSTAMP:20261201T090000Z',
      'DTSTART:20270114T090000Z',
      'DTEND:20270114T100000Z',
      `SUMMARY:${summary}`,
      `ORGANIZER;CN=Jeanne Martin:mailto:${organiser}`,
      `ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:${user.email}`,
      'END:VEVENT',
      'END:VCALENDAR',
      '',
    ].join('\r\n');
    const raw = [
      `From: Jeanne Martin <${organiser}>`,
      `To: ${user.email}`,
      `Subject: =?UTF-8?B?${Buffer.from(`Invitation : ${summary}`).toString('base64')}?=`,
      `Message-ID: <${stamp}@ostal.test>`,
      `Date: ${new Date().toUTCString()}`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/alternative; boundary="limite"',
      '',
      '--limite',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Vous êtes invitée.',
      '--limite',
      'Content-Type: text/calendar; charset=utf-8; method=REQUEST',
      '',
      ics,
      '--limite--',
      '',
    ].join('\r\n');
    await server.append('INBOX', raw, []);

    const invitations = async () => (await notifications(page)).filter((n) => n.tag.startsWith('ostal-invitation-'));
    await expect
      .poll(invitations, { timeout: 45_000 })
      .toEqual([{ title: `Invitation\u00a0: ${summary}`, body: 'De Jeanne Martin', tag: expect.stringMatching(/^ostal-invitation-/) }]);
    // Once only, and no new-mail notification for the same message (one notification on the desktop in all), and Agenda
    // still on screen.
    await page.waitForTimeout(3_000);
    expect(await invitations()).toHaveLength(1);
    expect(await notifications(page)).toHaveLength(1);
    await expect(page.getByTestId('nav-agenda')).toHaveAttribute('aria-current', 'page');

    const index = (await notifications(page)).findIndex((n) => n.tag.startsWith('ostal-invitation-'));
    await page.evaluate((i) => (window as unknown as { __clickNotification(i: number): void }).__clickNotification(i), index);
    await expect(page.getByTestId('reader-subject')).toContainText(summary, { timeout: 15_000 });
  } finally {
    await server.logout().catch(() => undefined);
  }
});

test('un rappel sur le bureau avec « Rappeler dans 5 min » : l’action le remet à plus tard', async ({ page, context }) => {
  const user = s.users[0];
  const uid = `rappel-plus-${stamp}`;
  const title = `Commission des sports ${stamp}`;
  const utc = (ms: number) =>
    new Date(ms)
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d{3}/, '');
  const start = Date.now() + 10 * 60_000;
  const ics = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Test//FR',
    'BEGIN:VEVENT',
    `UID:${uid}`,
    'DTSTAMP:20261130T120000Z',
    `DTSTART:${utc(start)}`,
    `DTEND:${utc(start + 60 * 60_000)}`,
    `SUMMARY:${title}`,
    'BEGIN:VALARM',
    'ACTION:DISPLAY',
    'DESCRIPTION:Rappel',
    'TRIGGER:-PT15M',
    'END:VALARM',
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');
  expect(await putEvent(user, `${calendarPath(user)}${uid}.ics`, ics)).toBe(201);
  try {
    const profileDir = tempProfile();
    addAccountByCli(profileDir, user, {}, 'mail,calendar');
    ostal = await startOstal({ profileDir });
    await context.grantPermissions(['notifications'], { origin: new URL(ostal.url).origin });
    await recordNotifications(page);
    // The desktop side as Electron's preload offers it: the requests are recorded, the answers played by the test.
    await page.addInitScript(() => {
      const asked: { id: string; title: string; body: string; actions: { id: string; label: string }[] }[] = [];
      const answers: ((answer: unknown) => void)[] = [];
      const w = window as unknown as { __asked: typeof asked; __answer(a: unknown): void; ostalDesktop: unknown };
      w.__asked = asked;
      w.__answer = (a) => answers.forEach((fn) => fn(a));
      w.ostalDesktop = {
        notify: (request: (typeof asked)[number]) => asked.push(request),
        onNotificationAnswer: (fn: (answer: unknown) => void) => answers.push(fn),
      };
    });
    await page.goto(ostal.url);
    await expect(page.getByTestId('nav-courrier')).toBeVisible({ timeout: 30_000 });

    const asked = () =>
      page.evaluate(
        (t) => (window as unknown as { __asked: { id: string; title: string; actions: unknown[] }[] }).__asked.filter((a) => a.title === t),
        title,
      );
    await expect.poll(asked, { timeout: 45_000 }).toEqual([
      {
        id: expect.stringContaining(uid),
        title,
        body: expect.stringMatching(/^Commence à /),
        actions: [{ id: 'snooze', label: 'Rappeler dans 5\u00a0min' }],
      },
    ]);
    // Shown by the desktop side only, not twice through the web API.
    expect((await notifications(page)).filter((n) => n.title === title)).toEqual([]);
    const notice = page.getByTestId('agenda-reminders').locator('.agenda-reminder').filter({ hasText: title });
    await expect(notice).toHaveCount(1);
    await expect(notice.getByTestId('reminder-snooze')).toHaveText('Rappeler dans 5\u00a0min');

    // « Rappeler dans 5 min » chosen on the desktop notification: the reminder is put off (gone from the window too).
    const [request] = await asked();
    await page.evaluate((id) => (window as unknown as { __answer(a: unknown): void }).__answer({ id, action: 'snooze' }), request.id);
    await expect(notice).toHaveCount(0, { timeout: 10_000 });
    // An answer for no notification of this page, or an unknown action, changes nothing.
    await page.evaluate(() => (window as unknown as { __answer(a: unknown): void }).__answer({ id: 'autre', action: 'close' }));
    await page.waitForTimeout(1_000);
    expect(await asked()).toHaveLength(1);
  } finally {
    await deleteCalendarResources(user, stamp);
  }
});
