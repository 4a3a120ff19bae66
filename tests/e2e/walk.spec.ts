import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { findEnglishWords } from './english-words.js';
import { SHOTS_DIR, addAccountByCli, servers, startOstal, tempProfile, type RunningOstal } from './ostal.js';

/**
 * Walks every screen with a real account: no English word in the rendered text, `title`, `aria-label`,
 * `placeholder` or `alt`; no serious or critical axe-core violation (RGAA); a screenshot of each.
 */
let ostal: RunningOstal;
test.beforeAll(async () => {
  const profileDir = tempProfile();
  addAccountByCli(profileDir, servers().users[2]);
  ostal = await startOstal({ profileDir });
});
test.afterAll(async () => {
  await ostal?.stop();
});

async function visibleTexts(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [document.title];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (el && el.closest('script,style')) continue;
      if (n.textContent?.trim()) out.push(n.textContent.trim());
    }
    for (const el of Array.from(document.querySelectorAll('[title],[aria-label],[placeholder],[alt],[aria-description]'))) {
      for (const attr of ['title', 'aria-label', 'placeholder', 'alt', 'aria-description']) {
        const v = el.getAttribute(attr);
        if (v) out.push(v);
      }
    }
    return out;
  });
}

async function checkScreen(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SHOTS_DIR, `walk-${name}.png`), fullPage: true });
  const english = (await visibleTexts(page)).flatMap((text) => findEnglishWords(text).map((w) => `${w} in « ${text} »`));
  expect(english, `English words on screen ${name}`).toEqual([]);
  const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const bad = axe.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.length})`);
  expect(bad, `axe-core violations on screen ${name}`).toEqual([]);
}

test('parcours de tous les écrans : tout en français, accessible (axe-core), avec captures', async ({ page }) => {
  await page.goto(ostal.url);
  await expect(page.getByTestId('nav-courrier')).toBeVisible();
  await expect(page.getByTestId('folder').filter({ hasText: 'Boîte de réception' })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('message').first()).toBeVisible({ timeout: 30_000 });
  await checkScreen(page, 'courrier');

  for (const view of ['agenda', 'contacts', 'fichiers', 'visio', 'espaces']) {
    await page.getByTestId(`nav-${view}`).click();
    await expect(page.getByRole('main')).toBeVisible();
    await checkScreen(page, view);
  }

  await page.getByTestId('nav-reglages').click();
  await page.getByTestId('reglages-comptes').click();
  await expect(page.getByTestId('account').first()).toBeVisible();
  // The espaces de travail's server (found by SRV), in words as the others: never a raw xmpp:// address.
  await expect(page.getByTestId('account').first()).toContainText(
    new RegExp(`Discussions des espaces \\(XMPP\\)localhost, port ${servers().prosody.port}, STARTTLS`),
  );
  await expect(page.getByTestId('account').first()).not.toContainText('xmpp://');
  await checkScreen(page, 'reglages-comptes');
  await page.getByTestId('edit-account').first().click();
  await expect(page.getByTestId('account-editor')).toBeVisible();
  await checkScreen(page, 'reglages-compte-modifier');
  await page.getByTestId('reglages-general').click();
  await expect(page.getByTestId('setting-mail.offlineWindow')).toBeVisible();
  await checkScreen(page, 'reglages-general');
  await page.getByTestId('reglages-accessibilite').click();
  await expect(page.getByTestId('accessibilite-declaration')).toBeVisible();
  await checkScreen(page, 'reglages-accessibilite');
  await page.getByTestId('reglages-comptes').click();
  await page.getByTestId('add-account').click();
  await expect(page.getByTestId('account-assistant')).toBeVisible();
  await checkScreen(page, 'assistant');

  // « Aide »: the list of pages, one page with its screenshots, and the « ? » of a setting leading to its page.
  await page.getByTestId('nav-aide').click();
  await expect(page.getByTestId('aide-recherche')).toBeVisible();
  await checkScreen(page, 'aide');
  await page.getByTestId('aide-lien').filter({ hasText: 'Travailler hors ligne' }).click();
  await expect(page.getByTestId('aide-page')).toBeVisible();
  await checkScreen(page, 'aide-page');
  await page.getByTestId('nav-reglages').click();
  await page.getByTestId('reglages-general').click();
  await page.getByTestId('aide-question-hors-ligne').click();
  await expect(page.getByRole('heading', { level: 1, name: 'Travailler hors ligne' })).toBeVisible();
});

test('navigation au clavier : chaque entrée du menu est atteignable avec Tab et a un focus visible', async ({ page }) => {
  await page.goto(ostal.url);
  await expect(page.getByTestId('nav-courrier')).toBeVisible();
  const reached = new Set<string>();
  for (let i = 0; i < 40 && reached.size < 8; i++) {
    await page.keyboard.press('Tab');
    const info = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el) return null;
      const style = getComputedStyle(el);
      return {
        testId: el.getAttribute('data-testid'),
        outline: style.outlineStyle !== 'none' && style.outlineWidth !== '0px',
        shadow: style.boxShadow !== 'none',
      };
    });
    if (info?.testId?.startsWith('nav-')) {
      reached.add(info.testId);
      expect(info.outline || info.shadow, `visible focus on ${info.testId}`).toBe(true);
    }
  }
  expect([...reached].sort()).toEqual([
    'nav-agenda',
    'nav-aide',
    'nav-contacts',
    'nav-courrier',
    'nav-espaces',
    'nav-fichiers',
    'nav-reglages',
    'nav-visio',
  ]);
  await page.keyboard.press('Enter');
  await page.screenshot({ path: path.join(SHOTS_DIR, 'walk-clavier.png') });
});

test('au repos, aucune vue ne questionne le cœur en boucle (appels d’API comptés pendant 3 s sur chaque vue)', async ({ page }) => {
  test.setTimeout(120_000);
  const socket = page.waitForEvent('websocket');
  await page.goto(ostal.url);
  const ws = await socket;
  const calls = new Map<string, number>();
  ws.on('framesent', (frame) => {
    const method = /"method":"([^"]+)"/.exec(String(frame.payload))?.[1];
    if (method) calls.set(method, (calls.get(method) ?? 0) + 1);
  });
  await expect(page.getByTestId('message').first()).toBeVisible({ timeout: 30_000 });
  const counted: Record<string, Record<string, number>> = {};
  for (const view of ['courrier', 'agenda', 'contacts', 'fichiers', 'visio', 'espaces', 'reglages', 'aide']) {
    await page.getByTestId(`nav-${view}`).click();
    await expect(page.getByRole('main')).toBeVisible();
    await page.waitForTimeout(2_000); // the view's own loading is done
    calls.clear();
    await page.waitForTimeout(3_000);
    counted[view] = Object.fromEntries(calls);
  }
  // A view at rest asks the core only for what its timers ask (status, reminders every 30 s): a few calls, not hundreds.
  const busy = Object.entries(counted).filter(([, byMethod]) => Object.values(byMethod).reduce((a, b) => a + b, 0) > 8);
  console.log('appels au repos, par vue :', JSON.stringify(counted));
  expect(busy, JSON.stringify(counted)).toEqual([]);
});
