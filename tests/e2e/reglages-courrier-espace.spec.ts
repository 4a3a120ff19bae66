import { spawnSync } from 'node:child_process';
import path from 'node:path';
import Database from 'better-sqlite3';
import { expect, test } from '@playwright/test';
import { addImapUser, appendMessages, generateMessages } from '../integration/mail-offline-fixture.js';
import { SHOTS_DIR, ostalEnv, servers, startOstal, tempProfile, type RunningOstal } from './ostal.js';

let ostal: RunningOstal | undefined;
test.afterEach(async () => {
  await ostal?.stop();
  ostal = undefined;
});

/** Messages of the profile, and those with their body on this computer (read-only look at the running app's store). */
function counts(profileDir: string): { messages: number; bodies: number } {
  const db = new Database(path.join(profileDir, 'ostal.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT count(*) AS messages, count(body_path) AS bodies FROM mail_messages WHERE uid > 0').get() as {
      messages: number;
      bodies: number;
    };
  } finally {
    db.close();
  }
}

/** « 2,4 Go » / « 812 Ko » → bytes (1 Ko = 1024 octets). */
function parseFrenchSize(text: string): number {
  const m = /([\d\u202f]+(?:,\d+)?)\u00a0(octets|Ko|Mo|Go)/.exec(text);
  if (!m) throw new Error(`no size in « ${text} »`);
  const value = Number(m[1].replace(/\u202f/g, '').replace(',', '.'));
  return value * 1024 ** ['octets', 'Ko', 'Mo', 'Go'].indexOf(m[2]);
}

test('Réglages › Courrier : espace utilisé sur cet ordinateur et « Libérer de l’espace »', async ({ page }) => {
  test.setTimeout(120_000);
  const s = servers();
  const user = addImapUser(s, 'e2e-espace');
  const messages = generateMessages(400, {
    seed: 53,
    folders: ['INBOX', 'Archive', 'Projets'],
    bodyBytes: 16_000,
    domain: s.domain,
    to: user.email,
  });
  await appendMessages(s, user, messages);

  // The account and every body, by the CLI (`ostal sync` returns when everything is local).
  const profileDir = tempProfile();
  const env = ostalEnv(s, { OSTAL_E2E_PASSWORD: user.password });
  const cli = (...args: string[]) => {
    const r = spawnSync(process.execPath, ['bin/ostal.mjs', ...args, '--profile', profileDir], { env, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  };
  cli(
    'account',
    'add',
    '--email',
    user.email,
    '--name',
    user.name,
    '--password-env',
    'OSTAL_E2E_PASSWORD',
    '--imap',
    `imaps://localhost:${s.imap.tlsPort}`,
    '--smtp',
    `smtps://localhost:${s.smtp.tlsPort}`,
  );
  cli('sync', '--only', 'mail');
  expect(counts(profileDir)).toEqual({ messages: 400, bodies: 400 });

  ostal = await startOstal({ profileDir });
  await page.goto(ostal.url);
  await page.getByTestId('nav-reglages').click();
  await page.getByTestId('reglages-general').click();
  const setting = page.getByTestId('setting-mail.offlineWindow');
  const size = setting.getByTestId('offline-space-size');
  await expect(size).toHaveText(/^[\d\u202f]+(,\d)?\u00a0(Ko|Mo|Go) sur cet ordinateur$/);
  const before = parseFrenchSize((await size.textContent()) ?? '');
  expect(before).toBeGreaterThan(400 * 16_000);

  // « Les 3 derniers mois », saved, then « Libérer de l’espace ».
  await setting.locator('select').selectOption('3months');
  await page.getByTestId('save-settings').click();
  await expect(page.getByRole('status').filter({ hasText: 'enregistr' })).toBeVisible();
  await setting.getByTestId('offline-space-free').click();
  const since = new Date();
  since.setUTCMonth(since.getUTCMonth() - 3);
  const older = messages.filter((m) => m.date < since).length;
  const done = setting.getByTestId('offline-space-done');
  await expect(done).toHaveText(
    new RegExp(
      `^[\\d\\u202f]+(,\\d)?\\u00a0(Ko|Mo|Go) libérés\\u00a0: ${older.toLocaleString('fr-FR').replace(/\s/g, '\u202f')} messages ne sont plus gardés hors ligne\\.$`,
    ),
  );
  await expect.poll(async () => parseFrenchSize((await size.textContent()) ?? '')).toBeLessThan(before);
  // The list stays (every message), only the bodies outside the window left this computer.
  expect(counts(profileDir)).toEqual({ messages: 400, bodies: 400 - older });
  await setting.scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(SHOTS_DIR, 'reglages-courrier-espace.png') });
});
