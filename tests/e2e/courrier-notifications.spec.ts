/**
 * New mail while Courrier is open (agent5): the unread count in the window title, a desktop
 * notification (web Notification API, on by default since issue 18), the message
 * marked read when it is opened, and the Outlook keys Ctrl+R, Ctrl+Maj+R, Ctrl+F / Ctrl+L, Ctrl+E / F3.
 */
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { deleteFromInbox, imapFor } from './courrier-imap.js';
import { SHOTS_DIR, addAccountByCli, servers, startOstal, tempProfile, type RunningOstal, expectConnectionState } from './ostal.js';

let ostal: RunningOstal | undefined;
test.afterEach(async () => {
  await ostal?.stop();
  ostal = undefined;
});

const stamp = `notif${Date.now()}`;
const subject = `Convocation au comité ${stamp}`;

const imap = () => imapFor(4);

test.afterAll(() => deleteFromInbox(4, stamp));

test('nouveau message : compteur dans le titre, notification, lu à l’ouverture, raccourcis Outlook', async ({ page, context }) => {
  const s = servers();
  const profileDir = tempProfile();
  addAccountByCli(profileDir, s.users[4]);
  ostal = await startOstal({ profileDir });
  await context.grantPermissions(['notifications'], { origin: new URL(ostal.url).origin });
  // Record what would be shown on the desktop.
  await page.addInitScript(() => {
    const shown: { title: string; body: string }[] = [];
    (window as unknown as { __notifications: typeof shown }).__notifications = shown;
    const Native = window.Notification;
    class Recorded extends Native {
      constructor(title: string, options?: NotificationOptions) {
        super(title, options);
        shown.push({ title, body: options?.body ?? '' });
      }
    }
    Object.defineProperty(Recorded, 'permission', { get: () => Native.permission });
    window.Notification = Recorded as unknown as typeof Notification;
  });

  await page.goto(ostal.url);
  // Connected (online, or the first background sync still running: it once stayed over 30 s in a full run).
  await expectConnectionState(page, profileDir, /^(online|syncing)$/);
  await expect(page).toHaveTitle(/^Courrier( \(\d+\))? – Ostal$/);

  // On by default (issue 18) once the browser allows them; the button turns them off and on again.
  const toggle = page.getByTestId('notifications-toggle');
  await expect(toggle).toHaveText('Notifications activées');
  await toggle.click();
  await expect(toggle).toHaveText('Activer les notifications');
  await toggle.click();
  await expect(toggle).toHaveText('Notifications activées');
  await expect(toggle).toHaveAttribute('aria-pressed', 'true');

  const unreadBefore = Number((await page.title()).match(/\((\d+)\)/)?.[1] ?? 0);
  const client = await imap();
  try {
    const raw = [
      'From: Joël Lefèvre <joel.lefevre@ostal.test>',
      `To: ${s.users[4].email}`,
      `Subject: =?UTF-8?B?${Buffer.from(subject).toString('base64')}?=`,
      `Message-ID: <${stamp}@ostal.test>`,
      `Date: ${new Date().toUTCString()}`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Le comité se réunira jeudi à 14 h.',
      '',
    ].join('\r\n');
    await client.append('INBOX', raw, []);
  } finally {
    await client.logout().catch(() => undefined);
  }

  // IDLE brings it: the row, the title and the notification.
  const row = page.getByTestId('message').filter({ hasText: subject });
  await expect(row).toBeVisible({ timeout: 20_000 });
  await expect(row).toHaveAttribute('data-unread', 'true');
  await expect(page).toHaveTitle(`Courrier (${unreadBefore + 1}) – Ostal`);
  await expect
    .poll(() => page.evaluate(() => (window as unknown as { __notifications: { title: string; body: string }[] }).__notifications), {
      timeout: 15_000,
    })
    .toContainEqual({ title: 'Nouveau message de Joël Lefèvre', body: subject });
  await page.screenshot({ path: path.join(SHOTS_DIR, 'courrier-nouveau-message.png') });

  // Opening marks it read (through the journal), the title follows.
  await row.click();
  await expect(page.getByTestId('reader-subject')).toContainText(subject);
  await expect(row).not.toHaveAttribute('data-unread', 'true');
  await expect(page).toHaveTitle(unreadBefore > 0 ? `Courrier (${unreadBefore}) – Ostal` : 'Courrier – Ostal');

  // Ctrl+R, Ctrl+Maj+R, Ctrl+F, Ctrl+L on the open message.
  const compose = page.getByTestId('compose');
  for (const [keys, heading, prefix] of [
    ['Control+r', 'Répondre', 'Re\u00a0: '],
    ['Control+Shift+R', 'Répondre', 'Re\u00a0: '],
    ['Control+f', 'Transférer', 'Tr\u00a0: '],
    ['Control+l', 'Transférer', 'Tr\u00a0: '],
  ] as const) {
    await page.getByTestId('message-list').focus();
    await page.keyboard.press(keys);
    await expect(compose.getByRole('heading', { name: heading, exact: true }), keys).toBeVisible();
    await expect(compose.getByLabel('Objet')).toHaveValue(`${prefix}${subject}`);
    if (keys === 'Control+l') await page.screenshot({ path: path.join(SHOTS_DIR, 'courrier-transferer-clavier.png') });
    await compose.getByTestId('compose-cancel').click();
    await expect(compose).toBeHidden();
  }

  // F3 and Ctrl+E go to the search box.
  await page.getByTestId('message-list').focus();
  await page.keyboard.press('F3');
  await expect(page.getByTestId('mail-search')).toBeFocused();
  await page.getByTestId('message-list').focus();
  await page.keyboard.press('Control+e');
  await expect(page.getByTestId('mail-search')).toBeFocused();

  // The Raccourcis dialog lists them: F1 opens « Aide », whose « Raccourcis clavier » shows them.
  await page.getByTestId('message-list').focus();
  await page.keyboard.press('F1');
  await page.getByTestId('aide-raccourcis').click();
  const dialog = page.getByTestId('shortcuts-dialog');
  for (const keys of ['Ctrl+R', 'Ctrl+Maj+R', 'Ctrl+F ou Ctrl+L', 'Ctrl+E ou F3']) await expect(dialog).toContainText(keys);
  await dialog.getByRole('button', { name: 'Fermer' }).click();
});
