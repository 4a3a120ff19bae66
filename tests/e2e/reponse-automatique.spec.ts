import path from 'node:path';
import { expect, test } from '@playwright/test';
import { ManageSieveClient } from '../../src/mail/sieve/client.js';
import { type addImapUser } from '../integration/mail-offline-fixture.js';
import { axeProblems } from './dav.js';
import { findEnglishWords, stripNonProse } from './english-words.js';
import { newMailbox, profileWithMailAccount } from './courrier-imap.js';
import { SHOTS_DIR, servers, startOstal, type RunningOstal } from './ostal.js';

/**
 * Réglages › Courrier (issue 17): « Réponse automatique » and « Règles » set in the UI are written to the test
 * Dovecot's ManageSieve server (read back here with a client of its own). A user of this spec only (test-…@), so no
 * automatic answer ever reaches another spec's mailbox.
 */
const s = servers();
let ostal: RunningOstal;
let user: ReturnType<typeof addImapUser>;

async function serverScript(): Promise<string> {
  const c = await ManageSieveClient.connect({
    endpoint: { host: 'localhost', port: s.sieve.port },
    username: user.username,
    password: user.password,
  });
  try {
    const active = (await c.listScripts()).find((x) => x.active);
    return active ? ((await c.getScript(active.name)) ?? '') : '';
  } finally {
    await c.logout();
  }
}

test.beforeAll(async () => {
  user = await newMailbox('test-reponse');
  // Mail servers only (this user has no Radicale account), given by hand as IT would, the ManageSieve one included.
  const profileDir = profileWithMailAccount(user, { servers: ['--sieve', `sieve://localhost:${s.sieve.port}`] });
  ostal = await startOstal({ profileDir });
});

test.afterAll(async () => {
  await ostal?.stop();
});

test('Réglages › Courrier : réponse automatique puis règle, enregistrées sur le serveur', async ({ page }) => {
  await page.goto(ostal.url);
  await page.getByTestId('nav-reglages').click();
  await page.getByTestId('reglages-courrier').click();
  const vacation = page.getByTestId('vacation-card');
  await expect(vacation).toBeVisible({ timeout: 20_000 });
  await expect(page.getByTestId('vacation-enabled')).not.toBeChecked();

  await page.getByTestId('vacation-enabled').check();
  await page.getByTestId('vacation-from').fill('21/12/2026');
  await page.getByTestId('vacation-to').fill('03/01/2027');
  await page
    .getByTestId('vacation-message')
    .fill('Bonjour,\n\nje suis en congé jusqu’au 3 janvier inclus. Pour une urgence : accueil@ostal.test.\n\nLou Garnier');
  await page.getByTestId('vacation-other').check();
  await page
    .getByTestId('vacation-external')
    .fill('Bonjour,\n\nje suis absente jusqu’au 3 janvier. Votre message sera traité à mon retour.');
  await page.getByTestId('vacation-save').click();
  await expect(page.getByTestId('vacation-saved')).toBeVisible({ timeout: 20_000 });
  const script = await serverScript();
  expect(script).toContain('currentdate :value "ge" "date" "2026-12-21"');
  expect(script).toContain('je suis en congé jusqu’au 3 janvier inclus');
  expect(script).toContain('if envelope :domain :is "from" "ostal.test"');
  await vacation.scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(SHOTS_DIR, 'reponse-automatique.png'), fullPage: true });
  expect(await axeProblems(page)).toEqual([]);

  await page.getByTestId('rule-add').click();
  const rule = page.getByTestId('rule').first();
  await rule.getByTestId('rule-name').fill('Secrétariat');
  await rule.getByTestId('condition-value').fill('secretariat@');
  await rule.getByTestId('action-folder').fill('Secrétariat');
  await page.getByTestId('rules-save').click();
  await expect(page.getByTestId('rules-saved')).toBeVisible({ timeout: 20_000 });
  const withRule = await serverScript();
  expect(withRule).toContain('header :contains "from" "secretariat@"');
  expect(withRule).toContain('fileinto :create "Secrétariat";');
  expect(withRule).toContain('vacation :days 1');
  await page.getByTestId('rules-card').scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(SHOTS_DIR, 'regles.png'), fullPage: true });
  expect(await axeProblems(page)).toEqual([]);
  expect(findEnglishWords(stripNonProse(await page.locator('main, body').first().innerText()))).toEqual([]);

  // An address outside the organisation: refused in French, nothing saved.
  await rule.getByTestId('action-type').selectOption('redirect');
  await rule.getByRole('textbox', { name: 'Adresse de transfert (dans l’organisation)' }).fill('moi@exemple.com');
  await page.getByTestId('rules-save').click();
  await expect(page.getByTestId('rules-card').getByRole('alert')).toContainText('n’est permis que vers une adresse de l’organisation');
  expect(await serverScript()).not.toContain('exemple.com');
});
