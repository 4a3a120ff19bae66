import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { findEnglishWords } from './english-words.js';
import { SHOTS_DIR, addFilesAccountByCli, servers, startOstal, tempProfile, type RunningOstal } from './ostal.js';
import { encodePath, httpsRequest, type HttpReply } from '../servers/http.js';

/**
 * « Ouvrir » on a synced file that could run code (issue 12): files put on the test Apache WebDAV by HTTP PUT — a
 * shortcut disguised as a PDF, a script, a name with a right-to-left override, a Windows program, a shell script —
 * are synced, and « Ouvrir » opens none of them: their folder is shown instead, with the French warning. A PDF still
 * opens. Electron cannot run here: the desktop (Electron's shell.openPath / showItemInFolder in the main process) is
 * played by the page behind `window.ostalDesktop`, as the Visio spec plays the screen-share picker; the core asks it
 * over the browser-mode desktop channel (src/host/page-desktop-shell.ts), so the test sees exactly what would open.
 */
test.describe.configure({ mode: 'serial' });

const s = servers();
const user = s.users[3];
const folder = `ouvrir-e2e-${Date.now().toString(36)}`;
const remoteRoot = `/dav/${encodePath(user.username)}/${encodePath(folder)}/`;
const webdavUrl = `https://localhost:${s.apache.port}${remoteRoot}`;
const ca = fs.readFileSync(s.caCertPath, 'utf8');
const filesRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-e2e-ouvrir-'));
const local = path.join(filesRoot, user.email);
let ostal: RunningOstal;

const TRAPS = ['a.pdf.lnk', 'x.js', 'facture\u202Efdp.js', 'setup.exe', 'script.sh'];
const PDF = 'CR.pdf';

function dav(method: string, rel: string, body?: string): Promise<HttpReply> {
  return httpsRequest({
    port: s.apache.port,
    method,
    path: remoteRoot + encodePath(rel),
    ca,
    body,
    auth: { user: user.username, password: user.password },
  });
}

function row(page: Page, p: string) {
  return page.locator(`[data-testid="file"][data-path="${p}"]`);
}

interface DesktopCalls {
  opened: string[];
  shown: string[];
}

const calls = (page: Page) => page.evaluate(() => (window as unknown as { __desktopCalls: DesktopCalls }).__desktopCalls);

test.beforeAll(async () => {
  expect((await dav('MKCOL', '')).status).toBe(201);
  for (const name of TRAPS) expect((await dav('PUT', name, `piège : ${name}\n`)).status, name).toBe(201);
  expect((await dav('PUT', PDF, '%PDF-1.4\n% compte rendu\n')).status).toBe(201);
  const profileDir = tempProfile();
  addFilesAccountByCli(profileDir, user, webdavUrl, filesRoot);
  ostal = await startOstal({ profileDir, env: { OSTAL_FILES_ROOT: filesRoot } });
});

test.afterAll(async () => {
  await ostal?.stop();
  await dav('DELETE', '');
  fs.rmSync(filesRoot, { recursive: true, force: true });
});

test('« Ouvrir » n’ouvre ni programme, ni script, ni raccourci, ni nom piégé : le dossier est montré avec un avertissement ; un PDF s’ouvre', async ({
  page,
}) => {
  // The desktop app's main process, played by the page: it records what it is asked to open or show.
  await page.addInitScript(() => {
    const record: DesktopCalls = { opened: [], shown: [] };
    Object.assign(window, {
      __desktopCalls: record,
      ostalDesktop: {
        onScreenSources: () => undefined,
        chooseScreenSource: () => undefined,
        openPath: (p: string) => (record.opened.push(p), ''),
        showItemInFolder: (p: string) => void record.shown.push(p),
      },
    });
  });
  await page.goto(ostal.url);
  await page.getByTestId('nav-fichiers').click();
  const button = page.getByTestId('sync-now').first();
  await expect(button).toBeEnabled({ timeout: 30_000 });
  await button.click();
  await expect(row(page, `/${PDF}`)).toBeVisible({ timeout: 60_000 });
  for (const name of TRAPS) {
    await expect(row(page, `/${name}`)).toBeVisible();
    expect(fs.existsSync(path.join(local, name)), name).toBe(true);
  }
  // The right-to-left override is neutralised in the list: the real order of the letters shows.
  await expect(row(page, '/facture\u202Efdp.js')).toContainText('facture\uFFFDfdp.js');
  expect(await row(page, '/facture\u202Efdp.js').innerText()).not.toContain('\u202E');

  const expectedShown: string[] = [];
  for (const name of TRAPS) {
    await row(page, `/${name}`)
      .getByRole('button', { name: /^Ouvrir/ })
      .click();
    const notice = page.getByTestId('files-open-notice');
    await expect(notice.getByTestId('files-open-warning')).toContainText(
      'Ostal ne l’ouvre pas et montre seulement le dossier qui le contient',
    );
    await expect(notice.getByTestId('files-open-shown')).toHaveText(
      'Le dossier qui le contient s’ouvre dans l’explorateur de fichiers, le fichier y est sélectionné.',
    );
    await expect(notice).not.toContainText('\u202E');
    expectedShown.push(path.join(local, name));
    await expect.poll(() => calls(page)).toEqual({ opened: [], shown: expectedShown });
    if (name.includes('\u202E')) {
      await expect(notice.getByTestId('files-open-warning')).toContainText('caractères invisibles');
      await expect(notice).toContainText('«\u00A0facture\uFFFDfdp.js\u00A0» n’a pas été ouvert');
      await page.screenshot({ path: path.join(SHOTS_DIR, 'fichiers-ouvrir-refuse.png') });
      const texts = (await notice.innerText()).split('\n').filter((t) => !t.includes(filesRoot));
      expect(texts.flatMap((t) => findEnglishWords(t))).toEqual([]);
      const axe = await new AxeBuilder({ page }).include('[data-testid="files-open-notice"]').withTags(['wcag2a', 'wcag2aa']).analyze();
      expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);
    }
    if (name === 'a.pdf.lnk') await expect(notice.getByTestId('files-open-warning')).toContainText('raccourci');
  }

  // A PDF opens with its application, as before.
  await row(page, `/${PDF}`)
    .getByRole('button', { name: /^Ouvrir/ })
    .click();
  await expect(page.getByText('«\u00A0CR.pdf\u00A0» s’ouvre dans son application.')).toBeVisible();
  await expect.poll(() => calls(page)).toEqual({ opened: [path.join(local, PDF)], shown: expectedShown });
});
