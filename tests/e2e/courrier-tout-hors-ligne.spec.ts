import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { expect, test } from '@playwright/test';
import { startServer, stopServer } from '../servers/index.js';
import { addImapUser, appendMessages, generateMessages, imapConnection } from '../integration/mail-offline-fixture.js';
import { SHOTS_DIR, ostalEnv, servers, startOstal, tempProfile, type RunningOstal } from './ostal.js';

let ostal: RunningOstal | undefined;
test.afterEach(async () => {
  await ostal?.stop();
  ostal = undefined;
});

/** Bodies still missing in a profile (read-only look at the store of the running app). */
function missingBodies(profileDir: string): number {
  const db = new Database(path.join(profileDir, 'ostal.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT count(*) FROM mail_messages WHERE body_path IS NULL AND uid > 0').pluck().get() as number;
  } finally {
    db.close();
  }
}

/** The first message of the Boîte de réception list (newest arrival) with its source on disk: its subject and blob. */
function newestInInbox(profileDir: string): { subject: string; bodyPath: string } {
  const db = new Database(path.join(profileDir, 'ostal.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return db
      .prepare(
        `SELECT m.subject AS subject, m.body_path AS bodyPath FROM mail_messages m JOIN mail_folders f ON f.id = m.folder_id
         WHERE f.special_use = '\\Inbox' AND m.body_path IS NOT NULL ORDER BY m.internal_date DESC, m.uid DESC LIMIT 1`,
      )
      .get() as { subject: string; bodyPath: string };
  } finally {
    db.close();
  }
}

test('toute la boîte hors ligne : téléchargement visible, puis serveur arrêté, un message des Archives vieux de 11 mois s’ouvre et « reunion » trouve tout', async ({
  page,
}) => {
  test.setTimeout(180_000);
  const s = servers();
  const user = addImapUser(s, 'e2e-horsligne');
  const stamp = `th${Date.now().toString(36)}`;
  await appendMessages(
    s,
    user,
    generateMessages(1200, {
      seed: 41,
      folders: ['INBOX', 'Sent', 'Projets', 'Trash', 'Junk'],
      bodyBytes: 1500,
      domain: s.domain,
      to: user.email,
    }),
  );
  // Archives: a few messages, one of them 11 months old, only there.
  const old = new Date(Date.now() - 335 * 86_400_000);
  const subject = `Réunion du comité de quartier ${stamp}`;
  const client = await imapConnection(s, user);
  try {
    const raw = [
      'From: =?UTF-8?B?' + Buffer.from('Hélène Dupré').toString('base64') + '?= <helene.dupre@mairie-exemple.fr>',
      `To: ${user.email}`,
      `Subject: =?UTF-8?B?${Buffer.from(subject).toString('base64')}?=`,
      `Message-ID: <ancien-${stamp}@ostal.test>`,
      `Date: ${old.toUTCString()}`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      `La réunion du comité se tiendra à la salle des fêtes. Mot repère : ${stamp}.`,
      '',
    ].join('\r\n');
    await client.append('Archive', raw, ['\\Seen'], old);
  } finally {
    await client.logout().catch(() => undefined);
  }

  // The account only (no sync by the CLI): the app downloads everything itself, slowly enough to be seen.
  const profileDir = tempProfile();
  const add = spawnSync(
    process.execPath,
    [
      'bin/ostal.mjs',
      'account',
      'add',
      '--email',
      user.email,
      '--name',
      user.name,
      '--password-env',
      'OSTAL_E2E_PASSWORD',
      // Mail only: this fresh user has no agenda or address book on the test Radicale.
      '--imap',
      `imaps://localhost:${s.imap.tlsPort}`,
      '--smtp',
      `smtps://localhost:${s.smtp.tlsPort}`,
      '--profile',
      profileDir,
    ],
    {
      env: ostalEnv(s, { OSTAL_E2E_PASSWORD: user.password }),
      encoding: 'utf8',
    },
  );
  expect(add.status, add.stderr).toBe(0);
  ostal = await startOstal({ profileDir, env: { OSTAL_MAIL_SPEED_LIMIT_KBPS: '150' } });
  await page.goto(ostal.url);
  await expect(page.getByTestId('folder').filter({ hasText: 'Boîte de réception' })).toBeVisible({ timeout: 30_000 });

  // The download goes on in the background, with its progress and « Suspendre ».
  const label = page.getByTestId('sync-progress-label');
  await expect(label).toContainText(/Téléchargement pour la lecture hors ligne\u202f: [\d\u202f]+ \/ [\d\u202f]+/, { timeout: 30_000 });
  await expect(page.getByTestId('download-toggle')).toHaveText('Suspendre');
  await page.screenshot({ path: path.join(SHOTS_DIR, 'courrier-hors-ligne-progression.png') });
  await page.getByTestId('download-toggle').click();
  await expect(page.getByTestId('download-toggle')).toHaveText('Reprendre');
  await page.getByTestId('download-toggle').click();
  await expect(page.getByTestId('download-toggle')).toHaveText('Suspendre', { timeout: 15_000 });

  // The setting, in Réglages › Général.
  await page.getByTestId('nav-reglages').click();
  await page.getByTestId('reglages-general').click();
  const setting = page.getByTestId('setting-mail.offlineWindow');
  await expect(setting.locator('select')).toHaveValue('all');
  await expect(setting).toContainText('Messages disponibles hors ligne');
  await page.screenshot({ path: path.join(SHOTS_DIR, 'reglages-courrier-hors-ligne.png') });

  // Full speed: the rest comes down.
  await ostal.stop();
  ostal = await startOstal({ profileDir });
  await page.goto(ostal.url);
  await expect.poll(() => missingBodies(profileDir), { timeout: 90_000 }).toBe(0);

  await stopServer(s, 'imap');
  try {
    await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'offline', { timeout: 20_000 });
    await page.getByTestId('folder').filter({ hasText: 'Archives' }).click();
    const row = page.getByTestId('message').filter({ hasText: subject });
    await row.click();
    await expect(page.getByTestId('reader-subject')).toContainText(subject);
    await expect(page.getByTestId('reader-text')).toContainText(`Mot repère : ${stamp}`, { timeout: 15_000 });
    // A look at Agenda and back: Courrier is where the agent left it, Archives and this message open (as in Outlook).
    await page.getByRole('button', { name: 'Agenda' }).click();
    await expect(page.getByTestId('reader-subject')).toBeHidden();
    await page.getByRole('button', { name: 'Courrier' }).click();
    await expect(page.getByTestId('folder').filter({ hasText: 'Archives' })).toHaveAttribute('aria-current', 'true');
    await expect(page.getByTestId('reader-subject')).toContainText(subject);
    await expect(page.getByTestId('reader-text')).toContainText(`Mot repère : ${stamp}`, { timeout: 15_000 });

    await page.getByTestId('mail-search').fill('reunion');
    const results = page.getByTestId('search-results');
    await expect(results.getByTestId('search-total')).toHaveText(/^[\d\u202f]+ résultats$/);
    const folders = await results
      .getByTestId('message')
      .evaluateAll((rows) => [...new Set(rows.map((r) => r.getAttribute('data-folder')))]);
    expect(folders.length).toBeGreaterThan(1);
    await page.screenshot({ path: path.join(SHOTS_DIR, 'courrier-hors-ligne-recherche.png') });
    await page.getByTestId('mail-search').fill('');
    await expect(results).toBeHidden();

    // A local copy found damaged (what a power cut can leave of the last files written: a name without bytes): never
    // shown as the message; offline, the reader says so in French.
    const damaged = newestInInbox(profileDir);
    fs.truncateSync(path.join(profileDir, 'blobs', damaged.bodyPath), 0);
    await page.getByTestId('folder').filter({ hasText: 'Boîte de réception' }).click();
    await page.getByTestId('message').filter({ hasText: damaged.subject }).first().click();
    await expect(page.getByTestId('reader-error')).toHaveText(
      'La copie de ce message sur cet ordinateur est abîmée et le serveur de courrier est injoignable. Ostal le téléchargera de nouveau dès que la connexion reviendra.',
    );
    await expect(page.getByTestId('reader-text')).toHaveCount(0);
    await page.screenshot({ path: path.join(SHOTS_DIR, 'courrier-copie-abimee.png') });
  } finally {
    await startServer(s, 'imap');
  }
});
