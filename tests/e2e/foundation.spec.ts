import path from 'node:path';
import { expect, test } from '@playwright/test';
import { startServer, stopServer } from '../servers/index.js';
import { SHOTS_DIR, servers, startOstal, type RunningOstal, expectConnectionState } from './ostal.js';

// These tests stop and restart the shared IMAP server: they run one after the other.
test.describe.configure({ mode: 'serial' });

let ostal: RunningOstal | undefined;
test.afterEach(async () => {
  await ostal?.stop();
  ostal = undefined;
});

test('premier lancement : l’assistant ajoute agent1 par découverte, les dossiers s’affichent en français, hors ligne puis en ligne', async ({
  page,
}) => {
  const s = servers();
  const agent = s.users[0];
  ostal = await startOstal();
  await page.goto(ostal.url);

  // The token travels in the fragment and is removed from the address bar.
  await expect(page).toHaveTitle(/Ostal/);
  await expect(page.getByTestId('account-assistant')).toBeVisible();
  expect(page.url()).not.toContain('token=');
  await page.screenshot({ path: path.join(SHOTS_DIR, '01-assistant.png') });

  await page.getByLabel('Votre nom').fill(agent.name);
  await page.getByLabel('Adresse de courriel').fill(agent.email);
  await page.getByLabel('Mot de passe', { exact: true }).fill(agent.password);
  await page.getByTestId('assistant-continue').click();

  const review = page.getByTestId('assistant-step-review');
  await expect(review).toBeVisible();
  await expect(review).toContainText(`localhost`);
  await page.screenshot({ path: path.join(SHOTS_DIR, '02-assistant-reglages-trouves.png') });
  await page.getByTestId('assistant-add').click();

  // The shell shows agent1's real folders with the glossary's French names.
  const folders = page.getByTestId('folder');
  await expect(folders.filter({ hasText: 'Boîte de réception' })).toBeVisible({ timeout: 30_000 });
  for (const name of ['Envoyés', 'Brouillons', 'Corbeille', 'Indésirables', 'Archives']) {
    await expect(folders.filter({ hasText: name }).first()).toBeVisible();
  }
  await expect(page.getByTestId('message').first()).toBeVisible({ timeout: 30_000 });
  const state = page.getByTestId('connection-state');
  await expectConnectionState(page, ostal!.profileDir, 'online');
  await expect(state).toContainText('En ligne');
  await page.screenshot({ path: path.join(SHOTS_DIR, '03-courrier.png') });

  // The IMAP server goes away: the status says so, in French, within seconds.
  await stopServer(s, 'imap');
  try {
    await expect(state).toHaveAttribute('data-state', 'offline', { timeout: 20_000 });
    await expect(state).toContainText('Hors ligne');
    await page.screenshot({ path: path.join(SHOTS_DIR, '04-hors-ligne.png') });
    // Local data stays readable while offline.
    await expect(folders.filter({ hasText: 'Boîte de réception' })).toBeVisible();
    await expect(page.getByTestId('message').first()).toBeVisible();
  } finally {
    await startServer(s, 'imap');
  }
  await expectConnectionState(page, ostal!.profileDir, 'online');
  await expect(state).toContainText('En ligne');
});

test('réglages manuels avec un mauvais mot de passe : message clair en français, rien n’est enregistré', async ({ page }) => {
  const s = servers();
  const agent = s.users[1];
  ostal = await startOstal();
  await page.goto(ostal.url);
  await page.getByLabel('Adresse de courriel').fill(agent.email);
  await page.getByLabel('Mot de passe', { exact: true }).fill('pas-le-bon-mot-de-passe');
  await page.getByTestId('assistant-continue').click();
  await expect(page.getByTestId('assistant-step-review')).toBeVisible();
  await page.getByTestId('assistant-add').click();
  const alert = page.getByRole('alert').filter({ hasText: /mot de passe/i });
  await expect(alert).toBeVisible({ timeout: 30_000 });
  await expect(alert).not.toContainText(/AUTHENTICATIONFAILED|Error|undefined/);
  await page.screenshot({ path: path.join(SHOTS_DIR, '05-mauvais-mot-de-passe.png') });
  // Still in the assistant: no account was saved.
  await expect(page.getByTestId('account-assistant')).toBeVisible();
});
