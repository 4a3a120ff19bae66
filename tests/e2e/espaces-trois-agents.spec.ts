/**
 * Espaces de travail with three agents, each with its own Ostal (browser mode) on the run's real servers (Prosody,
 * Apache's shared WebDAV root, Radicale's shared CalDAV root, the meeting server): agent1 creates « Projet
 * médiathèque » with agent2 and agent3; the space appears in their Ostal; a message naming « @agent3 » reaches both
 * and marks agent3's space with a mention; a document agent2 adds arrives in agent3's folder; an event agent1 adds to
 * the space's agenda shows for all three; « Rejoindre la visio de l'espace » puts the three in one meeting; agent1
 * removes agent3 during it: agent1's and agent2's meeting moves to the space's new room (two participants), agent3's
 * Ostal leaves the meeting and says why, the space leaves its list, and a fresh Ostal of agent3 does not find it.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import type { VisioServerProcess } from '../../server/src/spawn.js';
import { SHOTS_DIR, addAccountByCli, logTail, ostalEnv, servers, startOstal, tempProfile, type RunningOstal } from './ostal.js';
import { copyRenderer } from './renderer-copy.js';
import { visioLaunchOptions } from './visio-chromium.js';
import { prejoinReady, startVisio } from './visio-setup.js';

test.use({ launchOptions: visioLaunchOptions() });

let visio: VisioServerProcess | undefined;
const ostals: RunningOstal[] = [];
const contexts: BrowserContext[] = [];

test.afterEach(async () => {
  if (test.info().status !== test.info().expectedStatus) for (const o of ostals) console.log(logTail(o.profileDir));
  for (const c of contexts.splice(0)) await c.close().catch(() => undefined);
  for (const o of ostals.splice(0)) await o.stop();
  await visio?.stop();
  visio = undefined;
});

async function open(browser: Browser, ostal: RunningOstal): Promise<Page> {
  const context = await browser.newContext({ permissions: ['camera', 'microphone'], locale: 'fr-FR', timezoneId: 'Europe/Paris' });
  contexts.push(context);
  const page = await context.newPage();
  await page.goto(ostal.url);
  await page.getByRole('button', { name: 'Espaces' }).click();
  await expect(page.getByRole('heading', { name: 'Espaces de travail' })).toBeVisible();
  return page;
}

function tomorrow(): string {
  const d = new Date(Date.now() + 86_400_000);
  return d.toLocaleDateString('fr-FR', { timeZone: 'Europe/Paris', day: '2-digit', month: '2-digit', year: 'numeric' });
}

test('espaces : trois agents — discussion, mention, documents, agenda, visio et retrait d’un membre', async ({ browser }) => {
  test.setTimeout(300_000);
  const s = servers();
  const [a1, a2, a3] = [s.users[0]!, s.users[1]!, s.users[2]!];
  // Its own name: the integration tests of the same run make spaces for the same agents.
  const name = `Projet médiathèque ${crypto.randomUUID().slice(0, 6)}`;
  visio = await startVisio();
  const rendererCopy = await copyRenderer('ostal-espaces-trois');
  const policy = path.join(tempProfile(), 'policies.json');
  fs.writeFileSync(
    policy,
    JSON.stringify({
      settings: {
        'workspaces.webdavRoot': { value: s.sharedWebdavRoot },
        'workspaces.caldavRoot': { value: s.sharedCaldavRoot },
        'visio.serverUrl': { value: visio.url, locked: true },
      },
    }),
  );
  const env = { OSTAL_POLICIES: policy, OSTAL_RENDERER_DIR: rendererCopy, OSTAL_SYNC_INTERVAL_MS: '4000' };
  const profiles = [tempProfile(), tempProfile(), tempProfile()];
  [a1, a2, a3].forEach((u, i) => addAccountByCli(profiles[i]!, u, env));
  for (const p of profiles) ostals.push(await startOstal({ profileDir: p, env }));
  const [p1, p2, p3] = [await open(browser, ostals[0]!), await open(browser, ostals[1]!), await open(browser, ostals[2]!)];

  // agent1 creates the space with agent2 and agent3.
  await p1.getByTestId('new-space').click();
  await p1.getByTestId('space-name').fill(name);
  await p1.getByLabel('Description').fill('Rénovation de la médiathèque municipale');
  await p1.getByTestId('space-members').fill(`${a2.email}, ${a3.email}`);
  await p1.getByTestId('space-create').click();
  await expect(p1.getByRole('heading', { name, level: 2 })).toBeVisible({ timeout: 30_000 });

  // It appears in agent2's and agent3's Ostal (« Actualiser »: the server kept their invitations).
  for (const p of [p2, p3]) {
    await p.getByRole('button', { name: 'Actualiser' }).click();
    await expect(p.getByTestId('space-item').filter({ hasText: name })).toBeVisible({ timeout: 30_000 });
  }
  await p2.getByTestId('space-item').filter({ hasText: name }).click();

  // « @agent3 »: reaches agent2 and agent3; agent3's list marks the space with a mention.
  const text = 'Bonjour @agent3, peux-tu relire le plan du rez-de-chaussée ?';
  await p1.getByTestId('message-input').fill(text);
  await p1.getByTestId('message-send').click();
  await expect(p1.getByTestId('discussion')).toContainText(text);
  await expect(p2.getByTestId('discussion')).toContainText(text, { timeout: 30_000 });
  await expect(p3.getByTestId('space-item').filter({ hasText: name }).getByTestId('space-mention')).toBeVisible({ timeout: 30_000 });
  await p3.getByTestId('space-item').filter({ hasText: name }).click();
  await expect(p3.getByTestId('discussion-message').filter({ hasText: text })).toHaveAttribute('data-mention', 'true');
  await p1.screenshot({ path: path.join(SHOTS_DIR, 'espaces-accueil.png') });

  // agent2 adds a document to the space's Documents; it arrives in agent3's folder.
  const docs2 = p2.getByTestId('space-documents');
  await docs2.getByTestId('space-document-file').setInputFiles({
    name: 'Plan du rez-de-chaussée.txt',
    mimeType: 'text/plain',
    buffer: Buffer.from('Plan relu le 5 décembre.\n', 'utf8'),
  });
  await expect(docs2.getByTestId('space-document')).toContainText('Plan du rez-de-chaussée.txt', { timeout: 30_000 });
  const docs3 = p3.getByTestId('space-documents');
  await expect(async () => {
    await docs3.getByRole('button', { name: 'Synchroniser' }).click();
    await expect(docs3.getByTestId('space-document')).toContainText('Plan du rez-de-chaussée.txt', { timeout: 3_000 });
  }).toPass({ timeout: 60_000 });
  const arrived = path.join(profiles[2]!, 'Espaces', name, 'Plan du rez-de-chaussée.txt');
  expect(fs.readFileSync(arrived, 'utf8')).toBe('Plan relu le 5 décembre.\n');
  await expect(docs3).toContainText('visibles par tous les agents de l’organisation');
  await p3.screenshot({ path: path.join(SHOTS_DIR, 'espaces-documents.png'), fullPage: true });

  // agent1 adds an event to the space's agenda: it shows for all three (their Agenda syncs the space's calendar).
  const agenda1 = p1.getByTestId('space-agenda');
  // The form opens on a slot to come (the next half hour), not on 9:00 of a day already under way.
  const firstSlot = [
    await agenda1.getByTestId('space-event-day').inputValue(),
    await agenda1.getByTestId('space-event-start').inputValue(),
  ];
  expect(
    await p1.evaluate(([day, time]) => {
      const [d, m, y] = day!.split('/').map(Number);
      const [h, min] = time!.split(':').map(Number);
      return new Date(y!, m! - 1, d!, h!, min!).getTime() > Date.now();
    }, firstSlot),
  ).toBe(true);
  await agenda1.getByTestId('space-event-title').fill('Réunion de chantier');
  await agenda1.getByTestId('space-event-day').fill(tomorrow());
  await agenda1.getByTestId('space-event-start').fill('09:30');
  await agenda1.getByTestId('space-event-end').fill('11:00');
  await agenda1.getByTestId('space-event-add').click();
  for (const p of [p1, p2, p3])
    await expect(p.getByTestId('space-agenda').getByTestId('space-event')).toContainText('Réunion de chantier', { timeout: 60_000 });
  await p2.getByTestId('space-agenda').screenshot({ path: path.join(SHOTS_DIR, 'espaces-agenda.png') });

  // « Rejoindre la visio de l'espace »: the three agents in one meeting.
  for (const p of [p1, p2, p3]) {
    await p.getByTestId('space-visio').click();
    await prejoinReady(p);
    await p.getByTestId('visio-rejoindre').click();
    await expect(p.getByTestId('visio-meeting')).toHaveAttribute('data-phase', 'joined', { timeout: 30_000 });
  }
  for (const p of [p1, p2, p3]) await expect(p.getByTestId('visio-count')).toHaveText('3 participants', { timeout: 30_000 });

  // agent1 removes agent3 during the meeting (from Espaces, the meeting going on in its dock): the space's visio gets
  // a new room; agent1's and agent2's Ostal move the meeting there, agent3's Ostal leaves it and says why.
  await p1.getByRole('button', { name: 'Espaces' }).click();
  await expect(p1.getByTestId('visio-dock')).toBeVisible();
  // Espaces opens on the space agent1 left it at (the one whose visio it joined).
  await expect(p1.getByRole('heading', { name, level: 2 })).toBeVisible();
  await p1.getByTestId('space-members-panel').locator('summary').click();
  await p1.screenshot({ path: path.join(SHOTS_DIR, 'espaces-membres.png'), fullPage: true });
  // agent3 by its address (shown by the name agent1's contacts give it once they are synced, the address kept in data-address).
  const agent3 = `[data-address="${a3.email}"]`;
  await expect(p1.getByTestId('space-members-list').locator(agent3)).toHaveCount(1);
  await p1
    .getByTestId('space-member')
    .filter({ has: p1.locator(agent3) })
    .getByRole('button', { name: /^Retirer .* de l’espace$/ })
    .click();
  await expect(p1.getByTestId('space-members-list').locator(agent3)).toHaveCount(0, { timeout: 30_000 });
  const failed = p3.getByTestId('visio-failed');
  await expect(failed).toHaveAttribute('data-failure', 'space_left', { timeout: 30_000 });
  await expect(failed).toContainText(`Vous ne faites plus partie de l’espace « ${name} » : vous avez quitté sa visio.`);
  await expect(p3.getByTestId('visio-retry')).toHaveCount(0);
  await p3.screenshot({ path: path.join(SHOTS_DIR, 'visio-espace-membre-retire.png') });
  await p1.getByTestId('visio-dock').getByRole('button', { name: 'Revenir à la réunion' }).click();
  for (const p of [p1, p2]) {
    await expect(p.getByTestId('visio-room-changed')).toContainText('La visio de l’espace a changé de salle', { timeout: 30_000 });
    await expect(p.getByTestId('visio-meeting')).toHaveAttribute('data-phase', 'joined', { timeout: 30_000 });
    await expect(p.getByTestId('visio-count')).toHaveText('2 participants', { timeout: 30_000 });
  }
  await p2.screenshot({ path: path.join(SHOTS_DIR, 'visio-espace-nouvelle-salle.png') });
  await p2.getByTestId('visio-room-changed').getByRole('button', { name: 'Fermer' }).click();
  await expect(p2.getByTestId('visio-room-changed')).toHaveCount(0);
  // « Retour »: agent3's Espaces no longer lists the space; a fresh Ostal of agent3 does not find it either.
  await p3.getByTestId('visio-failed').getByRole('button', { name: 'Retour' }).click();
  await p3.getByRole('button', { name: 'Espaces' }).click();
  await expect(p3.getByTestId('space-item').filter({ hasText: name })).toHaveCount(0, { timeout: 30_000 });
  const fresh = tempProfile();
  addAccountByCli(fresh, a3, env);
  const r = spawnSync(process.execPath, ['bin/ostal.mjs', 'workspace', 'list', '--json', '--profile', fresh], {
    env: ostalEnv(s, env),
    encoding: 'utf8',
  });
  expect(r.status, `ostal workspace list: ${r.stderr}`).toBe(0);
  expect((JSON.parse(r.stdout) as { name: string }[]).map((w) => w.name)).not.toContain(name);
});
