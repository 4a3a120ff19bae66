/**
 * Visio for everyone, end to end: a guest opens the invitation link in a plain Chromium page (no Ostal core, no
 * token, no account), on a computer and at phone size with touch, and is admitted by the agent in Ostal; the
 * meeting follows the agent into Courrier. Real meeting server (which serves the guest page from the built
 * renderer), real Ostal browser-mode instance, Debian's Chromium with fake camera and micro.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from '@playwright/test';
import { spawnVisioServer, type VisioServerProcess } from '../../server/src/spawn.js';
import { signJoinToken } from '../../server/src/token.js';
import { findEnglishWords } from './english-words.js';
import { addAccountByCli, servers, SHOTS_DIR, startOstal, tempProfile, type RunningOstal } from './ostal.js';
import { copyRenderer } from './renderer-copy.js';
import { visioLaunchOptions } from './visio-chromium.js';

const SECRET = 'secret-partage-de-la-visio-des-invites-0123456789';
const GUEST_NAME = 'Dominique Invitée';
test.use({ launchOptions: visioLaunchOptions() });
test.describe.configure({ mode: 'serial', timeout: 180_000 });

let visio: VisioServerProcess;
let agent: RunningOstal;
let agentName = '';
let rendererCopy = '';

/** A server as in production: agents need a token, guests have none and wait in the salle d'attente. */
function startVisio(port = 0): Promise<VisioServerProcess> {
  return spawnVisioServer({
    port,
    requireToken: true,
    tokenSecret: SECRET,
    allowGuests: true,
    waitingRoom: true,
    logLevel: 'info',
    guestPageDir: rendererCopy,
  });
}

test.beforeAll(async () => {
  test.setTimeout(300_000);
  rendererCopy = await copyRenderer('ostal-visio-invite-renderer');
  visio = await startVisio();
  const s = servers();
  const user = s.users[1]!;
  agentName = user.name;
  const now = Math.floor(Date.now() / 1000);
  const joinToken = signJoinToken({ sub: user.email, role: 'organiser', room: '*', iat: now, exp: now + 3600 }, SECRET);
  const profileDir = tempProfile();
  addAccountByCli(profileDir, user);
  const policyFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-visio-invite-policy-')), 'policies.json');
  fs.writeFileSync(
    policyFile,
    JSON.stringify({
      settings: { 'visio.serverUrl': { value: visio.url, locked: true }, 'visio.joinToken': { value: joinToken, locked: true } },
    }),
  );
  agent = await startOstal({ profileDir, env: { OSTAL_POLICIES: policyFile, OSTAL_RENDERER_DIR: rendererCopy } });
});

test.afterAll(async () => {
  await agent?.stop();
  await visio?.stop();
  if (rendererCopy) fs.rmSync(rendererCopy, { recursive: true, force: true });
});

function logConsole(page: Page, who: string, problems: string[]): void {
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') console.log(`[${who}] ${m.text()}`);
    if (/Content Security Policy|Refused to/i.test(m.text())) problems.push(m.text());
  });
}

/** The agent, in Ostal: a new meeting, entered as organiser. */
async function agentStartsMeeting(browser: Browser): Promise<{ context: BrowserContext; page: Page; link: string }> {
  const context = await browser.newContext({ permissions: ['camera', 'microphone'] });
  const page = await context.newPage();
  logConsole(page, 'agent', []);
  await page.goto(agent.url);
  await page.getByTestId('nav-visio').click();
  await page.getByTestId('visio-new').click();
  const link = await page.getByTestId('visio-created-link').inputValue();
  expect(link).toMatch(/\/salle\/[A-Za-z0-9_-]{22}$/);
  await page.getByTestId('visio-enter-created').click();
  await expect(page.getByTestId('visio-prejoin')).toBeVisible();
  await page.getByTestId('visio-rejoindre').click();
  await expect(page.getByTestId('visio-meeting')).toHaveAttribute('data-phase', 'joined');
  await expect(page.getByTestId('visio-meeting')).toHaveAttribute('data-role', 'organiser');
  return { context, page, link };
}

