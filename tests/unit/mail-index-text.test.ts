/**
 * The search index reads a message's text straight from its source (src/mail/index-text.ts): on the generated French
 * corpora (UTF-8, ISO-8859-15, Windows-1252, quoted-printable, base64, HTML only, PDF attachments with RFC 2047 and
 * RFC 2231 names), the same words as postal-mime's full parse.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import PostalMime from 'postal-mime';
import { describe, expect, it } from 'vitest';
import { indexTextOf } from '../../src/mail/index-text.js';
import { generateMessages } from '../integration/mail-offline-fixture.js';
import { writeCorpus } from '../bench/corpus.js';

async function reference(source: Buffer): Promise<string> {
  const email = await PostalMime.parse(source);
  const text =
    email.text ??
    (email.html ? email.html.replace(/<style[\s\S]*?<\/style>|<script[\s\S]*?<\/script>/gi, ' ').replace(/<[^>]+>/g, ' ') : '');
  return `${text}\n${(email.attachments ?? []).map((a) => a.filename ?? '').join(' ')}`;
}

const words = (text: string) =>
  text
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
    .join(' ');

describe('texte indexé lu directement dans la source', () => {
  it('gives the words postal-mime gives, on 600 generated messages', async () => {
    const messages = generateMessages(600, { seed: 5, domain: 'mairie-exemple.fr', to: 'lou@mairie-exemple.fr' });
    for (const m of messages) {
      const quick = indexTextOf(m.raw);
      expect(quick).not.toBeNull();
      expect(words(`${quick!.text}\n${quick!.names.join(' ')}`)).toBe(words(await reference(m.raw)));
    }
  });

  it('gives the words postal-mime gives, on 300 messages of the benchmark corpus (ISO-8859-15, Windows-1252)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-index-text-'));
    try {
      writeCorpus(dir, 300, { domain: 'mairie-exemple.fr', to: 'lou@mairie-exemple.fr', seed: 3 });
      for (const name of fs.readdirSync(path.join(dir, 'cur'))) {
        const raw = fs.readFileSync(path.join(dir, 'cur', name));
        const quick = indexTextOf(raw);
        expect(quick).not.toBeNull();
        expect(words(`${quick!.text}\n${quick!.names.join(' ')}`)).toBe(words(await reference(raw)));
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads charsets, RFC 2231 names and nested parts, and skips attachments', async () => {
    const latin = Buffer.from('Réunion à la mairie, déménagement.', 'latin1');
    const source = Buffer.concat([
      Buffer.from(
        [
          'From: a@b.fr',
          'Subject: essai',
          'MIME-Version: 1.0',
          'Content-Type: multipart/mixed; boundary="ext"',
          '',
          'préambule',
          '--ext',
          'Content-Type: multipart/alternative; boundary=int',
          '',
          '--int',
          'Content-Type: text/plain; charset=ISO-8859-15',
          'Content-Transfer-Encoding: 8bit',
          '',
          '',
        ].join('\r\n'),
        'latin1',
      ),
      latin,
      Buffer.from(
        [
          '',
          '--int',
          'Content-Type: text/html; charset=utf-8',
          '',
          '<p>ignoré</p>',
          '--int--',
          '--ext',
          'Content-Type: application/pdf',
          "Content-Disposition: attachment; filename*=utf-8''D%C3%A9lib%C3%A9ration%202024.pdf",
          'Content-Transfer-Encoding: base64',
          '',
          'JVBERi0xLjQK',
          '--ext',
          'Content-Type: image/png; name="=?UTF-8?B?w6l0w6kucG5n?="',
          'Content-Transfer-Encoding: base64',
          '',
          'iVBORw0KGgo=',
          '--ext--',
          '',
        ].join('\r\n'),
      ),
    ]);
    const quick = indexTextOf(source);
    expect(quick).toEqual({ text: 'Réunion à la mairie, déménagement.', names: ['Délibération 2024.pdf', 'été.png'] });
    expect(words(`${quick!.text}\n${quick!.names.join(' ')}`)).toBe(words(await reference(source)));
  });
});
