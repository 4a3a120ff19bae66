/**
 * Messages outside Outlook data files: one .eml, one .msg (Outlook item, read with @kenjiuno/msgreader), an mbox
 * (Thunderbird, Apple Mail; « >From » quoting of mboxo and mboxrd both undone), and folders of them. An mbox is
 * read in chunks (never whole): one message in memory at once.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import MailComposer from 'nodemailer/lib/mail-composer';
import { OstalError } from '../errors.js';
import { t } from '../i18n/index.js';
import type { Logger } from '../log.js';
import { compoundFileProblem } from './compound-file.js';
import { outlookSpecialUse, type ImportSource, type MailPayload, type SourceFolder, type SourceItem } from './source.js';

const CHUNK = 1 << 20;
/** A message bigger than this in an mbox is skipped (with a reason), so that memory stays bounded. */
const MAX_MESSAGE_BYTES = 256 * 1024 * 1024;

/** The lines of a file, each with its byte offset, read in chunks of 1 MiB. */
function* lines(file: string): Generator<{ line: Buffer; offset: number }> {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(CHUNK);
    let carry: Buffer = Buffer.alloc(0);
    let carryOffset = 0;
    let pos = 0;
    for (;;) {
      const n = fs.readSync(fd, buf, 0, CHUNK, pos);
      if (n === 0) break;
      pos += n;
      const data = carry.length ? Buffer.concat([carry, buf.subarray(0, n)]) : buf.subarray(0, n);
      let start = 0;
      for (;;) {
        const nl = data.indexOf(0x0a, start);
        if (nl === -1) break;
        yield { line: data.subarray(start, nl + 1), offset: carryOffset + start };
        start = nl + 1;
      }
      carryOffset += start;
      carry = Buffer.from(data.subarray(start));
    }
    if (carry.length) yield { line: carry, offset: carryOffset };
  } finally {
    fs.closeSync(fd);
  }
}

const FROM_LINE = /^From \S*\s+.*\d{1,2}:\d{2}/;

function isSeparator(line: Buffer, previousBlank: boolean): boolean {
  return (
    previousBlank &&
    line.length > 5 &&
    line[0] === 0x46 &&
    line.subarray(0, 5).toString('latin1') === 'From ' &&
    FROM_LINE.test(line.toString('latin1'))
  );
}

function isBlank(line: Buffer): boolean {
  return line.length === 0 || (line.length === 1 && line[0] === 0x0a) || (line.length === 2 && line[0] === 0x0d && line[1] === 0x0a);
}

/** One message of an mbox, its « From » line apart: « >From » lines unquoted one level (mboxrd; also right for mboxo). */
function* mboxMessages(file: string): Generator<{ offset: number; fromLine: string; body: Buffer[]; tooBig: boolean }> {
  let current: { offset: number; fromLine: string; body: Buffer[]; size: number; tooBig: boolean } | null = null;
  let previousBlank = true;
  for (const { line, offset } of lines(file)) {
    if (isSeparator(line, previousBlank)) {
      if (current) yield current;
      current = { offset, fromLine: line.toString('latin1').trim(), body: [], size: 0, tooBig: false };
      previousBlank = false;
      continue;
    }
    previousBlank = isBlank(line);
    if (!current) continue;
    let l = line;
    if (l[0] === 0x3e && /^>+From /.test(l.subarray(0, 80).toString('latin1'))) l = l.subarray(1);
    current.size += l.length;
    if (current.size > MAX_MESSAGE_BYTES) current.tooBig = true;
    else current.body.push(Buffer.from(l));
  }
  if (current) yield current;
}

/** CRLF line ends (the size the server counts), without the blank line mbox puts after each message. */
function crlf(raw: Buffer): Buffer {
  const text = raw
    .toString('latin1')
    .replace(/\r?\n/g, '\r\n')
    .replace(/(\r\n)+$/, '\r\n');
  return Buffer.from(text, 'latin1');
}

