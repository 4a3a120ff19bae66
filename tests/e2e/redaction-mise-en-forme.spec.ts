import crypto from 'node:crypto';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import PostalMime from 'postal-mime';
import { sourcesBySubject } from './courrier-imap.js';
import { axeProblems } from './dav.js';
import { findEnglishWords, stripNonProse } from './english-words.js';
import { SHOTS_DIR, addAccountByCli, servers, startOstal, tempProfile, type RunningOstal } from './ostal.js';

/**
 * Courrier comme au bureau (issue 17), formatted writing: agent4 chooses « avec mise en forme » and writes a signature
 * in Réglages › Courrier; writes to agent5 a message with bold, a list, a link and an inline image, pastes a passage
 * from Word (cleaned by the reader's sanitiser); the toolbar is used by keyboard only. The raw message on agent5's
 * server has a text part (with the « -- » separator) and an HTML part, the image in multipart/related; agent5's Ostal
 * shows it formatted. agent4 and agent5 are shared with other specs: everything here is found by a unique subject.
 */
const WRITER = 3; // agent4
const RECIPIENT = 4; // agent5

// A 16×16 blue PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAIAAACQkWg2AAAAGUlEQVR42mNkaPjPQApgHFUwqmBUwfBVAABd8R/x0bz/ZwAAAABJRU5ErkJggg==',
  'base64',
);

let writer: RunningOstal;
let reader: RunningOstal;

test.beforeAll(async () => {
  const s = servers();
  const profileW = tempProfile();
  const profileR = tempProfile();
  addAccountByCli(profileW, s.users[WRITER]);
  addAccountByCli(profileR, s.users[RECIPIENT]);
  [writer, reader] = await Promise.all([startOstal({ profileDir: profileW }), startOstal({ profileDir: profileR })]);
});

test.afterAll(async () => {
  await Promise.all([writer?.stop(), reader?.stop()]);
});

async function openCourrier(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await expect(page.getByTestId('folder').filter({ hasText: 'Boîte de réception' })).toBeVisible({ timeout: 30_000 });
}

