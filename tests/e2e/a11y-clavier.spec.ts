/**
 * Keyboard alone (RGAA 7.3, 10.7, 12.8, 12.9, 4.11): read a mail, answer it, create an event (and close its
 * dialog with Échap, the focus going back to its button), open a file, join a meeting and leave it — with Tab,
 * arrows, Entrée, Échap and the application's shortcuts only, the focus visible at each step, and not a single
 * mouse or pointer event in the page (an init script counts them; Entrée on a button fires a `click` of detail 0,
 * which is the keyboard's, so clicks are counted only with a detail above 0).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { expect, test, type Page } from '@playwright/test';
import type { VisioServerProcess } from '../../server/src/spawn.js';
import { composeBody } from './compose-body.js';
import { deleteCalendarResources } from './dav.js';
import { deleteFromInbox, imapFor, lastEnvelope } from './courrier-imap.js';
import { SHOTS_DIR, addFilesAccountByCli, ostalEnv, servers, tempProfile, type RunningOstal } from './ostal.js';
import { copyRenderer } from './renderer-copy.js';
import { VISIO_CHROMIUM_ARGS, ostalForVisio, prejoinReady, startVisio } from './visio-setup.js';
import { encodePath, httpsRequest } from '../servers/http.js';

test.describe.configure({ mode: 'serial', timeout: 240_000 });
test.use({ launchOptions: { executablePath: process.env.OSTAL_CHROMIUM ?? '/usr/bin/chromium', args: VISIO_CHROMIUM_ARGS } });

const USER = 0;
const stamp = `clavier${Date.now().toString(36)}`;
const subject = `Préparation du conseil ${stamp}`;
const FILE = 'note-de-service.pdf';
const s = servers();
const user = s.users[USER]!;
const folder = `clavier-e2e-${stamp}`;
const remoteRoot = `/dav/${encodePath(user.username)}/${encodePath(folder)}/`;
const ca = fs.readFileSync(s.caCertPath, 'utf8');
const filesRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-e2e-clavier-'));
let ostal: RunningOstal | undefined;
let visio: VisioServerProcess | undefined;
let rendererCopy = '';

const dav = (method: string, rel: string, body?: string) =>
  httpsRequest({
    port: s.apache.port,
    method,
    path: remoteRoot + encodePath(rel),
    ca,
    body,
    auth: { user: user.username, password: user.password },
  });

test.beforeAll(async () => {
  test.setTimeout(240_000);
  expect((await dav('MKCOL', '')).status).toBe(201);
  expect((await dav('PUT', FILE, '%PDF-1.4\n% note de service\n')).status).toBe(201);
  const client = await imapFor(USER);
  try {
    const raw = [
      `From: ${s.users[1]!.name} <${s.users[1]!.email}>`,
      `To: ${user.email}`,
      `Subject: =?UTF-8?B?${Buffer.from(subject).toString('base64')}?=`,
      `Message-ID: <${stamp}@ostal.test>`,
      `Date: ${new Date(Date.now() + 60_000).toUTCString()}`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Pouvez-vous me confirmer votre présence jeudi ?',
      '',
    ].join('\r\n');
    await client.append('INBOX', raw, []);
  } finally {
    await client.logout().catch(() => undefined);
  }
  const profileDir = tempProfile();
  addFilesAccountByCli(profileDir, user, `https://localhost:${s.apache.port}${remoteRoot}`, filesRoot);
  const env = ostalEnv(s, { OSTAL_FILES_ROOT: filesRoot });
  const sync = spawnSync(process.execPath, ['bin/ostal.mjs', 'sync', '--only', 'mail,calendar', '--profile', profileDir], {
    env,
    encoding: 'utf8',
  });
  if (sync.status !== 0) throw new Error(`ostal sync failed:\n${sync.stdout}\n${sync.stderr}`);
  rendererCopy = await copyRenderer('ostal-clavier-renderer');
  visio = await startVisio();
  ostal = await ostalForVisio(visio, rendererCopy, USER, { profileDir, env: { OSTAL_FILES_ROOT: filesRoot } });
});

test.afterAll(async () => {
  await ostal?.stop();
  await visio?.stop();
  if (rendererCopy) fs.rmSync(rendererCopy, { recursive: true, force: true });
  await dav('DELETE', '').catch(() => undefined);
  fs.rmSync(filesRoot, { recursive: true, force: true });
  await deleteFromInbox(USER, stamp).catch(() => undefined);
  // The event made by keyboard at 09:00 today would ring its reminder in the other specs signed in as this agent.
  await deleteCalendarResources(user, stamp).catch(() => undefined);
});

interface Counters {
  pointer: number;
  mouse: number;
  clicks: number;
}

/** Tab (or Maj+Tab) until the focused element matches; each element reached has a visible focus ring. */
async function tabTo(page: Page, matches: (el: Element) => boolean, what: string, max = 120): Promise<void> {
  const source = matches.toString();
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const reached = await page.evaluate((fn) => {
      const el = document.activeElement;
      if (!el || el === document.body) return { hit: false, ring: true };
      const test = new Function(`return (${fn})`)() as (el: Element) => boolean;
      const style = getComputedStyle(el);
      const ring = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none';
      return { hit: test(el), ring };
    }, source);
    if (reached.hit) {
      expect(reached.ring, `focus visible on ${what}`).toBe(true);
      return;
    }
  }
  throw new Error(`${what} not reached with Tab`);
}

