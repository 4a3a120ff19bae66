/**
 * A space's Discussion paged from the room's archive, in the browser: the room holds 320 archived messages; a fresh
 * profile opens the space → the newest page shows at the bottom; scrolling back loads the older pages
 * (« Chargement des messages plus anciens… ») until the first message, each message once, and the DOM keeps only
 * the rows near the view.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { expect, test } from '@playwright/test';
import { SHOTS_DIR, addAccountByCli, ostalEnv, servers, startOstal, tempProfile, type RunningOstal } from './ostal.js';
import { fillRoomArchive } from './chat-archive.js';
import { Relay } from '../servers/relay.js';

let ostal: RunningOstal | undefined;
let relay: Relay | undefined;
test.afterEach(async () => {
  await ostal?.stop();
  ostal = undefined;
  await relay?.stop();
  relay = undefined;
});

const COUNT = 320;
const text = (i: number): string =>
  i % 7 === 3
    ? `Message n° ${i} : compte rendu de la réunion de quartier, avec les remarques des habitants sur la voirie, l’éclairage et la propreté des rues.`
    : `Message n° ${i}`;

test('espaces : historique — la page la plus récente d’abord, les plus anciennes au défilement', async ({ page }) => {
  test.setTimeout(180_000);
  const s = servers();
  const a1 = s.users[0]!;
  const name = `Archives du conseil ${crypto.randomUUID().slice(0, 6)}`;
  const policy = path.join(tempProfile(), 'policies.json');
  fs.writeFileSync(policy, JSON.stringify({ settings: { 'workspaces.webdavRoot': { value: s.sharedWebdavRoot } } }));
  const env = { OSTAL_POLICIES: policy };
  const p0 = tempProfile();
  addAccountByCli(p0, a1, env);
  const created = spawnSync(
    process.execPath,
    ['bin/ostal.mjs', 'workspace', 'create', '--name', name, '--members', '', '--json', '--profile', p0],
    {
      env: ostalEnv(s, env),
      encoding: 'utf8',
    },
  );
  expect(created.status, created.stderr).toBe(0);
  const space = JSON.parse(created.stdout) as { id: string };
  await fillRoomArchive({ prosodyPort: s.prosody.port, email: a1.email, password: a1.password, room: space.id, count: COUNT, text });

  // A fresh profile of the same agent (another computer): nothing of the room kept yet.
  const p1 = tempProfile();
  addAccountByCli(p1, a1, env);
  ostal = await startOstal({ profileDir: p1, env });
  await page.goto(ostal.url);
  await page.evaluate(() => {
    const w = window as unknown as { __sawLoading: boolean };
    w.__sawLoading = false;
    new MutationObserver(() => {
      if (document.querySelector('[data-testid="discussion-loading-older"]')) w.__sawLoading = true;
    }).observe(document.body, { childList: true, subtree: true });
  });
  await page.getByRole('button', { name: 'Espaces' }).click();
  await page.getByRole('button', { name: new RegExp(name) }).click();
  const discussion = page.getByTestId('discussion');
  const scroller = page.getByTestId('discussion-scroller');
  const newest = discussion.getByText(`Message n° ${COUNT - 1}`, { exact: true });
  await expect(newest).toBeVisible({ timeout: 30_000 });
  // The view is at the bottom: the newest message in view.
  expect(await scroller.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight)).toBeLessThan(10);

  // Back to the first message, wheel turn after wheel turn; the rows in the DOM stay few.
  const box = (await scroller.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  let maxRows = 0;
  for (let i = 0; i < 400; i++) {
    await page.mouse.wheel(0, -600);
    if (i % 10 === 0) maxRows = Math.max(maxRows, await discussion.getByTestId('discussion-message').count());
    if ((await scroller.getAttribute('data-complete')) === 'true' && (await scroller.evaluate((el) => el.scrollTop)) === 0) break;
  }
  await expect(scroller).toHaveAttribute('data-complete', 'true');
  await expect(scroller).toHaveAttribute('data-count', String(COUNT));
  await expect(discussion.getByText('Message n° 0', { exact: true })).toBeVisible();
  expect(await page.evaluate(() => (window as unknown as { __sawLoading: boolean }).__sawLoading)).toBe(true);
  expect(maxRows).toBeGreaterThan(3);
  expect(maxRows).toBeLessThan(100);

  // The rows in view, top to bottom, follow each other (nothing missing, nothing twice).
  const numbers = (await discussion.locator('.discussion-text').allTextContents()).map((t) => Number(/n° (\d+)/.exec(t)?.[1]));
  expect(numbers[0]).toBe(0);
  expect(numbers).toEqual(numbers.map((_, k) => k));

  await page.setViewportSize({ width: 1280, height: 1000 });
  await page.getByRole('heading', { name: 'Espaces de travail', level: 1 }).scrollIntoViewIfNeeded();
  await scroller.evaluate((el) => el.scrollTo(0, 1500));
  await page.waitForTimeout(300);
  await page.screenshot({ path: path.join(SHOTS_DIR, 'espaces-discussion-historique.png') });
});

test('espaces : historique hors connexion — message en français, « Réessayer » hors réseau, puis chargement seul au retour du réseau', async ({
  page,
}) => {
  test.setTimeout(150_000);
  const s = servers();
  const a1 = s.users[0]!;
  const name = `Archives hors ligne ${crypto.randomUUID().slice(0, 6)}`;
  const policy = path.join(tempProfile(), 'policies.json');
  fs.writeFileSync(policy, JSON.stringify({ settings: { 'workspaces.webdavRoot': { value: s.sharedWebdavRoot } } }));
  const env = { OSTAL_POLICIES: policy };
  const p0 = tempProfile();
  addAccountByCli(p0, a1, env);
  const created = spawnSync(
    process.execPath,
    ['bin/ostal.mjs', 'workspace', 'create', '--name', name, '--members', '', '--json', '--profile', p0],
    {
      env: ostalEnv(s, env),
      encoding: 'utf8',
    },
  );
  expect(created.status, created.stderr).toBe(0);
  const space = JSON.parse(created.stdout) as { id: string };
  // More than the space list's refresh keeps (50) and than one archive page (200).
  const total = 450;
  await fillRoomArchive({ prosodyPort: s.prosody.port, email: a1.email, password: a1.password, room: space.id, count: total, text });

  // This computer reaches Prosody through a relay that the test can cut (its network only).
  relay = await Relay.start(s.prosody.port);
  const p1 = tempProfile();
  const added = spawnSync(
    process.execPath,
    [
      'bin/ostal.mjs',
      'account',
      'add',
      '--email',
      a1.email,
      '--name',
      a1.name,
      '--password-env',
      'OSTAL_E2E_PASSWORD',
      '--xmpp',
      `xmpp://localhost:${relay.port}`,
      '--profile',
      p1,
    ],
    { env: ostalEnv(s, { ...env, OSTAL_E2E_PASSWORD: a1.password }), encoding: 'utf8' },
  );
  expect(added.status, added.stderr).toBe(0);
  ostal = await startOstal({ profileDir: p1, env });
  const socket = page.waitForEvent('websocket');
  await page.goto(ostal.url);
  const ws = await socket;
  await page.getByRole('button', { name: 'Espaces' }).click();
  await page.getByRole('button', { name: new RegExp(name) }).click();
  const discussion = page.getByTestId('discussion');
  const scroller = page.getByTestId('discussion-scroller');
  await expect(discussion.getByText(`Message n° ${total - 1}`, { exact: true })).toBeVisible({ timeout: 30_000 });

  // The network goes, the agent scrolls back past what this computer has.
  relay.cut();
  const box = (await scroller.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  const offline = page.getByTestId('discussion-older-offline');
  for (let i = 0; i < 200 && !(await offline.isVisible()); i++) await page.mouse.wheel(0, -800);
  await expect(offline).toContainText('Hors connexion\u00a0: les messages plus anciens seront chargés au retour du réseau.');
  await expect(scroller).toHaveAttribute('data-complete', 'false');
  expect(Number(await scroller.getAttribute('data-count'))).toBeLessThan(total);
  await page.setViewportSize({ width: 1280, height: 1000 });
  await page.getByRole('heading', { name: 'Espaces de travail', level: 1 }).scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(SHOTS_DIR, 'espaces-discussion-historique-hors-ligne.png') });

  // « Réessayer » while the network is still away asks the archive again, and says offline again.
  const olderAsked = (): Promise<unknown> =>
    new Promise((resolve) => {
      const onFrame = (frame: { payload: string | Buffer }): void => {
        const sent = String(frame.payload);
        if (sent.includes('"chat.page"') && sent.includes('"before"')) {
          ws.off('framesent', onFrame);
          resolve(sent);
        }
      };
      ws.on('framesent', onFrame);
    });
  const asked = olderAsked();
  await offline.getByRole('button', { name: 'Réessayer' }).click();
  await asked;
  await expect(offline).toContainText('Hors connexion');
  expect(Number(await scroller.getAttribute('data-count'))).toBeLessThan(total);

  // Back online, without touching anything: the core reconnects and the older pages come, to the first message.
  relay.restore();
  await expect(offline).toHaveCount(0, { timeout: 20_000 });
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  for (let i = 0; i < 400 && (await scroller.getAttribute('data-complete')) !== 'true'; i++) await page.mouse.wheel(0, -800);
  await expect(scroller).toHaveAttribute('data-count', String(total));
  await expect(offline).toHaveCount(0);
});
