import crypto from 'node:crypto';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { lastEnvelope } from './courrier-imap.js';
import { fillBody } from './compose-body.js';
import { SHOTS_DIR, addAccountByCli, servers, startOstal, tempProfile, type RunningOstal } from './ostal.js';

/**
 * « Envoyer plus tard » de bout en bout: agent4 writes to agent5, « Envoyer plus tard » › « Choisir la date et
 * l’heure » two minutes ahead (typed « 9/12 » and « 8h30 » style, Paris time); the Boîte d'envoi reads « Envoi prévu
 * le … à … », nothing reaches agent5 yet; « Envoyer maintenant » delivers it.
 */
let app: RunningOstal;

test.beforeAll(async () => {
  const s = servers();
  const profile = tempProfile();
  addAccountByCli(profile, s.users[3]);
  app = await startOstal({ profileDir: profile });
});

test.afterAll(async () => {
  await app?.stop();
});

const pad = (n: number) => String(n).padStart(2, '0');

test('envoyer plus tard : programmé dans deux minutes, lu dans la boîte d’envoi, puis « Envoyer maintenant »', async ({ page }) => {
  const s = servers();
  const recipient = s.users[4];
  const subject = `Compte rendu programmé ${crypto.randomUUID().slice(0, 8)}`;
  await page.goto(app.url);
  await expect(page.getByTestId('folder').filter({ hasText: 'Boîte de réception' })).toBeVisible({ timeout: 30_000 });

  await page.getByTestId('compose-new').click();
  const compose = page.getByTestId('compose');
  await compose.getByLabel('À', { exact: true }).fill(`${recipient.name} <${recipient.email}>`);
  await compose.getByLabel('Objet').fill(subject);
  await fillBody(compose, 'Bonjour,\n\nle compte rendu partira demain.\n\nBien cordialement,\nCamille');

  // The choices open next to « Envoyer »; Échap closes them only, and the focus goes back to the button.
  const later = compose.getByRole('button', { name: 'Envoyer plus tard' });
  await later.click();
  const dialog = compose.getByRole('dialog', { name: 'Envoyer plus tard' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('button', { name: /^Demain matin/ })).toBeFocused();
  await expect(dialog).toContainText('Ostal doit être ouvert à cette heure-là\u00a0; sinon, le message partira à sa prochaine ouverture.');
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(compose).toBeVisible();
  await expect(later).toBeFocused();

  // Keyboard: Entrée opens it again; « Choisir la date et l’heure », two minutes ahead in Paris.
  await page.keyboard.press('Enter');
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Choisir la date et l’heure' }).click();
  const when = new Date(Date.now() + 2 * 60_000);
  const paris = new Intl.DateTimeFormat('fr-FR', {
    timeZone: 'Europe/Paris',
    day: 'numeric',
    month: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    hourCycle: 'h23',
  }).formatToParts(when);
  const part = (type: string) => Number(paris.find((p) => p.type === type)!.value);
  await expect(dialog.getByLabel('Date')).toBeFocused();
  await dialog.getByLabel('Date').fill(`${part('day')}/${part('month')}`);
  await dialog.getByLabel('Heure').fill(`${part('hour')}h${pad(part('minute'))}`);
  await page.screenshot({ path: path.join(SHOTS_DIR, 'courrier-envoyer-plus-tard.png'), fullPage: true });
  await dialog.getByRole('button', { name: 'Programmer l’envoi' }).click();
  await expect(compose).toBeHidden();

  // The Boîte d'envoi reads the time; nothing has left.
  await page.getByTestId('outbox-folder').click();
  const item = page.getByTestId('outbox-item').filter({ hasText: subject });
  await expect(item.getByTestId('outbox-state')).toHaveText('Programmé');
  const day = new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', weekday: 'long', day: 'numeric', month: 'long' }).format(when);
  await expect(item.getByTestId('outbox-scheduled')).toHaveText(`Envoi prévu le ${day} à ${pad(part('hour'))}:${pad(part('minute'))}`);
  await expect(item.getByRole('button', { name: 'Modifier' })).toBeVisible();
  await page.screenshot({ path: path.join(SHOTS_DIR, 'courrier-envoi-programme.png'), fullPage: true });
  await page.waitForTimeout(1500);
  expect(await lastEnvelope(4, subject)).toBeNull();

  await item.getByRole('button', { name: 'Envoyer maintenant' }).click();
  await expect(item).toBeHidden({ timeout: 20_000 });
  await expect.poll(async () => (await lastEnvelope(4, subject))?.subject ?? null, { timeout: 20_000 }).toBe(subject);

  // « Demain matin », then « Modifier »: back in the composer as a draft, no longer in the Boîte d'envoi.
  const second = `Note à reprendre ${crypto.randomUUID().slice(0, 8)}`;
  await page.getByTestId('compose-new').click();
  await compose.getByLabel('À', { exact: true }).fill(recipient.email);
  await compose.getByLabel('Objet').fill(second);
  await fillBody(compose, 'Texte à revoir demain.');
  await compose.getByRole('button', { name: 'Envoyer plus tard' }).click();
  await dialog.getByRole('button', { name: /^Demain matin/ }).click();
  await expect(compose).toBeHidden();
  const scheduled = page.getByTestId('outbox-item').filter({ hasText: second });
  await expect(scheduled.getByTestId('outbox-scheduled')).toContainText('à 08:00');
  await scheduled.getByRole('button', { name: 'Modifier' }).click();
  await expect(compose.getByRole('heading', { name: 'Brouillon' })).toBeVisible();
  await expect(compose.getByLabel('Objet')).toHaveValue(second);
  await expect(compose.getByLabel('À', { exact: true })).toHaveValue(recipient.email);
  await expect(scheduled).toBeHidden();
  await compose.getByTestId('compose-cancel').click();
  await expect(compose).toBeHidden();
  expect(await lastEnvelope(4, second)).toBeNull();
});
