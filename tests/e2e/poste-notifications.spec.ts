/**
 * Desktop notifications from any view (issue 18), browser mode: a new mail arriving while Agenda is on screen produces
 * exactly one browser notification (on by default), and a click on it opens the message in Courrier; an Agenda
 * reminder reaches the desktop while the window is behind another one. Réglages › Général › « Notifications » is
 * photographed; a double-click opens a message in its own window. The browser's notifications are recorded by wrapping window.Notification in an init script.
 */
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { addImapUser, imapConnection } from '../integration/mail-offline-fixture.js';
import { profileWithMailAccount } from './courrier-imap.js';
import { notifications, recordNotifications, startOnAgenda } from './notifications-record.js';
import { calendarPath, deleteCalendarResources, putEvent } from './dav.js';
import { SHOTS_DIR, addAccountByCli, logTail, servers, startOstal, tempProfile, type RunningOstal } from './ostal.js';

const s = servers();
let ostal: RunningOstal | undefined;
const stamp = `poste${Date.now()}`;

test.afterEach(async ({ page: _page }, testInfo) => {
  // Ostal's own output beside a failure (a lost core shows there).
  if (testInfo.status !== testInfo.expectedStatus && ostal) {
    await testInfo.attach('ostal', { body: ostal.output(), contentType: 'text/plain' });
    console.log(`Ostal (exit ${String(ostal.child.exitCode)}), end of its output:\n${ostal.output().split('\n').slice(-60).join('\n')}`);
    console.log(`core log:\n${logTail(ostal.profileDir)}`);
  }
  await ostal?.stop();
  ostal = undefined;
});

test('un nouveau message pendant que l’Agenda est affiché : une seule notification, un clic ouvre le message', async ({
  page,
  context,
}) => {
  const user = addImapUser(s, 'test-poste-notif');
  const server = await imapConnection(s, user);
  try {
    ostal = await startOnAgenda(page, context, profileWithMailAccount(user));

    const subject = `Conseil municipal du 12 ${stamp}`;
    const raw = [
      'From: Joël Lefèvre <joel.lefevre@ostal.test>',
      `To: ${user.email}`,
      `Subject: =?UTF-8?B?${Buffer.from(subject).toString('base64')}?=`,
      `Message-ID: <${stamp}@ostal.test>`,
      `Date: ${new Date().toUTCString()}`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'L’ordre du jour est joint.',
      '',
    ].join('\r\n');
    await server.append('INBOX', raw, []);

    await expect.poll(() => notifications(page), { timeout: 30_000 }).toHaveLength(1);
    expect((await notifications(page))[0]).toMatchObject({ title: 'Nouveau message de Joël Lefèvre', body: subject });
    // Still one a while later (further syncs of the same change announce nothing again), and Agenda still on screen.
    await page.waitForTimeout(4_000);
    expect(await notifications(page)).toHaveLength(1);
    await expect(page.getByTestId('nav-agenda')).toHaveAttribute('aria-current', 'page');

    // A click opens the message in Courrier.
    await page.evaluate(() => (window as unknown as { __clickNotification(i: number): void }).__clickNotification(0));
    await expect(page.getByTestId('reader-subject')).toContainText(subject, { timeout: 15_000 });

    // A double-click opens the message in its own window (same session: no new address to type).
    const row = page.getByTestId('message').filter({ hasText: subject });
    const [popup] = await Promise.all([page.waitForEvent('popup'), row.dblclick()]);
    await expect(popup.getByTestId('message-window')).toBeVisible({ timeout: 15_000 });
    await expect(popup.getByTestId('reader-subject')).toContainText(subject, { timeout: 15_000 });
    await expect(popup.getByTestId('nav-courrier')).toHaveCount(0);
    await expect(popup).toHaveTitle('Message – Ostal');
    await popup.screenshot({ path: path.join(SHOTS_DIR, 'poste-message-fenetre.png') });
    await popup.close();

    // Réglages › Général › Notifications.
    await page.getByTestId('nav-reglages').click();
    await page.getByTestId('reglages-general').click();
    const settings = page.getByTestId('notification-settings');
    await expect(settings).toBeVisible();
    await expect(settings.getByTestId('notify-mail')).toBeChecked();
    await expect(settings.getByTestId('notify-folder').first()).toBeChecked();
    await expect(settings.getByTestId('notify-invitations')).toBeChecked();
    await expect(settings.getByTestId('notify-mentions')).toBeChecked();
    await settings.getByTestId('notify-quiet').check();
    await expect(settings.getByTestId('notify-quiet-start')).toHaveValue('22:00');
    await settings.scrollIntoViewIfNeeded();
    await settings.screenshot({ path: path.join(SHOTS_DIR, 'poste-reglages-notifications.png') });
  } finally {
    await server.logout().catch(() => undefined);
  }
});

test('un rappel de l’agenda arrive sur le bureau quand la fenêtre est derrière une autre', async ({ page, context }) => {
  const user = s.users[0];
  const uid = `rappel-${stamp}`;
  const title = `Commission voirie ${stamp}`;
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
    'LOCATION:Salle du conseil',
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
    // Another window comes in front before Ostal has even shown the reminder.
    await page.goto(ostal.url);
    await expect(page.getByTestId('nav-courrier')).toBeVisible({ timeout: 30_000 });
    const other = await context.newPage();
    await other.goto('about:blank');
    await other.bringToFront();

    await expect
      .poll(async () => (await notifications(page)).filter((n) => n.title === title), { timeout: 45_000 })
      .toEqual([
        {
          title,
          body: expect.stringMatching(/^Commence à \d{1,2}\u00a0h\u00a0?\d{2}\nSalle du conseil$|^Commence à .+\nSalle du conseil$/),
          tag: expect.stringContaining(uid),
        },
      ]);
    await other.close();
    // The notice inside the window is there too, once.
    await expect(page.getByTestId('agenda-reminders').getByText(title)).toHaveCount(1);
  } finally {
    await deleteCalendarResources(user, stamp);
  }
});
