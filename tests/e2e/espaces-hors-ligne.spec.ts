/**
 * Espaces de travail, agent2's Ostal in the browser (its XMPP connection goes through a relay the test cuts):
 * agent1 (CLI) creates a space with agent2 and writes « @agent2 »: agent2's list shows the unread count and the
 * mention, the message is highlighted. Then agent2's network goes away: two messages written in the Discussion wait
 * « en attente »; the network comes back: each reaches the room once, in order (read by agent1's CLI).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { Relay } from '../servers/relay.js';
import { SHOTS_DIR, addAccountByCli, servers, startOstal, tempProfile, type RunningOstal, ostalCli as cli } from './ostal.js';

let ostal: RunningOstal | undefined;
let relay: Relay | undefined;
test.afterEach(async () => {
  const info = test.info();
  // The core's own output tells why it stopped, when it did.
  if (info.status !== info.expectedStatus && ostal) await info.attach('ostal-output', { body: ostal.output().slice(-8000) });
  await ostal?.stop();
  ostal = undefined;
  await relay?.stop();
  relay = undefined;
});

test('espaces : mention signalée, puis deux messages écrits hors ligne partent une fois chacun, dans l’ordre', async ({ page }) => {
  test.setTimeout(150_000);
  const s = servers();
  const [a1, a2] = [s.users[0]!, s.users[1]!];
  const name = `Hors ligne ${crypto.randomUUID().slice(0, 6)}`;
  const policy = path.join(tempProfile(), 'policies.json');
  fs.writeFileSync(policy, JSON.stringify({ settings: { 'workspaces.webdavRoot': { value: s.sharedWebdavRoot } } }));
  const env = { OSTAL_POLICIES: policy };
  const p1 = tempProfile();
  addAccountByCli(p1, a1, env);
  const space = JSON.parse(cli(p1, env, ['workspace', 'create', '--name', name, '--members', a2.email, '--json'])) as { id: string };

  relay = await Relay.start(s.prosody.port);
  const p2 = tempProfile();
  cli(p2, { ...env, OSTAL_E2E_PASSWORD: a2.password }, [
    'account',
    'add',
    '--email',
    a2.email,
    '--name',
    a2.name,
    '--password-env',
    'OSTAL_E2E_PASSWORD',
    '--xmpp',
    `xmpp://localhost:${relay.port}`,
  ]);
  ostal = await startOstal({ profileDir: p2, env });
  await page.goto(ostal.url);
  await page.getByRole('button', { name: 'Espaces' }).click();
  const item = page.getByTestId('space-item').filter({ hasText: name });
  await expect(item).toBeVisible({ timeout: 30_000 });

  // agent1 names agent2: the list counts it unread and shows the mention (agent2's Ostal is in the room, live).
  cli(p1, env, ['chat', 'send', '--workspace', space.id, '--text', 'Bonjour @agent2, pouvez-vous relire le cahier des charges ?']);
  await expect(item.getByTestId('space-unread')).toHaveText('1 non lu', { timeout: 30_000 });
  await expect(item.getByTestId('space-mention')).toHaveText('@ 1 mention');
  await page.screenshot({ path: path.join(SHOTS_DIR, 'espaces-mention-liste.png') });
  await item.click();
  const mentioned = page.getByTestId('discussion-message').filter({ hasText: 'pouvez-vous relire' });
  await expect(mentioned).toHaveAttribute('data-mention', 'true');
  await expect(mentioned).toContainText('vous mentionne');
  await expect(item.getByTestId('space-unread')).toHaveCount(0);

  // The network goes away: two messages wait « en attente », in the order written.
  relay.cut();
  const texts = ['Premier message écrit hors ligne', 'Second message écrit hors ligne'];
  for (const text of texts) {
    await page.getByTestId('message-input').fill(text);
    await page.getByTestId('message-send').click();
    await expect(page.getByTestId('message-input')).toHaveValue('', { timeout: 20_000 });
    await expect(page.getByTestId('discussion-message').filter({ hasText: text }).getByTestId('message-pending')).toHaveText('en attente');
  }
  await expect(page.getByTestId('message-pending')).toHaveCount(2);
  await page.getByTestId('space-members-panel').locator('summary').click();
  await page.screenshot({ path: path.join(SHOTS_DIR, 'espaces-en-attente.png'), fullPage: true });

  // Each waiting row has its final height already (its actions' place kept, « en attente » on the sender's line):
  // once the server confirms it, nothing above moves under the pointer.
  const heights = async () =>
    Promise.all(texts.map(async (text) => (await page.getByTestId('discussion-message').filter({ hasText: text }).boundingBox())?.height));
  const waitingHeights = await heights();
  expect(waitingHeights.every((h) => h !== undefined && h > 0)).toBe(true);

  // Back online: both leave, once each, in order.
  relay.restore();
  await expect(page.getByTestId('message-pending')).toHaveCount(0, { timeout: 40_000 });
  expect(await heights()).toEqual(waitingHeights);
  const history = JSON.parse(cli(p1, env, ['chat', 'history', '--workspace', space.id, '--json'])) as { from: string; text: string }[];
  expect(history.filter((m) => m.from === a2.email).map((m) => m.text)).toEqual(texts);
  await page.screenshot({ path: path.join(SHOTS_DIR, 'espaces-envoyes.png') });
});
