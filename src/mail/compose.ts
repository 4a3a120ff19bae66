/**
 * Writing mail: pure functions that prepare the fields of a reply or a forward (subjects, recipients,
 * quoting, threading headers) and build the raw RFC 5322 message with nodemailer's MailComposer.
 * No I/O here except `buildRawMessage` (which only encodes what it is given) — everything is unit-tested.
 */
import crypto from 'node:crypto';
import addressparser from 'nodemailer/lib/addressparser';
import type { Address } from '../shared/contract.js';
import { t } from '../i18n/index.js';
import { formatClockTime, formatLongDate, userTimeZone } from '../shared/time.js';
import { htmlToPlainText, prepareOutgoingHtml } from './html-compose.js';

const NBSP = '\u00A0';

export type { ComposeMode } from '../shared/contract.js';
import type { ComposeMode } from '../shared/contract.js';

/** What the composer needs from the original message. */
export interface OriginalMessage {
  messageId: string | null;
  subject: string;
  from: Address | null;
  replyTo: Address[];
  to: Address[];
  cc: Address[];
  /** ISO 8601 */
  date: string | null;
  references: string[];
  inReplyTo: string | null;
  /** Plain text of the body (the HTML converted to text when there is no text part). */
  text: string;
}

export interface PreparedFields {
  to: string[];
  cc: string[];
  subject: string;
  text: string;
  inReplyTo: string | null;
  references: string[];
}

// ------------------------------------------------------------------ addresses

