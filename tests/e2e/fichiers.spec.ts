import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { findEnglishWords } from './english-words.js';
import { SHOTS_DIR, addFilesAccountByCli, ostalEnv, servers, startOstal, tempProfile, type RunningOstal } from './ostal.js';
import { encodePath, httpsRequest, type HttpReply } from '../servers/http.js';
import { runLayout } from '../servers/layout.js';

/**
 * Fichiers end to end: browser mode with agent4's WebDAV folder (a fresh sub-folder per run) synced to a temporary
 * local folder. A file dropped locally reaches the server (checked with a direct HTTPS GET), a file changed on the
 * server reaches the disk and the view, a rename on either side is a rename on the other (a MOVE in Apache's log,
 * not a delete and an upload), a conflict shows its French notice and is settled from the view; each state is
 * captured to test-results/screens/fichiers-*.png.
 */
test.describe.configure({ mode: 'serial' });

const s = servers();
const user = s.users[3];
const folder = `fichiers-e2e-${Date.now().toString(36)}`;
const remoteRoot = `/dav/${encodePath(user.username)}/${encodePath(folder)}/`;
const webdavUrl = `https://localhost:${s.apache.port}${remoteRoot}`;
const ca = fs.readFileSync(s.caCertPath, 'utf8');
const filesRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-e2e-fichiers-'));
const local = path.join(filesRoot, user.email);
const accessLog = runLayout(s.dir).apache.accessLog;
let ostal: RunningOstal;

function dav(method: string, rel: string, body?: string, headers: Record<string, string> = {}): Promise<HttpReply> {
  return httpsRequest({
    port: s.apache.port,
    method,
    path: remoteRoot + encodePath(rel),
    ca,
    body,
    headers,
    auth: { user: user.username, password: user.password },
  });
}

async function expectDav(
  method: string,
  rel: string,
  body: string | undefined,
  ok: number[],
  headers: Record<string, string> = {},
): Promise<void> {
  const r = await dav(method, rel, body, headers);
  expect(ok, `${method} ${rel} → ${r.status}`).toContain(r.status);
}

/** Polls the server until `rel` answers `status` (and `content`, when given). */
async function expectOnServer(rel: string, content: string | null): Promise<void> {
  await expect
    .poll(
      async () => {
        const r = await dav('GET', rel);
        return content === null ? r.status : r.status === 200 ? r.body : `HTTP ${r.status}`;
      },
      { timeout: 30_000, intervals: [500, 1000] },
    )
    .toBe(content === null ? 404 : content);
}

async function syncNow(page: Page): Promise<void> {
  const button = page.getByTestId('sync-now').first();
  await expect(button).toBeEnabled({ timeout: 30_000 });
  await button.click();
  await expect(button).toBeEnabled({ timeout: 60_000 });
}

function row(page: Page, p: string) {
  return page.locator(`[data-testid="file"][data-path="${p}"]`);
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SHOTS_DIR, `fichiers-${name}.png`), fullPage: true });
}