function headerBlock(raw: Buffer): string {
  const text = raw.subarray(0, Math.min(raw.length, 256 * 1024)).toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  return (end === -1 ? text : text.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ');
}

/**
 * A header's value, copied out of the message's text: a slice would keep the whole text (up to 256 Kio) alive for
 * as long as the value lives (the Message-ID in the target's set of keys: the memory of a long import grew by the
 * size of every message imported).
 */
function header(block: string, name: string): string | null {
  const m = new RegExp(`^${name}:[ \\t]*(.*)$`, 'im').exec(block);
  return m ? Buffer.from(m[1].trim(), 'latin1').toString('latin1') : null;
}

/** Message-ID, date and flags of a raw message; a Message-ID is added (from the content's hash) when it has none. */
export function payloadOf(rawInput: Buffer, fallbackDate: Date): MailPayload {
  let raw = crlf(rawInput);
  const block = headerBlock(raw);
  if (!/^[\x21-\x39\x3b-\x7e]+:/.test(block)) throw new OstalError('invalid_input', t('migration.reasons.notAMessage'));
  let messageId = header(block, 'Message-ID')?.match(/<[^>]*>/)?.[0] ?? null;
  if (!messageId) {
    messageId = `<${crypto.createHash('sha256').update(raw).digest('hex').slice(0, 32)}@import.ostal>`;
    raw = Buffer.concat([Buffer.from(`Message-ID: ${messageId}\r\n`, 'latin1'), raw]);
  }
  const parsed = header(block, 'Date');
  const d = parsed ? new Date(parsed.replace(/\s*\([^)]*\)\s*$/, '')) : null;
  const date = d && !Number.isNaN(d.getTime()) ? d : fallbackDate;
  const flags: string[] = [];
  const mozilla = header(block, 'X-Mozilla-Status');
  const status = header(block, 'Status') ?? '';
  const xstatus = header(block, 'X-Status') ?? '';
  if (mozilla && /^[0-9a-f]{4}$/i.test(mozilla)) {
    const bits = parseInt(mozilla, 16);
    if (bits & 0x1) flags.push('\\Seen');
    if (bits & 0x2) flags.push('\\Answered');
    if (bits & 0x4) flags.push('\\Flagged');
  } else {
    if (status.includes('R')) flags.push('\\Seen');
    if (xstatus.includes('F')) flags.push('\\Flagged');
    if (xstatus.includes('A')) flags.push('\\Answered');
  }
  return { raw, messageId, date, flags };
}

function fromLineDate(fromLine: string): Date | null {
  const m = /^From \S*\s+(.*)$/.exec(fromLine);
  if (!m) return null;
  const d = new Date(m[1]);
  return Number.isNaN(d.getTime()) ? null : d;
}

function subjectOf(raw: Buffer): string {
  return header(headerBlock(raw), 'Subject')?.slice(0, 200) ?? '';
}

function countMbox(file: string): number {
  let n = 0;
  let previousBlank = true;
  for (const { line } of lines(file)) {
    if (isSeparator(line, previousBlank)) n++;
    previousBlank = isBlank(line);
  }
  return n;
}

function mboxFolder(file: string, name: string, log: Logger): SourceFolder {
  const mtime = fs.statSync(file).mtime;
  return {
    path: [name],
    kind: 'mail',
    special: outlookSpecialUse(name) ?? thunderbirdSpecial(name),
    count: countMbox(file),
    items: async function* () {
      let n = 0;
      for (const m of mboxMessages(file)) {
        n++;
        const key = `mbox:${m.offset}`;
        if (m.tooBig) {
          yield { type: 'skip', key, label: t('migration.itemNumber', { n }), reason: t('migration.reasons.tooBig') } satisfies SourceItem;
          continue;
        }
        const raw = Buffer.concat(m.body);
        const label = subjectOf(raw) || t('migration.itemNumber', { n });
        yield {
          type: 'mail',
          key,
          label,
          build: async () => payloadOf(raw, fromLineDate(m.fromLine) ?? mtime),
        } satisfies SourceItem;
      }
      log.info('import: mbox read', { messages: n });
    },
  };
}

