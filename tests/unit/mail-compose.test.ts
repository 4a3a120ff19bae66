import { describe, expect, it } from 'vitest';
import PostalMime from 'postal-mime';
import {
  attributionLine,
  buildRawMessage,
  dedupeAddresses,
  forwardHeaderBlock,
  forwardSubject,
  newMessageId,
  parseRecipients,
  prepareFields,
  quoteText,
  replyReferences,
  replySubject,
  type OriginalMessage,
} from '../../src/mail/compose.js';
import { classifySmtpError } from '../../src/mail/outbox.js';
import { parseOriginal } from '../../src/api/handlers/mail-compose.js';

const NBSP = '\u00A0';

const original: OriginalMessage = {
  messageId: '<orig-3@ostal.test>',
  subject: 'Réunion de service',
  from: { name: 'Camille Martin', address: 'agent1@ostal.test' },
  replyTo: [],
  to: [
    { name: 'Dominique Bernard', address: 'agent2@ostal.test' },
    { name: 'Claude Petit', address: 'agent3@ostal.test' },
  ],
  cc: [
    { name: '', address: 'AGENT2@ostal.test' },
    { name: 'Sacha Roux', address: 'agent4@ostal.test' },
  ],
  date: '2026-11-23T13:30:00.000Z',
  references: ['<orig-1@ostal.test>', '<orig-2@ostal.test>'],
  inReplyTo: '<orig-2@ostal.test>',
  text: 'Bonjour,\n\nLa réunion est déplacée.\n> cité avant\n',
};

describe('subjects', () => {
  it('adds « Re : » once and keeps the prefixes French and other clients write', () => {
    expect(replySubject('Réunion')).toBe(`Re${NBSP}: Réunion`);
    expect(replySubject(`Re${NBSP}: Réunion`)).toBe(`Re${NBSP}: Réunion`);
    expect(replySubject('RE : Réunion')).toBe('RE : Réunion');
    expect(replySubject('Re: Réunion')).toBe('Re: Réunion');
    expect(replySubject('Réf. : dossier')).toBe('Réf. : dossier');
    expect(replySubject('Réf : dossier')).toBe('Réf : dossier');
    expect(replySubject('AW: Termin')).toBe('AW: Termin');
    expect(replySubject('Reunion')).toBe(`Re${NBSP}: Reunion`);
  });

  it('adds « Tr : » to a forward unless it is already one', () => {
    expect(forwardSubject('Budget')).toBe(`Tr${NBSP}: Budget`);
    expect(forwardSubject('TR : Budget')).toBe('TR : Budget');
    expect(forwardSubject('Fwd: Budget')).toBe('Fwd: Budget');
  });
});

describe('quoting', () => {
  it('writes the French attribution line with the weekday and time', () => {
    expect(attributionLine(original, 'Europe/Paris')).toBe(`Le lundi 23 novembre 2026 à 14:30, Camille Martin a écrit${NBSP}:`);
    expect(attributionLine({ ...original, from: { name: '', address: 'x@y.fr' } }, 'UTC')).toBe(
      `Le lundi 23 novembre 2026 à 13:30, x@y.fr a écrit${NBSP}:`,
    );
  });

  it('prefixes each line with « > » and deepens existing quotes', () => {
    expect(quoteText('a\r\n\r\n> b\n')).toBe('> a\n>\n>> b');
  });

  it('builds the inline forward header block in French', () => {
    const block = forwardHeaderBlock(original, 'Europe/Paris');
    expect(block.split('\n')).toEqual([
      '-------- Message transféré --------',
      `De${NBSP}: Camille Martin <agent1@ostal.test>`,
      `Date${NBSP}: lundi 23 novembre 2026 à 14:30`,
      `Objet${NBSP}: Réunion de service`,
      `À${NBSP}: Dominique Bernard <agent2@ostal.test>, Claude Petit <agent3@ostal.test>`,
      `Cc${NBSP}: AGENT2@ostal.test, Sacha Roux <agent4@ostal.test>`,
    ]);
  });
});

