/**
 * Ostal as the mail program (issue 18), browser mode: a mailto link in the page address opens the prefilled composer;
 * a launch with Thunderbird's `--compose` syntax (as LibreOffice's « Envoyer par courriel » and xdg-email give it)
 * opens the composer with the local files attached by the core, and says in French which file could not be read.
 * A user of this spec only (test-poste-…).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, test } from '@playwright/test';
import { expectBody } from './compose-body.js';
import { newMailbox, profileWithMailAccount } from './courrier-imap.js';
import { SHOTS_DIR, startOstal, type RunningOstal } from './ostal.js';

let ostal: RunningOstal | undefined;
let profileDir: string;

test.beforeAll(async () => {
  const user = await newMailbox('test-poste-courriel');
  profileDir = profileWithMailAccount(user, { sync: false });
});

test.afterEach(async () => {
  await ostal?.stop();
  ostal = undefined;
});

test('un lien mailto ouvre la rédaction remplie', async ({ page }) => {
  ostal = await startOstal({ profileDir, args: ['--no-sync'] });
  const mailto =
    'mailto:joel.lefevre@mairie.fr?cc=secretariat@mairie.fr&subject=D%C3%A9lib%C3%A9ration%20n%C2%B012&body=Bonjour%2C%0D%0A%0D%0AVoici%20le%20compte-rendu.';
  const url = new URL(ostal.url);
  url.searchParams.set('mailto', mailto);
  await page.goto(url.href);
  const compose = page.getByTestId('compose');
  await expect(compose).toBeVisible({ timeout: 20_000 });
  await expect(compose.getByTestId('compose-to')).toHaveValue('joel.lefevre@mairie.fr');
  await expect(compose.getByTestId('compose-cc')).toHaveValue('secretariat@mairie.fr');
  await expect(compose.getByTestId('compose-subject')).toHaveValue('Délibération n°12');
  await expectBody(compose, /^Bonjour,\n+Voici le compte-rendu\.\n*$/);
  // Read once: the address no longer holds it (a reload does not open it again).
  expect(new URL(page.url()).searchParams.has('mailto')).toBe(false);
  await page.screenshot({ path: path.join(SHOTS_DIR, 'poste-mailto.png') });
});

test('--compose à la manière de Thunderbird : pièces jointes lues par le cœur, fichier absent signalé', async ({ page }) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-poste-'));
  const file = path.join(dir, 'Délibération été 2027.txt');
  fs.writeFileSync(file, 'Ordre du jour : budget.\n');
  const missing = path.join(dir, 'Annexe absente.pdf');
  const compose = `to='joel.lefevre@mairie.fr,agnes@mairie.fr',subject='Réunion, jeudi',body='Bonjour,\nci-joint.',attachment='${pathToFileURL(file).href},${pathToFileURL(missing).href}'`;
  ostal = await startOstal({ profileDir, args: ['--no-sync', '--compose', compose] });
  await page.goto(ostal.url);
  const panel = page.getByTestId('compose');
  await expect(panel).toBeVisible({ timeout: 20_000 });
  await expect(panel.getByTestId('compose-to')).toHaveValue('joel.lefevre@mairie.fr, agnes@mairie.fr');
  await expect(panel.getByTestId('compose-subject')).toHaveValue('Réunion, jeudi');
  await expect(panel.getByTestId('compose-attachment')).toHaveCount(1);
  await expect(panel.getByTestId('compose-attachment')).toContainText('Délibération été 2027.txt');
  await expect(panel.getByTestId('compose-launch-problem')).toHaveText(
    'La pièce jointe «\u00a0Annexe absente.pdf\u00a0» est introuvable\u00a0: le message s’ouvre sans elle.',
  );
  await page.screenshot({ path: path.join(SHOTS_DIR, 'poste-compose-pieces-jointes.png') });
  // Taken once: a reload does not open it again.
  await page.reload();
  await expect(page.getByTestId('nav-courrier')).toBeVisible({ timeout: 20_000 });
  await expect(page.getByTestId('compose')).toBeHidden();
  fs.rmSync(dir, { recursive: true, force: true });
});