/** No English word on screen and no serious axe-core violation. */
async function checkScreen(page: Page, name: string): Promise<void> {
  await shot(page, name);
  const texts = await page.evaluate(() => {
    const out: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode())
      if (n.textContent?.trim() && !n.parentElement?.closest('script,style')) out.push(n.textContent.trim());
    for (const el of Array.from(document.querySelectorAll('[title],[aria-label],[placeholder]')))
      for (const a of ['title', 'aria-label', 'placeholder']) if (el.getAttribute(a)) out.push(el.getAttribute(a)!);
    return out;
  });
  // File names are the user's data, not interface text.
  const english = texts
    .filter((t) => !t.includes(folder) && !t.includes(filesRoot))
    .flatMap((t) => findEnglishWords(t).map((w) => `${w} in « ${t} »`));
  expect(english, `English words on ${name}`).toEqual([]);
  const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  expect(
    axe.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`),
    `axe-core on ${name}`,
  ).toEqual([]);
}

test.beforeAll(async () => {
  // The run's own folder on the server, with a few documents in it.
  await expectDav('MKCOL', '', undefined, [201]);
  await expectDav('MKCOL', 'Délibérations', undefined, [201]);
  await expectDav('MKCOL', 'Délibérations/2026', undefined, [201]);
  await expectDav('MKCOL', 'Photos du chantier', undefined, [201]);
  await expectDav('PUT', 'Compte rendu du conseil.txt', 'Compte rendu du conseil municipal du 12 octobre.\n', [201]);
  await expectDav('PUT', 'Délibérations/2026/Délibération n° 12.txt', 'Délibération n° 12 : budget primitif.\n', [201]);
  await expectDav('PUT', 'Photos du chantier/École — façade.txt', 'Photo de la façade de l’école.\n', [201]);
  await expectDav('PUT', 'Note à relire.txt', 'Première version.\n', [201]);

  const profileDir = tempProfile();
  addFilesAccountByCli(profileDir, user, webdavUrl, filesRoot);
  ostal = await startOstal({ profileDir, env: { OSTAL_FILES_ROOT: filesRoot } });
});

test.afterAll(async () => {
  await ostal?.stop();
  await dav('DELETE', '');
  fs.rmSync(filesRoot, { recursive: true, force: true });
});

test('la vue Fichiers montre les documents du serveur, synchronisés, dossier par dossier', async ({ page }) => {
  await page.goto(ostal.url);
  await page.getByTestId('nav-fichiers').click();
  await syncNow(page);
  await expect(row(page, '/Compte rendu du conseil.txt')).toBeVisible({ timeout: 30_000 });
  await expect(row(page, '/Compte rendu du conseil.txt').getByTestId('file-state')).toHaveText('Synchronisé');
  await expect(row(page, '/Délibérations')).toBeVisible();
  expect(fs.readFileSync(path.join(local, 'Compte rendu du conseil.txt'), 'utf8')).toBe(
    'Compte rendu du conseil municipal du 12 octobre.\n',
  );
  await expect(page.getByTestId('files-local-root')).toContainText(local);
  await checkScreen(page, 'liste');

  // Into a folder through the tree, then back with the breadcrumb.
  await page.getByTestId('tree-folder').filter({ hasText: 'Délibérations' }).click();
  await expect(row(page, '/Délibérations/2026')).toBeVisible();
  await row(page, '/Délibérations/2026').getByRole('button').first().click();
  await expect(row(page, '/Délibérations/2026/Délibération n° 12.txt')).toBeVisible();
  await checkScreen(page, 'dossier');
  // A look at Courrier and back: Fichiers is still in that folder.
  await page.getByTestId('nav-courrier').click();
  await page.getByTestId('nav-fichiers').click();
  await expect(row(page, '/Délibérations/2026/Délibération n° 12.txt')).toBeVisible({ timeout: 15_000 });

  // Search by name, without accents.
  await page.getByRole('navigation', { name: 'Emplacement' }).getByRole('button', { name: 'Tous les fichiers' }).click();
  await page.getByTestId('files-search').fill('facade');
  await expect(row(page, '/Photos du chantier/École — façade.txt')).toBeVisible();
  await expect(page.getByTestId('files-search-status')).toHaveText(/1 résultat/);
  await checkScreen(page, 'recherche');
  await page.getByTestId('files-search').fill('');

  // « Ouvrir » gives the file on the disk.
  await row(page, '/Compte rendu du conseil.txt')
    .getByRole('button', { name: /Ouvrir/ })
    .click();
  await expect(page.getByTestId('files-open-path')).toHaveText(path.join(local, 'Compte rendu du conseil.txt'));
  await checkScreen(page, 'ouvrir');
});

test('un fichier déposé dans le dossier local arrive sur le serveur', async ({ page }) => {
  await page.goto(ostal.url);
  await page.getByTestId('nav-fichiers').click();
  fs.writeFileSync(path.join(local, 'Déposé en local.txt'), 'Écrit sur cet ordinateur.\n');
  // The watcher starts a sync on its own; the button only makes it sooner.
  await expectOnServer('Déposé en local.txt', 'Écrit sur cet ordinateur.\n');
  await syncNow(page);
  await expect(row(page, '/Déposé en local.txt').getByTestId('file-state')).toHaveText('Synchronisé', { timeout: 30_000 });
});

test('un fichier changé et un fichier ajouté sur le serveur arrivent en local et dans la vue', async ({ page }) => {
  await page.goto(ostal.url);
  await page.getByTestId('nav-fichiers').click();
  await expect(row(page, '/Note à relire.txt')).toBeVisible({ timeout: 30_000 });
  await expectDav('PUT', 'Note à relire.txt', 'Deuxième version, écrite sur le serveur.\n', [204]);
  await expectDav('PUT', 'Arrivé du serveur.txt', 'Ajouté directement sur le serveur.\n', [201]);
  await syncNow(page);
  await expect(row(page, '/Arrivé du serveur.txt')).toBeVisible({ timeout: 30_000 });
  await expect
    .poll(() => fs.readFileSync(path.join(local, 'Note à relire.txt'), 'utf8'))
    .toBe('Deuxième version, écrite sur le serveur.\n');
  expect(fs.readFileSync(path.join(local, 'Arrivé du serveur.txt'), 'utf8')).toBe('Ajouté directement sur le serveur.\n');
  await expect(row(page, '/Arrivé du serveur.txt').getByTestId('file-state')).toHaveText('Synchronisé');
  await checkScreen(page, 'serveur-vers-local');
});

test('un renommage d’un côté est un renommage de l’autre (MOVE, pas suppression puis envoi)', async ({ page }) => {
  await page.goto(ostal.url);
  await page.getByTestId('nav-fichiers').click();
  await expect(row(page, '/Compte rendu du conseil.txt')).toBeVisible({ timeout: 30_000 });
  const logBefore = fs.statSync(accessLog).size;

  // Local rename → MOVE on the server.
  fs.renameSync(path.join(local, 'Compte rendu du conseil.txt'), path.join(local, 'Compte rendu du conseil — 12 octobre.txt'));
  await expectOnServer('Compte rendu du conseil — 12 octobre.txt', 'Compte rendu du conseil municipal du 12 octobre.\n');
  await expectOnServer('Compte rendu du conseil.txt', null);
  const requests = () =>
    [
      ...fs
        .readFileSync(accessLog)
        .subarray(logBefore)
        .toString('utf8')
        .matchAll(/"([A-Z]+) (\S+) HTTP/g),
    ].map((m) => `${m[1]} ${decodeURIComponent(m[2]).normalize('NFC')}`);
  const base = decodeURIComponent(remoteRoot);
  expect(requests()).toContain(`MOVE ${base}Compte rendu du conseil.txt`);
  expect(requests()).not.toContain(`PUT ${base}Compte rendu du conseil — 12 octobre.txt`);
  expect(requests()).not.toContain(`DELETE ${base}Compte rendu du conseil.txt`);

  // Server rename → local rename.
  await expectDav('MOVE', 'Arrivé du serveur.txt', undefined, [201], {
    Destination: `https://localhost:${s.apache.port}${remoteRoot}${encodePath('Arrivé du serveur (renommé).txt')}`,
  });
  await syncNow(page);
  await expect(row(page, '/Arrivé du serveur (renommé).txt')).toBeVisible({ timeout: 30_000 });
  await expect(row(page, '/Arrivé du serveur.txt')).toHaveCount(0);
  expect(fs.readFileSync(path.join(local, 'Arrivé du serveur (renommé).txt'), 'utf8')).toBe('Ajouté directement sur le serveur.\n');
  expect(fs.existsSync(path.join(local, 'Arrivé du serveur.txt'))).toBe(false);
  await checkScreen(page, 'renommage');
});

