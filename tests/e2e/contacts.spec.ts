/**
 * Contacts in the browser: « Nouveau contact » shows at once in the list and reaches Radicale (checked by a
 * PROPFIND and GET sent directly to Radicale); edit and delete from the list. agent5's address book.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { addressBookCards, axeProblems } from './dav.js';
import { SHOTS_DIR, addAccountByCli, servers, startOstal, tempProfile, type RunningOstal } from './ostal.js';

let ostal: RunningOstal | undefined;
test.afterEach(async () => {
  await ostal?.stop();
  ostal = undefined;
});

const agent5 = () => servers().users[4]!;
const serverCards = (needle: string) => addressBookCards(agent5(), needle);

test('contacts : un contact créé dans la vue s’affiche aussitôt et arrive sur Radicale ; modifié puis supprimé', async ({ page }) => {
  const s = servers();
  const stamp = `e2e${Date.now().toString(36)}`;
  const profileDir = tempProfile();
  addAccountByCli(profileDir, s.users[4]!, {}, 'mail,contacts');
  ostal = await startOstal({ profileDir });
  await page.goto(ostal.url);
  await page.getByRole('button', { name: 'Contacts' }).click();
  await expect(page.getByTestId('contact').first()).toBeVisible({ timeout: 30_000 });

  const name = `Élodie Durand ${stamp}`;
  await page.getByTestId('new-contact').click();
  const editor = page.getByTestId('contact-editor');
  await editor.getByLabel('Nom complet').fill(name);
  await editor.getByLabel('Adresses électroniques').fill(`elodie.${stamp}@mairie.example`);
  await editor.getByLabel('Téléphones').fill('04 67 00 00 00');
  await editor.getByLabel('Organisation').fill('Mairie de Saint-Jean');
  await editor.getByLabel('Note').fill('Accueil le mardi\nBureau 12, 2e étage');
  await editor.getByLabel('Fonction').fill('Secrétaire générale');
  await editor.getByLabel('Numéro et voie').fill('8 place de la Mairie\nBâtiment B');
  await editor.getByLabel('Code postal').fill('34000');
  await editor.getByLabel('Ville').fill('Montpellier');
  // A date that does not exist: a French message in the form, nothing sent.
  await editor.getByLabel('Anniversaire').fill('31/02/1975');
  await editor.getByTestId('save-contact').click();
  await expect(editor.getByRole('alert')).toHaveText(/Cette date d’anniversaire n’est pas reconnue/);
  await expect(editor.getByLabel('Anniversaire')).toBeFocused();
  await page.screenshot({ path: path.join(SHOTS_DIR, 'contacts-editeur-date-invalide.png') });
  expect(await serverCards(stamp)).toEqual([]);
  await expect(page.getByTestId('contact').filter({ hasText: name })).toHaveCount(0);
  await editor.getByLabel('Anniversaire').fill('14 mars 1975');
  await expect(editor.getByRole('alert')).toHaveCount(0);
  await page.screenshot({ path: path.join(SHOTS_DIR, 'contacts-editeur.png') });
  await editor.getByTestId('save-contact').click();
  await expect(editor).toBeHidden();
  const row = page.getByTestId('contact').filter({ hasText: name });
  await expect(row).toBeVisible();
  await expect.poll(async () => (await serverCards(stamp)).length, { timeout: 30_000 }).toBe(1);
  expect((await serverCards(stamp))[0]).toContain('Mairie de Saint-Jean');
  // Fonction, address (street lines, code postal, ville in their ADR parts) and birthday, as another client reads them.
  const written = (await serverCards(stamp))[0]!.replace(/\r\n[ \t]/g, '');
  expect(written).toMatch(/^TITLE:Secrétaire générale\r?$/m);
  expect(written).toMatch(/^ADR:;;8 place de la Mairie,Bâtiment B;Montpellier;;34000;\r?$/m);
  expect(written).toMatch(/^BDAY:(19750314|1975-03-14)\r?$/m);
  // The card shows the organisation under the name and the note with its line break (as Outlook, Thunderbird).
  await expect(row.locator('.contact-org')).toHaveText(['Secrétaire générale', 'Mairie de Saint-Jean']);
  expect(await row.locator('.contact-address').evaluate((el) => (el as HTMLElement).innerText)).toContain(
    '8 place de la Mairie\nBâtiment B\n34000 Montpellier',
  );
  await expect(row.locator('.contact-birthday')).toHaveText('Anniversaire\u00a0: 14 mars 1975');
  expect(await row.locator('.contact-note').evaluate((el) => (el as HTMLElement).innerText)).toContain(
    'Accueil le mardi\nBureau 12, 2e étage',
  );
  await row.screenshot({ path: path.join(SHOTS_DIR, 'contacts-fiche.png') });
  await page.screenshot({ path: path.join(SHOTS_DIR, 'contacts-liste.png') });
  expect(await axeProblems(page), 'axe-core, contacts').toEqual([]);

  await row.getByRole('button', { name: `Modifier ${name}` }).click();
  // The editor gives back what was saved.
  await expect(editor.getByLabel('Fonction')).toHaveValue('Secrétaire générale');
  await expect(editor.getByLabel('Numéro et voie')).toHaveValue('8 place de la Mairie\nBâtiment B');
  await expect(editor.getByLabel('Code postal')).toHaveValue('34000');
  await expect(editor.getByLabel('Ville')).toHaveValue('Montpellier');
  await expect(editor.getByLabel('Anniversaire')).toHaveValue('14/03/1975');
  await editor.getByLabel('Téléphones').fill('04 67 11 22 33');
  await editor.getByTestId('save-contact').click();
  await expect(row).toContainText('04 67 11 22 33');
  await expect.poll(async () => (await serverCards(stamp))[0]?.includes('04 67 11 22 33'), { timeout: 30_000 }).toBe(true);

  // The address opens Ostal's own new message to this contact (Courrier), not the system's mail program.
  await row.getByRole('link', { name: `elodie.${stamp}@mairie.example` }).click();
  const compose = page.getByTestId('compose');
  await expect(compose.getByLabel('À', { exact: true })).toHaveValue(`${name} <elodie.${stamp}@mairie.example>`);
  await page.screenshot({ path: path.join(SHOTS_DIR, 'contacts-ecrire.png') });
  await compose.getByRole('button', { name: 'Annuler' }).click();
  await expect(compose).toBeHidden();
  await page.getByRole('button', { name: 'Contacts' }).click();

  // « Supprimer » with the keyboard: gone at once, on Radicale too; the focus goes to « Annuler », which holds the toast.
  const uidOf = (card: string | undefined) => /^UID:(.*)$/m.exec(card ?? '')?.[1]?.trim();
  const before = (await serverCards(stamp))[0];
  await row.getByRole('button', { name: `Supprimer ${name}` }).press('Enter');
  await expect(row).toHaveCount(0);
  const toast = page.getByRole('status').filter({ hasText: 'Contact supprimé.' });
  const undo = toast.getByRole('button', { name: 'Annuler' });
  await expect(undo).toBeFocused();
  await page.screenshot({ path: path.join(SHOTS_DIR, 'contacts-supprime-annuler.png') });
  await expect.poll(async () => (await serverCards(stamp)).length, { timeout: 30_000 }).toBe(0);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('status').filter({ hasText: 'Contact rétabli.' })).toBeVisible();
  await expect(row).toBeVisible();
  await expect(row.locator('.contact-org')).toHaveText(['Secrétaire générale', 'Mairie de Saint-Jean']);
  // Back on Radicale: the same card (UID, organisation, note), and still there after a reload.
  await expect.poll(async () => (await serverCards(stamp)).length, { timeout: 30_000 }).toBe(1);
  const back = (await serverCards(stamp))[0];
  expect(uidOf(back)).toBe(uidOf(before));
  expect(back).toContain('Mairie de Saint-Jean');
  expect(back).toContain('Bureau 12');
  await page.reload();
  await page.getByRole('button', { name: 'Contacts' }).click();
  await expect(row).toBeVisible({ timeout: 30_000 });

  // Not cancelled: the toast goes by itself, the contact stays deleted (Radicale, and after a reload).
  await row.getByRole('button', { name: `Supprimer ${name}` }).click();
  await expect(row).toHaveCount(0);
  await expect(toast).toBeVisible();
  await expect(toast).toHaveCount(0, { timeout: 15_000 });
  await expect.poll(async () => (await serverCards(stamp)).length, { timeout: 30_000 }).toBe(0);
  await page.reload();
  await page.getByRole('button', { name: 'Contacts' }).click();
  await expect(page.getByTestId('contact').first()).toBeVisible({ timeout: 30_000 });
  await expect(row).toHaveCount(0);

  // « Importer… » a .vcf with two good cards and two broken ones: French summary, the good ones listed.
  const vcf = fs
    .readFileSync(path.join(process.cwd(), 'tests/fixtures/contacts-import/carnet.vcf'), 'utf8')
    .replaceAll('STAMP', stamp)
    .replace('FN:Jérôme Lambert', `FN:Jérôme Lambert ${stamp}`);
  await page.getByTestId('import-file').setInputFiles({ name: 'carnet.vcf', mimeType: 'text/vcard', buffer: Buffer.from(vcf, 'utf8') });
  const notice = page.getByRole('status').filter({ hasText: 'contact(s) importé(s)' });
  await expect(notice).toContainText('2 contact(s) importé(s).');
  await expect(notice).toContainText('2 élément(s) refusé(s)');
  await expect(notice).toContainText('sans nom');
  await page.screenshot({ path: path.join(SHOTS_DIR, 'contacts-import.png') });
  const imported = page.getByTestId('contact').filter({ hasText: `Agnès Moreau ${stamp}` });
  await expect(imported).toBeVisible();
  await expect.poll(async () => (await serverCards(stamp)).length, { timeout: 30_000 }).toBe(2);
  for (const who of [`Agnès Moreau ${stamp}`, `Jérôme Lambert ${stamp}`]) {
    const r = page.getByTestId('contact').filter({ hasText: who });
    await r.getByRole('button', { name: `Supprimer ${who}` }).click();
  }
  await expect.poll(async () => (await serverCards(stamp)).length, { timeout: 30_000 }).toBe(0);
});
