import path from 'node:path';
import fs from 'node:fs';
import { ImapFlow } from 'imapflow';
import { expect, test } from '@playwright/test';
import { SHOTS_DIR, servers, startOstal, type RunningOstal } from './ostal.js';
import { findEnglishWords } from './english-words.js';

/**
 * « Vous venez d’Outlook ? » (issue « Migration »): right after the first account is added by the assistant, the
 * offer opens « Importer »; the sample PST of pst-extractor is imported into agent5's mailbox on the test Dovecot,
 * with the progress (paused and resumed) and the French report. The imported folders are removed at the end.
 */
const PST = path.join(process.cwd(), 'node_modules/pst-extractor/example/testdata/enron.pst');
let ostal: RunningOstal | undefined;

async function removeImported(): Promise<void> {
  const s = servers();
  const user = s.users[4];
  const client = new ImapFlow({
    host: 'localhost',
    port: s.imap.tlsPort,
    secure: true,
    auth: { user: user.username, pass: user.password },
    tls: { ca: fs.readFileSync(s.caCertPath, 'utf8') },
    logger: false,
  });
  await client.connect();
  try {
    const boxes = (await client.list()).filter((b) => b.path === 'lokay-m' || b.path.startsWith('lokay-m' + (b.delimiter ?? '/')));
    for (const b of boxes.sort((a, b2) => b2.path.length - a.path.length)) await client.mailboxDelete(b.path).catch(() => undefined);
  } finally {
    await client.logout();
  }
}

test.afterEach(async () => {
  await ostal?.stop();
  ostal = undefined;
  await removeImported();
});

test('premier lancement : « Vous venez d’Outlook ? » importe le PST d’exemple avec la progression et le rapport', async ({ page }) => {
  test.setTimeout(180_000);
  const s = servers();
  const agent = s.users[4];
  await removeImported();
  ostal = await startOstal({ env: { OSTAL_IMPORT_ITEM_DELAY_MS: '100' } });
  await page.goto(ostal.url);
  await page.getByLabel('Votre nom').fill(agent.name);
  await page.getByLabel('Adresse de courriel').fill(agent.email);
  await page.getByLabel('Mot de passe', { exact: true }).fill(agent.password);
  await page.getByTestId('assistant-continue').click();
  await expect(page.getByTestId('assistant-step-review')).toBeVisible({ timeout: 30_000 });
  await page.getByTestId('assistant-add').click();

  const offer = page.getByTestId('import-offer');
  await expect(offer).toBeVisible({ timeout: 30_000 });
  await expect(offer).toContainText('Vous venez d’Outlook\u00a0?');
  await page.screenshot({ path: path.join(SHOTS_DIR, 'migration-assistant.png') });
  await offer.getByTestId('import-offer-open').click();

  const panel = page.getByTestId('import-panel');
  await expect(panel).toBeVisible();
  // A path that does not exist: the import ends at once on the French message (not « 0 éléments sur 0 » for ever),
  // and the form is there again to correct the path.
  await panel.getByTestId('import-paths').fill(path.resolve('introuvable', 'archive.pst'));
  await panel.getByTestId('import-start').click();
  await expect(panel.getByTestId('import-report').getByRole('alert')).toHaveText('Le fichier «\u00a0archive.pst\u00a0» est introuvable.', {
    timeout: 10_000,
  });
  await expect(panel.getByTestId('import-progress')).toBeHidden();
  await panel.getByTestId('import-paths').fill(PST);
  await panel.getByTestId('import-start').click();
  const progress = panel.getByTestId('import-progress');
  await expect(progress).toBeVisible();
  // Counts and time left while it runs.
  await expect(progress.getByTestId('import-remaining')).toContainText(/Environ \d+ (s|min) restantes/, { timeout: 30_000 });
  await expect(progress).toContainText(/\d+ éléments sur 71/);
  await page.screenshot({ path: path.join(SHOTS_DIR, 'migration-progression.png') });
  await page.screenshot({ path: path.join(SHOTS_DIR, 'import-outlook-progression.png') });
  // « Suspendre »: nothing more is imported until « Reprendre ».
  await progress.getByTestId('import-pause').click();
  await expect(progress.getByTestId('import-remaining')).toContainText('Importation suspendue');
  // The message being appended when « Suspendre » was pressed may still finish: read the count once it settled.
  await page.waitForTimeout(1000);
  const pausedAt = await progress.locator('label').textContent();
  await page.waitForTimeout(1500);
  expect(await progress.locator('label').textContent()).toBe(pausedAt);
  await expect(progress.getByTestId('import-pause')).toHaveText('Reprendre');
  await progress.getByTestId('import-pause').click();

  const report = panel.getByTestId('import-report');
  await expect(report).toBeVisible({ timeout: 120_000 });
  await expect(report.getByTestId('import-summary')).toHaveText(
    'Éléments importés\u00a0: 71\u00a0; déjà présents\u00a0: 0\u00a0; ignorés\u00a0: 0.',
  );
  await expect(report).toContainText('lokay-m / MLOKAY (Non-Privileged) / Personal');
  await report.scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(SHOTS_DIR, 'migration-rapport.png') });
  await page.screenshot({ path: path.join(SHOTS_DIR, 'import-outlook-rapport.png') });
  // Everything on screen is French (no English word outside the file's own folder names, shown as they are).
  const text = (await page.locator('main').innerText()).replace(/lokay-m[^\n\t]*/g, '');
  expect(findEnglishWords(text)).toEqual([]);
});