describe('reply fields', () => {
  it('Répondre: to the sender, threaded, quoted', () => {
    const f = prepareFields('reply', original, ['agent2@ostal.test'], 'Europe/Paris');
    expect(f.to).toEqual(['Camille Martin <agent1@ostal.test>']);
    expect(f.cc).toEqual([]);
    expect(f.subject).toBe(`Re${NBSP}: Réunion de service`);
    expect(f.inReplyTo).toBe('<orig-3@ostal.test>');
    expect(f.references).toEqual(['<orig-1@ostal.test>', '<orig-2@ostal.test>', '<orig-3@ostal.test>']);
    expect(f.text).toContain(
      `Le lundi 23 novembre 2026 à 14:30, Camille Martin a écrit${NBSP}:\n> Bonjour,\n>\n> La réunion est déplacée.\n>> cité avant`,
    );
  });

  it('Répondre à tous: every recipient minus self, each once', () => {
    const f = prepareFields('replyAll', original, ['agent2@ostal.test'], 'Europe/Paris');
    expect(f.to).toEqual(['Camille Martin <agent1@ostal.test>']);
    expect(f.cc).toEqual(['Claude Petit <agent3@ostal.test>', 'Sacha Roux <agent4@ostal.test>']);
  });

  it('Répondre uses Reply-To when present', () => {
    const f = prepareFields('reply', { ...original, replyTo: [{ name: 'Secrétariat', address: 'secretariat@ostal.test' }] }, [
      'agent2@ostal.test',
    ]);
    expect(f.to).toEqual(['Secrétariat <secretariat@ostal.test>']);
  });

  it('replying to one\u2019s own message answers its recipients', () => {
    const own = { ...original, from: { name: 'Moi', address: 'agent2@ostal.test' } };
    const f = prepareFields('replyAll', own, ['agent2@ostal.test']);
    expect(f.to).toEqual(['Claude Petit <agent3@ostal.test>']);
    expect(f.cc).toEqual(['Sacha Roux <agent4@ostal.test>']);
  });

  it('References fall back on In-Reply-To and stay bounded', () => {
    expect(replyReferences({ messageId: '<c@x>', references: [], inReplyTo: '<b@x>' })).toEqual(['<b@x>', '<c@x>']);
    const long = Array.from({ length: 30 }, (_, i) => `<r${i}@x>`);
    const refs = replyReferences({ messageId: '<last@x>', references: long, inReplyTo: null });
    expect(refs).toHaveLength(20);
    expect(refs[0]).toBe('<r0@x>');
    expect(refs.at(-1)).toBe('<last@x>');
  });

  it('Transférer: « Tr : », empty recipients, header block and original text', () => {
    const f = prepareFields('forward', original, ['agent2@ostal.test'], 'Europe/Paris');
    expect(f.to).toEqual([]);
    expect(f.subject).toBe(`Tr${NBSP}: Réunion de service`);
    expect(f.text).toContain('-------- Message transféré --------');
    expect(f.text).toContain('La réunion est déplacée.');
    expect(f.inReplyTo).toBeNull();
  });
});

describe('recipients', () => {
  it('parses comma and semicolon lists with names, dedupes, reports invalid entries', () => {
    const r = parseRecipients('Camille Martin <agent1@ostal.test>; agent2@ostal.test, AGENT1@ostal.test, pas-une-adresse');
    expect(r.addresses).toEqual([
      { name: 'Camille Martin', address: 'agent1@ostal.test' },
      { name: '', address: 'agent2@ostal.test' },
    ]);
    expect(r.invalid).toEqual(['pas-une-adresse']);
    expect(parseRecipients(['a@b.fr', 'c@d.fr']).addresses.map((a) => a.address)).toEqual(['a@b.fr', 'c@d.fr']);
    expect(dedupeAddresses([{ name: '', address: 'a@b.fr' }], ['A@B.FR'])).toEqual([]);
  });

  it('Message-IDs carry the sender domain and are unique', () => {
    const a = newMessageId('Agent4@Ostal.Test');
    expect(a).toMatch(/^<[0-9a-f-]{36}@ostal\.test>$/);
    expect(newMessageId('agent4@ostal.test')).not.toBe(a);
  });
});

