/**
 * Files in a space's Discussion, in the browser, through the run's Prosody (mod_http_file_share): agent1 « Joindre un
 * fichier » → the file card (name, size, « Ouvrir »); agent2's Ostal shows the same card with « Télécharger », and the
 * file downloaded into its profile holds the same bytes. Nothing is opened by itself. In a direct discussion, the same
 * button sends a file to a colleague, and a file over the server's limit is refused in French before it is sent.
 * « Ajouter aux documents de l'espace » on agent2's card copies the file into the space's Documents folder (same bytes)
 * with a French notice naming it; a direct discussion's card has no such button. agent3 removed from a space keeps the
 * document it wrote here and never sent in « Conservés – <nom> », said in French in the Espaces view.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { SHOTS_DIR, addAccountByCli, logTail, servers, startOstal, tempProfile, type RunningOstal, ostalCli as cli } from './ostal.js';

const ostals: RunningOstal[] = [];
const contexts: BrowserContext[] = [];

test.afterEach(async () => {
  if (test.info().status !== test.info().expectedStatus) for (const o of ostals) console.log(logTail(o.profileDir));
  for (const c of contexts.splice(0)) await c.close().catch(() => undefined);
  for (const o of ostals.splice(0)) await o.stop();
});

/** No serious or critical axe-core violation (RGAA) on the page as it is. */
async function expectAccessible(page: Page): Promise<void> {
  const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const bad = axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id);
  expect(bad).toEqual([]);
}

async function openSpace(browser: Browser, ostal: RunningOstal, name: string): Promise<Page> {
  const context = await browser.newContext({ locale: 'fr-FR', timezoneId: 'Europe/Paris' });
  contexts.push(context);
  const page = await context.newPage();
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(ostal.url);
  await page.getByRole('button', { name: 'Espaces' }).click();
  await page.getByRole('button', { name: new RegExp(name) }).click();
  await expect(page.getByTestId('discussion')).toBeVisible();
  return page;
}

