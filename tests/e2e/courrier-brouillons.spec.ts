import crypto from 'node:crypto';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import PostalMime from 'postal-mime';
import { sourcesBySubject } from './courrier-imap.js';
import { routeApiAnswers } from './api-route.js';
import { appendToBody, composeBody, expectBody, fillBody, typeInBody } from './compose-body.js';
import { SHOTS_DIR, addAccountByCli, servers, startOstal, tempProfile, type RunningOstal } from './ostal.js';

/**
 * Brouillons partout: agent3 starts a message on a first computer; its draft goes to the server's Brouillons; the
 * first Ostal is killed (kill -9) while the agent writes and loses at most the last few seconds; on a second
 * computer the draft is in Brouillons, « Reprendre le brouillon » reopens it, it is finished and sent to agent5 and
 * leaves Brouillons. Closing a written message asks « Enregistrer le brouillon ? ».
 */
const WRITER = 2; // agent3
const RECIPIENT = 4; // agent5

let a: RunningOstal;
let b: RunningOstal;

test.beforeAll(async () => {
  const s = servers();
  const profileA = tempProfile();
  const profileB = tempProfile();
  addAccountByCli(profileA, s.users[WRITER]);
  addAccountByCli(profileB, s.users[WRITER]);
  [a, b] = await Promise.all([startOstal({ profileDir: profileA }), startOstal({ profileDir: profileB })]);
});

test.afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
});

async function openCourrier(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await expect(page.getByTestId('folder').filter({ hasText: 'Boîte de réception' })).toBeVisible({ timeout: 30_000 });
}

async function draftText(subject: string): Promise<string[]> {
  const sources = await sourcesBySubject(WRITER, 'Drafts', subject);
  return Promise.all(sources.map(async (src) => (await PostalMime.parse(src)).text ?? ''));
}

async function draftHtml(subject: string): Promise<string[]> {
  const sources = await sourcesBySubject(WRITER, 'Drafts', subject);
  return Promise.all(sources.map(async (src) => (await PostalMime.parse(src)).html ?? ''));
}

test('un brouillon commencé sur un poste se termine et part d’un autre ; kill -9 pendant la saisie ne perd que les dernières secondes', async ({
  browser,
}) => {
  test.setTimeout(180_000);
  const s = servers();
  const recipient = s.users[RECIPIENT];
  const subject = `Note sur le budget des écoles ${crypto.randomUUID().slice(0, 8)}`;

  // First computer: the agent writes; the draft is saved and reaches the server's Brouillons.
  const contextA = await browser.newContext();
  const pageA = await contextA.newPage();
  await openCourrier(pageA, a.url);
  await pageA.getByTestId('compose-new').click();
  const compose = pageA.getByTestId('compose');
  await compose.getByLabel('À', { exact: true }).fill(`${recipient.name} <${recipient.email}>`);
  await compose.getByLabel('Objet').fill(subject);
  // Written formatted (the default): one word in bold.
  await expect(composeBody(compose)).toHaveAttribute('contenteditable', 'true');
  await fillBody(compose, 'Premier paragraphe : les effectifs de la ');
  await composeBody(compose).press('Control+b');
  await typeInBody(compose, 'rentrée');
  await composeBody(compose).press('Control+b');
  await typeInBody(compose, '.');
  await expect(compose.getByText(/Brouillon enregistré à/)).toBeVisible({ timeout: 15_000 });
  await expect.poll(() => draftText(subject), { timeout: 30_000 }).toEqual([expect.stringContaining('Premier paragraphe')]);
  await expect.poll(() => draftHtml(subject), { timeout: 30_000 }).toEqual([expect.stringMatching(/<strong>rentrée<\/strong>/)]);

  // More text, saved locally by the composer; then the agent types on and the first Ostal dies (kill -9) in the
  // middle of a word.
  await appendToBody(compose, '\nDeuxième paragraphe : la cantine.');
  await pageA.waitForTimeout(6_500); // one autosave period (5 s) and a little more
  const typing = composeBody(compose)
    .pressSequentially(' Troisième phrase, tapée pendant l’arrêt brutal du cœur.', { delay: 60 })
    .catch(() => undefined);
  await pageA.waitForTimeout(1_000);
  a.child.kill('SIGKILL');
  await typing;
  await contextA.close();
  // Restarted on the same profile, the pending revision goes to the server: only what was typed in the last
  // seconds before the kill can be missing.
  a = await startOstal({ profileDir: a.profileDir });
  await expect
    .poll(() => draftText(subject), { timeout: 30_000 })
    .toEqual([expect.stringMatching(/Premier paragraphe : les effectifs de la rentrée\.[\s\S]*Deuxième paragraphe : la cantine\./)]);

  // Second computer: the draft is in Brouillons; « Reprendre le brouillon », finish, send.
  const contextB = await browser.newContext();
  const pageB = await contextB.newPage();
  await openCourrier(pageB, b.url);
  await pageB.getByTestId('folder').filter({ hasText: 'Brouillons' }).click();
  await pageB.getByTestId('sync-now').click();
  const row = pageB.getByTestId('message').filter({ hasText: subject });
  await expect(row).toBeVisible({ timeout: 30_000 });
  await row.click();
  await pageB.getByTestId('resume-draft').click();
  const finish = pageB.getByTestId('compose');
  await expect(finish.getByRole('heading', { name: 'Brouillon' })).toBeVisible();
  await expect(finish.getByLabel('Objet')).toHaveValue(subject);
  await expect(finish.getByLabel('À', { exact: true })).toHaveValue(new RegExp(recipient.email.replace(/\./g, '\\.')));
  // Reopened formatted, the bold word still bold.
  await expectBody(finish, /Premier paragraphe : les effectifs de la rentrée\.\n+Deuxième paragraphe : la cantine\./);
  await expect(composeBody(finish).locator('strong', { hasText: 'rentrée' })).toBeVisible();
  await appendToBody(finish, '\nTerminé sur le second poste.');
  await pageB.screenshot({ path: path.join(SHOTS_DIR, 'brouillon-repris.png'), fullPage: true });
  await finish.getByTestId('compose-send').click();
  await expect(finish).toBeHidden();

  // Delivered once with the whole text, and no copy left in Brouillons.
  await expect.poll(async () => (await sourcesBySubject(RECIPIENT, 'INBOX', subject)).length, { timeout: 30_000 }).toBe(1);
  const [delivered] = await sourcesBySubject(RECIPIENT, 'INBOX', subject);
  const mail = await PostalMime.parse(delivered);
  expect(mail.text).toMatch(/Premier paragraphe[\s\S]*Deuxième paragraphe[\s\S]*Terminé sur le second poste\./);
  expect(mail.html).toMatch(/<strong>rentrée<\/strong>/);
  expect(mail.html).toMatch(/Terminé sur le second poste\./);
  await expect.poll(() => draftText(subject), { timeout: 30_000 }).toEqual([]);
  await contextB.close();
});