const byTestId = (id: string) =>
  new Function('el', `return el.getAttribute('data-testid') === ${JSON.stringify(id)}`) as (el: Element) => boolean;

test('au clavier seul : lire un courriel, y répondre, créer un événement, ouvrir un fichier, rejoindre une réunion', async ({
  browser,
}) => {
  const context = await browser.newContext({ permissions: ['camera', 'microphone'], locale: 'fr-FR', timezoneId: 'Europe/Paris' });
  const page = await context.newPage();
  await page.addInitScript(() => {
    const counters = { pointer: 0, mouse: 0, clicks: 0 };
    (window as unknown as { __mouse: typeof counters }).__mouse = counters;
    for (const type of ['pointerdown', 'pointerup', 'pointermove'])
      addEventListener(type, (e) => void (e.isTrusted && counters.pointer++), true);
    for (const type of ['mousedown', 'mouseup', 'mousemove', 'wheel', 'contextmenu'])
      addEventListener(type, (e) => void (e.isTrusted && counters.mouse++), true);
    addEventListener('click', (e) => void (e.isTrusted && e.detail > 0 && counters.clicks++), true);
    Object.assign(window, {
      __opened: [] as string[],
      ostalDesktop: {
        onScreenSources: () => undefined,
        chooseScreenSource: () => undefined,
        openPath: (p: string) => ((window as unknown as { __opened: string[] }).__opened.push(p), ''),
        showItemInFolder: () => undefined,
      },
    });
  });
  const counters = () => page.evaluate(() => (window as unknown as { __mouse: Counters }).__mouse);

  await page.goto(ostal!.url);
  await expect(page.getByTestId('message').filter({ hasText: subject })).toBeVisible({ timeout: 30_000 });

  // 1. Read: the list is one Tab stop (arrows inside), Entrée opens the message.
  await tabTo(page, byTestId('message-list'), 'la liste des messages');
  await page.keyboard.press('Home');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('reader-subject')).toHaveText(subject);
  await page.screenshot({ path: path.join(SHOTS_DIR, 'a11y-clavier-lecture.png') });

  // 2. Answer: Ctrl+R, the text, Ctrl+Entrée.
  await page.keyboard.press('Control+r');
  await expect(page.getByTestId('compose')).toBeVisible();
  await expect(composeBody(page.getByTestId('compose'))).toBeFocused();
  await page.keyboard.type('Je serai présent jeudi. ');
  await page.keyboard.press('Control+Enter');
  await expect(page.getByTestId('compose')).toBeHidden({ timeout: 20_000 });
  await expect.poll(async () => (await lastEnvelope(1, stamp))?.subject ?? '', { timeout: 60_000 }).toContain(subject);

  // 3. Agenda: « Nouvel événement », Échap closes and gives the focus back; then a title and Entrée.
  await tabTo(page, byTestId('nav-agenda'), 'Agenda dans le menu');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'Agenda' })).toBeFocused();
  await tabTo(page, byTestId('new-event'), 'Nouvel événement');
  await page.keyboard.press('Enter');
  const editor = page.getByTestId('event-editor');
  await expect(editor).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(editor).toBeHidden();
  await expect(page.getByTestId('new-event')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(editor).toBeVisible();
  const title = `Point d’équipe ${stamp}`;
  await page.keyboard.type(title);
  await page.screenshot({ path: path.join(SHOTS_DIR, 'a11y-clavier-evenement.png') });
  await page.keyboard.press('Enter');
  await expect(editor).toBeHidden({ timeout: 20_000 });
  // « À venir » by its shortcut A: the event starts at the next half hour, or tomorrow late in the evening (maybe in
  // next week).
  await page.keyboard.press('a');
  await expect(page.getByTestId('mode-avenir')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('agenda-event').filter({ hasText: title }).first()).toBeVisible({ timeout: 20_000 });

  // 4. Fichiers: synchronise, then « Ouvrir » on the file.
  await tabTo(page, byTestId('nav-fichiers'), 'Fichiers dans le menu');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'Fichiers' })).toBeFocused();
  await expect(page.getByTestId('sync-now').first()).toBeEnabled({ timeout: 30_000 });
  await tabTo(page, byTestId('sync-now'), 'Synchroniser');
  await page.keyboard.press('Enter');
  const row = page.locator(`[data-testid="file"][data-path="/${FILE}"]`);
  await expect(row).toBeVisible({ timeout: 60_000 });
  await tabTo(
    page,
    new Function(
      'el',
      `return el.tagName === 'BUTTON' && /^Ouvrir/.test(el.textContent.trim() || el.getAttribute('aria-label') || '') && el.closest('[data-path="/${FILE}"]') !== null`,
    ) as (el: Element) => boolean,
    `Ouvrir ${FILE}`,
  );
  await page.keyboard.press('Enter');
  await expect
    .poll(() => page.evaluate(() => (window as unknown as { __opened: string[] }).__opened))
    .toEqual([path.join(filesRoot, user.email, FILE)]);
  await page.screenshot({ path: path.join(SHOTS_DIR, 'a11y-clavier-fichier.png') });

  // 5. Visio: a new meeting, enter it, join, raise the hand, leave.
  await tabTo(page, byTestId('nav-visio'), 'Visio dans le menu');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'Visio' })).toBeFocused();
  await tabTo(page, byTestId('visio-new'), 'Nouvelle réunion');
  await page.keyboard.press('Enter');
  await tabTo(page, byTestId('visio-enter-created'), 'Entrer dans la réunion');
  await page.keyboard.press('Enter');
  await prejoinReady(page);
  await tabTo(page, byTestId('visio-rejoindre'), 'Rejoindre');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('visio-meeting')).toHaveAttribute('data-phase', 'joined', { timeout: 30_000 });
  await tabTo(page, byTestId('visio-hand'), 'Lever la main');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('visio-hand')).toHaveAttribute('aria-pressed', 'true');
  await page.screenshot({ path: path.join(SHOTS_DIR, 'a11y-clavier-visio.png') });
  await tabTo(page, byTestId('visio-quitter'), 'Quitter');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('visio-meeting')).toBeHidden({ timeout: 20_000 });

  // Not one mouse or pointer event from start to end.
  expect(await counters()).toEqual({ pointer: 0, mouse: 0, clicks: 0 });
  await context.close();
});
