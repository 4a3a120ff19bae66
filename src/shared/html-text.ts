/**
 * HTML ↔ plain text for formatted writing, pure string functions shared by the core (the text/plain alternative of a
 * sent message) and the composer (switching between « Mise en forme » and « Texte brut »). No DOM, no Node.
 */
const NBSP = '\u00A0';

function decodeEntities(text: string): string {
  return text
    .replace(/&nbsp;/g, NBSP)
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#0*39;|&apos;/g, "'")
    .replace(/&#x([0-9a-f]+);/gi, (_m, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_m, dec: string) => String.fromCodePoint(Number(dec)))
    .replace(/&amp;/g, '&');
}

function attribute(tag: string, name: string): string | null {
  const m = new RegExp(`\\b${name}\\s*=\\s*("([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag);
  if (!m) return null;
  return decodeEntities(m[2] ?? m[3] ?? m[4] ?? '');
}

/**
 * The text/plain alternative of an HTML body: paragraphs and line breaks kept, « - » before the items of a list
 * (« 1. » in a numbered one), a link followed by its address when the text is not already the address, « > » before
 * the lines of a quote, images by their description. Scripts and styles never reach here (sanitised before).
 */
export function htmlToPlainText(html: string): string {
  const tokens = html.replace(/<!--[\s\S]*?-->/g, '').split(/(<[^>]+>)/);
  let out = '';
  let quoteDepth = 0;
  const lists: { ordered: boolean; n: number }[] = [];
  const links: (string | null)[] = [];
  let linkText = '';
  let pre = 0;
  const newline = () => {
    if (!/(^|\n)-- $/.test(out)) out = out.replace(/[ \t]+$/, '');
    out += `\n${'> '.repeat(quoteDepth)}`;
  };
  const blockBreak = () => {
    const stripped = out.replace(/[> ]*$/, '');
    if (stripped === '' || stripped.endsWith('\n')) return;
    // Right after a list marker: the item's paragraph goes on the marker's line.
    if (/(^|\n)(> )*\s*(?:-|\d+\.) $/.test(out)) return;
    newline();
  };
  for (const token of tokens) {
    if (!token) continue;
    if (!token.startsWith('<')) {
      const text = decodeEntities(pre ? token : token.replace(/\s+/g, ' '));
      const atLineStart = /(^|\n)(> )*$/.test(out);
      const piece = atLineStart && !pre ? text.replace(/^ /, '') : text;
      out += pre ? piece.replace(/\n/g, `\n${'> '.repeat(quoteDepth)}`) : piece;
      if (links.length) linkText += piece;
      continue;
    }
    const m = /^<\s*(\/?)\s*([a-z0-9]+)/i.exec(token);
    if (!m) continue;
    const closing = m[1] === '/';
    const name = m[2]!.toLowerCase();
    switch (name) {
      case 'br':
        newline();
        break;
      case 'p':
      case 'div':
      case 'h1':
      case 'h2':
      case 'h3':
      case 'h4':
      case 'h5':
      case 'h6':
      case 'table':
      case 'tr':
        blockBreak();
        if (closing && (name === 'p' || name.startsWith('h')) && lists.length === 0 && !/(^|\n)--[ \u00a0]?\n$/.test(out)) newline();
        break;
      case 'pre':
        blockBreak();
        pre += closing ? -1 : 1;
        break;
      case 'blockquote':
        if (closing) {
          out = out.replace(/(\n(> ?)*)+$/, '');
          quoteDepth = Math.max(0, quoteDepth - 1);
          out += `\n${'> '.repeat(quoteDepth)}\n${'> '.repeat(quoteDepth)}`;
        } else {
          blockBreak();
          quoteDepth += 1;
          out = out.replace(/(> )*$/, '> '.repeat(quoteDepth));
        }
        break;
      case 'ul':
      case 'ol':
        blockBreak();
        if (closing) {
          lists.pop();
          if (lists.length === 0) newline();
        } else lists.push({ ordered: name === 'ol', n: Number(attribute(token, 'start') ?? '1') || 1 });
        break;
      case 'li':
        if (!closing) {
          blockBreak();
          const list = lists[lists.length - 1];
          const indent = '  '.repeat(Math.max(0, lists.length - 1));
          out += list?.ordered ? `${indent}${list.n++}. ` : `${indent}- `;
        }
        break;
      case 'td':
      case 'th':
        if (closing) out += '\t';
        break;
      case 'hr':
        blockBreak();
        out += '———';
        newline();
        break;
      case 'img':
        if (!closing) {
          const alt = attribute(token, 'alt');
          if (alt) out += `[${alt}]`;
        }
        break;
      case 'a':
        if (!closing) {
          links.push(attribute(token, 'href'));
          linkText = '';
        } else {
          const href = links.pop();
          const target = href?.replace(/^mailto:/i, '') ?? '';
          if (href && target && linkText.trim() !== target && linkText.trim() !== href) out += ` <${href}>`;
        }
        break;
      default:
        break;
    }
  }
  return (
    out
      .split('\n')
      // « -- » followed by a space is the signature separator (RFC 3676): its space is kept.
      .map((line) => (line === '-- ' ? line : line.replace(/[ \t]+$/, '')))
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .replace(/^\n+|\n+$/g, '')
  );
}

// ------------------------------------------------------------------ quoting

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Plain text as HTML paragraphs (line breaks kept). */
export function textToHtml(text: string): string {
  const paragraphs = text
    .replace(/\r\n?/g, '\n')
    .replace(/\n+$/, '')
    .split(/\n{2,}/);
  return paragraphs.map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`).join('');
}
