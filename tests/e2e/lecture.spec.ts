/**
 * Reading hostile mail in the browser: the corpus of tests/fixtures/hostile is delivered to agent4
 * (SMTP submission from agent5; the 10 000-recipient message by IMAP APPEND), then each message is
 * opened in Ostal. Nothing may run (no dialog), nothing may leave for another host than 127.0.0.1
 * (the mails point at http://127.0.0.2:9/… and example.invalid so that a leak is seen), the frame's
 * document holds no script nor event handler, and « Afficher les images » switches the frame to allowed.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import { expect, test, type Page } from '@playwright/test';
import { SHOTS_DIR, addAccountByCli, servers, startOstal, tempProfile, type RunningOstal } from './ostal.js';
import { hostileSource, manyRecipientsMessage } from '../fixtures/hostile/corpus.js';

const stamp = crypto.randomBytes(4).toString('hex');
const FIXTURES = [
  'script.eml',
  'event-handlers.eml',
  'javascript-links.eml',
  'css-exfiltration.eml',
  'remote-images.eml',
  'base-meta-frames.eml',
  'malformed-no-boundary.eml',
  'charset-windows-1252.eml',
  'cid-inline.eml',
  'plain-text.eml',
];

function stamped(source: Buffer, tag: string): Buffer {
  return Buffer.from(
    source
      .toString('latin1')
      .replace(/^Subject: (.*)$/m, `Subject: $1 [${tag}-${stamp}]`)
      .replace(/^Message-ID: <([^@>]+)@/m, `Message-ID: <$1-${stamp}@`),
    'latin1',
  );
}

function imapFor(user: ReturnType<typeof servers>['users'][number]): ImapFlow {
  const s = servers();
  const client = new ImapFlow({
    host: 'localhost',
    port: s.imap.tlsPort,
    secure: true,
    tls: { ca: [fs.readFileSync(s.caCertPath, 'utf8')] },
    auth: { user: user.username, pass: user.password },
    logger: false,
  });
  client.on('error', () => undefined);
  return client;
}

let ostal: RunningOstal;
const agent4 = () => servers().users[3];

test.beforeAll(async () => {
  const s = servers();
  const sender = s.users[4];
  const transport = nodemailer.createTransport({
    host: 'localhost',
    port: s.smtp.port,
    secure: false,
    requireTLS: true,
    tls: { ca: [fs.readFileSync(s.caCertPath, 'utf8')] },
    auth: { user: sender.username, pass: sender.password },
  });
  for (const file of FIXTURES)
    await transport.sendMail({
      envelope: { from: sender.email, to: agent4().email },
      raw: stamped(hostileSource(file), file.replace('.eml', '')),
    });
  transport.close();
  const imap = imapFor(agent4());
  await imap.connect();
  try {
    await imap.append('INBOX', stamped(manyRecipientsMessage(10_000, agent4().email), 'many'));
    const deadline = Date.now() + 30_000;
    for (;;) {
      await imap.mailboxOpen('INBOX', { readOnly: true });
      const found = (await imap.search({ subject: stamp }, { uid: true })) || [];
      if (found.length >= FIXTURES.length + 1) break;
      if (Date.now() > deadline) throw new Error(`only ${found.length} hostile messages delivered`);
      await new Promise((r) => setTimeout(r, 300));
    }
  } finally {
    await imap.logout();
  }
  const profileDir = tempProfile();
  addAccountByCli(profileDir, agent4());
  ostal = await startOstal({
    profileDir,
    env: process.env.OSTAL_RENDERER_DIR ? { OSTAL_RENDERER_DIR: process.env.OSTAL_RENDERER_DIR } : {},
  });
});

test.afterAll(async () => {
  await ostal?.stop();
  const imap = imapFor(agent4());
  await imap.connect();
  try {
    await imap.mailboxOpen('INBOX');
    const uids = (await imap.search({ subject: stamp }, { uid: true })) || [];
    if (uids.length) await imap.messageDelete(uids, { uid: true });
  } finally {
    await imap.logout();
  }
});

async function openMessage(page: Page, tag: string): Promise<void> {
  const row = page.getByTestId('message').filter({ hasText: `[${tag}-${stamp}]` });
  await row.click();
  await expect(page.getByTestId('reader-subject')).toContainText(`[${tag}-${stamp}]`);
}

/** What the frame's document holds that could run: script elements, event handler attributes, javascript: URLs. */
async function frameDangers(page: Page): Promise<string[]> {
  const handle = await page.getByTestId('reader-frame').elementHandle();
  const frame = await handle!.contentFrame();
  return frame!.evaluate(() => {
    const out: string[] = [];
    for (const el of Array.from(document.querySelectorAll('*'))) {
      const name = el.tagName.toLowerCase();
      if (['script', 'iframe', 'object', 'embed', 'form', 'base', 'link', 'svg'].includes(name)) out.push(`<${name}>`);
      // Ostal's own <meta> (CSP, charset, referrer) are in <head>; none may come from the message.
      if ((name === 'meta' || name === 'style') && el.closest('body')) out.push(`<${name}> in the message`);
      for (const attr of Array.from(el.attributes)) {
        if (attr.name.startsWith('on')) out.push(`${name}[${attr.name}]`);
        if (/^\s*(javascript|vbscript|data:text)/i.test(attr.value)) out.push(`${name}[${attr.name}=${attr.value}]`);
      }
    }
    return out;
  });
}

