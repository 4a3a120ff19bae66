import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import Database from 'better-sqlite3';
import { expect, test, type Page } from '@playwright/test';
import { publishCaptures } from '../../scripts/aide-captures.mjs';
import { SHOTS_DIR, addAccountByCli, servers, startOstal, tempProfile, type RunningOstal } from './ostal.js';

/**
 * « Aide », the offline help centre: F1 opens it from any screen, the search ignores accents, a page shows the
 * screenshots the e2e suite took in this very run, the « ? » of a setting leads to its page, and « Quoi de neuf »
 * shows once after an update.
 *
 * Ordering: the specs run in file order on one worker, so aide-* runs before the specs whose screenshots other pages
 * show. This spec therefore takes the screenshot of the page it checks (`aide-reponse-automatique.png`, Réglages ›
 * Courrier) itself, publishes the captures with the same code `npm test` runs after the whole suite
 * (scripts/aide-captures.mjs), and checks that the image the page shows is byte for byte that file, written after
 * the test started. The other pages' screenshots are published again after the suite, by `npm test`.
 */
let ostal: RunningOstal;
let profileDir: string;
test.beforeAll(async () => {
  profileDir = tempProfile();
  addAccountByCli(profileDir, servers().users[2]);
  ostal = await startOstal({ profileDir });
});
test.afterAll(async () => {
  await ostal?.stop();
});