test('en pause, un changement local attend ; un conflit garde les deux versions, avec l’avis en français et le choix', async ({ page }) => {
  await page.goto(ostal.url);
  await page.getByTestId('nav-fichiers').click();
  await expect(row(page, '/Note à relire.txt')).toBeVisible({ timeout: 30_000 });

  await page.getByTestId('files-pause').click();
  await expect(page.getByTestId('files-paused')).toBeVisible();
  await expect(page.getByTestId('files-pause')).toHaveText('Reprendre');
  // Both sides change the same document while the sync is paused.
  fs.writeFileSync(path.join(local, 'Note à relire.txt'), 'Version locale, relue par Camille.\n');
  await expectDav('PUT', 'Note à relire.txt', 'Version du serveur, relue par Dominique.\n', [204]);
  await syncNow(page);
  await expect(row(page, '/Note à relire.txt').getByTestId('file-state')).toHaveText(/En attente|Synchronisé/);
  await checkScreen(page, 'pause');

  await page.getByTestId('files-pause').click();
  await expect(page.getByTestId('files-paused')).toHaveCount(0);
  await syncNow(page);
  await expect(page.getByTestId('files-section-conflicts')).toHaveText(/Conflits \(1\)/, { timeout: 30_000 });
  await checkScreen(page, 'conflit-liste');
  await page.getByTestId('files-section-conflicts').click();
  const conflict = page.getByTestId('file-conflict').filter({ hasText: 'Note à relire.txt' });
  await expect(conflict).toBeVisible();
  await expect(conflict.locator('.fichiers-conflict-message')).toContainText('conflit');
  await expect(page.getByTestId('files-conflicts').getByText(/Ces documents ont été modifiés/)).toBeVisible();
  await checkScreen(page, 'conflit');

  // Nothing lost: the server's version under the name, the local one beside it.
  expect(fs.readFileSync(path.join(local, 'Note à relire.txt'), 'utf8')).toBe('Version du serveur, relue par Dominique.\n');
  const copies = fs.readdirSync(local).filter((n) => n.startsWith('Note à relire (conflit du'));
  expect(copies).toHaveLength(1);
  expect(fs.readFileSync(path.join(local, copies[0]), 'utf8')).toBe('Version locale, relue par Camille.\n');

  await conflict.getByRole('button', { name: 'Garder les deux' }).click();
  await expect(page.getByText(/Les deux versions de «\u00a0Note à relire\.txt\u00a0» sont gardées/)).toBeVisible();
  await expect(page.getByTestId('file-conflict')).toHaveCount(0);
  await expect(page.getByTestId('files-notices')).toHaveCount(0);
  await expectOnServer(copies[0], 'Version locale, relue par Camille.\n');
  await checkScreen(page, 'conflit-regle');
});