test('lecture du courrier hostile : rien ne s’exécute, rien ne sort, « Afficher les images » débloque', async ({ page, context }) => {
  const dialogs: string[] = [];
  const foreignRequests: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (!['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol)) return;
    if (url.hostname !== '127.0.0.1') foreignRequests.push(request.url());
  });
  await context.route('**/*', async (route) => {
    const url = new URL(route.request().url());
    if ((url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '127.0.0.1') {
      foreignRequests.push(route.request().url());
      await route.abort('blockedbyclient');
      return;
    }
    await route.continue();
  });

  await page.goto(ostal.url);
  await expect(page.getByTestId('folder').filter({ hasText: 'Boîte de réception' })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('message').filter({ hasText: `[script-${stamp}]` })).toBeVisible({ timeout: 30_000 });

  for (const file of FIXTURES) {
    const tag = file.replace('.eml', '');
    await openMessage(page, tag);
    if (tag === 'plain-text' || tag === 'malformed-no-boundary' || tag === 'charset-windows-1252') {
      await expect(page.getByTestId('reader-text')).toBeVisible();
    } else {
      await expect(page.getByTestId('reader-frame')).toBeVisible();
      expect(await frameDangers(page), tag).toEqual([]);
    }
    await page.waitForTimeout(300);
    expect(dialogs, tag).toEqual([]);
    expect(foreignRequests, tag).toEqual([]);
  }

  // Plain text: shown as text, the <script> of the text is visible text, not markup.
  await openMessage(page, 'plain-text');
  await expect(page.getByTestId('reader-text')).toContainText('<script>alert(1)</script> n’est que du texte ici.');
  await expect(page.getByTestId('reader-headers')).toContainText('lundi 23 novembre 2026 à 14:30');
  await page.getByTestId('reader').screenshot({ path: path.join(SHOTS_DIR, 'lecture-texte.png') });

  // Windows-1252 text and the malformed notice.
  await openMessage(page, 'charset-windows-1252');
  await expect(page.getByTestId('reader-text')).toContainText('L’ordre du jour : “budget” – 50 €, œuvre, cœur.');
  await openMessage(page, 'malformed-no-boundary');
  await expect(page.getByTestId('reader-notice')).toContainText('Ce message est mal construit');

  // HTML with an inline image and an attachment listed with kind and French size.
  await openMessage(page, 'cid-inline');
  await expect(page.getByTestId('reader-attachment')).toHaveCount(1);
  await expect(page.getByTestId('reader-attachment')).toContainText('compte-rendu réunion.odt');
  await expect(page.getByTestId('reader-attachment')).toContainText('12,4\u00a0Ko');
  await page.getByTestId('reader').screenshot({ path: path.join(SHOTS_DIR, 'lecture-html.png') });

  // 10 000 recipients: the first ones and « et N autres ».
  await openMessage(page, 'many');
  await expect(page.getByTestId('reader-headers')).toContainText('et 9\u202f980 autres');

  // Remote images: blocked with the bar, then allowed for this message.
  await openMessage(page, 'remote-images');
  const bar = page.getByTestId('remote-content-bar');
  await expect(bar).toContainText('Ce message contient des images distantes, masquées pour protéger votre vie privée.');
  await expect(page.getByTestId('reader-frame')).toHaveAttribute('data-remote-allowed', 'false');
  await page.waitForTimeout(500);
  expect(foreignRequests).toEqual([]);
  await page.screenshot({ path: path.join(SHOTS_DIR, 'lecture-images-bloquees.png') });
  await bar.getByRole('button', { name: 'Afficher les images' }).click();
  await expect(page.getByTestId('reader-frame')).toHaveAttribute('data-remote-allowed', 'true');
  await expect(bar).toHaveCount(0);
  expect(dialogs).toEqual([]);
});