/** The guest, in a plain browser page: opens the link, gives a name, checks camera and micro, asks to enter. */
async function guestKnocks(
  browser: Browser,
  link: string,
  options: BrowserContextOptions,
  touch: boolean,
): Promise<{ context: BrowserContext; page: Page; cspProblems: string[] }> {
  const context = await browser.newContext({ permissions: ['camera', 'microphone'], ...options });
  const page = await context.newPage();
  const cspProblems: string[] = [];
  logConsole(page, 'invité', cspProblems);
  const response = await page.goto(link);
  expect(response?.status()).toBe(200);
  // A strict policy: no inline script, WebSocket to the meeting server only.
  const csp = response?.headers()['content-security-policy'] ?? '';
  expect(csp).toContain("script-src 'self'");
  expect(csp).not.toContain('unsafe-inline');
  expect(csp).toContain(`connect-src 'self' ws://${new URL(link).host}`);
  // No Ostal core and no token: the page never talks to anything but the meeting server.
  expect(page.url()).not.toContain('token');

  await expect(page.locator('html')).toHaveAttribute('lang', 'fr');
  await expect(page.getByRole('heading', { level: 1, name: 'Réunion en visio' })).toBeVisible();
  await expect(page.getByText('Vous êtes invité à une réunion en visio.')).toBeVisible();
  // Camera preview plays and the micro level moves (fake devices).
  await expect
    .poll(() => page.getByTestId('visio-preview').evaluate((v: HTMLVideoElement) => v.getVideoPlaybackQuality().totalVideoFrames), {
      timeout: 20_000,
    })
    .toBeGreaterThan(3);
  await expect
    .poll(async () => Number(await page.getByTestId('visio-level').getAttribute('data-level')), { timeout: 20_000 })
    .toBeGreaterThan(0);
  const ask = page.getByRole('button', { name: 'Demander à entrer' });
  // Without a name: a French message, nothing sent.
  await page.getByLabel('Votre nom').fill('');
  if (touch) await ask.tap();
  else await ask.click();
  await expect(page.getByText('Indiquez votre nom\u00a0: les autres participants le verront.')).toBeVisible();
  await expect(page.getByLabel('Votre nom')).toBeFocused();
  await page.getByLabel('Votre nom').fill(GUEST_NAME);
  await expectNoSeriousAxe(page);
  await expectNoEnglish(page);
  if (touch) await ask.tap();
  else await ask.click();
  await expect(page.getByTestId('visio-waiting')).toContainText('En attente de l’organisateur…');
  await expectNoEnglish(page);
  return { context, page, cspProblems };
}

async function framesOf(page: Page, selector: string): Promise<number> {
  return page
    .locator(selector)
    .first()
    .evaluate((v: HTMLVideoElement) => v.getVideoPlaybackQuality().totalVideoFrames);
}

function remoteVideo(name: string): string {
  return `[data-testid="visio-tile"][data-mine="false"][data-name="${name}"] video`;
}

/** Remote video of `name` decodes frames, more and more. */
async function expectVideoFrom(page: Page, name: string): Promise<void> {
  const selector = remoteVideo(name);
  try {
    await expect(page.locator(selector)).toBeVisible({ timeout: 30_000 });
    await expect.poll(() => framesOf(page, selector), { timeout: 30_000 }).toBeGreaterThan(5);
    const first = await framesOf(page, selector);
    await expect.poll(() => framesOf(page, selector), { timeout: 15_000 }).toBeGreaterThan(first + 5);
  } catch (err) {
    // Seen once in a fresh-clone run (no frames at all, twice in a row): say what the page and the server knew.
    const state = await page
      .locator(`[data-testid="visio-tile"][data-mine="false"][data-name="${name}"]`)
      .first()
      .evaluate((tile) => {
        const v = tile.querySelector('video');
        const stream = v?.srcObject instanceof MediaStream ? v.srcObject : null;
        return {
          attributes: Object.fromEntries([...tile.attributes].map((a) => [a.name, a.value])),
          readyState: v?.readyState,
          paused: v?.paused,
          tracks: stream?.getTracks().map((t) => ({ kind: t.kind, readyState: t.readyState, muted: t.muted, enabled: t.enabled })),
        };
      })
      .catch((e: unknown) => String(e));
    console.log('no video from', name, JSON.stringify(state), '\nserver log (end):\n', visio.logs().split('\n').slice(-60).join('\n'));
    throw err;
  }
}

