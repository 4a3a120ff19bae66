/**
 * The message body for « Imprimer »: the core's sanitised HTML rebuilt, element by element, from an inert parse
 * (DOMParser runs nothing and loads nothing) into nodes of the application's document. A second wall after the core's
 * sanitiser: only an allowlist of text elements is rebuilt, with only harmless attributes (links http, https or
 * mailto; images only as data: images); everything else keeps its text at most. Scripts, styles, frames, forms,
 * SVG and event handlers never reach the page, and the application's CSP forbids inline scripts anyway.
 */

const KEPT = new Set([
  'a',
  'abbr',
  'address',
  'b',
  'big',
  'blockquote',
  'br',
  'caption',
  'center',
  'cite',
  'code',
  'dd',
  'del',
  'dfn',
  'div',
  'dl',
  'dt',
  'em',
  'font',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'hr',
  'i',
  'img',
  'ins',
  'kbd',
  'li',
  'mark',
  'ol',
  'p',
  'pre',
  'q',
  's',
  'samp',
  'small',
  'span',
  'strike',
  'strong',
  'sub',
  'sup',
  'table',
  'tbody',
  'td',
  'tfoot',
  'th',
  'thead',
  'tr',
  'tt',
  'u',
  'ul',
  'var',
]);

/** Dropped with everything inside (not even their text is printed). */
const DROPPED = new Set([
  'script',
  'style',
  'template',
  'noscript',
  'iframe',
  'frame',
  'frameset',
  'object',
  'embed',
  'applet',
  'svg',
  'math',
  'form',
  'input',
  'button',
  'select',
  'textarea',
  'option',
  'link',
  'meta',
  'base',
  'title',
  'head',
  'audio',
  'video',
  'source',
  'track',
  'canvas',
  'dialog',
  'portal',
]);

const SAFE_LINK = /^(https?:|mailto:)/i;
const DATA_IMAGE = /^data:image\/(png|gif|jpeg|webp|bmp);base64,[a-z0-9+/=\s]+$/i;

function rebuild(source: Node, into: Node, doc: Document): void {
  for (const child of Array.from(source.childNodes)) {
    if (child.nodeType === Node.TEXT_NODE) {
      into.appendChild(doc.createTextNode(child.textContent ?? ''));
      continue;
    }
    if (child.nodeType !== Node.ELEMENT_NODE) continue;
    const element = child as Element;
    const tag = element.localName.toLowerCase();
    if (DROPPED.has(tag) || element.namespaceURI !== 'http://www.w3.org/1999/xhtml') continue;
    if (!KEPT.has(tag)) {
      rebuild(element, into, doc);
      continue;
    }
    const copy = doc.createElement(tag);
    if (tag === 'a') {
      const href = (element.getAttribute('href') ?? '').trim();
      if (SAFE_LINK.test(href)) {
        copy.setAttribute('href', href);
        copy.setAttribute('rel', 'noopener noreferrer');
        copy.setAttribute('target', '_blank');
      }
    } else if (tag === 'img') {
      const src = (element.getAttribute('src') ?? '').trim();
      if (!DATA_IMAGE.test(src)) {
        const alt = element.getAttribute('alt');
        if (alt) into.appendChild(doc.createTextNode(alt));
        continue;
      }
      copy.setAttribute('src', src);
      copy.setAttribute('alt', element.getAttribute('alt') ?? '');
    } else if (tag === 'td' || tag === 'th') {
      for (const name of ['colspan', 'rowspan']) {
        const v = element.getAttribute(name);
        if (v && /^\d{1,3}$/.test(v)) copy.setAttribute(name, v);
      }
    }
    rebuild(element, copy, doc);
    into.appendChild(copy);
  }
}

/** A fragment of the application's document holding the printable copy of `sanitisedHtml`. */
export function printableFragment(sanitisedHtml: string, doc: Document = document): DocumentFragment {
  const parsed = new DOMParser().parseFromString(sanitisedHtml, 'text/html');
  const fragment = doc.createDocumentFragment();
  rebuild(parsed.body, fragment, doc);
  return fragment;
}
