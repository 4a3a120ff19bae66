/**
 * « Flouter l’arrière-plan » end to end: the real meeting server, two real Ostal browser-mode instances, Debian's
 * Chromium (no GPU) with its fake camera. The fake camera shows no person: with blur on, the whole frame is background
 * and gets blurred. On B's side the received video of A is sampled into a canvas and its sharpness measured (mean
 * squared difference between neighbouring pixels): it drops clearly when A turns blur on and comes back when A turns
 * it off. The segmentation model and its wasm come from Ostal's own build (the page has no other origin to reach).
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import type { VisioServerProcess } from '../../server/src/spawn.js';
import { findEnglishWords } from './english-words.js';
import { servers, SHOTS_DIR, type RunningOstal } from './ostal.js';
import { copyRenderer } from './renderer-copy.js';
import { visioLaunchOptions } from './visio-chromium.js';
import { openVisioContext, ostalForVisio, prejoinReady, startVisio } from './visio-setup.js';

test.use({ launchOptions: visioLaunchOptions() });
test.describe.configure({ mode: 'serial', timeout: 240_000 });

let visio: VisioServerProcess;
const ostals: RunningOstal[] = [];
let rendererCopy = '';

test.beforeAll(async () => {
  test.setTimeout(300_000);
  rendererCopy = await copyRenderer('ostal-visio-flou-renderer');
  visio = await startVisio();
  ostals.push(await ostalForVisio(visio, rendererCopy, 1));
  ostals.push(await ostalForVisio(visio, rendererCopy, 2));
});

test.afterAll(async () => {
  for (const o of ostals) await o.stop();
  await visio?.stop();
  if (rendererCopy) fs.rmSync(rendererCopy, { recursive: true, force: true });
});

/**
 * Sharpness of the frame a video element shows now: mean squared difference of luminance between horizontally and
 * vertically neighbouring pixels, at the video's own size. Squared, not absolute: blurring a clean edge spreads its
 * step over many pixels without changing the sum of the absolute differences (the fake camera's pattern is flat
 * areas and clean edges), while the squares fall with the spreading.
 */
async function sharpness(page: Page, selector: string): Promise<number> {
  return page
    .locator(selector)
    .first()
    .evaluate((video: HTMLVideoElement) => {
      const width = video.videoWidth;
      const height = video.videoHeight;
      if (!width || !height) return -1;
      const canvas = document.createElement('canvas');
      canvas.width = width;
      canvas.height = height;
      const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
      ctx.drawImage(video, 0, 0);
      const data = ctx.getImageData(0, 0, width, height).data;
      const lum = (i: number) => 0.299 * data[i]! + 0.587 * data[i + 1]! + 0.114 * data[i + 2]!;
      let sum = 0;
      let count = 0;
      for (let y = 0; y < height - 1; y += 1) {
        for (let x = 0; x < width - 1; x += 1) {
          const i = (y * width + x) * 4;
          const here = lum(i);
          const dx = here - lum(i + 4);
          const dy = here - lum(i + width * 4);
          sum += dx * dx + dy * dy;
          count += 2;
        }
      }
      return sum / count;
    });
}

/** The median of a few samples (the fake camera's pattern moves). */
async function steadySharpness(page: Page, selector: string): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < 5; i += 1) {
    samples.push(await sharpness(page, selector));
    await page.waitForTimeout(200);
  }
  samples.sort((x, y) => x - y);
  return samples[2]!;
}