test('espaces : joindre un fichier — la carte du fichier, téléchargé à la demande, mêmes octets', async ({ browser }) => {
  test.setTimeout(150_000);
  const s = servers();
  const [a1, a2] = [s.users[0]!, s.users[1]!];
  const tag = crypto.randomUUID().slice(0, 6);
  const name = `Dossier médiathèque ${tag}`;
  const policy = path.join(tempProfile(), 'policies.json');
  fs.writeFileSync(policy, JSON.stringify({ settings: { 'workspaces.webdavRoot': { value: s.sharedWebdavRoot } } }));
  const env = { OSTAL_POLICIES: policy };
  const p1 = tempProfile();
  addAccountByCli(p1, a1, env);
  const space = JSON.parse(cli(p1, env, ['workspace', 'create', '--name', name, '--members', a2.email, '--json'])) as { id: string };
  const p2 = tempProfile();
  addAccountByCli(p2, a2, env);
  cli(p2, env, ['workspace', 'list', '--json']);
  expect(space.id).toContain('@');

  const one = await startOstal({ profileDir: p1, env });
  ostals.push(one);
  const page1 = await openSpace(browser, one, name);
  const content = Buffer.from(`Plan de la médiathèque ${tag}\n`.repeat(100), 'utf8');
  const fileName = `plan-médiathèque-${tag}.txt`;
  await expect(page1.getByTestId('chat-attach')).toHaveText('Joindre un fichier');
  await page1.getByTestId('chat-attach-file').setInputFiles({ name: fileName, mimeType: 'text/plain', buffer: content });
  const card1 = page1.getByTestId('chat-file').filter({ hasText: fileName });
  await expect(card1).toBeVisible({ timeout: 30_000 });
  await expect(card1.getByTestId('chat-file-size')).toHaveText('3,1\u00a0Ko');
  // The sender has its own copy: « Ouvrir » at once (browser mode: the path is shown, nothing is launched).
  await card1.getByTestId('chat-file-open').click();
  await expect(card1.getByRole('status')).toContainText('Le fichier est ici\u00a0:');
  await page1.screenshot({ path: path.join(SHOTS_DIR, 'espaces-fichier-envoye.png') });

  const two = await startOstal({ profileDir: p2, env });
  ostals.push(two);
  const page2 = await openSpace(browser, two, name);
  const card2 = page2.getByTestId('chat-file').filter({ hasText: fileName });
  await expect(card2).toBeVisible({ timeout: 30_000 });
  await expect(card2).toHaveAttribute('data-downloaded', 'false');
  await expect(card2.getByTestId('chat-file-size')).toHaveText('3,1\u00a0Ko');
  await expect(card2.getByTestId('chat-file-open')).toHaveCount(0);
  await page2.screenshot({ path: path.join(SHOTS_DIR, 'espaces-fichier-recu.png') });
  await expectAccessible(page2);
  await card2.getByTestId('chat-file-download').click();
  const notice = card2.getByRole('status');
  await expect(notice).toContainText('Fichier téléchargé\u00a0:');
  await expect(card2.getByTestId('chat-file-open')).toBeVisible();
  const local = (await notice.textContent())!.replace(/^Fichier téléchargé\u00a0:\s*/, '').trim();
  expect(local.startsWith(p2)).toBe(true);
  expect(crypto.createHash('sha256').update(fs.readFileSync(local)).digest('hex')).toBe(
    crypto.createHash('sha256').update(content).digest('hex'),
  );
  await page2.screenshot({ path: path.join(SHOTS_DIR, 'espaces-fichier-telecharge.png') });

  // « Ajouter aux documents de l'espace »: a copy in the space's Documents folder (synced), a French notice naming it.
  await expect(card2.getByTestId('chat-file-to-documents')).toHaveText('Ajouter aux documents de l’espace');
  await card2.getByTestId('chat-file-to-documents').click();
  await expect(notice).toHaveText(`«\u00a0${fileName}\u00a0» a été ajouté aux documents de l’espace.`, { timeout: 30_000 });
  const inDocuments = path.join(p2, 'Espaces', name, fileName);
  expect(crypto.createHash('sha256').update(fs.readFileSync(inDocuments)).digest('hex')).toBe(
    crypto.createHash('sha256').update(content).digest('hex'),
  );
  await page2.screenshot({ path: path.join(SHOTS_DIR, 'espaces-fichier-ajoute-documents.png') });
  await expectAccessible(page2);
});

test('discussion directe : joindre un fichier, et un fichier trop gros refusé en français', async ({ browser }) => {
  test.setTimeout(120_000);
  const s = servers();
  const [a1, a2] = [s.users[0]!, s.users[1]!];
  const tag = crypto.randomUUID().slice(0, 6);
  const p1 = tempProfile();
  addAccountByCli(p1, a1);
  const one = await startOstal({ profileDir: p1 });
  ostals.push(one);
  const context = await browser.newContext({ locale: 'fr-FR', timezoneId: 'Europe/Paris' });
  contexts.push(context);
  const page = await context.newPage();
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(one.url);
  await page.getByRole('button', { name: 'Espaces' }).click();
  await page.getByTestId('direct-address').fill(a2.email);
  await page.getByTestId('direct-start').click();
  // Named by agent1's contacts once they are synced, by its address before: the address is the heading's in both cases.
  await expect(page.getByTestId('direct-title')).toHaveAttribute('data-address', a2.email);

  const fileName = `note-${tag}.txt`;
  await page.getByTestId('chat-attach-file').setInputFiles({ name: fileName, mimeType: 'text/plain', buffer: Buffer.from(`Note ${tag}`) });
  const card = page.getByTestId('direct-message').getByTestId('chat-file').filter({ hasText: fileName });
  await expect(card).toBeVisible({ timeout: 30_000 });
  await expect(card.getByTestId('chat-file-size')).toHaveText('11\u00a0octets');
  // A direct discussion has no space Documents: no « Ajouter aux documents de l'espace ».
  await expect(card.getByTestId('chat-file-to-documents')).toHaveCount(0);

  // A larger file (over the 4 Mio a request carries): sent in parts, one card.
  const largeName = `plan-cadastral-${tag}.pdf`;
  await page
    .getByTestId('chat-attach-file')
    .setInputFiles({ name: largeName, mimeType: 'application/pdf', buffer: Buffer.alloc(5 * 1024 * 1024, 7) });
  const largeCard = page.getByTestId('direct-message').getByTestId('chat-file').filter({ hasText: largeName });
  await expect(largeCard).toBeVisible({ timeout: 60_000 });
  await expect(largeCard.getByTestId('chat-file-size')).toHaveText('5\u00a0Mo');

  // Over the server's limit (10 Mo on the test server): refused before anything is sent, said in French.
  const before = await page.getByTestId('direct-message').count();
  await page
    .getByTestId('chat-attach-file')
    .setInputFiles({ name: 'captation-conseil.mp4', mimeType: 'video/mp4', buffer: Buffer.alloc(11 * 1024 * 1024, 1) });
  // This alert, not another one of the page (an agenda reminder of agent1's calendar, shared by the spec files).
  await expect(page.getByRole('alert').filter({ hasText: 'captation-conseil.mp4' })).toContainText(
    'Le fichier «\u00a0captation-conseil.mp4\u00a0» fait 11\u00a0Mo\u00a0: le serveur de discussion accepte au plus 10\u00a0Mo par fichier.',
    { timeout: 30_000 },
  );
  await expect(page.getByTestId('direct-message')).toHaveCount(before);
  await page.screenshot({ path: path.join(SHOTS_DIR, 'espaces-fichier-direct.png') });
  await expectAccessible(page);
});

