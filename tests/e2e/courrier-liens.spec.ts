/**
 * A link in a message opens in a new browser window (the system browser in browser mode), without
 * opener nor referrer; the app never navigates and no script of the message runs. « Enregistrer »
 * saves an attachment under its own name (accents included) with its exact bytes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { deleteFromInbox, imapFor } from './courrier-imap.js';
import { SHOTS_DIR, addAccountByCli, servers, startOstal, tempProfile, type RunningOstal } from './ostal.js';

let ostal: RunningOstal | undefined;
test.afterEach(async () => {
  await ostal?.stop();
  ostal = undefined;
});

const stamp = `liens${Date.now()}`;
const subject = `Démarches en ligne ${stamp}`;
const withFile = `Pièce jointe à garder ${stamp}`;
const fileName = 'Compte rendu – réunion d’équipe.pdf';
const fileBytes = Buffer.from('%PDF-1.4\n% Compte rendu de réunion, données binaires \u00e9\u00e8\n%%EOF\n', 'utf8');

const imap = () => imapFor(4);

test.beforeAll(async () => {
  const s = servers();
  const html =
    '<p>Bonjour,</p><p>Le formulaire est sur <a href="https://www.service-public.fr/demarches" onclick="alert(1)">le site officiel</a>.</p>';
  const client = await imap();
  try {
    await client.append(
      'INBOX',
      [
        'From: Secrétariat <secretariat@mairie.example>',
        `To: ${s.users[4].email}`,
        `Subject: =?UTF-8?B?${Buffer.from(subject).toString('base64')}?=`,
        `Message-ID: <${stamp}@ostal.test>`,
        `Date: ${new Date().toUTCString()}`,
        'MIME-Version: 1.0',
        'Content-Type: text/html; charset=utf-8',
        '',
        html,
        '',
      ].join('\r\n'),
      ['\\Seen'],
    );
    const boundary = `b-${stamp}`;
    await client.append(
      'INBOX',
      [
        'From: Secrétariat <secretariat@mairie.example>',
        `To: ${s.users[4].email}`,
        `Subject: =?UTF-8?B?${Buffer.from(withFile).toString('base64')}?=`,
        `Message-ID: <file-${stamp}@ostal.test>`,
        `Date: ${new Date().toUTCString()}`,
        'MIME-Version: 1.0',
        `Content-Type: multipart/mixed; boundary="${boundary}"`,
        '',
        `--${boundary}`,
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Voici le compte rendu.',
        `--${boundary}`,
        'Content-Type: application/pdf',
        `Content-Disposition: attachment; filename*=UTF-8''${encodeURIComponent(fileName)}`,
        'Content-Transfer-Encoding: base64',
        '',
        fileBytes.toString('base64'),
        `--${boundary}--`,
        '',
      ].join('\r\n'),
      ['\\Seen'],
    );
  } finally {
    await client.logout().catch(() => undefined);
  }
});

test.afterAll(() => deleteFromInbox(4, stamp));

test('un lien du message s’ouvre dans une nouvelle fenêtre du navigateur, jamais dans l’application', async ({ page, context }) => {
  const s = servers();
  const profileDir = tempProfile();
  addAccountByCli(profileDir, s.users[4]);
  ostal = await startOstal({ profileDir });
  const opened: string[] = [];
  await context.route('https://www.service-public.fr/**', async (route) => {
    opened.push(route.request().url());
    await route.fulfill({
      status: 200,
      contentType: 'text/html; charset=utf-8',
      body: '<title>Service public</title><p>Page officielle</p>',
    });
  });
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });

  await page.goto(ostal.url);
  const appUrl = page.url();
  await page.getByTestId('message').filter({ hasText: subject }).click();
  await expect(page.getByTestId('reader-subject')).toContainText(subject);
  const link = page.frameLocator('[data-testid="reader-frame"]').getByRole('link', { name: 'le site officiel' });
  await expect(link).toHaveAttribute('title', 'https://www.service-public.fr/demarches');
  await expect(link).toHaveAttribute('target', '_blank');
  await expect(link).toHaveAttribute('rel', 'noopener noreferrer');
  await page.screenshot({ path: path.join(SHOTS_DIR, 'courrier-lien.png') });

  const popup = context.waitForEvent('page');
  await link.click();
  const tab = await popup;
  await tab.waitForLoadState();
  expect(tab.url()).toBe('https://www.service-public.fr/demarches');
  // No opener: the site cannot reach back into Ostal.
  expect(await tab.evaluate(() => window.opener)).toBeNull();
  expect(opened).toEqual(['https://www.service-public.fr/demarches']);
  // The app did not move and nothing of the message ran.
  expect(page.url()).toBe(appUrl);
  await expect(page.getByTestId('reader-subject')).toContainText(subject);
  expect(dialogs).toEqual([]);
  await tab.close();
});

test('« Enregistrer » une pièce jointe : son nom avec accents et ses octets exacts', async ({ page }) => {
  const s = servers();
  const profileDir = tempProfile();
  addAccountByCli(profileDir, s.users[4]);
  ostal = await startOstal({ profileDir });
  await page.goto(ostal.url);
  await page.getByTestId('message').filter({ hasText: withFile }).click();
  await expect(page.getByTestId('reader-subject')).toContainText(withFile);
  const attachment = page.getByTestId('reader-attachment').filter({ hasText: fileName });
  await expect(attachment).toBeVisible();
  await page.screenshot({ path: path.join(SHOTS_DIR, 'courrier-piece-jointe.png') });
  const download = page.waitForEvent('download');
  await attachment.getByRole('button', { name: `Enregistrer «\u00a0${fileName}\u00a0»` }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe(fileName);
  expect(fs.readFileSync(await file.path())).toEqual(fileBytes);
  await expect(page.getByTestId('attachment-error')).toHaveCount(0);
});