test('visio : « Flouter l’arrière-plan » — l’image reçue par l’autre participant devient floue, redevient nette ; le choix est retenu', async ({
  browser,
}) => {
  const s = servers();
  const nameA = s.users[1]!.name;
  const a = await openVisioContext(browser, ostals[0]!);
  const b = await openVisioContext(browser, ostals[1]!);
  const logs: string[] = [];
  a.page.on('pageerror', (e) => logs.push(`pageerror ${e.message}`));
  a.page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') logs.push(m.text());
  });
  const remoteA = `[data-testid="visio-tile"][data-mine="false"][data-name="${nameA}"] video`;
  const selfA = '[data-testid="visio-tile"][data-mine="true"] video';

  // A opens a meeting (blur off: the pre-join toggle says so), B joins by its link.
  await a.page.getByTestId('nav-visio').click();
  await a.page.getByTestId('visio-new').click();
  const link = await a.page.getByTestId('visio-created-link').inputValue();
  await a.page.getByTestId('visio-enter-created').click();
  await prejoinReady(a.page);
  await expect(a.page.getByTestId('visio-prejoin-blur')).toHaveAttribute('aria-pressed', 'false');
  await expect(a.page.getByTestId('visio-prejoin-blur')).toHaveText('Flouter l’arrière-plan');
  await a.page.getByTestId('visio-rejoindre').click();
  await expect(a.page.getByTestId('visio-meeting')).toHaveAttribute('data-phase', 'joined');
  await b.page.getByTestId('nav-visio').click();
  await b.page.getByTestId('visio-link').fill(link);
  await b.page.getByTestId('visio-join').click();
  await prejoinReady(b.page);
  await b.page.getByTestId('visio-rejoindre').click();
  await expect(b.page.getByTestId('visio-meeting')).toHaveAttribute('data-phase', 'joined');

  // B receives A's camera, sharp.
  await expect(b.page.locator(remoteA)).toBeVisible({ timeout: 30_000 });
  await expect.poll(() => sharpness(b.page, remoteA), { timeout: 30_000 }).toBeGreaterThan(0);
  const sharp = await steadySharpness(b.page, remoteA);
  const selfSharp = await steadySharpness(a.page, selfA);

  // A turns blur on, from the keyboard: B's image of A loses most of its detail; A's own tile shows the same.
  const toggle = a.page.getByTestId('visio-blur');
  await expect(toggle).toHaveAttribute('aria-pressed', 'false');
  await toggle.focus();
  await a.page.keyboard.press('Enter');
  await expect(toggle).toHaveAttribute('aria-pressed', 'true');
  await expect.poll(() => steadySharpness(b.page, remoteA), { timeout: 45_000 }).toBeLessThan(sharp * 0.5);
  await expect.poll(() => steadySharpness(a.page, selfA), { timeout: 20_000 }).toBeLessThan(selfSharp * 0.5);
  const blurred = await steadySharpness(b.page, remoteA);
  console.log(`sharpness of A seen by B: ${sharp.toFixed(2)} sharp, ${blurred.toFixed(2)} blurred`);
  await expect(a.page.getByTestId('visio-blur-unavailable')).toHaveCount(0);
  // Still the same producer and its layers: B's tile keeps a layer chosen by the server.
  await expect(b.page.locator(`[data-testid="visio-tile"][data-mine="false"][data-name="${nameA}"]`)).toHaveAttribute(
    'data-layer',
    /^[0-2]$/,
  );
  await b.page.screenshot({ path: path.join(SHOTS_DIR, 'visio-flou.png') });
  await a.page.screenshot({ path: path.join(SHOTS_DIR, 'visio-flou-soi.png') });
  expect(findEnglishWords(await a.page.locator('body').innerText())).toEqual([]);

  // Camera off and on again: still blurred.
  await a.page.getByTestId('visio-camera').click();
  await expect(a.page.getByTestId('visio-camera')).toHaveAttribute('aria-pressed', 'true');
  await a.page.getByTestId('visio-camera').click();
  await expect(a.page.getByTestId('visio-camera')).toHaveAttribute('aria-pressed', 'false');
  await expect(toggle).toHaveAttribute('aria-pressed', 'true');
  await expect(b.page.locator(remoteA)).toBeVisible({ timeout: 30_000 });
  await expect.poll(() => steadySharpness(b.page, remoteA), { timeout: 30_000 }).toBeLessThan(sharp * 0.5);

  // A turns it off: the detail comes back.
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-pressed', 'false');
  await expect.poll(() => steadySharpness(b.page, remoteA), { timeout: 30_000 }).toBeGreaterThan(sharp * 0.8);

  // On again, and A leaves: the next meeting's pre-join screen has it on (remembered), its preview blurred.
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-pressed', 'true');
  await a.page.getByTestId('visio-quitter').click();
  await a.page.reload();
  await a.page.getByTestId('nav-visio').click();
  await a.page.getByTestId('visio-new').click();
  await a.page.getByTestId('visio-enter-created').click();
  await prejoinReady(a.page);
  await expect(a.page.getByTestId('visio-prejoin-blur')).toHaveAttribute('aria-pressed', 'true');
  await expect.poll(() => steadySharpness(a.page, '[data-testid="visio-preview"]'), { timeout: 30_000 }).toBeLessThan(selfSharp * 0.5);
  await a.page.screenshot({ path: path.join(SHOTS_DIR, 'visio-flou-avant.png') });
  expect(logs.filter((l) => /blur|pageerror/i.test(l))).toEqual([]);
  await a.context.close();
  await b.context.close();
});