test('espace quitté : les documents modifiés ici et non envoyés sont conservés, avis en français', async ({ browser }) => {
  test.setTimeout(120_000);
  const s = servers();
  const [a1, a3] = [s.users[0]!, s.users[2]!];
  const tag = crypto.randomUUID().slice(0, 6);
  const name = `Espace quitté ${tag}`;
  const policy = path.join(tempProfile(), 'policies.json');
  fs.writeFileSync(policy, JSON.stringify({ settings: { 'workspaces.webdavRoot': { value: s.sharedWebdavRoot } } }));
  const env = { OSTAL_POLICIES: policy };
  const p1 = tempProfile();
  addAccountByCli(p1, a1, env);
  const space = JSON.parse(cli(p1, env, ['workspace', 'create', '--name', name, '--members', a3.email, '--json'])) as { id: string };
  const p3 = tempProfile();
  addAccountByCli(p3, a3, env);
  cli(p3, env, ['workspace', 'list', '--json']);

  const three = await startOstal({ profileDir: p3, env });
  ostals.push(three);
  const page = await openSpace(browser, three, name);
  const folder = path.join(p3, 'Espaces', name);
  await expect.poll(() => fs.existsSync(folder), { timeout: 30_000 }).toBe(true);
  // Written on agent3's computer and never sent.
  fs.writeFileSync(path.join(folder, 'Brouillon.txt'), `brouillon ${tag}`);

  cli(p1, env, ['workspace', 'members', '--workspace', space.id, '--remove', a3.email]);
  await page.getByRole('button', { name: 'Actualiser' }).click();
  const kept = path.join(p3, 'Espaces', `Conservés – ${name}`);
  await expect(page.getByTestId('space-documents-kept')).toHaveText(
    `L’espace «\u00a0${name}\u00a0» n’est plus dans votre liste. Un document modifié sur cet ordinateur et non envoyé a été conservé dans «\u00a0${kept}\u00a0».`,
    { timeout: 30_000 },
  );
  await expect(page.getByRole('button', { name: new RegExp(name) })).toHaveCount(0);
  expect(fs.readFileSync(path.join(kept, 'Brouillon.txt'), 'utf8')).toBe(`brouillon ${tag}`);
  expect(fs.existsSync(folder)).toBe(false);
  await page.screenshot({ path: path.join(SHOTS_DIR, 'espaces-documents-conserves.png') });
  await expectAccessible(page);
});