test('un message mis en forme (liste, lien, image, signature) part en HTML et texte et s’affiche mis en forme', async ({ browser }) => {
  test.setTimeout(180_000);
  const s = servers();
  const recipient = s.users[RECIPIENT];
  const subject = `Ordre du jour du conseil ${crypto.randomUUID().slice(0, 8)}`;
  const context = await browser.newContext();
  const page = await context.newPage();
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });

  // Réglages › Courrier › Rédaction et signature.
  await page.goto(writer.url);
  await page.getByTestId('nav-reglages').click();
  await page.getByTestId('reglages-courrier').click();
  const card = page.getByTestId('signature-card');
  await expect(card).toBeVisible({ timeout: 20_000 });
  await card.getByTestId('format-html').check();
  // No template from IT here: no « Fonction », « Service », « Téléphone » (they only fill that template).
  await expect(card.getByTestId('signature-fonction')).toHaveCount(0);
  const sigEditor = card.getByTestId('compose-editor');
  await sigEditor.click();
  await page.keyboard.press('Control+b');
  await page.keyboard.type('Lou Garnier');
  await page.keyboard.press('Control+b');
  await page.keyboard.press('Enter');
  await page.keyboard.type('Mairie de Saint-Ostal');
  await card.getByTestId('signature-save').click();
  await expect(card.getByTestId('signature-saved')).toBeVisible();
  await card.scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(SHOTS_DIR, 'signature.png'), fullPage: true });
  expect(await axeProblems(page)).toEqual([]);
  expect(findEnglishWords(stripNonProse(await card.innerText()))).toEqual([]);

  // A new message: the signature is there, under « -- ».
  await page.getByTestId('nav-courrier').click();
  await expect(page.getByTestId('folder').filter({ hasText: 'Boîte de réception' })).toBeVisible({ timeout: 30_000 });
  await page.getByTestId('compose-new').click();
  const compose = page.getByTestId('compose');
  const editor = compose.getByTestId('compose-editor');
  await expect(editor).toContainText('Lou Garnier');
  await expect(editor.locator('strong', { hasText: 'Lou Garnier' })).toBeVisible();
  await compose.getByLabel('À', { exact: true }).fill(`${recipient.name} <${recipient.email}>`);
  await compose.getByLabel('Objet').fill(subject);

  // Writing: Ctrl+B in the text, then the toolbar by keyboard only (one tab stop, arrows, Entrée).
  await editor.locator('p').first().click();
  await page.keyboard.type('Bonjour, voici les points ');
  await page.keyboard.press('Control+b');
  await page.keyboard.type('importants');
  await page.keyboard.press('Control+b');
  await page.keyboard.type(' :');
  await page.keyboard.press('Enter');
  const bold = compose.getByTestId('tool-bold');
  await bold.focus();
  await expect(bold).toHaveAttribute('tabindex', '0');
  await expect(compose.getByTestId('tool-italic')).toHaveAttribute('tabindex', '-1');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await expect(compose.getByTestId('tool-bulletList')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(compose.getByTestId('tool-bulletList')).toHaveAttribute('aria-pressed', 'true');
  await page.keyboard.type('budget des écoles');
  await page.keyboard.press('Enter');
  await page.keyboard.type('travaux de la salle des fêtes');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Enter');
  await page.keyboard.type('Le dossier : ');
  await page.keyboard.press('Alt+F10'); // to the toolbar, on the last tool used
  await expect(compose.getByTestId('tool-bulletList')).toBeFocused();
  await page.keyboard.press('Escape'); // back to the text, where it was
  await expect(editor).toBeFocused();
  await page.keyboard.press('Alt+F10');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await expect(compose.getByTestId('tool-link')).toBeFocused();
  await page.keyboard.press('Enter');
  await compose.getByTestId('compose-link-input').fill('pas une adresse');
  await page.keyboard.press('Enter');
  await expect(compose.getByTestId('compose-link-form').getByRole('alert')).toContainText('n’est pas valide');
  await compose.getByTestId('compose-link-input').fill('www.service-public.fr');
  await page.keyboard.press('Enter');
  await expect(editor.locator('a[href="https://www.service-public.fr"]')).toBeVisible();
  await page.keyboard.press('End');
  await page.keyboard.press('Enter');
  await compose.getByTestId('compose-image-file').setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: PNG });
  await expect(editor.locator('img[src^="data:image/png"]')).toBeVisible();

  // Pasted from Word: structure kept, styles, classes, conditional comments and scripts gone, nothing run.
  await editor.evaluate((el) => {
    const data = new DataTransfer();
    data.setData(
      'text/html',
      '<html><head><style>p.MsoNormal{color:red}</style></head><body><!--[if gte mso 9]><xml><o:x/></xml><![endif]-->' +
        '<p class="MsoNormal" style="color:red;font-family:Calibri"><b>Pièce à relire</b> avant jeudi<o:p></o:p></p>' +
        '<img src="x" onerror="window.__pwned=1"><script>window.__pwned=2</script></body></html>',
    );
    data.setData('text/plain', 'Pièce à relire avant jeudi');
    el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  });
  await expect(editor.locator('strong, b', { hasText: 'Pièce à relire' })).toBeVisible();
  expect(await editor.locator('[class*="Mso"], [style]').count()).toBe(0);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();

  await page.screenshot({ path: path.join(SHOTS_DIR, 'redaction-compose.png'), fullPage: true });
  expect(await axeProblems(page)).toEqual([]);
  expect(findEnglishWords(stripNonProse(await compose.innerText()))).toEqual([]);
  await compose.getByTestId('compose-send').click();
  await expect(compose).toBeHidden({ timeout: 15_000 });

  // The raw message on agent5's server: text and HTML alternatives, the image next to the HTML in multipart/related.
  await expect.poll(async () => (await sourcesBySubject(RECIPIENT, 'INBOX', subject)).length, { timeout: 30_000 }).toBe(1);
  const [raw] = await sourcesBySubject(RECIPIENT, 'INBOX', subject);
  expect(raw).toMatch(/Content-Type: multipart\/alternative/i);
  expect(raw).toMatch(/Content-Type: multipart\/related/i);
  const mail = await PostalMime.parse(raw!);
  expect(mail.text).toMatch(/Bonjour, voici les points importants :/);
  expect(mail.text).toMatch(/^- budget des écoles$/m);
  expect(mail.text).toMatch(/^- travaux de la salle des fêtes$/m);
  expect(mail.text).toContain('<https://www.service-public.fr>');
  expect(mail.text).toMatch(/\n-- \nLou Garnier\n/);
  expect(mail.html).toMatch(/<strong>importants<\/strong>/);
  expect(mail.html).toMatch(/<ul><li><p>budget des écoles<\/p><\/li>/);
  expect(mail.html).toContain('href="https://www.service-public.fr"');
  expect(mail.html).toMatch(/<img[^>]+src="cid:[^"]+"/);
  expect(mail.html).not.toMatch(/script|onerror|Mso|style=/i);
  expect(mail.attachments).toHaveLength(1);
  expect(mail.attachments[0]!.related).toBe(true);
  expect(mail.attachments[0]!.mimeType).toBe('image/png');
  expect(dialogs).toEqual([]);
  await context.close();

  // agent5's Ostal shows it formatted.
  const contextR = await browser.newContext();
  const pageR = await contextR.newPage();
  await openCourrier(pageR, reader.url);
  await pageR.getByTestId('sync-now').click();
  const row = pageR.getByTestId('message').filter({ hasText: subject });
  await expect(row).toBeVisible({ timeout: 30_000 });
  await row.click();
  const frame = pageR.frameLocator('[data-testid="reader-frame"]');
  await expect(frame.locator('strong', { hasText: 'importants' })).toBeVisible({ timeout: 15_000 });
  await expect(frame.locator('ul li')).toHaveCount(2);
  await expect(frame.getByRole('link', { name: 'www.service-public.fr' })).toBeVisible();
  await expect(frame.locator('img[src^="data:image/png"]')).toBeVisible();
  await expect(frame.locator('strong', { hasText: 'Lou Garnier' })).toBeVisible();
  await pageR.screenshot({ path: path.join(SHOTS_DIR, 'redaction-mise-en-forme.png'), fullPage: true });
  await contextR.close();
});
