/**
 * Visio moderation end to end: the real meeting server (server/, mediasoup worker), three real Ostal browser-mode
 * instances — the organiser (organiser token), an agent (participant token) and a guest (no token) — in Debian's
 * Chromium with fake camera and micro. The organiser mutes the agent (the server pauses the agent's audio producer:
 * read in the server's log; the agent turns it back on itself), stops the camera, locks the meeting, removes the
 * guest (French message; the guest cannot come back while locked) and ends the meeting for all.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import type { MeetHealth } from '../../src/shared/meet-protocol.js';
import { spawnVisioServer, type VisioServerProcess } from '../../server/src/spawn.js';
import { signJoinToken } from '../../server/src/token.js';
import { findEnglishWords } from './english-words.js';
import { addAccountByCli, servers, SHOTS_DIR, startOstal, tempProfile, type RunningOstal } from './ostal.js';
import { copyRenderer } from './renderer-copy.js';
import { visioLaunchOptions } from './visio-chromium.js';

const SECRET = 'secret-partage-de-la-moderation-de-test-0123456789';
test.use({ launchOptions: visioLaunchOptions() });
test.describe.configure({ mode: 'serial', timeout: 240_000 });

let visio: VisioServerProcess;
const ostals: RunningOstal[] = [];
let rendererCopy = '';

function token(role: 'organiser' | 'participant', sub: string): string {
  const now = Math.floor(Date.now() / 1000);
  return signJoinToken({ sub, role, room: '*', iat: now, exp: now + 3600 }, SECRET);
}

async function ostalFor(userIndex: number, joinToken: string | null): Promise<RunningOstal> {
  const s = servers();
  const profileDir = tempProfile();
  addAccountByCli(profileDir, s.users[userIndex]!);
  const policyFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-moderation-policy-')), 'policies.json');
  const settings: Record<string, { value: string; locked: boolean }> = { 'visio.serverUrl': { value: visio.url, locked: true } };
  if (joinToken) settings['visio.joinToken'] = { value: joinToken, locked: true };
  fs.writeFileSync(policyFile, JSON.stringify({ settings }));
  const ostal = await startOstal({ profileDir, env: { OSTAL_POLICIES: policyFile, OSTAL_RENDERER_DIR: rendererCopy } });
  ostals.push(ostal);
  return ostal;
}

test.afterAll(async () => {
  for (const o of ostals) await o.stop();
  await visio?.stop();
  if (rendererCopy) fs.rmSync(rendererCopy, { recursive: true, force: true });
});

async function openVisio(browser: Browser, ostal: RunningOstal): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ permissions: ['camera', 'microphone'] });
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') console.log(`[page] ${m.text()}`);
  });
  await page.goto(ostal.url);
  await page.getByTestId('nav-visio').click();
  await expect(page.getByRole('heading', { level: 1, name: 'Visio' })).toBeVisible();
  return { context, page };
}

async function enter(page: Page): Promise<void> {
  await expect(page.getByTestId('visio-prejoin')).toBeVisible();
  await page.getByTestId('visio-rejoindre').click();
}

async function joinByLink(page: Page, link: string): Promise<void> {
  await page.getByTestId('visio-link').fill(link);
  await page.getByTestId('visio-join').click();
  await enter(page);
}

/** The server's JSON log lines of one event. */
function logEvents(event: string): Record<string, unknown>[] {
  return visio
    .logs()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((entry) => entry.event === event);
}

async function expectNoEnglish(page: Page, where: string): Promise<void> {
  expect(findEnglishWords(await page.locator('body').innerText()), `English words on screen ${where}`).toEqual([]);
}

