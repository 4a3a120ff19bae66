/**
 * The small Markdown of the help pages (renderer/src/aide/pages/*.md), parsed into plain data that React renders as
 * elements: no HTML string ever reaches the page. What it reads:
 *
 * ```
 * ---
 * titre: Mettre une réponse automatique
 * rubrique: courrier
 * mots: absence, congés
 * ---
 * A paragraph with **bold**, `code` and a [link to another page](page:regles).
 *
 * ## A heading
 * 1. A numbered step
 * - A bullet
 * ![What the screenshot shows](capture:reponse-automatique.png)
 * ```
 *
 * Anything else (raw HTML, web links, other image sources) stays as plain text.
 */

export type Inline =
  | { type: 'text'; text: string }
  | { type: 'strong'; text: string }
  | { type: 'code'; text: string }
  | { type: 'link'; text: string; page: string };

export type Block =
  | { type: 'paragraph'; inlines: Inline[] }
  | { type: 'heading'; inlines: Inline[] }
  | { type: 'list'; ordered: boolean; items: Inline[][] }
  | { type: 'capture'; alt: string; file: string };

export interface ParsedPage {
  meta: Record<string, string>;
  blocks: Block[];
}

/** A screenshot name the e2e suite writes (tests/e2e: SHOTS_DIR): letters, digits and dashes, then .png. */
export const CAPTURE_NAME = /^[a-z0-9][a-z0-9-]*\.png$/;

const INLINE = /\*\*([^*]+)\*\*|`([^`]+)`|\[([^\]]+)\]\(page:([a-z0-9-]+)\)/g;

export function parseInlines(text: string): Inline[] {
  const out: Inline[] = [];
  let last = 0;
  for (const m of text.matchAll(INLINE)) {
    if (m.index > last) out.push({ type: 'text', text: text.slice(last, m.index) });
    if (m[1] !== undefined) out.push({ type: 'strong', text: m[1] });
    else if (m[2] !== undefined) out.push({ type: 'code', text: m[2] });
    else out.push({ type: 'link', text: m[3], page: m[4] });
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push({ type: 'text', text: text.slice(last) });
  return out;
}

const CAPTURE = /^!\[([^\]]*)\]\(capture:([^)]+)\)$/;

export function parseHelpPage(source: string): ParsedPage {
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  const meta: Record<string, string> = {};
  let i = 0;
  if (lines[0]?.trim() === '---') {
    i = 1;
    for (; i < lines.length && lines[i].trim() !== '---'; i++) {
      const colon = lines[i].indexOf(':');
      if (colon > 0) meta[lines[i].slice(0, colon).trim()] = lines[i].slice(colon + 1).trim();
    }
    i++;
  }
  const blocks: Block[] = [];
  let paragraph: string[] = [];
  let list: { ordered: boolean; items: Inline[][] } | null = null;
  const flush = () => {
    if (paragraph.length) blocks.push({ type: 'paragraph', inlines: parseInlines(paragraph.join(' ')) });
    paragraph = [];
    if (list) blocks.push({ type: 'list', ...list });
    list = null;
  };
  for (; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') {
      flush();
      continue;
    }
    const capture = CAPTURE.exec(line);
    const item = /^(\d+\.|-)\s+(.*)$/.exec(line);
    if (capture) {
      flush();
      if (CAPTURE_NAME.test(capture[2])) blocks.push({ type: 'capture', alt: capture[1], file: capture[2] });
      else blocks.push({ type: 'paragraph', inlines: [{ type: 'text', text: capture[1] }] });
    } else if (line.startsWith('## ')) {
      flush();
      blocks.push({ type: 'heading', inlines: parseInlines(line.slice(3)) });
    } else if (item) {
      const ordered = item[1] !== '-';
      if (paragraph.length || (list && list.ordered !== ordered)) flush();
      list ??= { ordered, items: [] };
      list.items.push(parseInlines(item[2]));
    } else if (list && paragraph.length === 0 && lines[i].startsWith('  ')) {
      // A continuation line of the last list item.
      const items = list.items;
      items[items.length - 1] = [...items[items.length - 1], { type: 'text', text: ' ' }, ...parseInlines(line)];
    } else {
      if (list) flush();
      paragraph.push(line);
    }
  }
  flush();
  return { meta, blocks };
}

/** The text of some inlines, for search. */
export function inlineText(inlines: Inline[]): string {
  return inlines.map((inline) => inline.text).join('');
}

/** Every word of a page a search may find: its blocks' text and the screenshots' descriptions. */
export function blocksText(blocks: Block[]): string {
  return blocks
    .map((block) =>
      block.type === 'list' ? block.items.map(inlineText).join(' ') : block.type === 'capture' ? block.alt : inlineText(block.inlines),
    )
    .join(' ');
}

/** Lower case, no accents, typographic apostrophes and spaces made plain: « Réponse » and « reponse » match. */
export function foldForSearch(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .replace(/[’‘]/g, "'")
    .replace(/œ/g, 'oe')
    .replace(/æ/g, 'ae')
    .replace(/[\s\u00a0\u202f]+/g, ' ');
}