async function seriousAxe(page: Page): Promise<string[]> {
  const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return axe.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.length})`);
}

const sha256 = (bytes: Buffer) => crypto.createHash('sha256').update(bytes).digest('hex');

test('F1 ouvre l’aide, « reponse automatique » trouve la page, et ses captures sont celles de cette exécution', async ({ page }) => {
  const started = Date.now();
  await page.goto(ostal.url);
  await expect(page.getByTestId('nav-courrier')).toBeVisible();
  await expect(page.getByTestId('folder').filter({ hasText: 'Boîte de réception' })).toBeVisible({ timeout: 30_000 });

  // The screenshot the page « Mettre une réponse automatique » shows, taken now.
  await page.getByTestId('nav-reglages').click();
  await page.getByTestId('reglages-courrier').click();
  await expect(page.getByTestId('vacation-card')).toBeVisible({ timeout: 30_000 });
  await page.screenshot({ path: path.join(SHOTS_DIR, 'aide-reponse-automatique.png') });
  const published = publishCaptures();
  expect(published.copied).toContain('aide-reponse-automatique.png');

  // F1 from Courrier, with focus in the message list.
  await page.getByTestId('nav-courrier').click();
  await page.getByTestId('message-list').focus();
  await page.keyboard.press('F1');
  await expect(page.getByRole('heading', { level: 1, name: 'Aide' })).toBeVisible();
  await expect(page.getByTestId('aide-lien')).toHaveCount(35);

  // The search, without accents, finds the page first; the count is announced (role=status).
  const search = page.getByTestId('aide-recherche');
  await search.focus();
  await page.keyboard.type('reponse automatique');
  const results = page.getByTestId('aide-resultats').getByTestId('aide-lien');
  await expect(results.first()).toHaveText('Mettre une réponse automatique');
  await expect(page.getByTestId('aide-nombre')).toContainText('trouvée');
  await page.screenshot({ path: path.join(SHOTS_DIR, 'aide-recherche.png') });
  expect(await seriousAxe(page)).toEqual([]);
  // Other spellings find it too.
  await search.fill('RÉPONSE Automatique');
  await expect(results.first()).toHaveText('Mettre une réponse automatique');
  await search.fill('absence');
  await expect(results).toContainText(['Mettre une réponse automatique']);
  await search.fill('zzzz introuvable');
  await expect(page.getByTestId('aide-nombre')).toHaveText('Aucune page ne correspond. Essayez un autre mot.');
  await search.fill('reponse automatique');

  // Opened by the keyboard.
  await results.first().focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'Mettre une réponse automatique' })).toBeFocused();
  const figure = page.getByTestId('aide-capture');
  await expect(figure).toHaveCount(1);
  await expect(figure).toHaveAttribute('data-capture', 'aide-reponse-automatique.png');
  const img = figure.locator('img');
  await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth)).toBeGreaterThan(0);
  // The bytes the page received are the file this run wrote.
  const served = await page.evaluate(
    async (src) => {
      const response = await fetch(src, { cache: 'no-store' });
      return Array.from(new Uint8Array(await response.arrayBuffer()));
    },
    await img.evaluate((el: HTMLImageElement) => el.src),
  );
  const file = path.join(SHOTS_DIR, 'aide-reponse-automatique.png');
  expect(fs.statSync(file).mtimeMs).toBeGreaterThanOrEqual(started);
  expect(sha256(Buffer.from(served))).toBe(sha256(fs.readFileSync(file)));
  await page.screenshot({ path: path.join(SHOTS_DIR, 'aide-page.png'), fullPage: true });
  expect(await seriousAxe(page)).toEqual([]);

  // A link to another page, then back to the list; the shortcuts are one button away.
  await page.getByRole('link', { name: 'Trier le courrier avec des règles' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Trier le courrier avec des règles' })).toBeVisible();
  await page.getByTestId('aide-retour').click();
  await expect(page.getByRole('heading', { level: 1, name: 'Aide' })).toBeFocused();
  await page.getByTestId('aide-raccourcis').click();
  const dialog = page.getByTestId('shortcuts-dialog');
  await expect(dialog).toContainText('Ctrl+Maj+R');
  await expect(dialog).toContainText('Ouvrir l’aide');
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  // The accessibility statement is one button away too (Réglages › Accessibilité).
  await page.getByTestId('aide-accessibilite').click();
  await expect(page.getByRole('article', { name: 'Déclaration d’accessibilité d’Ostal' })).toBeVisible();

  // The « ? » of Réponse automatique in Réglages › Courrier leads to the page.
  await page.getByTestId('nav-reglages').click();
  await page.getByTestId('reglages-courrier').click();
  const question = page.getByTestId('aide-question-reponse-automatique');
  await expect(question).toHaveAccessibleName('Aide\u00a0: Mettre une réponse automatique');
  await question.click();
  await expect(page.getByRole('heading', { level: 1, name: 'Mettre une réponse automatique' })).toBeVisible();
});

test('« Quoi de neuf » s’affiche une fois après une mise à jour, jamais au premier lancement', async ({ page }) => {
  await page.goto(ostal.url);
  await expect(page.getByTestId('nav-courrier')).toBeVisible();
  // First launch of this profile: nothing shown, the version is noted.
  await expect(page.getByTestId('quoi-de-neuf')).toHaveCount(0);
  const db = () => new Database(path.join(profileDir, 'ostal.sqlite'), { readonly: true });
  await expect
    .poll(() => {
      const conn = db();
      try {
        return (conn.prepare("SELECT value FROM settings WHERE key = 'aide.versionVue'").get() as { value: string } | undefined)?.value;
      } finally {
        conn.close();
      }
    })
    .toBe('"0.1.0"');

  // As if the agent had used an older version: the next start shows what changed, once.
  await ostal.stop();
  const conn = new Database(path.join(profileDir, 'ostal.sqlite'));
  conn.prepare("UPDATE settings SET value = '\"0.0.9\"' WHERE key = 'aide.versionVue'").run();
  conn.close();
  ostal = await startOstal({ profileDir });
  await page.goto(ostal.url);
  const news = page.getByTestId('quoi-de-neuf');
  await expect(news).toBeVisible({ timeout: 30_000 });
  await expect(news.getByRole('heading', { name: 'Quoi de neuf dans Ostal\u00a0?' })).toBeVisible();
  await expect(news).toContainText('Version 0.1.0');
  await expect(news).toContainText('Aide hors ligne');
  await page.screenshot({ path: path.join(SHOTS_DIR, 'aide-quoi-de-neuf.png') });
  expect(await seriousAxe(page)).toEqual([]);
  await page.keyboard.press('Escape');
  await expect(news).toBeHidden();
  await page.reload();
  await expect(page.getByTestId('nav-courrier')).toBeVisible();
  await expect(page.getByTestId('folder').first()).toBeVisible({ timeout: 30_000 });
  await expect(news).toHaveCount(0);
  // Still there from « Aide ».
  await page.getByTestId('nav-aide').click();
  await page.getByTestId('aide-quoi-de-neuf').click();
  await expect(news).toContainText('Version 0.1.0');
  await news.getByTestId('quoi-de-neuf-fermer').click();
  await expect(news).toBeHidden();
});