test('fermer un message écrit demande « Enregistrer le brouillon ? »', async ({ browser }) => {
  const subject = `Réservation de la salle des fêtes ${crypto.randomUUID().slice(0, 8)}`;
  const context = await browser.newContext();
  const page = await context.newPage();
  await openCourrier(page, b.url);

  // Nothing written: Échap closes at once.
  await page.getByTestId('compose-new').click();
  await expect(page.getByTestId('compose')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('compose')).toBeHidden();

  // Written: Échap asks; « Continuer la rédaction » goes back to the text; Échap again, « Enregistrer le brouillon ».
  await page.getByTestId('compose-new').click();
  const compose = page.getByTestId('compose');
  await compose.getByLabel('Objet').fill(subject);
  await fillBody(compose, 'Bonjour, la salle est-elle libre le 12 ?');
  await page.keyboard.press('Escape');
  const confirm = compose.getByTestId('compose-confirm-close');
  await expect(confirm).toBeVisible();
  await expect(confirm.getByRole('heading', { name: 'Enregistrer le brouillon\u00a0?' })).toBeVisible();
  await expect(confirm.getByTestId('compose-keep-draft')).toBeFocused();
  await page.screenshot({ path: path.join(SHOTS_DIR, 'redaction-enregistrer-brouillon.png'), fullPage: true });
  await confirm.getByTestId('compose-continue').click();
  await expect(confirm).toBeHidden();
  await expect(composeBody(compose)).toBeFocused();
  await page.keyboard.press('Escape');
  await compose.getByTestId('compose-keep-draft').click();
  await expect(compose).toBeHidden();
  await expect.poll(() => draftText(subject), { timeout: 30_000 }).toEqual([expect.stringContaining('la salle est-elle libre')]);

  // Reopened and thrown away: « Supprimer le brouillon » removes the server copy.
  await page.getByTestId('folder').filter({ hasText: 'Brouillons' }).click();
  await page.getByTestId('sync-now').click();
  await page.getByTestId('message').filter({ hasText: subject }).click({ timeout: 30_000 });
  await page.getByTestId('resume-draft').click();
  await appendToBody(compose, ' Merci.');
  await page.keyboard.press('Escape');
  await compose.getByTestId('compose-discard-draft').click();
  await expect(compose).toBeHidden();
  await expect.poll(() => draftText(subject), { timeout: 30_000 }).toEqual([]);
  await context.close();
});

test('Échap tapé aussitôt après « Nouveau message », avant que la fenêtre soit prête, la ferme', async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  // Every answer to settings.list comes 1,5 s late: the composer opens before it knows its format and fields.
  await routeApiAnswers(page, 'settings.list', (reply, send) => setTimeout(() => send(reply), 1500));
  await openCourrier(page, b.url);
  await page.getByTestId('compose-new').click();
  await expect(page.getByTestId('compose')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('compose')).toBeHidden();
  // Opened again: once ready, the « À » field has the focus (taken from the dialog).
  await page.getByTestId('compose-new').click();
  await expect(page.getByTestId('compose-to')).toBeFocused({ timeout: 10_000 });
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('compose')).toBeHidden();
  await context.close();
});
