import crypto from 'node:crypto';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { lastEnvelope } from './courrier-imap.js';
import { composeBody, expectBody, fillBody } from './compose-body.js';
import { SHOTS_DIR, addAccountByCli, servers, startOstal, tempProfile, type RunningOstal } from './ostal.js';

/**
 * Envoi de bout en bout: agent2 writes to agent3 with an attachment in the UI (Boîte d'envoi → Postfix submission);
 * agent3's open Ostal (second profile, second page) shows it in its Boîte de réception within seconds (IDLE);
 * agent3 replies from the UI; the reply reaches agent2 with « Re » and the same thread (In-Reply-To).
 */
let a: RunningOstal;
let b: RunningOstal;

test.beforeAll(async () => {
  const s = servers();
  const profileA = tempProfile();
  const profileB = tempProfile();
  addAccountByCli(profileA, s.users[1]);
  addAccountByCli(profileB, s.users[2]);
  [a, b] = await Promise.all([startOstal({ profileDir: profileA }), startOstal({ profileDir: profileB })]);
});

test.afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
});

test('envoi d’un message avec pièce jointe, réception par IDLE chez le destinataire et réponse dans le même fil', async ({ browser }) => {
  const s = servers();
  const agent2 = s.users[1];
  const agent3 = s.users[2];
  const subject = `Compte rendu de la réunion d’envoi ${crypto.randomUUID().slice(0, 8)}`;

  const contextA = await browser.newContext();
  const contextB = await browser.newContext();
  const pageA = await contextA.newPage();
  const pageB = await contextB.newPage();
  await pageA.goto(a.url);
  await pageB.goto(b.url);
  await expect(pageA.getByTestId('folder').filter({ hasText: 'Boîte de réception' })).toBeVisible({ timeout: 30_000 });
  await expect(pageB.getByTestId('folder').filter({ hasText: 'Boîte de réception' })).toBeVisible({ timeout: 30_000 });
  await expect(pageB.getByTestId('message').first()).toBeVisible({ timeout: 30_000 });

  // agent2 writes.
  await pageA.getByTestId('compose-new').click();
  const compose = pageA.getByTestId('compose');
  await expect(compose).toBeVisible();
  await expect(compose.getByRole('heading', { name: 'Nouveau message' })).toBeVisible();
  await compose.getByLabel('À', { exact: true }).fill(`${agent3.name} <${agent3.email}>`);
  await compose.getByLabel('Objet').fill(subject);
  await fillBody(compose, 'Bonjour,\n\nvous trouverez le compte rendu en pièce jointe.\n\nBien cordialement,\nDominique');
  await compose.getByTestId('compose-file').setInputFiles({
    name: 'compte rendu été.txt',
    mimeType: 'text/plain',
    buffer: Buffer.from('Ordre du jour : budget 2027, travaux de la mairie.'),
  });
  await expect(compose.getByTestId('compose-attachment')).toContainText('compte rendu été.txt');
  await pageA.screenshot({ path: path.join(SHOTS_DIR, 'envoi-redaction.png'), fullPage: true });
  await compose.getByTestId('compose-send').click();
  await expect(compose).toBeHidden();
  const sentAt = Date.now();

  // agent3's open Boîte de réception shows it within seconds, without any click (IDLE).
  const arrived = pageB.getByTestId('message').filter({ hasText: subject });
  await expect(arrived).toBeVisible({ timeout: 15_000 });
  const delay = Date.now() - sentAt;
  expect(delay).toBeLessThan(15_000);
  await expect(arrived.locator('.attachment-mark')).toBeVisible();

  // agent3 replies from the reader.
  await arrived.click();
  await pageB.getByTestId('reply').click();
  const reply = pageB.getByTestId('compose');
  await expect(reply.getByRole('heading', { name: 'Répondre' })).toBeVisible();
  await expect(reply.getByLabel('À', { exact: true })).toHaveValue(`${agent2.name} <${agent2.email}>`);
  await expect(reply.getByLabel('Objet')).toHaveValue(`Re\u00a0: ${subject}`);
  // The original was written formatted (the default): the reply is formatted too, the original quoted under the caret.
  await expect(composeBody(reply)).toHaveAttribute('contenteditable', 'true');
  await expectBody(reply, /a écrit\u00a0:\n+Bonjour,/);
  await expect(composeBody(reply).locator('blockquote')).toContainText('vous trouverez le compte rendu en pièce jointe.');
  await expect(composeBody(reply)).toBeFocused();
  await composeBody(reply).pressSequentially('Merci, bien reçu.');
  await expectBody(reply, /^Merci, bien reçu\./);
  await pageB.screenshot({ path: path.join(SHOTS_DIR, 'envoi-reponse.png'), fullPage: true });
  await composeBody(reply).press('Control+Enter');
  await expect(reply).toBeHidden();

  // The reply reaches agent2 in the same thread.
  await expect(pageA.getByTestId('message').filter({ hasText: `Re\u00a0: ${subject}` })).toBeVisible({ timeout: 20_000 });
  const original = await lastEnvelope(2, subject);
  expect(original).not.toBeNull();
  const threaded = await lastEnvelope(1, `Re\u00a0: ${subject}`);
  expect(threaded?.subject).toBe(`Re\u00a0: ${subject}`);
  expect(threaded?.inReplyTo).toMatch(/^<[0-9a-f-]{36}@ostal\.test>$/);

  // agent2's Envoyés holds the message sent, without « Synchroniser », and its row says to whom it went (not
  // agent2's own name on every row).
  await pageA.getByTestId('folder').filter({ hasText: 'Envoyés' }).click();
  const sentRow = pageA.getByTestId('message').filter({ hasText: subject }).first();
  await expect(sentRow).toBeVisible({ timeout: 20_000 });
  await expect(sentRow.locator('.message-from')).toHaveText(`À\u00a0: ${agent3.name}`);
  // Opened: « De » is agent2 itself, with no « Discuter » (a discussion with oneself).
  await sentRow.click();
  const headers = pageA.getByTestId('reader-headers');
  await expect(headers).toContainText(agent3.email);
  await expect(headers.getByTestId('contact-discuss')).toHaveCount(0);
  await pageA.screenshot({ path: path.join(SHOTS_DIR, 'envoi-envoyes.png') });

  await contextA.close();
  await contextB.close();
});

