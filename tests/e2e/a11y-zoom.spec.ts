import path from 'node:path';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { SHOTS_DIR, addAccountByCli, servers, startOstal, tempProfile, type RunningOstal } from './ostal.js';

/**
 * RGAA 10.4, 10.11, 13.9 (200 % zoom, 320 px reflow, portrait), 3.3 and 10.7 in Windows high-contrast mode
 * (forced-colors: active), 13.8 (prefers-reduced-motion), on every main screen.
 *
 * 200 % zoom: Chromium's page zoom at 200 % in a 1 280 × 800 window lays the page out in a 640 × 400 CSS-pixel
 * viewport with devicePixelRatio 2. Playwright cannot set the browser's zoom, so the context gets exactly that:
 * viewport 640 × 400 and deviceScaleFactor 2 (same CSS pixels, same media queries, text drawn twice as big).
 * CSS `zoom` on the root is not used: it leaves the viewport at 1 280 px, so media queries never react to it,
 * unlike a real zoom.
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

const SCREENS = ['courrier', 'agenda', 'contacts', 'fichiers', 'visio', 'espaces', 'reglages', 'aide'] as const;

async function open(page: Page, view: (typeof SCREENS)[number]): Promise<void> {
  if (view !== 'courrier') await page.getByTestId(`nav-${view}`).click();
  await expect(page.getByRole('main').getByRole('heading', { level: 1 })).toBeVisible();
  if (view === 'courrier') await expect(page.getByTestId('message').first()).toBeVisible({ timeout: 30_000 });
  // Let lazily loaded parts (Visio's chunk, the Agenda's week) settle.
  await page.waitForTimeout(300);
}

interface Cut {
  what: string;
  why: string;
}

/** Controls outside the viewport horizontally or clipped by an ancestor with overflow hidden/clip. */
async function reflowProblems(page: Page): Promise<{ scrollWidth: number; clientWidth: number; cuts: Cut[] }> {
  return page.evaluate(() => {
    const root = document.scrollingElement!;
    const cuts: { what: string; why: string }[] = [];
    const describe = (el: Element) =>
      `${el.tagName.toLowerCase()}${el.getAttribute('data-testid') ? `[data-testid=${el.getAttribute('data-testid')}]` : ''} « ${(
        el.getAttribute('aria-label') ??
        (el as HTMLElement).innerText ??
        ''
      )
        .trim()
        .slice(0, 40)} »`;
    const controls = document.querySelectorAll('button, input:not([type=hidden]), select, textarea, a[href], [role=button], [role=tab]');
    for (const el of Array.from(controls)) {
      if (el.closest('.visually-hidden, .skip-link')) continue;
      const box = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      if (box.width <= 1 || box.height <= 1 || style.visibility === 'hidden' || style.opacity === '0') continue;
      if (box.left < -1 || box.right > window.innerWidth + 1) {
        cuts.push({ what: describe(el), why: `hors de la fenêtre (${Math.round(box.left)} → ${Math.round(box.right)})` });
        continue;
      }
      for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
        const s = getComputedStyle(a);
        const clipsX = /hidden|clip/.test(s.overflowX);
        const clipsY = /hidden|clip/.test(s.overflowY);
        if (!clipsX && !clipsY) continue;
        const r = a.getBoundingClientRect();
        if (clipsX && (box.left < r.left - 1 || box.right > r.right + 1)) {
          cuts.push({ what: describe(el), why: `coupé en largeur par ${describe(a)}` });
          break;
        }
        if (clipsY && (box.top < r.top - 1 || box.bottom > r.bottom + 1) && box.top < r.bottom && box.bottom > r.top) {
          cuts.push({ what: describe(el), why: `coupé en hauteur par ${describe(a)}` });
          break;
        }
      }
    }
    return { scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, cuts };
  });
}

async function walkAt(browser: Browser, name: string, viewport: { width: number; height: number }, scale: number): Promise<void> {
  const context = await browser.newContext({ viewport, deviceScaleFactor: scale, locale: 'fr-FR', timezoneId: 'Europe/Paris' });
  const page = await context.newPage();
  try {
    await page.goto(ostal.url);
    const problems: string[] = [];
    for (const view of SCREENS) {
      await open(page, view);
      await page.screenshot({ path: path.join(SHOTS_DIR, `a11y-${name}-${view}.png`), fullPage: true });
      const found = await reflowProblems(page);
      if (found.scrollWidth > found.clientWidth)
        problems.push(`${view} : défilement horizontal (${found.scrollWidth} > ${found.clientWidth})`);
      for (const cut of found.cuts) problems.push(`${view} : ${cut.what} ${cut.why}`);
    }
    // Courrier with a message open: one pane at a time, with a way back to the list.
    await page.getByTestId('nav-courrier').click();
    await page.getByTestId('message').first().click();
    await expect(page.getByTestId('reader')).toBeVisible();
    await page.screenshot({ path: path.join(SHOTS_DIR, `a11y-${name}-courrier-lecture.png`), fullPage: true });
    const reading = await reflowProblems(page);
    if (reading.scrollWidth > reading.clientWidth)
      problems.push(`lecture : défilement horizontal (${reading.scrollWidth} > ${reading.clientWidth})`);
    for (const cut of reading.cuts) problems.push(`lecture : ${cut.what} ${cut.why}`);
    await expect(page.getByTestId('message-list')).toBeHidden();
    await page.getByTestId('reader-back').click();
    await expect(page.getByTestId('message-list')).toBeVisible();
    await expect(page.getByTestId('reader')).toBeHidden();
    expect(problems).toEqual([]);
  } finally {
    await context.close();
  }
}

