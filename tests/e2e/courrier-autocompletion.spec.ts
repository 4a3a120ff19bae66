import crypto from 'node:crypto';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { lastEnvelope } from './courrier-imap.js';
import { fillBody } from './compose-body.js';
import { axeProblems } from './dav.js';
import { findEnglishWords } from './english-words.js';
import { SHOTS_DIR, addAccountByCli, servers, startOstal, tempProfile, type RunningOstal } from './ostal.js';

/**
 * Autocomplétion des destinataires: agent3's address book is synced from the test Radicale; in « À », « elo » proposes
 * Élodie Garnier (accents ignored), « lefe » proposes Alix Lefèvre (agent5); picked with the keyboard, sent through
 * Postfix, the message reaches agent5 with that recipient.
 */
let app: RunningOstal;

test.beforeAll(async () => {
  const s = servers();
  const profile = tempProfile();
  addAccountByCli(profile, s.users[2], {}, 'mail,contacts');
  app = await startOstal({ profileDir: profile });
});

test.afterAll(async () => {
  await app?.stop();
});

/** The To header of the newest message of agent5's INBOX with this subject, as « Nom <adresse> ». */
async function toHeaderOf(subject: string): Promise<string | null> {
  const envelope = await lastEnvelope(4, subject);
  return envelope ? (envelope.to ?? []).map((a) => `${a.name ?? ''} <${a.address ?? ''}>`).join(', ') : null;
}

test('À propose contacts et correspondants, choix au clavier, envoi au destinataire choisi', async ({ page }) => {
  const s = servers();
  const agent5 = s.users[4];
  const subject = `Autocomplétion ${crypto.randomUUID().slice(0, 8)}`;
  await page.goto(app.url);
  await expect(page.getByTestId('folder').filter({ hasText: 'Boîte de réception' })).toBeVisible({ timeout: 30_000 });

  await page.getByTestId('compose-new').click();
  const compose = page.getByTestId('compose');
  const to = compose.getByRole('combobox', { name: 'À', exact: true });
  await expect(to).toBeFocused();
  await expect(to).toHaveAttribute('aria-expanded', 'false');

  // « elo » finds « Élodie » (accents and case ignored), contacts first.
  await to.pressSequentially('elo');
  const list = compose.getByRole('listbox', { name: 'Destinataires proposés' });
  await expect(list).toBeVisible({ timeout: 10_000 });
  await expect(to).toHaveAttribute('aria-expanded', 'true');
  await expect(to).toHaveAttribute('aria-controls', (await list.getAttribute('id')) ?? 'absent');
  const options = list.getByRole('option');
  await expect(options.first()).toContainText('Élodie Garnier');
  await expect(options.first()).toContainText('elodie.garnier@tresorerie.example');
  await expect(options.first()).toHaveAttribute('aria-selected', 'true');
  expect(await to.getAttribute('aria-activedescendant')).toBe(await options.first().getAttribute('id'));
  expect(await options.count()).toBeLessThanOrEqual(8);
  expect(await axeProblems(page)).toEqual([]);
  expect(findEnglishWords((await compose.innerText()) ?? '')).toEqual([]);
  await page.screenshot({ path: path.join(SHOTS_DIR, 'courrier-autocompletion.png') });

  // Échap closes the list only; the composer stays open.
  await to.press('Escape');
  await expect(list).toBeHidden();
  await expect(compose).toBeVisible();
  await expect(to).toHaveAttribute('aria-expanded', 'false');

  // Entrée picks: « Nom <adresse>, » and the caret is ready for the next one.
  await to.press('ArrowDown');
  await expect(list).toBeVisible();
  await to.press('Enter');
  await expect(to).toHaveValue('Élodie Garnier <elodie.garnier@tresorerie.example>, ');
  await expect(compose).toBeVisible();

  // Only the text after the last separator is looked for; ↓ then Tab picks the highlighted one.
  await to.pressSequentially('LEFE');
  await expect(options.first()).toContainText('Alix Lefèvre');
  await to.press('Tab');
  await expect(to).toHaveValue(`Élodie Garnier <elodie.garnier@tresorerie.example>, Alix Lefèvre <${agent5.email}>, `);
  await expect(to).toBeFocused();

  // Mouse: in Cc, a click picks.
  const cc = compose.getByRole('combobox', { name: 'Cc', exact: true });
  await cc.pressSequentially('elod');
  await compose.getByRole('listbox', { name: 'Destinataires proposés' }).getByRole('option').filter({ hasText: 'Élodie Garnier' }).click();
  await expect(cc).toHaveValue('Élodie Garnier <elodie.garnier@tresorerie.example>, ');
  await cc.fill('');

  // Keep only agent5 (the other addresses do not exist on the test server) and send.
  await to.fill('');
  await to.pressSequentially('alix');
  await expect(options.first()).toContainText(agent5.email);
  await to.press('ArrowDown');
  await to.press('ArrowUp');
  await expect(options.first()).toHaveAttribute('aria-selected', 'true');
  await to.press('Enter');
  await expect(to).toHaveValue(`Alix Lefèvre <${agent5.email}>, `);
  await compose.getByLabel('Objet').fill(subject);
  await fillBody(compose, 'Message écrit avec l’autocomplétion des destinataires.');
  await compose.getByTestId('compose-send').click();
  await expect(compose).toBeHidden({ timeout: 10_000 });

  await expect.poll(() => toHeaderOf(subject), { timeout: 30_000, intervals: [500, 1000, 2000] }).toBe(`Alix Lefèvre <${agent5.email}>`);
});
