import path from 'node:path';
import { expect, test } from '@playwright/test';
import type { ImapFlow } from 'imapflow';
import { addImapUser, imapConnection } from '../integration/mail-offline-fixture.js';
import { axeProblems } from './dav.js';
import { profileWithMailAccount } from './courrier-imap.js';
import { SHOTS_DIR, servers, startOstal, type RunningOstal } from './ostal.js';

/**
 * Courrier: « Nouveau dossier », « Renommer », « Supprimer » (issue 17) under the folder list, with a French
 * confirmation before deleting a folder that holds messages; the server's LIST follows. A user of this spec only.
 */
const s = servers();
let ostal: RunningOstal;
let server: ImapFlow;
let user: ReturnType<typeof addImapUser>;

async function serverFolders(): Promise<string[]> {
  return (await server.list()).map((f) => f.path).sort();
}

test.beforeAll(async () => {
  user = addImapUser(s, 'test-dossiers-e2e');
  server = await imapConnection(s, user);
  await server.mailboxCreate('Projets');
  await server.append('Projets', 'From: a@ostal.test\r\nSubject: Budget 2027\r\n\r\nTexte.\r\n', []);
  const profileDir = profileWithMailAccount(user);
  ostal = await startOstal({ profileDir });
});

test.afterAll(async () => {
  await server?.logout();
  await ostal?.stop();
});

test('dossiers : créer, renommer, supprimer avec confirmation ; le serveur suit', async ({ page }) => {
  await page.goto(ostal.url);
  const folder = (p: string) => page.locator(`[data-testid="folder"][data-path="${p}"]`);
  await expect(folder('Projets')).toBeVisible({ timeout: 20_000 });

  await page.getByTestId('folder-new').click();
  await page.getByTestId('folder-name').fill('Secrétariat');
  await page.getByTestId('folder-confirm').click();
  await expect(folder('Secrétariat')).toBeVisible();
  await expect.poll(serverFolders, { timeout: 20_000 }).toContain('Secrétariat');

  await folder('Secrétariat').click();
  await page.getByTestId('folder-rename').click();
  await page.getByTestId('folder-name').fill('Secrétariat général');
  await page.getByTestId('folder-confirm').click();
  await expect(folder('Secrétariat général')).toBeVisible();
  await expect.poll(serverFolders, { timeout: 20_000 }).toContain('Secrétariat général');
  expect(await serverFolders()).not.toContain('Secrétariat');

  await folder('Projets').click();
  await page.getByTestId('folder-delete').click();
  const dialog = page.getByTestId('folder-dialog');
  await expect(dialog).toContainText('Supprimer le dossier « Projets » ?');
  await expect(dialog).toContainText('contient 1 message. Il ira dans la Corbeille');
  await page.screenshot({ path: path.join(SHOTS_DIR, 'dossiers.png') });
  expect(await axeProblems(page)).toEqual([]);
  await page.getByTestId('folder-confirm').click();
  await expect(folder('Projets')).toHaveCount(0);
  await expect.poll(serverFolders, { timeout: 20_000 }).not.toContain('Projets');
  expect(await serverFolders()).toEqual(['Archive', 'Drafts', 'INBOX', 'Junk', 'Secrétariat général', 'Sent', 'Trash']);
  expect(await axeProblems(page)).toEqual([]);
});