test('dossier en ligne seulement, document supprimé sur le serveur gardé dans la Corbeille d’Ostal et restauré', async ({ page }) => {
  await page.goto(ostal.url);
  await page.getByTestId('nav-fichiers').click();
  const photos = row(page, '/Photos du chantier');
  await expect(photos).toBeVisible({ timeout: 30_000 });
  const toggle = photos.getByRole('switch');
  await expect(toggle).toBeChecked();
  await toggle.click();
  await expect(toggle).not.toBeChecked();
  await expect.poll(() => fs.existsSync(path.join(local, 'Photos du chantier', 'École — façade.txt'))).toBe(false);
  await page.getByTestId('tree-folder').filter({ hasText: 'Photos du chantier' }).click();
  await expect(row(page, '/Photos du chantier/École — façade.txt').getByTestId('file-state')).toHaveText('En ligne seulement');
  await checkScreen(page, 'en-ligne-seulement');
  // « Ouvrir » brings it back on the disk.
  await row(page, '/Photos du chantier/École — façade.txt')
    .getByRole('button', { name: /Ouvrir/ })
    .click();
  await expect(page.getByTestId('files-open-path')).toHaveText(path.join(local, 'Photos du chantier', 'École — façade.txt'));
  expect(fs.readFileSync(path.join(local, 'Photos du chantier', 'École — façade.txt'), 'utf8')).toBe('Photo de la façade de l’école.\n');

  // Deleted on the server → out of the folder, into Ostal's Corbeille, restorable.
  await expectDav('DELETE', 'Délibérations/2026/Délibération n° 12.txt', undefined, [204]);
  await syncNow(page);
  await expect
    .poll(() => fs.existsSync(path.join(local, 'Délibérations', '2026', 'Délibération n° 12.txt')), { timeout: 30_000 })
    .toBe(false);
  await page.getByTestId('files-section-trash').click();
  const entry = page.getByTestId('trash-entry').filter({ hasText: 'Délibération n° 12.txt' });
  await expect(entry).toBeVisible({ timeout: 30_000 });
  await checkScreen(page, 'corbeille');
  await entry.getByRole('button', { name: /Restaurer/ }).click();
  await expect(page.getByText(/est de retour dans/)).toBeVisible();
  expect(fs.readFileSync(path.join(local, 'Délibérations', '2026', 'Délibération n° 12.txt'), 'utf8')).toBe(
    'Délibération n° 12 : budget primitif.\n',
  );
  await expectOnServer('Délibérations/2026/Délibération n° 12.txt', 'Délibération n° 12 : budget primitif.\n');
  await checkScreen(page, 'corbeille-restaure');
});