test('la boîte d’envoi montre un envoi incertain en français avec le choix de renvoyer ou supprimer', async ({ browser }) => {
  const s = servers();
  const profile = tempProfile();
  addAccountByCli(profile, s.users[3]);
  // A send interrupted by the death of the process: the row stays 'sending'; the next start makes it uncertain.
  const { spawnSync } = await import('node:child_process');
  const script = `
    import { Core } from './src/core.ts';
    const core = await Core.open({ profileDir: process.argv[1], mode: 'cli' });
    const [account] = await core.handle('accounts.list', {});
    const m = await core.handle('mail.send', { accountId: account.id, to: ['${s.users[4].email}'], subject: 'Rapport annuel (envoi interrompu)', text: 'x' });
    core.ctx.db.prepare("UPDATE outbox SET state = 'sending' WHERE id = ?").run(m.id);
    await core.close();
  `;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, profile], {
    encoding: 'utf8',
    env: { ...process.env, NODE_EXTRA_CA_CERTS: s.caCertPath },
  });
  expect(r.status, r.stderr).toBe(0);

  const c = await startOstal({ profileDir: profile });
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(c.url);
    await page.getByTestId('outbox-folder').click();
    const item = page.getByTestId('outbox-item').filter({ hasText: 'Rapport annuel (envoi interrompu)' });
    await expect(item.getByTestId('outbox-state')).toHaveText('Envoi incertain');
    await expect(item).toContainText('Ce message a peut-être déjà été envoyé. Vérifiez vos Envoyés avant de le renvoyer.');
    await expect(item.getByRole('button', { name: 'Renvoyer' })).toBeVisible();
    await expect(item.getByRole('button', { name: 'Supprimer de la boîte d’envoi' })).toBeVisible();
    await page.screenshot({ path: path.join(SHOTS_DIR, 'envoi-boite-d-envoi.png'), fullPage: true });
    await item.getByRole('button', { name: 'Supprimer de la boîte d’envoi' }).click();
    await expect(item).toBeHidden();
    await expect(page.getByTestId('outbox-folder')).toBeHidden();
  } finally {
    await context.close();
    await c.stop();
  }
});
