import crypto from 'node:crypto';
/**
 * Espaces de travail in the browser: agent1 creates « Projet médiathèque » with agent2 through « Nouvel espace », agent2
 * typed by name (a contact of agent1's), and adds agent3 by name; members and authors show by name, not by address
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
  const [a1, a2, a3] = [s.users[0]!, s.users[1]!, s.users[2]!];
  // Its own name: the integration tests of the same run create spaces for the same agents.
  const name = `Projet médiathèque ${crypto.randomUUID().slice(0, 6)}`;
  const policy = path.join(tempProfile(), 'policies.json');
  fs.writeFileSync(policy, JSON.stringify({ settings: { 'workspaces.webdavRoot': { value: s.sharedWebdavRoot } } }));
  const env = { OSTAL_POLICIES: policy };
  const p1 = tempProfile();
  // Contacts too: agent1's address book holds the other agents (tests/fixtures/seed).
  addAccountByCli(p1, a1, env, 'mail,contacts');
  ostal = await startOstal({ profileDir: p1, env });
  await page.goto(ostal.url);
  await page.getByRole('button', { name: 'Espaces' }).click();
  await expect(page.getByRole('heading', { name: 'Espaces de travail' })).toBeVisible();

  await page.getByTestId('new-space').click();
  await page.getByTestId('space-name').fill(name);
  await page.getByLabel('Description').fill('Rénovation de la médiathèque municipale');
  await page.getByTestId('space-members').fill(a2.name);
  await page.screenshot({ path: path.join(SHOTS_DIR, 'espaces-creation.png') });
  await page.getByTestId('space-create').click();
  await expect(page.getByRole('heading', { name, level: 2 })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByText('Ces documents sont visibles par tous les agents de l’organisation.')).toBeVisible();
  // The members by name (agent1's own and its contact's), their addresses in the tooltips.
  const membersList = page.getByTestId('space-members-list');
  await expect(membersList).toContainText(a2.name);
  await expect(membersList).toContainText(a1.name);
  await expect(membersList).not.toContainText(a2.email);
  await expect(membersList.locator(`[data-address="${a2.email}"]`)).toHaveAttribute('title', a2.email);

  // « Ajouter » a member by name: a name that is several contacts is said, then agent3's family name alone.
  await page.getByTestId('space-members-panel').locator('summary').click();
  await page.getByTestId('member-address').fill('D');
  await page.getByTestId('member-add').click();
  await expect(page.getByTestId('space-members-panel').getByRole('alert')).toHaveText(
    'Plusieurs contacts correspondent à «\u00a0D\u00a0»\u00a0: tapez son nom complet ou son adresse.',
  );
  await page.getByTestId('member-address').fill(a3.name.split(' ').pop()!);
  await page.getByTestId('member-add').click();
  const added = page.getByTestId('space-member').filter({ has: page.locator(`[data-address="${a3.email}"]`) });
  await expect(added).toHaveText(new RegExp(`^${a3.name}`), { timeout: 30_000 });
  await expect(added.getByRole('button', { name: `Retirer ${a3.name} de l’espace` })).toBeVisible();
  await expect(membersList).toContainText(a3.name);
  await page.screenshot({ path: path.join(SHOTS_DIR, 'espaces-membres-noms.png') });
  // Closed again: the help's capture of the Discussion (espaces-discussion.png) shows it as an agent finds it.
  await page.getByTestId('space-members-panel').locator('summary').click();

  await page.getByTestId('message-input').fill('Bonjour @agent2, la réunion de chantier est jeudi.');
  await page.getByTestId('message-send').click();
  await expect(page.getByTestId('discussion')).toContainText('Bonjour @agent2, la réunion de chantier est jeudi.');
  const mine = page.getByTestId('discussion-message').filter({ hasText: 'la réunion de chantier' });
  await expect(mine.locator('.discussion-from')).toHaveText(a1.name);

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
  // agent2's answer under the name agent1's contacts give agent2's address (the room named the sender).
  const answer = page.getByTestId('discussion-message').filter({ hasText: 'Entendu, j’y serai' });
  await expect(answer.locator('.discussion-from')).toHaveText(a2.name);
  await expect(answer.locator('.discussion-from')).toHaveAttribute('title', a2.email);
  await expect(page.getByRole('button', { name: 'Rejoindre la visio de l’espace' })).toBeVisible();
  await page.screenshot({ path: path.join(SHOTS_DIR, 'espaces-discussion.png') });
});