test('un nom refusé par d’autres systèmes est signalé avec la solution, sans être envoyé', async ({ page }) => {
  await page.goto(ostal.url);
  await page.getByTestId('nav-fichiers').click();
  fs.writeFileSync(path.join(local, 'Budget : version finale?.txt'), 'Nom refusé par Windows.\n');
  await syncNow(page);
  const problems = page.getByTestId('files-name-problems');
  await expect(problems).toBeVisible({ timeout: 30_000 });
  await expect(problems).toContainText('Budget : version finale?.txt');
  const r = await dav('GET', 'Budget : version finale?.txt');
  expect(r.status).toBe(404);
  await checkScreen(page, 'nom-refuse');
});

test('« Nouveau dossier » et « Ajouter des fichiers » : sur le serveur, sans rien remplacer ; un nom refusé est expliqué', async ({
  page,
}) => {
  await page.goto(ostal.url);
  await page.getByTestId('nav-fichiers').click();
  await page.getByRole('navigation', { name: 'Emplacement' }).getByRole('button', { name: 'Tous les fichiers' }).click();
  await expect(row(page, '/Délibérations')).toBeVisible({ timeout: 30_000 });

  // « Nouveau dossier »: an empty name, then a name Windows refuses, each answered in French under the field.
  await page.getByTestId('files-new-folder').click();
  const name = page.getByTestId('files-new-folder-name');
  await expect(name).toBeFocused();
  await page.getByTestId('files-new-folder-create').click();
  await expect(page.getByTestId('files-new-folder-problem')).toHaveText('Donnez un nom au dossier.');
  await name.fill('Budget : 2026?');
  await page.getByTestId('files-new-folder-create').click();
  await expect(page.getByTestId('files-new-folder-problem')).toContainText('Un nom ne peut pas contenir les caractères');
  await expect(page.getByTestId('files-new-folder-problem')).toContainText('«\u00a0Budget _ 2026_\u00a0»');
  await expect(name).toHaveAttribute('aria-invalid', 'true');
  await checkScreen(page, 'nouveau-dossier-refuse');
  // A name taken (without case) is refused too.
  await name.fill('délibérations');
  await page.getByTestId('files-new-folder-create').click();
  await expect(page.getByTestId('files-new-folder-problem')).toHaveText(
    'Un dossier ou un fichier nommé «\u00a0délibérations\u00a0» existe déjà ici. Choisissez un autre nom.',
  );
  await name.fill('Conseil municipal 2026');
  await page.getByTestId('files-new-folder-create').click();
  await expect(page.getByTestId('files-new-folder-form')).toHaveCount(0);
  await expect(page.getByRole('status').filter({ hasText: 'Dossier «\u00a0Conseil municipal 2026\u00a0» créé.' })).toBeVisible();
  await expect(row(page, '/Conseil municipal 2026')).toBeVisible();
  expect(fs.statSync(path.join(local, 'Conseil municipal 2026')).isDirectory()).toBe(true);
  await expect
    .poll(async () => (await dav('PROPFIND', 'Conseil municipal 2026/', undefined, { Depth: '0' })).status, { timeout: 30_000 })
    .toBe(207);

  // « Ajouter des fichiers » in that folder: two files, one larger than a request (sent in parts).
  await row(page, '/Conseil municipal 2026').getByRole('button').first().click();
  await expect(page.getByTestId('files-add')).toBeVisible();
  const bigText = 'Procès-verbal de la séance du conseil municipal. '.repeat(110_000);
  await page.getByTestId('files-add-input').setInputFiles([
    { name: 'Ordre du jour.txt', mimeType: 'text/plain', buffer: Buffer.from('Ordre du jour du 12 octobre.\n') },
    { name: 'Procès-verbal.txt', mimeType: 'text/plain', buffer: Buffer.from(bigText) },
  ]);
  await expect(page.getByTestId('files-add-done')).toHaveText('2 fichiers ajoutés.', { timeout: 30_000 });
  await expect(row(page, '/Conseil municipal 2026/Ordre du jour.txt')).toBeVisible();
  await expect(row(page, '/Conseil municipal 2026/Procès-verbal.txt')).toBeVisible();
  await checkScreen(page, 'ajout');
  await expectOnServer('Conseil municipal 2026/Ordre du jour.txt', 'Ordre du jour du 12 octobre.\n');
  await expectOnServer('Conseil municipal 2026/Procès-verbal.txt', bigText);

  // The same name again: both kept, the new one is « Ordre du jour (2).txt », the first one untouched.
  await page
    .getByTestId('files-add-input')
    .setInputFiles([{ name: 'Ordre du jour.txt', mimeType: 'text/plain', buffer: Buffer.from('Ordre du jour corrigé.\n') }]);
  await expect(page.getByTestId('files-add-done')).toContainText('1 fichier ajouté.', { timeout: 30_000 });
  await expect(page.getByTestId('files-add-done')).toContainText(
    'les deux sont gardés, le nouveau s’appelle «\u00a0Ordre du jour (2).txt\u00a0»',
  );
  await expect(row(page, '/Conseil municipal 2026/Ordre du jour (2).txt')).toBeVisible();
  await checkScreen(page, 'ajout-doublon');
  await expectOnServer('Conseil municipal 2026/Ordre du jour (2).txt', 'Ordre du jour corrigé.\n');
  await expectOnServer('Conseil municipal 2026/Ordre du jour.txt', 'Ordre du jour du 12 octobre.\n');

  // Dropped onto the list: the hint while dragging, then the file in the folder and on the server.
  const dropped = await page.evaluateHandle(() => {
    const dt = new DataTransfer();
    dt.items.add(new File(['Glissé depuis le bureau.\n'], 'Glissé-déposé.txt', { type: 'text/plain' }));
    return dt;
  });
  const zone = page.getByTestId('files-drop-zone');
  await zone.dispatchEvent('dragenter', { dataTransfer: dropped });
  await expect(page.getByText('Déposez vos fichiers ici pour les ajouter à «\u00a0Conseil municipal 2026\u00a0».')).toBeVisible();
  await shot(page, 'depot');
  await zone.dispatchEvent('drop', { dataTransfer: dropped });
  await expect(page.getByTestId('files-add-done')).toHaveText('1 fichier ajouté.', { timeout: 30_000 });
  await expectOnServer('Conseil municipal 2026/Glissé-déposé.txt', 'Glissé depuis le bureau.\n');

  // At 1 024 px wide, the toolbar's buttons stay inside the window.
  await page.setViewportSize({ width: 1024, height: 700 });
  await page.getByTestId('files-new-folder').click();
  for (const id of ['files-new-folder', 'files-add', 'files-open-folder', 'files-new-folder-create']) {
    const box = await page.getByTestId(id).boundingBox();
    expect(box, id).not.toBeNull();
    expect(box!.x + box!.width, id).toBeLessThanOrEqual(1024);
  }
  await checkScreen(page, 'ajout-1024');
});