async function expectNoSeriousAxe(page: Page, include?: string): Promise<void> {
  let builder = new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']);
  if (include) builder = builder.include(include);
  const axe = await builder.analyze();
  expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help}`)).toEqual([]);
}

async function expectNoEnglish(page: Page): Promise<void> {
  expect(findEnglishWords(await page.locator('body').innerText())).toEqual([]);
}

/** The agent admits the guest; both see each other's video; chat both ways. */
async function admitAndTalk(agentPage: Page, guestPage: Page, touch: boolean): Promise<void> {
  await expect(agentPage.getByTestId('visio-guest')).toContainText(GUEST_NAME);
  await agentPage.getByTestId('visio-guest').getByRole('button', { name: 'Admettre' }).click();
  await expect(guestPage.getByTestId('visio-meeting')).toHaveAttribute('data-phase', 'joined');
  // A guest is never organiser.
  await expect(guestPage.getByTestId('visio-meeting')).toHaveAttribute('data-role', 'participant');
  await expectVideoFrom(guestPage, agentName);
  await expectVideoFrom(agentPage, GUEST_NAME);

  const chat = async (page: Page) => {
    const button = page.getByTestId('visio-chat-button');
    if ((await button.getAttribute('aria-pressed')) !== 'true') {
      if (touch && page === guestPage) await button.tap();
      else await button.click();
    }
  };
  await chat(agentPage);
  await agentPage.getByTestId('visio-chat-input').fill('Bienvenue, nous vous attendions.');
  await agentPage.getByTestId('visio-chat-send').click();
  await chat(guestPage);
  await expect(guestPage.getByTestId('visio-chat-line').last()).toContainText('Bienvenue, nous vous attendions.');
  await guestPage.getByTestId('visio-chat-input').fill('Merci, je vous entends bien.');
  await guestPage.getByTestId('visio-chat-send').click();
  await expect(agentPage.getByTestId('visio-chat-line').last()).toContainText('Merci, je vous entends bien.');
  await expect(agentPage.getByTestId('visio-chat-line').last()).toContainText(GUEST_NAME);
}

test('visio invité : depuis un navigateur sans Ostal ni jeton, l’invité demande à entrer, l’agent l’admet ; images et discussion dans les deux sens', async ({
  browser,
}) => {
  const a = await agentStartsMeeting(browser);
  const g = await guestKnocks(browser, a.link, { viewport: { width: 1280, height: 800 } }, false);
  await admitAndTalk(a.page, g.page, false);

  // The guest's page: the meeting's controls, in French, without serious accessibility problems.
  await expect(g.page.getByTestId('visio-hand')).toHaveText('Lever la main');
  await g.page.getByTestId('visio-hand').click();
  await expect(a.page.locator(`[data-testid="visio-tile"][data-name="${GUEST_NAME}"]`).getByTestId('visio-hand-flag')).toHaveText(
    'main levée',
  );
  await expect(g.page.getByTestId('visio-screen')).toBeEnabled();
  await expect(g.page.getByTestId('visio-quitter')).toHaveText('Quitter');
  await expectNoSeriousAxe(g.page);
  await expectNoEnglish(g.page);
  await g.page.screenshot({ path: path.join(SHOTS_DIR, 'visio-invite-navigateur.png') });
  expect(g.cspProblems).toEqual([]);

  // « Quitter »: the agent's grid loses the guest; the guest's page says so in French.
  await g.page.getByTestId('visio-quitter').click();
  await expect(g.page.getByTestId('salle-left')).toContainText('Vous avez quitté la réunion.');
  await expect(a.page.locator(remoteVideo(GUEST_NAME))).toHaveCount(0, { timeout: 15_000 });
  await a.page.getByTestId('visio-quitter').click();
  await a.context.close();
  await g.context.close();
});

test('visio invité : sur un téléphone (390 × 844, tactile), grandes commandes et plus petite couche vidéo par défaut', async ({
  browser,
}) => {
  const a = await agentStartsMeeting(browser);
  const phone: BrowserContextOptions = { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 };
  const g = await guestKnocks(browser, a.link, phone, true);
  await admitAndTalk(a.page, g.page, true);

  // The lowest layer is asked for and forwarded (« connexion lente » from the start on a small touch screen).
  const agentTile = g.page.locator(`[data-testid="visio-tile"][data-mine="false"][data-name="${agentName}"]`);
  await expect(agentTile).toHaveAttribute('data-requested-layer', '0', { timeout: 20_000 });
  await expect(agentTile).toHaveAttribute('data-layer', '0', { timeout: 30_000 });
  await expect(g.page.getByTestId('visio-slow-on')).toBeVisible();
  // Large controls (at least 44 × 44 CSS pixels), all in the page's width.
  for (const id of ['visio-micro', 'visio-camera', 'visio-hand', 'visio-chat-button', 'visio-quitter']) {
    const box = await g.page.getByTestId(id).boundingBox();
    expect(box, id).not.toBeNull();
    expect(box!.height, id).toBeGreaterThanOrEqual(44);
    expect(box!.width, id).toBeGreaterThanOrEqual(44);
    expect(box!.x + box!.width, id).toBeLessThanOrEqual(390);
  }
  const scrollWidth = await g.page.evaluate(() => document.documentElement.scrollWidth);
  expect(scrollWidth).toBeLessThanOrEqual(390);
  // The page is taller than the screen (banner, videos, discussion): the controls stay on screen at the top of it too.
  expect(await g.page.evaluate(() => document.documentElement.scrollHeight)).toBeGreaterThan(844);
  await g.page.evaluate(() => window.scrollTo(0, 0));
  for (const id of ['visio-micro', 'visio-quitter']) await expect(g.page.getByTestId(id), id).toBeInViewport();
  // No keyboard: no « Raccourcis » in the controls.
  await expect(g.page.getByTestId('visio-shortcuts-button')).toBeHidden();
  await g.page.screenshot({ path: path.join(SHOTS_DIR, 'visio-invite-telephone-ecran.png') });
  // Touch works on the controls: the micro goes off and on.
  await g.page.getByTestId('visio-micro').tap();
  await expect(g.page.getByTestId('visio-micro')).toHaveText('Activer le micro');
  await g.page.getByTestId('visio-micro').tap();
  await expect(g.page.getByTestId('visio-micro')).toHaveText('Couper le micro');
  await expectNoSeriousAxe(g.page);
  await expectNoEnglish(g.page);
  await g.page.screenshot({ path: path.join(SHOTS_DIR, 'visio-invite-telephone.png'), fullPage: true });
  expect(g.cspProblems).toEqual([]);

  await g.page.getByTestId('visio-quitter').tap();
  await expect(g.page.getByTestId('salle-left')).toBeVisible();
  await a.page.getByTestId('visio-quitter').click();
  await a.context.close();
  await g.context.close();
});

test('visio : la réunion suit l’agent — il lit un courriel pendant la réunion et revient ; ses images n’ont jamais cessé et le serveur n’a vu aucune nouvelle entrée', async ({
  browser,
}) => {
  const a = await agentStartsMeeting(browser);
  const g = await guestKnocks(browser, a.link, { viewport: { width: 1280, height: 800 } }, false);
  await admitAndTalk(a.page, g.page, false);
  const agentPeer = await g.page
    .locator(`[data-testid="visio-tile"][data-mine="false"][data-name="${agentName}"]`)
    .getAttribute('data-peer');
  const joinsBefore = visio
    .logs()
    .split('\n')
    .filter((l) => l.includes('"event":"peer_joined"')).length;
  const selector = remoteVideo(agentName);

  // The guest's page watches the agent's frames the whole time (sampled every 250 ms in the page).
  await g.page.evaluate((sel) => {
    const w = window as unknown as { frameSamples: number[]; frameTimer: number };
    w.frameSamples = [];
    w.frameTimer = window.setInterval(() => {
      const video = document.querySelector<HTMLVideoElement>(sel);
      w.frameSamples.push(video ? video.getVideoPlaybackQuality().totalVideoFrames : -1);
    }, 250);
  }, selector);

  // The agent goes to Courrier and reads a message: the meeting goes on in the floating panel.
  await a.page.getByTestId('nav-courrier').click();
  const dock = a.page.getByTestId('visio-dock');
  await expect(dock).toBeVisible();
  await expect(dock).toHaveAttribute('data-phase', 'joined');
  await expect(a.page.getByTestId('visio-meeting')).toHaveCount(0);
  const message = a.page.getByTestId('message').first();
  await expect(message).toBeVisible({ timeout: 30_000 });
  await message.click();
  await expect(a.page.getByTestId('reader-subject')).toBeVisible();
  // The panel shows the guest's video, playing.
  await expect(a.page.getByTestId('visio-dock-video')).toBeVisible({ timeout: 15_000 });
  const dockFrames = () =>
    a.page.getByTestId('visio-dock-video').evaluate((v: HTMLVideoElement) => v.getVideoPlaybackQuality().totalVideoFrames);
  const dockFirst = await dockFrames();
  await expect.poll(dockFrames, { timeout: 15_000 }).toBeGreaterThan(dockFirst + 5);
  // Micro from the panel: the guest sees it.
  await a.page.getByTestId('visio-dock-micro').click();
  await expect(a.page.getByTestId('visio-dock-micro')).toHaveText('Activer le micro');
  await a.page.getByTestId('visio-dock-micro').click();
  await expect(a.page.getByTestId('visio-dock-micro')).toHaveText('Couper le micro');
  await expect(dock.getByRole('button', { name: 'Revenir à la réunion' })).toBeVisible();
  await expect(dock.getByRole('button', { name: 'Quitter' })).toBeVisible();
  await expectNoSeriousAxe(a.page, '[data-testid="visio-dock"]');
  await expectNoEnglish(a.page);
  await a.page.waitForTimeout(3000);
  await a.page.screenshot({ path: path.join(SHOTS_DIR, 'visio-reunion-en-fond.png') });

  // Back by the keyboard.
  await dock.getByRole('button', { name: 'Revenir à la réunion' }).focus();
  await a.page.keyboard.press('Enter');
  await expect(a.page.getByTestId('visio-meeting')).toHaveAttribute('data-phase', 'joined');
  await expect(a.page.getByTestId('visio-dock')).toHaveCount(0);
  await expect(a.page.locator(remoteVideo(GUEST_NAME))).toBeVisible();
  await g.page.waitForTimeout(1000);

  const samples = await g.page.evaluate(() => {
    const w = window as unknown as { frameSamples: number[]; frameTimer: number };
    window.clearInterval(w.frameTimer);
    return w.frameSamples;
  });
  // Every second (4 samples), the agent's video decoded new frames on the guest's side: it never stopped.
  expect(samples.length).toBeGreaterThan(20);
  expect(samples.every((n) => n >= 0)).toBe(true);
  for (let i = 4; i < samples.length; i++)
    expect(samples[i]!, `frames at sample ${i}: ${samples.join(',')}`).toBeGreaterThan(samples[i - 4]!);
  // Same peer, no new join on the server.
  await expect(g.page.locator(`[data-testid="visio-tile"][data-mine="false"][data-name="${agentName}"]`)).toHaveAttribute(
    'data-peer',
    agentPeer!,
  );
  expect(
    visio
      .logs()
      .split('\n')
      .filter((l) => l.includes('"event":"peer_joined"')).length,
  ).toBe(joinsBefore);

  // Only « Quitter » ends it: from the panel, in another view.
  await a.page.getByTestId('nav-agenda').click();
  await a.page.getByTestId('visio-dock-quitter').click();
  await expect(a.page.getByTestId('visio-dock')).toHaveCount(0);
  await expect(g.page.locator(remoteVideo(agentName))).toHaveCount(0, { timeout: 15_000 });
  await a.page.getByTestId('nav-visio').click();
  await expect(a.page.getByTestId('visio-new')).toBeVisible();
  await g.page.getByTestId('visio-quitter').click();
  await a.context.close();
  await g.context.close();
});

test('visio invité : le serveur redémarre pendant la réunion — l’invité revient seul, sans repasser par la salle d’attente', async ({
  browser,
}) => {
  const a = await agentStartsMeeting(browser);
  const g = await guestKnocks(browser, a.link, { viewport: { width: 1280, height: 800 } }, false);
  await expect(a.page.getByTestId('visio-guest')).toContainText(GUEST_NAME);
  await a.page.getByTestId('visio-guest').getByRole('button', { name: 'Admettre' }).click();
  await expectVideoFrom(g.page, agentName);
  await expectVideoFrom(a.page, GUEST_NAME);

  const port = Number(new URL(visio.url).port);
  await visio.stop('SIGKILL');
  await expect(g.page.getByTestId('visio-reconnecting')).toBeVisible({ timeout: 15_000 });
  visio = await startVisio(port);
  expect(Number(new URL(visio.url).port)).toBe(port);
  for (const page of [a.page, g.page]) {
    await expect(page.locator('[data-testid="visio-meeting"][data-phase="joined"], [data-testid="visio-retry"]')).toBeVisible({
      timeout: 60_000,
    });
    if (await page.getByTestId('visio-retry').isVisible()) await page.getByTestId('visio-retry').click();
    await expect(page.getByTestId('visio-meeting')).toHaveAttribute('data-phase', 'joined', { timeout: 30_000 });
  }
  // The guest came back with its ticket: never in the salle d'attente, still a participant, media both ways.
  await expect(a.page.getByTestId('visio-lobby')).toHaveCount(0);
  await expect(g.page.getByTestId('visio-meeting')).toHaveAttribute('data-role', 'participant');
  await expect.poll(() => visio.logs()).toContain('"event":"guest_rejoined"');
  expect(visio.logs()).not.toContain('"event":"peer_waiting"');
  await expectVideoFrom(g.page, agentName);
  await expectVideoFrom(a.page, GUEST_NAME);
  await g.page.getByTestId('visio-quitter').click();
  await a.page.getByTestId('visio-quitter').click();
  await a.context.close();
  await g.context.close();
});