describe('building the raw message', () => {
  it('encodes headers, threading, attachments; Bcc only in the envelope', async () => {
    const built = await buildRawMessage({
      from: { name: 'Sacha Roux', address: 'agent4@ostal.test' },
      to: [{ name: 'Camille Martin', address: 'agent1@ostal.test' }],
      cc: [],
      bcc: [{ name: '', address: 'agent5@ostal.test' }],
      subject: `Re${NBSP}: Réunion d’été`,
      text: 'Bien reçu, merci.\n',
      attachments: [{ filename: 'compte rendu é.txt', content: Buffer.from('contenu') }],
      messageId: '<m1@ostal.test>',
      inReplyTo: '<orig-3@ostal.test>',
      references: ['<orig-1@ostal.test>', '<orig-3@ostal.test>'],
    });
    expect(built.envelope).toEqual({ from: 'agent4@ostal.test', to: ['agent1@ostal.test', 'agent5@ostal.test'] });
    const head = built.raw.toString('utf8').split('\r\n\r\n')[0];
    expect(head).not.toMatch(/^bcc:/im);
    const parsed = await PostalMime.parse(built.raw);
    expect(parsed.subject).toBe(`Re${NBSP}: Réunion d’été`);
    expect(parsed.messageId).toBe('<m1@ostal.test>');
    expect(parsed.inReplyTo).toBe('<orig-3@ostal.test>');
    expect(parsed.references).toBe('<orig-1@ostal.test> <orig-3@ostal.test>');
    expect(parsed.from).toMatchObject({ name: 'Sacha Roux', address: 'agent4@ostal.test' });
    expect(parsed.attachments).toHaveLength(1);
    expect(parsed.attachments[0].filename).toBe('compte rendu é.txt');
    expect(Buffer.from(parsed.attachments[0].content as ArrayBuffer).toString()).toBe('contenu');
    expect(parsed.text).toContain('Bien reçu');
  });

  it('parses an original back into composer fields', async () => {
    const built = await buildRawMessage({
      from: { name: 'Camille Martin', address: 'agent1@ostal.test' },
      to: [{ name: '', address: 'agent2@ostal.test' }],
      cc: [{ name: 'Sacha Roux', address: 'agent4@ostal.test' }],
      bcc: [],
      subject: 'Réunion',
      text: 'Texte',
      attachments: [],
      messageId: '<o@ostal.test>',
      references: ['<a@x>'],
      inReplyTo: '<a@x>',
      date: new Date('2026-11-23T13:30:00Z'),
    });
    const o = await parseOriginal(built.raw);
    expect(o).toMatchObject({
      messageId: '<o@ostal.test>',
      subject: 'Réunion',
      from: { name: 'Camille Martin', address: 'agent1@ostal.test' },
      to: [{ address: 'agent2@ostal.test' }],
      cc: [{ name: 'Sacha Roux', address: 'agent4@ostal.test' }],
      date: '2026-11-23T13:30:00.000Z',
      references: ['<a@x>'],
      inReplyTo: '<a@x>',
    });
    expect(o.text.trim()).toBe('Texte');
  });
});

describe('SMTP error outcomes', () => {
  it('retries connectivity problems, fails on 5xx and refused passwords, is uncertain when the line drops mid-transaction', () => {
    expect(
      classifySmtpError(Object.assign(new Error('refused'), { code: 'ESOCKET', originalCode: 'ECONNREFUSED' }), 'session', 'h', 587).kind,
    ).toBe('retry');
    expect(classifySmtpError(Object.assign(new Error('bad'), { code: 'EAUTH', responseCode: 535 }), 'session', 'h', 587)).toMatchObject({
      kind: 'failed',
      error: { code: 'auth_failed' },
    });
    expect(
      classifySmtpError(
        Object.assign(new Error('no'), { code: 'EENVELOPE', responseCode: 550, permanent: true, rejected: ['x@y.fr'] }),
        'transaction',
        'h',
        587,
      ),
    ).toMatchObject({
      kind: 'failed',
    });
    expect(
      classifySmtpError(
        Object.assign(new Error('later'), { code: 'EENVELOPE', responseCode: 451, permanent: false }),
        'transaction',
        'h',
        587,
      ).kind,
    ).toBe('retry');
    expect(classifySmtpError(Object.assign(new Error('closed'), { code: 'ECONNECTION' }), 'transaction', 'h', 587).kind).toBe('uncertain');
  });
});