test('pendant un téléchargement : la progression et l’état « en cours » sont visibles ; une grosse suppression attend la confirmation', async ({
  page,
}) => {
  // agent5, its own folder, and a speed limit (set in Réglages) so that the transfer lasts a few seconds.
  const u5 = s.users[4];
  const root5 = `/dav/${encodePath(u5.username)}/${encodePath(`${folder}-progression`)}/`;
  const put5 = (method: string, rel: string, body?: Buffer) =>
    httpsRequest({
      port: s.apache.port,
      method,
      path: root5 + encodePath(rel),
      ca,
      body,
      auth: { user: u5.username, password: u5.password },
    });
  expect((await put5('MKCOL', '')).status).toBe(201);
  const localRoot5 = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-e2e-fichiers5-'));
  const profileDir = tempProfile();
  const env = ostalEnv(s, { OSTAL_E2E_PASSWORD: u5.password, OSTAL_FILES_ROOT: localRoot5 });
  const r = spawnSync(
    process.execPath,
    [
      'bin/ostal.mjs',
      'account',
      'add',
      '--email',
      u5.email,
      '--name',
      u5.name,
      '--password-env',
      'OSTAL_E2E_PASSWORD',
      '--webdav',
      `https://localhost:${s.apache.port}${root5}`,
      '--profile',
      profileDir,
    ],
    { env, encoding: 'utf8' },
  );
  expect(r.status, r.stderr).toBe(0);
  const slow = await startOstal({ profileDir, env: { OSTAL_FILES_ROOT: localRoot5 } });
  try {
    await page.goto(slow.url);
    // The speed limit is a setting (Réglages › Général): a negative number is refused in French, 200 Kio/s is kept.
    await page.getByTestId('nav-reglages').click();
    await page.getByTestId('reglages-general').click();
    const limit = page.getByLabel('Vitesse maximale des transferts de fichiers (en Kio/s)');
    await expect(limit).toHaveValue('0');
    await limit.fill('-5');
    await page.getByTestId('save-settings').click();
    await expect(page.getByRole('alert').filter({ hasText: 'La vitesse maximale' })).toContainText(
      'La vitesse maximale doit être un nombre entier positif',
    );
    await limit.fill('200');
    await page.getByTestId('save-settings').click();
    await expect(page.getByRole('status').filter({ hasText: 'Réglages enregistrés.' })).toBeVisible();
    await checkScreen(page, 'reglage-vitesse');
    await page.getByTestId('nav-fichiers').click();
    await expect(page.getByTestId('files-sync-panel')).toContainText('Dernière synchronisation', { timeout: 30_000 });
    // The documents arrive on the server once the first (empty) sync is over: small, then a bigger new version.
    const names = ['Plan du cadastre.pdf', 'Rapport annuel.pdf', 'Photos de la fête.zip'];
    for (const name of names) expect((await put5('PUT', name, Buffer.alloc(10_000, name))).status).toBe(201);
    await syncNow(page);
    await expect(row(page, '/Rapport annuel.pdf').getByTestId('file-state')).toHaveText('Synchronisé', { timeout: 30_000 });
    for (const name of names) expect((await put5('PUT', name, Buffer.alloc(1_500_000, name))).status).toBe(204);
    await page.getByTestId('sync-now').first().click();
    await expect(page.getByTestId('files-progress')).toBeVisible({ timeout: 20_000 });
    await expect(page.getByTestId('files-progress')).toContainText(/sur 3/);
    await expect(page.getByTestId('file-state').filter({ hasText: 'En cours de synchronisation' }).first()).toBeVisible({
      timeout: 10_000,
    });
    await checkScreen(page, 'en-cours');
    await expect(page.getByTestId('files-progress')).toHaveCount(0, { timeout: 60_000 });
    await expect(row(page, '/Rapport annuel.pdf').getByTestId('file-state')).toHaveText('Synchronisé', { timeout: 30_000 });
    expect(fs.statSync(path.join(localRoot5, u5.email, 'Rapport annuel.pdf')).size).toBe(1_500_000);

    // A whole folder deleted on the server: a big deletion waits for the user, nothing is removed meanwhile.
    expect((await put5('MKCOL', 'Archives 2025')).status).toBe(201);
    for (let i = 1; i <= 10; i++)
      expect((await put5('PUT', `Archives 2025/Bordereau n° ${i}.txt`, Buffer.from(`Bordereau ${i}\n`))).status).toBe(201);
    await syncNow(page);
    await expect
      .poll(() => fs.existsSync(path.join(localRoot5, u5.email, 'Archives 2025', 'Bordereau n° 10.txt')), { timeout: 30_000 })
      .toBe(true);
    expect((await put5('DELETE', 'Archives 2025/')).status).toBe(204);
    await syncNow(page);
    const confirm = page.getByTestId('files-confirm-deletion');
    await expect(confirm).toBeVisible({ timeout: 30_000 });
    await expect(confirm).toContainText('Confirmation requise');
    expect(fs.existsSync(path.join(localRoot5, u5.email, 'Archives 2025', 'Bordereau n° 1.txt'))).toBe(true);
    await checkScreen(page, 'confirmation');
    await confirm.getByRole('button', { name: 'Garder les fichiers' }).click();
    await expect(confirm).toHaveCount(0, { timeout: 30_000 });
    expect(fs.existsSync(path.join(localRoot5, u5.email, 'Archives 2025', 'Bordereau n° 1.txt'))).toBe(true);
  } finally {
    await slow.stop();
    await put5('DELETE', '');
    fs.rmSync(localRoot5, { recursive: true, force: true });
  }
});

test('sans serveur de fichiers, la vue dit quoi faire et mène aux Réglages', async ({ page }) => {
  const profileDir = tempProfile();
  const u5 = s.users[4];
  const env = ostalEnv(s, { OSTAL_E2E_PASSWORD: u5.password });
  const r = spawnSync(
    process.execPath,
    [
      'bin/ostal.mjs',
      'account',
      'add',
      '--email',
      u5.email,
      '--name',
      u5.name,
      '--password-env',
      'OSTAL_E2E_PASSWORD',
      '--profile',
      profileDir,
    ],
    { env, encoding: 'utf8' },
  );
  expect(r.status, r.stderr).toBe(0);
  const bare = await startOstal({ profileDir });
  try {
    await page.goto(bare.url);
    await page.getByTestId('nav-fichiers').click();
    await expect(page.getByText('Aucun serveur de fichiers n’est réglé pour vos comptes.', { exact: false })).toBeVisible();
    await checkScreen(page, 'sans-serveur');
    await page.getByTestId('files-open-settings').click();
    await expect(page.getByRole('heading', { level: 1, name: 'Réglages' })).toBeVisible();
  } finally {
    await bare.stop();
  }
});
