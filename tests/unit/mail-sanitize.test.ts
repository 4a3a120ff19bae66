import { parseDocument, DomUtils } from 'htmlparser2';
import type { Element } from 'domhandler';
import { describe, expect, it } from 'vitest';
import { sanitizeMailHtml } from '../../src/mail/html-sanitizer.js';
import { buildMessageView } from '../../src/mail/message-reader.js';
import { parseMessage } from '../../src/mail/mime.js';
import { bigAttachmentMessage, hostileFixtures, hostileSource, manyRecipientsMessage } from '../fixtures/hostile/corpus.js';

const FORBIDDEN_TAGS = new Set([
  'script',
  'style',
  'iframe',
  'frame',
  'frameset',
  'object',
  'embed',
  'param',
  'applet',
  'form',
  'input',
  'button',
  'select',
  'textarea',
  'base',
  'meta',
  'link',
  'svg',
  'math',
  'video',
  'audio',
  'source',
  'track',
  'picture',
  'image',
  'noscript',
  'template',
  'html',
  'head',
  'body',
]);
/** Attributes that may load something. */
const RESOURCE_ATTRIBUTES = ['src', 'srcset', 'background', 'poster', 'data', 'action', 'formaction', 'xlink:href', 'dynsrc', 'lowsrc'];
const REMOTE = /(?:https?:)?\/\//i;

function elements(html: string): Element[] {
  return DomUtils.findAll(() => true, parseDocument(html, { decodeEntities: true }).children);
}