test('visio : l’organisateur coupe le micro d’un participant (pausé sur le serveur, le participant le réactive), verrouille, retire un invité, termine pour tous', async ({
  browser,
}) => {
  test.setTimeout(300_000);
  rendererCopy = await copyRenderer('ostal-moderation-renderer');
  visio = await spawnVisioServer({ tokenSecret: SECRET, requireToken: true, allowGuests: true, waitingRoom: true, logLevel: 'info' });
  const s = servers();
  const [organiserName, agentName, guestName] = [s.users[1]!.name, s.users[2]!.name, s.users[3]!.name];
  const organiser = await ostalFor(1, token('organiser', s.users[1]!.email));
  const agent = await ostalFor(2, token('participant', s.users[2]!.email));
  const guest = await ostalFor(3, null);

  const a = await openVisio(browser, organiser);
  await a.page.getByTestId('visio-new').click();
  const link = await a.page.getByTestId('visio-created-link').inputValue();
  await a.page.getByTestId('visio-enter-created').click();
  await enter(a.page);
  await expect(a.page.getByTestId('visio-meeting')).toHaveAttribute('data-role', 'organiser');
  const b = await openVisio(browser, agent);
  await joinByLink(b.page, link);
  await expect(b.page.getByTestId('visio-meeting')).toHaveAttribute('data-phase', 'joined');
  const g = await openVisio(browser, guest);
  await joinByLink(g.page, link);
  await expect(g.page.getByTestId('visio-waiting')).toBeVisible();
  await a.page.getByTestId('visio-guest').getByRole('button', { name: 'Admettre' }).click();
  await expect(g.page.getByTestId('visio-meeting')).toHaveAttribute('data-phase', 'joined');
  // A participant sees no moderation tools.
  await expect(b.page.getByTestId('visio-moderation')).toHaveCount(0);
  await b.page.getByTestId('visio-participants-button').click();
  await expect(b.page.getByTestId('visio-participant-actions')).toHaveCount(0);

  // The agent's micro runs; its peer id is the one the server logs.
  const agentTile = a.page.locator(`[data-testid="visio-tile"][data-mine="false"][data-name="${agentName}"]`);
  await expect(agentTile).toBeVisible({ timeout: 30_000 });
  const agentPeer = await agentTile.getAttribute('data-peer');
  expect(agentPeer).toMatch(/^[0-9a-f-]{36}$/);
  await a.page.getByTestId('visio-participants-button').click();
  const agentRow = a.page.locator(`[data-testid="visio-participant"][data-name="${agentName}"]`);
  await expect(agentRow).toContainText('micro ouvert', { timeout: 20_000 });
  const guestRow = a.page.locator(`[data-testid="visio-participant"][data-name="${guestName}"]`);
  await expect(guestRow).toContainText('invité');

  // The participant menu, open: French, laid out, no serious accessibility fault.
  await agentRow.getByTestId('visio-participant-actions').click();
  const menu = agentRow.getByRole('menu', { name: `Actions pour ${agentName}` });
  await expect(menu.getByRole('menuitem')).toHaveText([
    'Couper le micro',
    'Arrêter la caméra',
    'Ajouter aux organisateurs',
    'Retirer de la réunion',
  ]);
  await expect(menu.getByRole('menuitem').first()).toBeFocused();
  // The guest is never offered as organiser.
  const axe = await new AxeBuilder({ page: a.page })
    .include('[data-testid="visio-participants"]')
    .withTags(['wcag2a', 'wcag2aa'])
    .analyze();
  expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);
  await expectNoEnglish(a.page, 'visio-moderation');
  await a.page.screenshot({ path: path.join(SHOTS_DIR, 'visio-moderation.png') });
  await a.page.keyboard.press('Escape');
  await expect(menu).toHaveCount(0);
  await guestRow.getByTestId('visio-participant-actions').click();
  await expect(guestRow.getByRole('menuitem')).toHaveText(['Couper le micro', 'Arrêter la caméra', 'Retirer de la réunion']);
  // A click elsewhere closes it too.
  await a.page.locator('#visio-participants-title').click();
  await expect(guestRow.getByRole('menu')).toHaveCount(0);

  // « Couper le micro »: the server pauses the agent's audio producer; the agent is told, everyone reads who did it.
  await agentRow.getByTestId('visio-participant-actions').click();
  await agentRow.getByTestId('visio-moderate-muteMicro').click();
  await expect(b.page.getByTestId('visio-moderation-notice')).toContainText(`${organiserName} a coupé votre micro.`);
  await expect(b.page.getByTestId('visio-micro')).toHaveText('Activer le micro');
  await expect(agentRow).toContainText('micro coupé');
  await expect
    .poll(() => logEvents('peer_muted').filter((e) => e.peer === agentPeer && e.source === 'micro' && e.paused === true).length)
    .toBe(1);
  const line = `${organiserName} a coupé le micro de ${agentName}.`;
  for (const page of [a.page, b.page, g.page]) {
    await page.getByTestId('visio-chat-button').click();
    await expect(page.getByTestId('visio-chat-system').last()).toContainText(line);
  }
  await b.page.screenshot({ path: path.join(SHOTS_DIR, 'visio-moderation-micro-coupe.png') });
  await expectNoEnglish(b.page, 'visio-moderation-micro-coupe');

  // The agent turns it back on itself: the server resumes its producer.
  await b.page.getByTestId('visio-unmute-me').click();
  await expect(b.page.getByTestId('visio-micro')).toHaveText('Couper le micro');
  await expect(b.page.getByTestId('visio-moderation-notice')).toHaveCount(0);
  await expect
    .poll(() => logEvents('producer_resumed').filter((e) => e.peer === agentPeer && e.source === 'micro' && e.paused === false).length)
    .toBeGreaterThan(0);
  await a.page.getByTestId('visio-participants-button').click();
  await expect(agentRow).toContainText('micro ouvert');

  // « Arrêter la caméra », same model.
  await agentRow.getByTestId('visio-participant-actions').click();
  await agentRow.getByTestId('visio-moderate-stopCamera').click();
  await expect(b.page.getByTestId('visio-camera')).toHaveText('Activer la caméra');
  await expect(agentRow).toContainText('caméra coupée');
  await expect.poll(() => logEvents('peer_muted').filter((e) => e.peer === agentPeer && e.source === 'camera').length).toBe(1);

  // Lock, then remove the guest: French message on the guest's page, no « Réessayer ».
  await a.page.getByTestId('visio-lock').click();
  await expect(a.page.getByTestId('visio-lock')).toHaveText('Déverrouiller la réunion');
  await expect(b.page.getByTestId('visio-locked')).toHaveText('Réunion verrouillée');
  await guestRow.getByTestId('visio-participant-actions').click();
  await guestRow.getByTestId('visio-moderate-remove').click();
  await expect(g.page.getByTestId('visio-failure-message')).toHaveText('L’organisateur vous a retiré de la réunion.');
  await expect(g.page.getByTestId('visio-retry')).toHaveCount(0);
  await expect(guestRow).toHaveCount(0);
  await expect(b.page.getByTestId('visio-chat-system').last()).toContainText(`${organiserName} a retiré ${guestName} de la réunion.`);
  await g.page.screenshot({ path: path.join(SHOTS_DIR, 'visio-moderation-retire.png') });
  await expectNoEnglish(g.page, 'visio-moderation-retire');
  // The guest tries again: refused while the meeting is locked, never shown to the organiser.
  await g.page.getByRole('button', { name: 'Retour' }).click();
  await joinByLink(g.page, link);
  await expect(g.page.getByTestId('visio-failure-message')).toContainText('La réunion est verrouillée');
  await expect(a.page.getByTestId('visio-lobby')).toHaveCount(0);
  await expect.poll(() => logEvents('locked_refused').filter((e) => e.guest === true).length).toBeGreaterThan(0);

  // « Terminer pour tous »: each page says so in French; the room closes on the server.
  await a.page.getByTestId('visio-end-all').click();
  await expect(a.page.getByTestId('visio-end-confirm')).toContainText('Terminer la réunion pour tous les participants\u00a0?');
  await a.page.getByTestId('visio-end-confirm-yes').click();
  await expect(b.page.getByTestId('visio-failure-message')).toHaveText(`${organiserName} a mis fin à la réunion pour tous.`);
  await expect(a.page.getByTestId('visio-failure-message')).toHaveText(`${organiserName} a mis fin à la réunion pour tous.`);
  await expect(b.page.getByTestId('visio-retry')).toHaveCount(0);
  await b.page.screenshot({ path: path.join(SHOTS_DIR, 'visio-moderation-fin.png') });
  await expectNoEnglish(b.page, 'visio-moderation-fin');
  const health = (await (await fetch(`${visio.url}/health`)).json()) as MeetHealth;
  expect(health).toMatchObject({ rooms: 0, peers: 0 });
  for (const p of [a, b, g]) await p.context.close();
});
