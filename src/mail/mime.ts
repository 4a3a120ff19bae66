/**
 * MIME parsing of a message source for reading (postal-mime), with the repairs French mail needs:
 * Windows-1252 punctuation (’ “ ” € œ) that Node 20's TextDecoder decodes as C1 controls, 8-bit
 * text without a declared charset, and malformed structures that must never throw.
 */
import PostalMime, { type Email, type Address as PostalAddress, type Attachment as PostalAttachment } from 'postal-mime';
import type { Address } from '../shared/contract.js';

/** One non-body part of a message (attachment or inline image), with its decoded bytes. */
export interface ParsedPart {
  /** Position among the message's parts, stable for a given source ("1", "2", …). */
  id: string;
  filename: string | null;
  mimeType: string;
  size: number;
  inline: boolean;
  /** Content-ID without angle brackets, or null. */
  contentId: string | null;
  content: Uint8Array;
}

export interface ParsedMessage {
  subject: string;
  from: Address | null;
  to: Address[];
  cc: Address[];
  replyTo: Address[];
  date: string | null;
  messageId: string | null;
  text: string | null;
  html: string | null;
  parts: ParsedPart[];
  /** True when the structure could not be understood and `text` holds the raw source text. */
  malformed: boolean;
  /** Values of the Authentication-Results header fields, topmost first (the receiving server adds its own on top). */
  authenticationResults: string[];
}

/** Windows-1252 characters of bytes 0x80–0x9F (undefined code points stay as they are). */
const CP1252_C1: Record<number, string> = {
  0x80: '€',
  0x82: '‚',
  0x83: 'ƒ',
  0x84: '„',
  0x85: '…',
  0x86: '†',
  0x87: '‡',
  0x88: 'ˆ',
  0x89: '‰',
  0x8a: 'Š',
  0x8b: '‹',
  0x8c: 'Œ',
  0x8e: 'Ž',
  0x91: '‘',
  0x92: '’',
  0x93: '“',
  0x94: '”',
  0x95: '•',
  0x96: '–',
  0x97: '—',
  0x98: '˜',
  0x99: '™',
  0x9a: 'š',
  0x9b: '›',
  0x9c: 'œ',
  0x9e: 'ž',
  0x9f: 'Ÿ',
};

/**
 * C1 control characters never belong in mail text: they come from ISO-8859-1/Windows-1252 bytes that
 * a decoder mapped one-to-one. The WHATWG Encoding standard reads both labels as Windows-1252.
 */
export function repairC1(value: string): string {
  return value.replace(/[\u0080-\u009f]/g, (c) => CP1252_C1[c.charCodeAt(0)] ?? '');
}

const MAX_RAW_TEXT = 500_000;

/** Declares Windows-1252 on text parts that name no charset (used when UTF-8 decoding failed). */
export function declareMissingCharsets(source: Buffer): Buffer {
  const raw = source.toString('latin1');
  let out = raw.replace(/^(Content-Type:[ \t]*text\/[^\r\n]*(?:\r?\n[ \t][^\r\n]*)*)/gim, (header: string) =>
    /charset\s*=/i.test(header) ? header : `${header}; charset=windows-1252`,
  );
  const headerEnd = out.search(/\r?\n\r?\n/);
  const topHeaders = headerEnd >= 0 ? out.slice(0, headerEnd) : out;
  if (!/^Content-Type:/im.test(topHeaders)) out = `Content-Type: text/plain; charset=windows-1252\r\n${out}`;
  return Buffer.from(out, 'latin1');
}

function toAddress(a: PostalAddress | undefined): Address[] {
  if (!a) return [];
  if (a.group) return a.group.map((m) => ({ name: repairC1(m.name ?? ''), address: m.address ?? '' }));
  if (!a.address && !a.name) return [];
  return [{ name: repairC1(a.name ?? ''), address: a.address ?? '' }];
}

function toAddresses(list: PostalAddress[] | undefined): Address[] {
  return (list ?? []).flatMap(toAddress);
}

function toIso(value: string | undefined): string | null {
  if (!value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

function stripBrackets(id: string | undefined): string | null {
  if (!id) return null;
  const v = id.trim().replace(/^<|>$/g, '').trim();
  return v || null;
}

function toPart(a: PostalAttachment, index: number): ParsedPart {
  const content =
    typeof a.content === 'string'
      ? new TextEncoder().encode(a.content)
      : a.content instanceof Uint8Array
        ? a.content
        : new Uint8Array(a.content);
  const contentId = stripBrackets(a.contentId);
  return {
    id: String(index + 1),
    filename: a.filename ? repairC1(a.filename) : null,
    mimeType: (a.mimeType || 'application/octet-stream').toLowerCase(),
    size: content.byteLength,
    inline: a.disposition === 'inline' || (a.disposition === null && contentId !== null && (a.mimeType || '').startsWith('image/')),
    contentId,
    content,
  };
}

/** The text after the header block, decoded as UTF-8 or else Windows-1252, for messages we could not parse. */
function rawBodyText(source: Buffer): string {
  const s = source.toString('latin1');
  const m = /\r?\n\r?\n/.exec(s);
  const body = source.subarray(m ? m.index + m[0].length : 0, (m ? m.index + m[0].length : 0) + MAX_RAW_TEXT);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    return repairC1(body.toString('latin1'));
  }
}

function fromEmail(email: Email): ParsedMessage {
  return {
    subject: repairC1(email.subject ?? ''),
    from: toAddress(email.from)[0] ?? null,
    to: toAddresses(email.to),
    cc: toAddresses(email.cc),
    replyTo: toAddresses(email.replyTo),
    date: toIso(email.date),
    messageId: email.messageId ?? null,
    text: email.text !== undefined ? repairC1(email.text) : null,
    html: email.html !== undefined ? repairC1(email.html) : null,
    parts: (email.attachments ?? []).map(toPart),
    malformed: false,
    authenticationResults: (email.headers ?? []).filter((h) => h.key === 'authentication-results').map((h) => h.value),
  };
}

/**
 * Parse a message source. Never throws: a source postal-mime cannot read, or whose structure yields
 * no body at all, comes back with `malformed: true` and the raw text after the headers.
 */
export async function parseMessage(source: Buffer): Promise<ParsedMessage> {
  let parsed: ParsedMessage | null = null;
  try {
    parsed = fromEmail(await PostalMime.parse(source));
    const broken = (s: string | null) => s !== null && s.includes('\ufffd');
    if (broken(parsed.text) || broken(parsed.html)) {
      const retried = fromEmail(await PostalMime.parse(declareMissingCharsets(source)));
      if (!broken(retried.text) && !broken(retried.html)) parsed = retried;
    }
  } catch {
    parsed = null;
  }
  if (parsed && (parsed.text !== null || parsed.html !== null || parsed.parts.length > 0)) return parsed;
  return {
    subject: parsed?.subject ?? '',
    from: parsed?.from ?? null,
    to: parsed?.to ?? [],
    cc: parsed?.cc ?? [],
    replyTo: parsed?.replyTo ?? [],
    date: parsed?.date ?? null,
    messageId: parsed?.messageId ?? null,
    text: rawBodyText(source),
    html: null,
    parts: [],
    malformed: true,
    authenticationResults: parsed?.authenticationResults ?? [],
  };
}

/** Plain text of an HTML body (for search and for replies), without markup. */
export function htmlToText(html: string): string {
  return html
    .replace(/<(style|script|head)[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<br\s*\/?>|<\/(p|div|li|tr|h[1-6])>/gi, '\n')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, '\u00a0')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/[ \t]+/g, ' ')
    .replace(/ ?\n ?/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
