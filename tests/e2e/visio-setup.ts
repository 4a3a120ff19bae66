/**
 * The meeting set-up of tests/e2e/visio.spec.ts for the accessibility specs: the meeting server as in production
 * (agents sign in with their mail account), one Ostal per agent with the policy that names that server, Chromium's
 * fake camera and micro. Same configuration as visio.spec.ts (kept there as it is, see its comments).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, type Browser, type BrowserContext, type Page } from '@playwright/test';
import type { ServerConfig } from '../../server/src/config.js';
import { spawnVisioServer, type VisioServerProcess } from '../../server/src/spawn.js';
import { addAccountByCli, servers, startOstal, tempProfile, type RunningOstal } from './ostal.js';

export const VISIO_CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--autoplay-policy=no-user-gesture-required',
];

export async function startVisio(): Promise<VisioServerProcess> {
  const s = servers();
  const config: Partial<ServerConfig> = {
    tokenSecret: 'secret-partage-de-la-visio-de-test-a11y-0123456789',
    requireToken: true,
    allowGuests: true,
    waitingRoom: true,
    logLevel: 'info',
    auth: {
      imap: { host: 'localhost', port: s.imap.port, security: 'starttls', caFile: s.caCertPath },
      ldap: null,
      tokenMinutes: 10,
      displayNames: Object.fromEntries(s.users.map((u) => [u.username, u.name])),
    },
  };
  return spawnVisioServer({ ...config, port: 0 });
}

/** An Ostal for agent `userIndex` whose policy names the meeting server; `extra` adds its own environment. */
export async function ostalForVisio(
  visio: VisioServerProcess,
  rendererCopy: string,
  userIndex: number,
  opts: { profileDir?: string; env?: Record<string, string> } = {},
): Promise<RunningOstal> {
  const s = servers();
  const profileDir = opts.profileDir ?? tempProfile();
  if (!opts.profileDir) addAccountByCli(profileDir, s.users[userIndex]!);
  const policyFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-a11y-policy-')), 'policies.json');
  fs.writeFileSync(policyFile, JSON.stringify({ settings: { 'visio.serverUrl': { value: visio.url, locked: true } } }));
  return startOstal({ profileDir, env: { OSTAL_POLICIES: policyFile, OSTAL_RENDERER_DIR: rendererCopy, ...opts.env } });
}

export async function openVisioContext(browser: Browser, ostal: RunningOstal): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ permissions: ['camera', 'microphone'], locale: 'fr-FR', timezoneId: 'Europe/Paris' });
  const page = await context.newPage();
  await page.goto(ostal.url);
  await expect(page.getByTestId('nav-visio')).toBeVisible();
  return { context, page };
}

/** The pre-join screen is ready: the fake camera plays and the fake micro's level moves. */
export async function prejoinReady(page: Page): Promise<void> {
  await expect(page.getByTestId('visio-prejoin')).toBeVisible();
  await expect
    .poll(() => page.getByTestId('visio-preview').evaluate((v: HTMLVideoElement) => v.getVideoPlaybackQuality().totalVideoFrames), {
      timeout: 20_000,
    })
    .toBeGreaterThan(3);
}
