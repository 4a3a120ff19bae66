import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import Database from 'better-sqlite3';
import { expect, test, type Page } from '@playwright/test';
import { SHOTS_DIR, addAccountByCli, servers, startOstal, tempProfile, type RunningOstal } from './ostal.js';

/**
 * The visites guidées: at first launch each module's tour starts by itself, runs with the keyboard alone (Tab,
 * Entrée, Échap), never traps focus, has no serious axe-core violation at any step, is remembered for the profile
 * (setting aide.visitesVues) and can be replayed from « Aide ». The other specs keep it off (OSTAL_VISITE_GUIDEE=off
 * in tests/e2e/ostal.ts); this one turns it on. No mouse event: navigation is focus + Entrée.
 */
let ostal: RunningOstal;
let profileDir: string;
test.beforeAll(async () => {
  profileDir = tempProfile();
  addAccountByCli(profileDir, servers().users[2]);
  ostal = await startOstal({ profileDir, env: { OSTAL_VISITE_GUIDEE: 'on' } });
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

/** Runs the open tour of `module` to its end with Tab and Entrée, checking each step; returns the number of steps. */
async function walkTour(page: Page, module: string): Promise<number> {
  const bubble = page.getByTestId('visite');
  await expect(bubble).toHaveAttribute('data-module', module);
  let steps = 0;
  for (;;) {
    steps++;
    await expect(bubble).toHaveAttribute('data-step', String(steps));
    // Focus is in the bubble (its dialog title and text are read), the step is named.
    await expect(bubble).toBeFocused();
    await expect(bubble).toContainText(`Étape ${steps} sur`);
    await page.screenshot({ path: path.join(SHOTS_DIR, `aide-visite-${module}-${steps}.png`) });
    expect(await seriousAxe(page), `axe, visite ${module}, étape ${steps}`).toEqual([]);
    await page.keyboard.press('Tab');
    const next = page.getByTestId('visite-suivant');
    await expect(next).toBeFocused();
    const last = (await next.textContent()) === 'Terminer';
    await page.keyboard.press('Enter');
    if (last) break;
    expect(steps).toBeLessThan(10);
  }
  await expect(bubble).toHaveCount(0);
  return steps;
}

async function openByKeyboard(page: Page, testId: string): Promise<void> {
  await page.getByTestId(testId).focus();
  await page.keyboard.press('Enter');
}

function seenInProfile(): string | undefined {
  const db = new Database(path.join(profileDir, 'ostal.sqlite'), { readonly: true });
  try {
    const row = db.prepare("SELECT value FROM settings WHERE key = 'aide.visitesVues'").get() as { value: string } | undefined;
    return row ? (JSON.parse(row.value) as string) : undefined;
  } finally {
    db.close();
  }
}

test('visite guidée de chaque module au clavier seul, accessible, retenue pour le profil et rejouable depuis « Aide »', async ({
  page,
}) => {
  await page.goto(ostal.url);
  // First launch: Courrier's tour starts by itself, pointing at « Nouveau message ».
  const bubble = page.getByTestId('visite');
  await expect(bubble).toBeVisible({ timeout: 30_000 });
  await expect(bubble).toHaveAttribute('data-module', 'courrier');
  await expect(bubble).toHaveAttribute('role', 'dialog');
  await expect(bubble.getByRole('heading', { name: 'Écrire un message' })).toBeVisible();

  // Never a trap: Tab goes through the bubble's buttons and out to the page, Maj+Tab comes back.
  await expect(bubble).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('visite-suivant')).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('visite-passer')).toBeFocused();
  await page.keyboard.press('Tab');
  expect(await page.evaluate(() => !!document.activeElement && !document.activeElement.closest('[data-testid="visite"]'))).toBe(true);
  await expect(bubble).toBeVisible();
  await page.keyboard.press('Shift+Tab');
  await expect(page.getByTestId('visite-passer')).toBeFocused();
  await page.keyboard.press('Shift+Tab');
  await expect(page.getByTestId('visite-suivant')).toBeFocused();
  // « Suivant » moves on: focus goes into the bubble again, on step 2, and walkTour goes on from there.
  await page.keyboard.press('Enter');
  await expect(bubble).toHaveAttribute('data-step', '2');
  await expect(bubble).toBeFocused();
  // « Précédent » comes back to step 1.
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('visite-precedent')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(bubble).toHaveAttribute('data-step', '1');

  const counts: Record<string, number> = {};
  counts.courrier = await walkTour(page, 'courrier');
  for (const module of ['agenda', 'fichiers', 'visio', 'espaces']) {
    await openByKeyboard(page, `nav-${module}`);
    await expect(bubble).toBeVisible({ timeout: 15_000 });
    counts[module] = await walkTour(page, module);
  }
  // Contacts: Échap closes the tour at its first step, and focus goes back to the page.
  await openByKeyboard(page, 'nav-contacts');
  await expect(bubble).toHaveAttribute('data-module', 'contacts');
  await expect(bubble).toBeFocused();
  await page.screenshot({ path: path.join(SHOTS_DIR, 'aide-visite-contacts-1.png') });
  expect(await seriousAxe(page)).toEqual([]);
  await page.keyboard.press('Escape');
  await expect(bubble).toHaveCount(0);
  expect(await page.evaluate(() => document.activeElement?.closest('#main') !== null)).toBe(true);

  // Every module points at real controls: more than the closing « Aide » step.
  for (const module of ['courrier', 'agenda', 'visio']) expect(counts[module], module).toBeGreaterThanOrEqual(3);

  // Remembered for the profile: after a reload no tour starts again.
  await expect.poll(seenInProfile).toBe('courrier,agenda,contacts,fichiers,visio,espaces');
  await page.reload();
  await expect(page.getByTestId('folder').first()).toBeVisible({ timeout: 30_000 });
  await openByKeyboard(page, 'nav-agenda');
  await expect(page.getByTestId('new-event')).toBeVisible();
  await page.waitForTimeout(1500);
  await expect(bubble).toHaveCount(0);

  // Replayed from « Aide » (F1), by the keyboard.
  await page.keyboard.press('F1');
  await expect(page.getByRole('heading', { level: 1, name: 'Aide' })).toBeVisible();
  await openByKeyboard(page, 'aide-visite-agenda');
  await expect(bubble).toHaveAttribute('data-module', 'agenda');
  await expect(page.getByTestId('nav-agenda')).toHaveAttribute('aria-current', 'page');
  expect(await walkTour(page, 'agenda')).toBe(counts.agenda);
  await page.keyboard.press('F1');
  await openByKeyboard(page, 'aide-visite-courrier');
  await expect(bubble).toHaveAttribute('data-module', 'courrier');
  await expect(bubble).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(bubble).toHaveCount(0);
});
