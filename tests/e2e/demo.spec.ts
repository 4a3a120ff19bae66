/**
 * README's first command, minus its install step: `node scripts/start.mjs --demo` (what `bash scripts/demo.sh` runs
 * once everything is installed) starts its own demo servers, adds agent1's account, syncs and serves Ostal in browser
 * mode. A newcomer finds there what the README promises: the French demo mail, a meeting started on the demo's meeting
 * server, an espace de travail created with a colleague (its discussion and its documents ready); Ctrl+C stops Ostal
 * and every demo server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { SHOTS_DIR } from './ostal.js';
import { visioLaunchOptions } from './visio-chromium.js';

test.use({ launchOptions: visioLaunchOptions() });

let demo: ChildProcess | undefined;
let demoDir: string | undefined;
let out = '';

test.afterEach(async () => {
  if (demo && demo.exitCode === null) {
    process.kill(-demo.pid!, 'SIGINT');
    await new Promise((resolve) => demo!.once('exit', resolve));
  }
  if (test.info().status !== test.info().expectedStatus) console.log(out.slice(-4000));
  if (demoDir) fs.rmSync(demoDir, { recursive: true, force: true });
});

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

test('démo : la commande du README démarre Ostal sur les serveurs de démonstration ; courrier, visio et espaces marchent ; Ctrl+C arrête tout', async ({
  browser,
}) => {
  test.setTimeout(300_000);
  demoDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-demo-'));
  demo = spawn(process.execPath, ['scripts/start.mjs', '--demo'], {
    env: { ...process.env, OSTAL_DEMO_DIR: demoDir, OSTAL_PORT: '0', TZ: 'Europe/Paris' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group: Ctrl+C in a terminal goes to the whole group
  });
  demo.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  demo.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  await expect.poll(() => /OSTAL_URL=(\S+)/.exec(out)?.[1] ?? null, { timeout: 240_000, intervals: [1000] }).not.toBeNull();
  const url = /OSTAL_URL=(\S+)/.exec(out)![1]!;
  expect(out).toContain('Compte agent1@ostal.test ajouté.');
  expect(out).toContain('Synchronisation terminée pour agent1@ostal.test.');

  // What IT would preset, by policy: the meeting server and the spaces' shared folders, on the demo's own servers.
  const policies = JSON.parse(fs.readFileSync(path.join(demoDir, 'demo-policies.json'), 'utf8')) as {
    settings: Record<string, { value: string }>;
  };
  const visioUrl = policies.settings['visio.serverUrl']?.value;
  const webdavRoot = policies.settings['workspaces.webdavRoot']?.value;
  expect(visioUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(webdavRoot).toMatch(/^https:\/\/localhost:\d+\/dav\//);

  const context = await browser.newContext({ permissions: ['camera', 'microphone'], locale: 'fr-FR', timezoneId: 'Europe/Paris' });
  const page = await context.newPage();
  await page.goto(url);
  // The first-launch guided tour is on, as for a newcomer: it can be skipped.
  await page.getByRole('button', { name: 'Passer la visite' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Courrier' })).toBeVisible();
  await expect(page.locator('.message-row').first()).toBeVisible();
  expect(await page.locator('.message-row').count()).toBeGreaterThan(10);

  // A meeting on the demo's meeting server.
  await page.getByTestId('nav-visio').click();
  await page.getByRole('button', { name: 'Passer la visite' }).click();
  await page.getByTestId('visio-new').click();
  await expect(page.getByTestId('visio-created-link')).toHaveValue(new RegExp(`^${visioUrl}/salle/`));
  await page.getByTestId('visio-enter-created').click();
  await page.getByTestId('visio-rejoindre').click();
  await expect(page.getByTestId('visio-meeting')).toHaveAttribute('data-phase', 'joined', { timeout: 30_000 });
  await page.getByRole('button', { name: 'Quitter' }).click();

  // An espace de travail with a colleague: created, its discussion and documents ready.
  await page.getByRole('button', { name: 'Espaces' }).click();
  await page.getByRole('button', { name: 'Passer la visite' }).click();
  await page.getByTestId('new-space').click();
  await page.getByTestId('space-name').fill('Voirie 2027');
  await page.getByLabel('Description').fill('Travaux de voirie de l’année');
  await page.getByTestId('space-members').fill('agent2@ostal.test');
  await page.getByTestId('space-create').click();
  await expect(page.getByRole('heading', { name: 'Voirie 2027' })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByText('Aucun message pour l’instant. Écrivez le premier !')).toBeVisible();
  // Its documents in the demo's Documents folder › Espaces.
  await expect(page.getByText(path.join(demoDir, 'demo-fichiers', 'Espaces', 'Voirie 2027'))).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole('alert')).toHaveCount(0);
  await page.screenshot({ path: path.join(SHOTS_DIR, 'demo-espace.png') });
  await context.close();

  // Ctrl+C: Ostal and the demo servers stop.
  const apachePort = Number(new URL(webdavRoot!).port);
  const visioPort = Number(new URL(visioUrl!).port);
  expect(await accepts(apachePort)).toBe(true);
  process.kill(-demo.pid!, 'SIGINT');
  const code = await new Promise<number | null>((resolve) => demo!.once('exit', resolve));
  expect(code).toBe(0);
  expect(out).toContain('Arrêt des serveurs de démonstration…');
  expect(await accepts(apachePort)).toBe(false);
  expect(await accepts(visioPort)).toBe(false);
});
