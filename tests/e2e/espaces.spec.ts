import crypto from 'node:crypto';
/**
 * Espaces de travail in the browser: agent1 creates « Projet médiathèque » with agent2 through « Nouvel espace »
 * (real Prosody and Apache; the XMPP server found by SRV, the shared WebDAV root given by the policy file), writes
 * in its Discussion; agent2's Ostal (CLI, fresh profile) finds the space and reads the message; agent2's answer,
 * sent with HTML in it, shows in agent1's Discussion as plain text.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { SHOTS_DIR, addAccountByCli, servers, startOstal, tempProfile, type RunningOstal, ostalCli as cli } from './ostal.js';

let ostal: RunningOstal | undefined;
test.afterEach(async () => {
  await ostal?.stop();
  ostal = undefined;
});

test('espaces : agent1 crée « Projet médiathèque » avec agent2, qui le trouve et répond ; la discussion reste du texte', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const s = servers();
  const [a1, a2] = [s.users[0]!, s.users[1]!];
  // Its own name: the integration tests of the same run create spaces for the same agents.
  const name = `Projet médiathèque ${crypto.randomUUID().slice(0, 6)}`;
  const policy = path.join(tempProfile(), 'policies.json');
  fs.writeFileSync(policy, JSON.stringify({ settings: { 'workspaces.webdavRoot': { value: s.sharedWebdavRoot } } }));
  const env = { OSTAL_POLICIES: policy };
  const p1 = tempProfile();
  addAccountByCli(p1, a1, env);
  ostal = await startOstal({ profileDir: p1, env });
  await page.goto(ostal.url);
  await page.getByRole('button', { name: 'Espaces' }).click();
  await expect(page.getByRole('heading', { name: 'Espaces de travail' })).toBeVisible();

  await page.getByTestId('new-space').click();
  await page.getByTestId('space-name').fill(name);
  await page.getByLabel('Description').fill('Rénovation de la médiathèque municipale');
  await page.getByTestId('space-members').fill(a2.email);
  await page.screenshot({ path: path.join(SHOTS_DIR, 'espaces-creation.png') });
  await page.getByTestId('space-create').click();
  await expect(page.getByRole('heading', { name, level: 2 })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByText('Ces documents sont visibles par tous les agents de l’organisation.')).toBeVisible();
  await expect(page.getByTestId('space-members-list')).toContainText(a2.email);

  await page.getByTestId('message-input').fill('Bonjour @agent2, la réunion de chantier est jeudi.');
  await page.getByTestId('message-send').click();
  await expect(page.getByTestId('discussion')).toContainText('Bonjour @agent2, la réunion de chantier est jeudi.');

  // agent2, another computer: a fresh profile finds the space and its message, then answers with HTML in it.
  const p2 = tempProfile();
  addAccountByCli(p2, a2, env);
  const spaces = JSON.parse(cli(p2, env, ['workspace', 'list', '--json'])) as { id: string; name: string }[];
  const space = spaces.find((w) => w.name === name);
  expect(space).toBeDefined();
  const history = JSON.parse(cli(p2, env, ['chat', 'history', '--workspace', space!.id, '--json'])) as { text: string }[];
  expect(history.map((m) => m.text)).toContain('Bonjour @agent2, la réunion de chantier est jeudi.');
  cli(p2, env, ['chat', 'send', '--workspace', space!.id, '--text', 'Entendu, j’y serai <img src=x onerror=alert(1)> !']);

  // agent1 asks the server again (« Actualiser »): the answer is there, as text (no image element made from it).
  await page.getByRole('button', { name: 'Actualiser' }).click();
  const discussion = page.getByTestId('discussion');
  await expect(discussion).toContainText('Entendu, j’y serai <img src=x onerror=alert(1)> !', { timeout: 30_000 });
  await expect(discussion.locator('img')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Rejoindre la visio de l’espace' })).toBeVisible();
  await page.screenshot({ path: path.join(SHOTS_DIR, 'espaces-discussion.png') });
});
