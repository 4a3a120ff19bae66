/**
 * Formatted writing (HTML mail), pure functions: the HTML the composer sends is passed through the same sanitiser as
 * the reader (sanitizeMailHtml), its pasted or inserted images (data: URLs) become inline parts referenced by `cid:`
 * (multipart/related), and the text/plain alternative is generated from it (lists with « - » or numbers, links
 * followed by their address, quotes with « > »). Also the HTML quote of a reply and the way back for a draft reopened
 * from Brouillons (cid: → data: URLs).
 */
import crypto from 'node:crypto';
import { sanitizeMailHtml } from './html-sanitizer.js';
import { escapeHtml, textToHtml } from '../shared/html-text.js';

export { htmlToPlainText } from '../shared/html-text.js';

export interface InlineImage {
  /** Content-ID without brackets. */
  cid: string;
  filename: string;
  contentType: string;
  content: Buffer;
}

const DATA_IMAGE_SRC = /(<img\b[^>]*?\bsrc\s*=\s*)(["'])data:(image\/(?:png|gif|jpe?g|webp|bmp));base64,([a-z0-9+/=\s]+)\2/gi;

const EXTENSIONS: Record<string, string> = {
  'image/png': 'png',
  'image/gif': 'gif',
  'image/jpeg': 'jpg',
  'image/jpg': 'jpg',
  'image/webp': 'webp',
  'image/bmp': 'bmp',
};

/**
 * The HTML of an outgoing message: sanitised like a received one (no script, no event handler, no remote image, links
 * limited to http/https/mailto), then every data: image turned into an inline part (`cid:`), the same image once.
 */
export function prepareOutgoingHtml(html: string, senderEmail: string): { html: string; images: InlineImage[] } {
  const clean = sanitizeMailHtml(html, { allowRemote: false }).html;
  const domain = senderEmail.split('@')[1]?.trim().toLowerCase() || 'ostal.invalid';
  const images: InlineImage[] = [];
  const byContent = new Map<string, string>();
  const out = clean.replace(DATA_IMAGE_SRC, (_m, before: string, quote: string, type: string, data: string) => {
    const base64 = data.replace(/\s+/g, '');
    let cid = byContent.get(base64);
    if (!cid) {
      cid = `${crypto.randomUUID()}@${domain}`;
      byContent.set(base64, cid);
      const contentType = type.toLowerCase() === 'image/jpg' ? 'image/jpeg' : type.toLowerCase();
      images.push({
        cid,
        filename: `image${images.length + 1}.${EXTENSIONS[contentType] ?? 'png'}`,
        contentType,
        content: Buffer.from(base64, 'base64'),
      });
    }
    return `${before}${quote}cid:${cid}${quote}`;
  });
  return { html: out, images };
}

/** A draft or message reopened in the composer: its `cid:` images as data: URLs again (unknown ones dropped). */
export function inlineCidImages(html: string, parts: ReadonlyMap<string, string>): string {
  return html.replace(/(<img\b[^>]*?\bsrc\s*=\s*)(["'])cid:([^"']*)\2/gi, (_m, before: string, quote: string, cid: string) => {
    const data = parts.get(decodeURIComponent(cid).replace(/^<|>$/g, ''));
    return data ? `${before}${quote}${data}${quote}` : `${before}${quote}${quote}`;
  });
}

/**
 * The HTML body of a reply or forward: an empty paragraph to write in, then the attribution (or forward header) and the
 * original in a quote. The original's HTML goes through the reader's sanitiser, its inline images kept as data: URLs.
 */
export function quotedHtml(header: string, original: { html: string | null; text: string }, inline: ReadonlyMap<string, string>): string {
  const body = original.html
    ? sanitizeMailHtml(original.html, { allowRemote: false, inlineImages: inline }).html
    : textToHtml(original.text);
  return `<p></p><p>${escapeHtml(header).replace(/\n/g, '<br>')}</p><blockquote>${body}</blockquote>`;
}

/**
 * HTML pasted in the composer (Word, LibreOffice, a web page): the reader's sanitiser (no script, no conditional
 * comment, no style sheet, no class, no remote image), then inline styles and Office's empty paragraphs dropped; the
 * structure (paragraphs, lists, tables, links, emphasis) is kept.
 */
export function cleanPastedHtml(html: string): string {
  const withoutOffice = html.replace(/<!\[if[\s\S]*?<!\[endif\]>/gi, '').replace(/<\/?o:p>/gi, '');
  return sanitizeMailHtml(withoutOffice, { allowRemote: false })
    .html.replace(/\s(?:style|lang|dir|align|valign|width|height|bgcolor|title)="[^"]*"/gi, '')
    .replace(/<span>([\s\S]*?)<\/span>/gi, '$1');
}