/** Everything a browser could run or fetch from this HTML; an empty list means safe. */
function dangers(html: string, allowRemote: boolean): string[] {
  const found: string[] = [];
  for (const el of elements(html)) {
    const name = el.name.toLowerCase();
    if (FORBIDDEN_TAGS.has(name)) found.push(`<${name}>`);
    for (const [attr, raw] of Object.entries(el.attribs)) {
      const a = attr.toLowerCase();
      // Browsers ignore control characters and spaces inside URLs (« java\tscript: »).
      // eslint-disable-next-line no-control-regex
      const value = raw.replace(/[\u0000-\u0020]/g, '').toLowerCase();
      if (a.startsWith('on')) found.push(`${name}[${a}]`);
      if (a === 'href' && !/^(https?:\/\/|mailto:)/.test(value)) found.push(`${name}[href=${raw}]`);
      if (a === 'style' && /url\(|expression|@import|\\|behavior|binding|javascript:/.test(value)) {
        if (!(allowRemote && /^[^\\]*url\(['"]?https?:\/\//.test(value))) found.push(`${name}[style=${raw}]`);
      }
      if (RESOURCE_ATTRIBUTES.includes(a)) {
        if (/^(javascript|vbscript|data:text|data:image\/svg)/.test(value)) found.push(`${name}[${a}=${raw}]`);
        if (!allowRemote && REMOTE.test(value)) found.push(`${name}[${a}=${raw}]`);
        if (a === 'src' && !/^(data:image\/(png|gif|jpeg|webp|bmp);base64,|https?:\/\/)/.test(value)) found.push(`${name}[src=${raw}]`);
      }
    }
  }
  return found;
}

describe('hostile-mail corpus: parsed without throwing, sanitised HTML runs and loads nothing', () => {
  it.each(hostileFixtures())('%s', async (file) => {
    const parsed = await parseMessage(hostileSource(file));
    for (const allowRemote of [false, true]) {
      const view = buildMessageView({ accountId: 'a', folder: 'INBOX', uid: 1 }, parsed, { flags: [], remoteContentAllowed: allowRemote });
      expect(view.text.length + (view.html?.length ?? 0)).toBeGreaterThan(0);
      if (view.html !== null) expect(dangers(view.html, allowRemote)).toEqual([]);
    }
  });

  it('finds dangers in unsanitised HTML (the checker itself can fail)', () => {
    expect(
      dangers(
        '<p onclick="x()">a</p><a href="javascript:x()">b</a><img src="http://127.0.0.2:9/p.gif"><p style="background:url(http://x/y)">c</p>',
        false,
      ),
    ).toHaveLength(4);
  });

  it('script: no script element, and the text of scripts is not shown', async () => {
    const { html } = sanitizeMailHtml((await parseMessage(hostileSource('script.eml'))).html!, { allowRemote: false });
    expect(elements(html).map((e) => e.name)).not.toContain('script');
    expect(html).not.toContain('alert(1)');
    expect(html).toContain('Fin du message.');
  });

  it('event handlers: removed, legitimate link kept with its real address, target=_blank and rel=noopener noreferrer', async () => {
    const { html } = sanitizeMailHtml((await parseMessage(hostileSource('event-handlers.eml'))).html!, { allowRemote: false });
    const links = elements(html).filter((e) => e.name === 'a');
    expect(links.map((a) => a.attribs)).toEqual([
      { href: 'https://www.service-public.fr/', target: '_blank', rel: 'noopener noreferrer', title: 'https://www.service-public.fr/' },
    ]);
  });

  it('javascript:, vbscript:, data: and protocol-relative links lose their address; https and mailto keep it', async () => {
    const { html } = sanitizeMailHtml((await parseMessage(hostileSource('javascript-links.eml'))).html!, { allowRemote: false });
    const hrefs = elements(html)
      .filter((e) => e.name === 'a' && e.attribs.href)
      .map((a) => a.attribs.href);
    expect(hrefs).toEqual(['https://www.impots.gouv.fr/', 'mailto:accueil@mairie.example']);
    // Only links that keep an address open a new window; the others cannot be followed at all.
    expect(
      elements(html)
        .filter((e) => e.attribs.target)
        .map((e) => [e.attribs.target, e.attribs.href]),
    ).toEqual([
      ['_blank', 'https://www.impots.gouv.fr/'],
      ['_blank', 'mailto:accueil@mairie.example'],
    ]);
  });

  it('CSS: <style>, @import, @font-face and url() go; safe inline colours and fonts stay', async () => {
    const { html, hasRemoteContent } = sanitizeMailHtml((await parseMessage(hostileSource('css-exfiltration.eml'))).html!, {
      allowRemote: false,
    });
    expect(hasRemoteContent).toBe(true);
    expect(html).not.toMatch(/@import|@font-face|url\(|127\.0\.0\.2|example\.invalid/i);
    const styles = elements(html)
      .map((e) => e.attribs.style)
      .filter(Boolean);
    expect(styles.join(';')).not.toMatch(/expression|binding|behavior|position|list-style-image/i);
    expect(styles).toContain('color:red');
    expect(styles).toContain("color:blue;font-family:'Marianne', Arial, sans-serif");
  });

  it('remote images: blocked and announced; kept once allowed (srcset, table backgrounds too)', async () => {
    const source = (await parseMessage(hostileSource('remote-images.eml'))).html!;
    const blocked = sanitizeMailHtml(source, { allowRemote: false });
    expect(blocked.hasRemoteContent).toBe(true);
    expect(
      elements(blocked.html)
        .filter((e) => e.name === 'img')
        .every((img) => img.attribs.src === undefined && img.attribs.srcset === undefined),
    ).toBe(true);
    expect(blocked.html).toContain('Texte de la lettre.');
    const allowed = sanitizeMailHtml(source, { allowRemote: true });
    expect(allowed.hasRemoteContent).toBe(true);
    const srcs = elements(allowed.html)
      .map((e) => e.attribs.src)
      .filter(Boolean);
    expect(srcs).toContain('http://127.0.0.2:9/banniere.png');
    expect(srcs).toContain('http://127.0.0.2:9/pixel.gif?id=agent3');
    expect(srcs).not.toContain('//example.invalid/protocole-relatif.png');
    expect(elements(allowed.html).find((e) => e.name === 'table')?.attribs.background).toBe('http://127.0.0.2:9/table-bg.png');
    expect(elements(allowed.html).some((e) => e.name === 'video' || e.name === 'audio' || e.name === 'input')).toBe(false);
  });

  it('base, meta refresh, iframes, objects, embeds, frames, svg and math are gone; relative links lose their address', async () => {
    const { html, hasRemoteContent } = sanitizeMailHtml((await parseMessage(hostileSource('base-meta-frames.eml'))).html!, {
      allowRemote: true,
    });
    expect(hasRemoteContent).toBe(false);
    const names = new Set(elements(html).map((e) => e.name));
    for (const tag of ['base', 'meta', 'iframe', 'object', 'embed', 'frameset', 'frame', 'svg', 'math', 'style'])
      expect(names.has(tag)).toBe(false);
    expect(elements(html).filter((e) => e.name === 'a' && e.attribs.href)).toEqual([]);
    expect(html).toContain('Fin.');
  });

  it('cid: images become data: URLs of the inline part; an unknown cid loses its source', async () => {
    const view = buildMessageView({ accountId: 'a', folder: 'INBOX', uid: 1 }, await parseMessage(hostileSource('cid-inline.eml')), {
      flags: [],
      remoteContentAllowed: false,
    });
    const imgs = elements(view.html!).filter((e) => e.name === 'img');
    expect(imgs[0].attribs.src).toMatch(/^data:image\/png;base64,iVBORw0KGgo/);
    expect(imgs[1].attribs.src).toBeUndefined();
    expect(view.hasRemoteContent).toBe(false);
    expect(view.attachments.map((a) => [a.filename, a.inline])).toEqual([
      ['logo.png', true],
      ['compte-rendu réunion.odt', false],
    ]);
  });

  it('data: images other than raster types are refused', () => {
    const { html } = sanitizeMailHtml('<img src="data:image/svg+xml;base64,PHN2Zz4="><img src="data:image/png;base64,iVBORw0KGgo=">', {
      allowRemote: false,
    });
    expect(elements(html).map((e) => e.attribs.src)).toEqual([undefined, 'data:image/png;base64,iVBORw0KGgo=']);
  });

  it('plain text: the text is given as is (the UI shows it as text, never as HTML)', async () => {
    const view = buildMessageView({ accountId: 'a', folder: 'INBOX', uid: 1 }, await parseMessage(hostileSource('plain-text.eml')), {
      flags: ['\\Seen'],
      remoteContentAllowed: false,
    });
    expect(view.html).toBeNull();
    expect(view.text).toContain('<script>alert(1)</script> n’est que du texte ici.');
    expect(view.flags).toEqual(['\\Seen']);
  });

  it('malformed MIME: French notice and raw text', async () => {
    const view = buildMessageView(
      { accountId: 'a', folder: 'INBOX', uid: 1 },
      await parseMessage(hostileSource('malformed-no-boundary.eml')),
      { flags: [], remoteContentAllowed: false },
    );
    expect(view.notice).toMatch(/^Ce message est mal construit/);
    expect(view.html).toBeNull();
    expect(view.text).toContain('Structure illisible');
  });

  it('50 MB attachment (generated): listed with its size, no content in the view', async () => {
    const view = buildMessageView({ accountId: 'a', folder: 'INBOX', uid: 1 }, await parseMessage(bigAttachmentMessage()), {
      flags: [],
      remoteContentAllowed: false,
    });
    expect(view.attachments).toEqual([
      { id: '1', filename: 'archive.zip', mimeType: 'application/zip', size: 52_428_800, inline: false, contentId: null },
    ]);
    expect(JSON.stringify(view).length).toBeLessThan(10_000);
  }, 60_000);

  it('10 000 recipients: every address in the view', async () => {
    const view = buildMessageView({ accountId: 'a', folder: 'INBOX', uid: 1 }, await parseMessage(manyRecipientsMessage()), {
      flags: [],
      remoteContentAllowed: false,
    });
    expect(view.to).toHaveLength(10_000);
  });
});
