/**
 * « Imprimer » in browser mode: the button must call the browser's print once; what it prints is then checked through
 * Chromium's own print to PDF, its first page rendered by pdftoppm (saved with the screenshots to be looked at) and its
 * text read back by pdftotext.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, type Page } from '@playwright/test';
import { SHOTS_DIR } from './ostal.js';

/** Clicks the print button with window.print replaced by a counter, then returns the text of the printed sheet. */
export async function printThroughChromium(
  page: Page,
  clickPrint: () => Promise<void>,
  shot: string,
  options: { layout?: boolean } = {},
): Promise<string> {
  await page.evaluate(() => {
    (window as unknown as { printed?: number }).printed = 0;
    window.print = () => {
      (window as unknown as { printed: number }).printed++;
    };
  });
  await clickPrint();
  expect(await page.evaluate(() => (window as unknown as { printed: number }).printed)).toBe(1);
  const pdf = await page.pdf({ format: 'A4', printBackground: true });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-print-'));
  try {
    const file = path.join(dir, 'impression.pdf');
    fs.writeFileSync(file, pdf);
    const r = spawnSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', file, path.join(dir, 'page')], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const image = fs.readdirSync(dir).find((f) => f.endsWith('.png'))!;
    fs.copyFileSync(path.join(dir, image), path.join(SHOTS_DIR, shot));
    const text = spawnSync('pdftotext', [...(options.layout ? ['-layout'] : []), file, '-'], { encoding: 'utf8' });
    expect(text.status, text.stderr).toBe(0);
    return text.stdout;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