/** `Name <address>` or just `address`, quoting the name when it needs it. */
export function formatAddress(a: Address): string {
  if (!a.name || a.name === a.address) return a.address;
  const name = /[",;<>@()[\]\\:]/.test(a.name) ? `"${a.name.replace(/(["\\])/g, '\\$1')}"` : a.name;
  return `${name} <${a.address}>`;
}

const ADDRESS_RE = /^[^\s@<>(),;:"\\]+@[^\s@<>(),;:"\\]+\.[^\s@<>(),;:"\\]+$/;

export function isValidAddress(address: string): boolean {
  return ADDRESS_RE.test(address) && address.length <= 254;
}

/**
 * Parse what the user typed in À / Cc / Cci (comma- or semicolon-separated, `Name <a@b>` allowed).
 * Returns the parsed addresses and what could not be read as an address (to show in French).
 */
export function parseRecipients(input: string | readonly string[]): { addresses: Address[]; invalid: string[] } {
  const text = (Array.isArray(input) ? input.join(', ') : (input as string)).replace(/;/g, ',');
  const addresses: Address[] = [];
  const invalid: string[] = [];
  for (const entry of addressparser(text, { flatten: true })) {
    if (!('address' in entry) || entry.address === undefined) continue;
    const address = entry.address.trim();
    const name = (entry.name ?? '').trim();
    if (!address && !name) continue;
    if (!isValidAddress(address)) invalid.push(name && address ? `${name} <${address}>` : address || name);
    else addresses.push({ name, address });
  }
  return { addresses: dedupeAddresses(addresses), invalid };
}

/** Same addresses once each (case-insensitive on the address), first occurrence kept. */
export function dedupeAddresses(list: readonly Address[], exclude: readonly string[] = []): Address[] {
  const seen = new Set(exclude.map((e) => e.toLowerCase()));
  const out: Address[] = [];
  for (const a of list) {
    const key = a.address.toLowerCase();
    if (!key || seen.has(key)) continue;
    seen.add(key);
    out.push(a);
  }
  return out;
}

// ------------------------------------------------------------------ subjects

/**
 * Reply prefixes French and other clients write: Re, RE, Réf, Rép, AW, SV, with optional counter, then « : ». The é is
 * written \u00e9: the CLI's bundle then stays ASCII, read at each start as a one-byte string.
 */
const REPLY_PREFIX = /^\s*(re|r\u00e9f|ref|r\u00e9p|rep|aw|sv)\.?\s*(\[\d+\]|\(\d+\))?\s*:/i;
const FORWARD_PREFIX = /^\s*(tr|fwd?|wg|transf)\.?\s*:/i;

/** « Re : » + subject, unless the subject already carries a reply prefix (kept as written). */
export function replySubject(subject: string): string {
  const s = subject.trim();
  if (REPLY_PREFIX.test(s)) return s;
  return `${t('mail.compose.replyPrefix')} ${s}`.trimEnd();
}

/** « Tr : » + subject, unless it already starts with a forward prefix. */
export function forwardSubject(subject: string): string {
  const s = subject.trim();
  if (FORWARD_PREFIX.test(s)) return s;
  return `${t('mail.compose.forwardPrefix')} ${s}`.trimEnd();
}

// ------------------------------------------------------------------ threading

/** References of a reply: the original's References (or its In-Reply-To) then its Message-ID, each once, at most 20 kept (first + last 19). */
export function replyReferences(original: Pick<OriginalMessage, 'messageId' | 'references' | 'inReplyTo'>): string[] {
  const chain = original.references.length ? [...original.references] : original.inReplyTo ? [original.inReplyTo] : [];
  if (original.messageId) chain.push(original.messageId);
  const unique: string[] = [];
  for (const id of chain) if (id && !unique.includes(id)) unique.push(id);
  return unique.length > 20 ? [unique[0], ...unique.slice(-19)] : unique;
}

// ------------------------------------------------------------------ quoting

/** « lundi 23 novembre 2026 à 14:30 » in the given time zone (default: the user's). */
export function frenchDateTime(iso: string, timeZone: string = userTimeZone()): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return t('mail.compose.dateTime', { day: formatLongDate(d, timeZone), time: formatClockTime(d, timeZone) });
}

function personName(a: Address | null): string {
  if (!a) return t('mail.compose.unknownSender');
  return a.name || a.address;
}

/** « Le lundi 23 novembre 2026 à 14:30, Camille Martin a écrit : » */
export function attributionLine(original: Pick<OriginalMessage, 'date' | 'from'>, timeZone?: string): string {
  const who = personName(original.from);
  if (!original.date) return t('mail.compose.attributionNoDate', { name: who });
  return t('mail.compose.attribution', { date: frenchDateTime(original.date, timeZone), name: who });
}

/** Prefix every line with « > » (« >> » for lines already quoted), normalising line ends. */
export function quoteText(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').replace(/\n+$/, '').split('\n');
  return lines.map((line) => (line.startsWith('>') ? `>${line}` : line ? `> ${line}` : '>')).join('\n');
}

/** The header block of an inline forward, French labels. */
export function forwardHeaderBlock(original: OriginalMessage, timeZone?: string): string {
  const lines = [t('mail.compose.forwardTitle')];
  lines.push(t('mail.compose.forwardFrom', { value: original.from ? formatAddress(original.from) : '' }));
  if (original.date) lines.push(t('mail.compose.forwardDate', { value: frenchDateTime(original.date, timeZone) }));
  lines.push(t('mail.compose.forwardSubject', { value: original.subject }));
  if (original.to.length) lines.push(t('mail.compose.forwardTo', { value: original.to.map(formatAddress).join(', ') }));
  if (original.cc.length) lines.push(t('mail.compose.forwardCc', { value: original.cc.map(formatAddress).join(', ') }));
  return lines.join('\n');
}

/**
 * Prefilled fields of Répondre, Répondre à tous, Transférer (inline) and Transférer en pièce jointe.
 * `self` are the sender's own addresses: never a recipient of a reply to all.
 */
export function prepareFields(
  mode: Exclude<ComposeMode, 'draft'>,
  original: OriginalMessage,
  self: readonly string[],
  timeZone?: string,
): PreparedFields {
  if (mode === 'forward' || mode === 'forwardAsAttachment') {
    const text =
      mode === 'forward'
        ? `\n\n${forwardHeaderBlock(original, timeZone)}\n\n${original.text.replace(/\r\n?/g, '\n').replace(/\n+$/, '')}\n`
        : '\n';
    // A forward starts no new thread on the recipients' side but keeps the link for the sender's client.
    return {
      to: [],
      cc: [],
      subject: forwardSubject(original.subject),
      text,
      inReplyTo: null,
      references: original.messageId ? [original.messageId] : [],
    };
  }
  const replyTarget = original.replyTo.length ? original.replyTo : original.from ? [original.from] : [];
  let to = dedupeAddresses(replyTarget, self);
  let cc: Address[] = [];
  if (mode === 'replyAll') {
    // Replying to one's own message: answer its recipients instead of oneself.
    if (to.length === 0) to = dedupeAddresses(original.to, self);
    cc = dedupeAddresses([...original.to, ...original.cc], [...self, ...to.map((a) => a.address)]);
  } else if (to.length === 0) {
    to = dedupeAddresses(original.to, self).slice(0, 1);
  }
  const quoted = original.text.trim() ? `${attributionLine(original, timeZone)}\n${quoteText(original.text)}\n` : '';
  return {
    to: to.map(formatAddress),
    cc: cc.map(formatAddress),
    subject: replySubject(original.subject),
    text: quoted ? `\n\n${quoted}` : '\n',
    inReplyTo: original.messageId,
    references: replyReferences(original),
  };
}

// ------------------------------------------------------------------ building

/** `<uuid@domain-of-sender>`: fixed once when the message is created, never changed by a retry. */
export function newMessageId(senderEmail: string): string {
  const domain = senderEmail.split('@')[1]?.trim().toLowerCase() || 'ostal.invalid';
  return `<${crypto.randomUUID()}@${domain}>`;
}

export interface RawAttachment {
  filename: string;
  content: Buffer;
  contentType?: string;
}

export interface MessageToBuild {
  from: Address;
  to: Address[];
  cc: Address[];
  bcc: Address[];
  subject: string;
  text: string;
  html?: string;
  attachments: RawAttachment[];
  messageId: string;
  inReplyTo?: string | null;
  references?: string[];
  date?: Date;
  /** Keep the Cci header in the raw message: a draft on the server must reopen with its Cci. */
  keepBcc?: boolean;
}

export interface BuiltMessage {
  raw: Buffer;
  /** SMTP envelope: Bcc recipients are here, not in the headers. */
  envelope: { from: string; to: string[] };
}

/**
 * Encode the message (RFC 5322, UTF-8, quoted-printable/base64 as needed). Bcc is left out of the headers.
 * With `html`: sanitised, its data: images sent as inline parts (multipart/related, `cid:`), and the text part
 * generated from it when `text` is empty (multipart/alternative).
 */
export async function buildRawMessage(m: MessageToBuild): Promise<BuiltMessage> {
  const formatted = m.html?.trim() ? prepareOutgoingHtml(m.html, m.from.address) : null;
  const text = formatted && !m.text.trim() ? `${htmlToPlainText(formatted.html)}\n` : m.text;
  // Loaded on first use: every start of the core would initialise nodemailer's composer for nothing.
  const { default: MailComposer } = await import('nodemailer/lib/mail-composer');
  const composer = new MailComposer({
    from: { name: m.from.name, address: m.from.address },
    to: m.to.map((a) => ({ name: a.name, address: a.address })),
    cc: m.cc.length ? m.cc.map((a) => ({ name: a.name, address: a.address })) : undefined,
    bcc: m.bcc.length ? m.bcc.map((a) => ({ name: a.name, address: a.address })) : undefined,
    subject: m.subject,
    text,
    html: formatted?.html,
    messageId: m.messageId,
    inReplyTo: m.inReplyTo || undefined,
    references: m.references?.length ? m.references : undefined,
    date: m.date ?? new Date(),
    headers: { 'User-Agent': 'Ostal' },
    attachments: [
      ...m.attachments.map((a) => ({
        filename: a.filename,
        content: a.content,
        contentType: a.contentType,
        // A forwarded message stays an attachment (MailComposer would show message/rfc822 inline).
        contentDisposition: 'attachment' as const,
      })),
      // With a cid, MailComposer puts the image next to the HTML in multipart/related.
      ...(formatted?.images ?? []).map((img) => ({
        filename: img.filename,
        content: img.content,
        contentType: img.contentType,
        cid: img.cid,
        contentDisposition: 'inline' as const,
      })),
    ],
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  const node = composer.compile();
  node.keepBcc = m.keepBcc === true;
  const env = node.getEnvelope();
  const raw = await node.build();
  return { raw, envelope: { from: env.from || m.from.address, to: env.to } };
}

/** Plain text out of simple HTML, for quoting a message that has no text part. */
export function htmlToText(html: string): string {
  return html
    .replace(/<(script|style|head)[\s\S]*?<\/\1>/gi, '')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|li|tr|h[1-6]|blockquote)>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&nbsp;/g, NBSP)
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, '’')
    .replace(/&amp;/g, '&')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