/** Thunderbird's folder files (« Sent », « Trash »…) and Apple Mail's (« Sent Messages », « Deleted Messages »). */
function thunderbirdSpecial(name: string): ReturnType<typeof outlookSpecialUse> {
  const n = name.toLowerCase();
  if (n === 'sent' || n === 'sent messages' || n === 'envoyés') return '\\Sent';
  if (n === 'trash' || n === 'deleted messages' || n === 'corbeille') return '\\Trash';
  if (n === 'junk' || n === 'spam' || n === 'indésirables') return '\\Junk';
  if (n === 'templates' || n === 'modèles') return null;
  return null;
}

function mboxName(file: string): string {
  const base = path.basename(file);
  if (base === 'mbox') return path.basename(path.dirname(file)).replace(/\.mbox$/i, '');
  return base.replace(/\.(mbox|mbx)$/i, '');
}

export function openMboxSource(file: string, log: Logger): ImportSource {
  const real = fs.statSync(file).isDirectory() ? path.join(file, 'mbox') : file;
  const folder = mboxFolder(real, mboxName(real), log);
  return {
    kind: 'mbox',
    total: folder.count,
    close: () => undefined,
    folders: async function* () {
      yield folder;
    },
  };
}

/** An Outlook item (.msg) rebuilt as RFC 5322, like the messages of a PST. */
export async function msgToPayload(file: string): Promise<MailPayload> {
  const { default: MsgReaderModule } = await import('@kenjiuno/msgreader');
  const MsgReader = (MsgReaderModule as unknown as { default?: typeof MsgReaderModule }).default ?? MsgReaderModule;
  const bytes = fs.readFileSync(file);
  const problem = compoundFileProblem(bytes);
  if (problem) throw new OstalError('invalid_input', t('migration.reasons.damagedMsg'), { cause: new Error(`damaged .msg: ${problem}`) });
  const reader = new MsgReader(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const data = reader.getFileData();
  if (data.error || (!data.subject && !data.body && !data.senderEmail && !data.recipients?.length))
    throw new OstalError('invalid_input', t('migration.errors.notMsg', { name: path.basename(file) }));
  const headers = data.headers ?? '';
  const found = (data.messageId || header(headers.replace(/\r?\n[ \t]+/g, ' '), 'Message-ID') || '').trim().replace(/^<|>$/g, '');
  const messageId = `<${found || crypto.createHash('sha256').update(bytes).digest('hex').slice(0, 32) + '@import.ostal'}>`;
  const dateText = data.clientSubmitTime || data.messageDeliveryTime || data.creationTime;
  const parsedDate = dateText ? new Date(dateText) : null;
  const date = parsedDate && !Number.isNaN(parsedDate.getTime()) ? parsedDate : fs.statSync(file).mtime;
  const rcpt = (type: 'to' | 'cc' | 'bcc') =>
    (data.recipients ?? [])
      .filter((r) => (r.recipType ?? 'to') === type)
      .map((r) => ({ name: r.name ?? '', address: r.smtpAddress || r.email || r.name || '' }));
  const attachments = (data.attachments ?? []).map((a, i) => {
    const content = reader.getAttachment(a);
    return {
      filename: content.fileName || a.fileName || a.fileNameShort || `piece-jointe-${i + 1}`,
      content: Buffer.from(content.content),
      contentType: a.attachMimeTag || undefined,
      cid: a.pidContentId || undefined,
    };
  });
  const html = data.bodyHtml || (data.html ? Buffer.from(data.html).toString('utf8') : undefined);
  const composer = new MailComposer({
    from: data.senderEmail ? { name: data.senderName ?? '', address: data.senderSmtpAddress || data.senderEmail } : undefined,
    to: rcpt('to'),
    cc: rcpt('cc'),
    bcc: rcpt('bcc'),
    subject: data.subject ?? '',
    text: data.body ?? '',
    html,
    messageId,
    date,
    attachments,
    baseBoundary: crypto.createHash('sha256').update(messageId).digest('hex').slice(0, 16),
    disableFileAccess: true,
    disableUrlAccess: true,
  } as ConstructorParameters<typeof MailComposer>[0]);
  const node = composer.compile();
  node.keepBcc = true;
  const raw = await node.build();
  const flags = (data.messageFlags ?? 1) & 0x1 ? ['\\Seen'] : [];
  return { raw, messageId, date, flags };
}

function fileItem(file: string, key: string, kind: 'eml' | 'msg'): SourceItem {
  const name = path.basename(file);
  return {
    type: 'mail',
    key,
    label: name,
    build: async () => {
      if (kind === 'msg') return msgToPayload(file);
      const raw = fs.readFileSync(file);
      if (raw.length === 0) throw new OstalError('invalid_input', t('migration.reasons.emptyFile'));
      return payloadOf(raw, fs.statSync(file).mtime);
    },
  };
}

export function openSingleMessage(file: string, kind: 'eml' | 'msg', _log: Logger): ImportSource {
  const folder: SourceFolder = {
    path: [t('migration.importedFolder')],
    kind: 'mail',
    special: null,
    count: 1,
    items: async function* () {
      yield fileItem(file, 'file', kind);
    },
  };
  return {
    kind,
    total: 1,
    close: () => undefined,
    folders: async function* () {
      yield folder;
    },
  };
}

const MAIL_EXT = /\.(eml|msg)$/i;

/** A folder: its .eml and .msg files as one folder (named like it), its mbox files and sub-folders each as one more. */
export function openFolderSource(dir: string, log: Logger): ImportSource {
  const folders: SourceFolder[] = [];
  const walk = (d: string, names: string[]) => {
    const entries = fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
    const messages = entries.filter((e) => e.isFile() && MAIL_EXT.test(e.name));
    if (messages.length) {
      folders.push({
        path: names,
        kind: 'mail',
        special: names.length === 1 ? outlookSpecialUse(names[0]) : null,
        count: messages.length,
        items: async function* () {
          for (const e of messages) {
            const rel = path.relative(dir, path.join(d, e.name));
            yield fileItem(path.join(d, e.name), `file:${rel}`, e.name.toLowerCase().endsWith('.msg') ? 'msg' : 'eml');
          }
        },
      });
    }
    for (const e of entries) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) {
        if (fs.existsSync(path.join(full, 'mbox'))) folders.push(mboxFolder(path.join(full, 'mbox'), e.name.replace(/\.mbox$/i, ''), log));
        else walk(full, [...names, e.name.replace(/\.sbd$/i, '')]);
      } else if (e.isFile() && !MAIL_EXT.test(e.name) && !/\.(msf|dat|json|html?|txt|sqlite|plist)$/i.test(e.name)) {
        // Thunderbird keeps each folder as an mbox file without extension (« Inbox », « Sent »…).
        const head = Buffer.alloc(5);
        const fd = fs.openSync(full, 'r');
        const n = fs.readSync(fd, head, 0, 5, 0);
        fs.closeSync(fd);
        if (n === 5 && head.toString('latin1') === 'From ') folders.push(mboxFolder(full, mboxName(full), log));
      }
    }
  };
  walk(dir, [path.basename(dir)]);
  if (!folders.length) throw new OstalError('invalid_input', t('migration.errors.emptyFolder', { name: path.basename(dir) }));
  return {
    kind: 'folder',
    total: folders.reduce((n, f) => n + f.count, 0),
    close: () => undefined,
    folders: async function* () {
      yield* folders;
    },
  };
}