test('zoom à 200 % (640 × 400 px CSS, densité 2) : ni défilement horizontal ni contrôle coupé', async ({ browser }) => {
  await walkAt(browser, 'zoom-200', { width: 640, height: 400 }, 2);
});

test('largeur de 320 px (portrait) : ni défilement horizontal ni contrôle coupé', async ({ browser }) => {
  await walkAt(browser, 'largeur-320', { width: 320, height: 640 }, 1);
});

test('mode contraste élevé (forced-colors) : chaque contrôle a un contour, les icônes suivent la couleur du texte, le focus se voit', async ({
  browser,
}) => {
  const context = await browser.newContext({ forcedColors: 'active', locale: 'fr-FR', timezoneId: 'Europe/Paris' });
  const page = await context.newPage();
  try {
    await page.goto(ostal.url);
    const problems: string[] = [];
    for (const view of SCREENS) {
      await open(page, view);
      expect(await page.evaluate(() => matchMedia('(forced-colors: active)').matches)).toBe(true);
      await page.screenshot({ path: path.join(SHOTS_DIR, `a11y-contraste-${view}.png`), fullPage: true });
      const found = await page.evaluate(() => {
        const out: string[] = [];
        const visible = (el: Element) => {
          const b = el.getBoundingClientRect();
          return b.width > 1 && b.height > 1 && !el.closest('.visually-hidden, .skip-link');
        };
        const hasBorder = (s: CSSStyleDeclaration) =>
          ['Top', 'Right', 'Bottom', 'Left'].some(
            (side) =>
              s.getPropertyValue(`border-${side.toLowerCase()}-style`) !== 'none' &&
              parseFloat(s.getPropertyValue(`border-${side.toLowerCase()}-width`)) > 0,
          );
        for (const el of Array.from(
          document.querySelectorAll('input:not([type=hidden]):not([type=checkbox]):not([type=radio]), select, textarea'),
        )) {
          if (visible(el) && !hasBorder(getComputedStyle(el))) out.push(`champ sans contour : ${el.outerHTML.slice(0, 80)}`);
        }
        for (const el of Array.from(document.querySelectorAll('button'))) {
          if (!visible(el)) continue;
          const text = (el as HTMLElement).innerText.trim();
          // A button with only an icon must be outlined; a text button is read as text.
          if (!text && !hasBorder(getComputedStyle(el))) out.push(`bouton à icône sans contour : ${el.outerHTML.slice(0, 80)}`);
        }
        for (const svg of Array.from(document.querySelectorAll('svg'))) {
          if (!visible(svg)) continue;
          const s = getComputedStyle(svg);
          const color = s.color;
          const painted = [s.stroke, s.fill].filter((v) => v && v !== 'none');
          if (painted.length === 0 || painted.some((v) => v !== color))
            out.push(`icône d’une autre couleur que le texte : ${svg.outerHTML.slice(0, 80)} (${painted.join(', ')} / ${color})`);
        }
        return out;
      });
      for (const p of found) problems.push(`${view} : ${p}`);
    }
    expect(problems).toEqual([]);
    // The focus ring stays drawn (outline, not only a box-shadow that forced colors removes).
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    const focus = await page.evaluate(() => {
      const s = getComputedStyle(document.activeElement!);
      return { style: s.outlineStyle, width: parseFloat(s.outlineWidth) };
    });
    expect(focus.style).not.toBe('none');
    expect(focus.width).toBeGreaterThanOrEqual(2);
    await page.screenshot({ path: path.join(SHOTS_DIR, 'a11y-contraste-focus.png') });
  } finally {
    await context.close();
  }
});

test('réduire les animations : aucune animation ni transition ne joue', async ({ browser }) => {
  const context = await browser.newContext({ reducedMotion: 'reduce', locale: 'fr-FR', timezoneId: 'Europe/Paris' });
  const page = await context.newPage();
  try {
    await page.goto(ostal.url);
    const moving: string[] = [];
    for (const view of SCREENS) {
      await open(page, view);
      const found = await page.evaluate(() => {
        const out: string[] = [];
        for (const el of Array.from(document.querySelectorAll('*'))) {
          for (const pseudo of [null, '::before', '::after']) {
            const s = getComputedStyle(el, pseudo);
            const seconds = (list: string) =>
              Math.max(...list.split(',').map((v) => parseFloat(v) * (v.trim().endsWith('ms') ? 0.001 : 1)));
            if (s.animationName !== 'none' && seconds(s.animationDuration) > 0.001)
              out.push(`animation ${s.animationName} sur ${el.tagName.toLowerCase()}.${el.className}${pseudo ?? ''}`);
            if (seconds(s.transitionDuration) > 0.001)
              out.push(`transition sur ${el.tagName.toLowerCase()}.${el.className}${pseudo ?? ''}`);
          }
        }
        return out;
      });
      for (const f of found) moving.push(`${view} : ${f}`);
    }
    expect(moving).toEqual([]);
    // Without the preference, the same page does animate (the test can tell).
    await page.emulateMedia({ reducedMotion: 'no-preference' });
    expect(await page.evaluate(() => matchMedia('(prefers-reduced-motion: reduce)').matches)).toBe(false);
  } finally {
    await context.close();
  }
});
