import { describe, expect, it } from 'vitest';
import { declareMissingCharsets, htmlToText, parseMessage, repairC1 } from '../../src/mail/mime.js';
import { bigAttachmentMessage, hostileSource, manyRecipientsMessage } from '../fixtures/hostile/corpus.js';

describe('MIME parsing of French mail (postal-mime)', () => {
  it('decodes ISO-8859-1 quoted-printable with Windows-1252 punctuation and encoded words in ISO-8859-15 and Windows-1252', async () => {
    const m = await parseMessage(hostileSource('charset-windows-1252.eml'));
    expect(m.subject).toBe('“Réunion” décalée – coût 80 €');
    expect(m.from).toEqual({ name: 'Jérôme €uvre', address: 'jerome@example.invalid' });
    expect(m.text?.trim()).toBe('L’ordre du jour : “budget” – 50 €, œuvre, cœur.');
    expect(m.malformed).toBe(false);
  });

  it('decodes ISO-8859-15 base64 HTML and a base64 encoded-word subject', async () => {
    const m = await parseMessage(hostileSource('charset-iso-8859-15.eml'));
    expect(m.subject).toBe('Facture à régler : 12 €');
    expect(m.html).toContain('Montant : 12 € - Œuvre sociale, façade, élève.');
  });

  it('reads 8-bit text without a declared charset as Windows-1252 rather than replacement characters', async () => {
    const m = await parseMessage(hostileSource('charset-missing.eml'));
    expect(m.text?.trim()).toBe('Le délégué a signé le procès-verbal à Besançon.');
  });

  it('keeps UTF-8 without a declared charset as UTF-8', async () => {
    const m = await parseMessage(Buffer.from('Subject: t\r\n\r\nÉté à Besançon\r\n', 'utf8'));
    expect(m.text?.trim()).toBe('Été à Besançon');
  });

  it('falls back sensibly on an unknown charset, in the body and in an encoded word', async () => {
    const m = await parseMessage(hostileSource('charset-unknown.eml'));
    expect(m.text?.trim()).toBe('Réunion du conseil à 18 h.');
    expect(m.subject).toBe('Réunion');
  });

  it('repairs C1 controls as Windows-1252 and leaves other text alone', () => {
    expect(repairC1('l\u0092\u0080\u009c')).toBe('l’€œ');
    expect(repairC1('déjà vu')).toBe('déjà vu');
  });

  it('declares Windows-1252 only on text parts that name no charset', () => {
    const out = declareMissingCharsets(
      Buffer.from('Content-Type: text/plain\r\n\r\n--b\r\nContent-Type: text/html; charset=utf-8\r\n', 'latin1'),
    ).toString('latin1');
    expect(out).toContain('Content-Type: text/plain; charset=windows-1252');
    expect(out).toContain('Content-Type: text/html; charset=utf-8\r\n');
    expect(declareMissingCharsets(Buffer.from('Subject: x\r\n\r\nbody')).toString()).toMatch(
      /^Content-Type: text\/plain; charset=windows-1252\r\n/,
    );
  });

  it('does not throw on a multipart without closing boundary and with broken base64', async () => {
    const m = await parseMessage(hostileSource('malformed-boundary.eml'));
    expect(m.text?.trim()).toBe('Texte lisible malgré une structure cassée.');
    expect(m.parts.map((p) => p.filename)).toEqual(['rapport.pdf']);
    expect(m.malformed).toBe(false);
  });

  it('gives the raw text and a malformed flag for a multipart without boundary', async () => {
    const m = await parseMessage(hostileSource('malformed-no-boundary.eml'));
    expect(m.malformed).toBe(true);
    expect(m.html).toBeNull();
    expect(m.text).toContain('Structure illisible');
    expect(m.subject).toBe('Hostile : multipart sans frontière');
  });

  it('gives the raw text for bytes that are not a message at all', async () => {
    const m = await parseMessage(Buffer.from([0, 1, 2, 0xff, 0xfe, 0x41]));
    expect(m.malformed).toBe(true);
    expect(typeof m.text).toBe('string');
  });

  it('lists inline and attached parts with ids, types, sizes and Content-IDs', async () => {
    const m = await parseMessage(hostileSource('cid-inline.eml'));
    expect(
      m.parts.map((p) => ({ id: p.id, filename: p.filename, mimeType: p.mimeType, inline: p.inline, contentId: p.contentId })),
    ).toEqual([
      { id: '1', filename: 'logo.png', mimeType: 'image/png', inline: true, contentId: 'logo@ostal.test' },
      {
        id: '2',
        filename: 'compte-rendu réunion.odt',
        mimeType: 'application/vnd.oasis.opendocument.text',
        inline: false,
        contentId: null,
      },
    ]);
    expect(m.parts[0].size).toBe(70);
    expect(m.parts[1].size).toBe(12_702);
  });

  it('parses a message with a 50 MB attachment (generated) without throwing', async () => {
    const source = bigAttachmentMessage();
    const m = await parseMessage(source);
    expect(m.text?.trim()).toBe('Voici l’archive demandée.');
    expect(m.parts).toHaveLength(1);
    expect(m.parts[0].size).toBe(50 * 1024 * 1024);
    expect(m.parts[0].filename).toBe('archive.zip');
  }, 60_000);

  it('parses a To header of 10 000 recipients', async () => {
    const m = await parseMessage(manyRecipientsMessage());
    expect(m.to).toHaveLength(10_000);
    expect(m.to[0]).toEqual({ name: '', address: 'agent3@ostal.test' });
    expect(m.to[9_999]).toEqual({ name: 'Destinataire 9999', address: 'dest9999@example.invalid' });
  });

  it('turns HTML into readable text without markup', () => {
    expect(htmlToText('<style>p{}</style><p>Bonjour&nbsp;!</p><p>A &amp; B<br>C</p><script>x()</script>')).toBe('Bonjour\u00a0!\nA & B\nC');
  });
});
