import { describe, expect, it } from 'vitest';
import PostalMime from 'postal-mime';
import { buildRawMessage } from '../../src/mail/compose.js';
import { cleanPastedHtml, htmlToPlainText, inlineCidImages, prepareOutgoingHtml, quotedHtml } from '../../src/mail/html-compose.js';

// A 1×1 red PNG.
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';

describe('formatted writing: text alternative', () => {
  it('turns lists, links, quotes and breaks into readable text', () => {
    const text = htmlToPlainText(
      '<p>Bonjour <strong>à tous</strong>,</p><ul><li><p>un</p></li><li>deux</li></ul><ol><li>premier</li><li>second</li></ol>' +
        '<p>Voir <a href="https://mairie.example/doc">le document</a> ou https://x.example</p><blockquote><p>cité</p><p>encore</p></blockquote>' +
        '<p>-- <br>Camille</p>',
    );
    expect(text).toBe(
      'Bonjour à tous,\n\n- un\n- deux\n\n1. premier\n2. second\n\nVoir le document <https://mairie.example/doc> ou https://x.example\n\n> cité\n>\n> encore\n\n-- \nCamille',
    );
  });
});

describe('formatted writing: outgoing HTML', () => {
  it('sanitises the HTML and turns data: images into cid: parts, once per image', () => {
    const out = prepareOutgoingHtml(
      `<p onclick="x()">a<script>alert(1)</script><img src="data:image/png;base64,${PNG}" alt="logo"><img src="data:image/png;base64,${PNG}"><img src="https://tracker.example/p.gif"></p>`,
      'agent@mairie.example',
    );
    expect(out.html).not.toMatch(/script|onclick|tracker/);
    expect(out.images).toHaveLength(1);
    expect(out.images[0]!.cid).toMatch(/@mairie\.example$/);
    expect(out.html.match(/cid:/g)).toHaveLength(2);
    expect(inlineCidImages(out.html, new Map([[out.images[0]!.cid, 'data:image/png;base64,AAAA']]))).toContain(
      'src="data:image/png;base64,AAAA"',
    );
  });

  it('builds multipart/alternative with the text generated from the HTML and the image in multipart/related', async () => {
    const built = await buildRawMessage({
      from: { name: 'Camille', address: 'agent@mairie.example' },
      to: [{ name: '', address: 'elu@mairie.example' }],
      cc: [],
      bcc: [],
      subject: 'Mise en forme',
      text: '',
      html: `<p>Liste :</p><ul><li>un</li></ul><p><img src="data:image/png;base64,${PNG}" alt="logo"></p>`,
      attachments: [],
      messageId: '<x@mairie.example>',
    });
    const raw = built.raw.toString('utf8');
    expect(raw).toMatch(/multipart\/alternative/);
    expect(raw).toMatch(/multipart\/related/);
    const parsed = await PostalMime.parse(built.raw);
    expect(parsed.text).toContain('- un');
    expect(parsed.html).toMatch(/src="cid:[^"]+"/);
    expect(parsed.attachments).toHaveLength(1);
    expect(parsed.attachments[0]!.related).toBe(true);
  });
});

describe('formatted writing: pasting and quoting', () => {
  it('cleans HTML pasted from Word: no conditional comment, style sheet, class, style or script; structure kept', () => {
    const word =
      '<html xmlns:o="urn:schemas-microsoft-com:office:office"><head><style>p.MsoNormal{color:red}</style></head><body>' +
      '<!--[if gte mso 9]><xml><o:OfficeDocumentSettings></o:OfficeDocumentSettings></xml><![endif]-->' +
      '<p class="MsoNormal" style="margin:0;color:red"><b><span style="font-family:Calibri">Ordre du jour</span></b><o:p></o:p></p>' +
      '<ul><li class="MsoListParagraph">budget</li></ul><script>alert(1)</script><a href="javascript:alert(1)">x</a></body></html>';
    const clean = cleanPastedHtml(word);
    expect(clean).toBe('<p><b>Ordre du jour</b></p><ul><li>budget</li></ul><a>x</a>');
  });

  it('quotes the original HTML through the sanitiser, plain text as paragraphs', () => {
    const q = quotedHtml('Le lundi, Camille a écrit :', { html: '<p>Salut<script>x</script></p>', text: '' }, new Map());
    expect(q).toBe('<p></p><p>Le lundi, Camille a écrit :</p><blockquote><p>Salut</p></blockquote>');
    expect(quotedHtml('A', { html: null, text: 'l1\nl2\n\n<b>' }, new Map())).toBe(
      '<p></p><p>A</p><blockquote><p>l1<br>l2</p><p>&lt;b&gt;</p></blockquote>',
    );
  });
});
