/**
 * Outlook data files (.pst, .ost) read with pst-extractor: the file is read where needed through a file
 * descriptor (never loaded whole), one message at a time. Messages are rebuilt as RFC 5322 (pst-extractor gives
 * the properties, not the original MIME): same Date, Message-ID, addresses, bodies and attachments, with a
 * deterministic MIME boundary so that the same item always gives the same bytes (same size: a second run finds it).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { PSTFile, type PSTFolder, type PSTMessage } from 'pst-extractor';
import { PSTUtil } from 'pst-extractor/dist/PSTUtil.class.js';
import MailComposer from 'nodemailer/lib/mail-composer';
import { OstalError } from '../errors.js';
import { t } from '../i18n/index.js';
import type { Logger } from '../log.js';
import { outlookSpecialUse, type FolderKind, type ImportSource, type MailPayload, type SourceFolder, type SourceItem } from './source.js';
import { appointmentToIcs, contactToVcard } from './pst-dav.js';

/** Root folders that are not the user's mailbox (search folders, Exchange internals). */
const NOT_MAILBOX = new Set([
  'search root',
  'spam search folder 2',
  'finder',
  'itemprocsearch',
  'root - public',
  'common views',
  'views',
  'shortcuts',
]);

const PR_FLAG_STATUS = 0x1090;
const PR_MESSAGE_FLAGS = 0x0e07;
const MSGFLAG_UNSENT = 0x8;
const PR_PST_PASSWORD = 0x67ff;

type IntReader = { getIntItem(id: number, defaultValue?: number): number };

function kindOfContainer(containerClass: string): FolderKind | null {
  const c = containerClass.replace(/[^\x20-\x7e]/g, '');
  if (c === '' || c === 'IPF.Note' || c.startsWith('IPF.Note.') || c === 'IPF.Imap') return 'mail';
  // Outlook's caches of addresses (Recipient Cache, GAL Contacts) are not the user's contacts.
  if (c.startsWith('IPF.Contact.RecipientCache') || c.startsWith('IPF.Contact.GalContacts')) return null;
  if (c.startsWith('IPF.Contact')) return 'contacts';
  if (c.startsWith('IPF.Appointment')) return 'calendar';
  return null;
}

/** The folders that hold the user's items: IPM_SUBTREE of an OST, « Top of Personal Folders » of a PST. */
function mailboxRoots(root: PSTFolder): PSTFolder[] {
  const children = root.hasSubfolders ? root.getSubFolders() : [];
  const mailbox = children.find((f) => f.displayName === 'Root - Mailbox');
  if (mailbox) {
    const ipm = mailbox.getSubFolders().find((f) => f.displayName === 'IPM_SUBTREE');
    return ipm ? [ipm] : [];
  }
  const kept = children.filter((f) => !NOT_MAILBOX.has(f.displayName.toLowerCase()));
  return kept;
}

/** Bytes read from the file at once, and how many such pages are kept (bounded: 8 Mio). */
const PAGE_BYTES = 64 * 1024;
const PAGES_KEPT = 128;

/**
 * pst-extractor reads the file a few bytes at a time (each step of a B-tree walk, each block header: about 1 900
 * reads per message of the sample PST, 134 000 for its 71 messages). Its reads go through one method, readSync;
 * this one serves them from a small cache of 64 Kio pages read once (least recently used dropped first), and
 * passes reads of a page or more (attachments' blocks) straight to the file. The file is only read, as before.
 */
function cacheReads(file: PSTFile): void {
  const inner = file as unknown as { pstFD?: number; readSync?: (buffer: Buffer, length: number, position: number) => number };
  const fd = inner.pstFD;
  if (typeof inner.readSync !== 'function' || typeof fd !== 'number' || fd <= 0) return;
  const pages = new Map<number, Buffer>();
  const pageAt = (index: number): Buffer => {
    let page = pages.get(index);
    if (page) {
      // Most recently used last: the first key is the one to drop.
      pages.delete(index);
      pages.set(index, page);
      return page;
    }
    const buffer = Buffer.allocUnsafe(PAGE_BYTES);
    page = buffer.subarray(0, fs.readSync(fd, buffer, 0, PAGE_BYTES, index * PAGE_BYTES));
    pages.set(index, page);
    if (pages.size > PAGES_KEPT) pages.delete(pages.keys().next().value as number);
    return page;
  };
  inner.readSync = (buffer: Buffer, length: number, position: number): number => {
    const start = Number(position);
    if (length >= PAGE_BYTES) return fs.readSync(fd, buffer, 0, length, start);
    let done = 0;
    while (done < length) {
      const at = start + done;
      const index = Math.floor(at / PAGE_BYTES);
      const page = pageAt(index);
      const offset = at - index * PAGE_BYTES;
      if (offset >= page.length) break; // end of the file
      done += page.copy(buffer, done, offset, Math.min(page.length, offset + length - done));
    }
    return done;
  };
}

/** A 64-bit number of the `long` package, as pst-extractor uses them (only what is used here). */
interface LongValue {
  constructor: { fromBits(low: number, high: number): LongValue };
}

/**
 * pst-extractor computes each file offset of its B-tree walks byte by byte in 64-bit arithmetic of the `long`
 * package (a tenth of the CPU time of an import of the sample PST): the same value is made here from the two
 * 32-bit halves, read at the same place with the same effect on the file's position.
 */
function fastOffsets(file: PSTFile): void {
  const inner = file as unknown as {
    pstFileType?: number;
    extractLEFileOffset?: (startOffset: LongValue) => LongValue;
    seek(index: LongValue): void;
    readCompletely(buffer: Buffer): void;
  };
  const original = inner.extractLEFileOffset;
  if (typeof original !== 'function' || typeof inner.seek !== 'function' || typeof inner.readCompletely !== 'function') return;
  const ansi = file.pstFileType === PSTFile.PST_TYPE_ANSI;
  let make: LongValue['constructor'] | null = null;
  inner.extractLEFileOffset = function (this: typeof inner, startOffset: LongValue): LongValue {
    make ??= startOffset.constructor;
    const buffer = Buffer.alloc(ansi ? 4 : 8);
    this.seek(startOffset);
    this.readCompletely(buffer);
    return make.fromBits(buffer.readUInt32LE(0) | 0, ansi ? 0 : buffer.readUInt32LE(4) | 0);
  };
}

/** pst-extractor copies its blocks one byte at a time (PSTUtil.arraycopy): Buffer to Buffer, a native copy. */
function fastCopies(): void {
  const util = PSTUtil as unknown as { arraycopy?: (src: unknown, srcPos: number, dest: unknown, destPos: number, length: number) => void };
  const original = util.arraycopy;
  if (typeof original !== 'function' || (original as { fast?: boolean }).fast) return;
  const fast = (src: unknown, srcPos: number, dest: unknown, destPos: number, length: number): void => {
    // The byte loop writes `length` bytes, 0 past the end of `src`: the same where both are Buffers and the range
    // is inside both (else the loop itself).
    if (
      Buffer.isBuffer(src) &&
      Buffer.isBuffer(dest) &&
      src !== dest &&
      srcPos >= 0 &&
      destPos >= 0 &&
      srcPos + length <= src.length &&
      destPos + length <= dest.length
    )
      src.copy(dest, destPos, srcPos, srcPos + length);
    else original(src, srcPos, dest, destPos, length);
  };
  util.arraycopy = Object.assign(fast, { fast: true });
}

export function openPst(path: string, kind: 'pst' | 'ost', log: Logger): ImportSource {
  let file: PSTFile;
  try {
    file = new PSTFile(path);
    cacheReads(file);
    fastOffsets(file);
    fastCopies();
  } catch (err) {
    log.warn('import: outlook file unreadable', { err: err as Error });
    throw new OstalError('invalid_input', t('migration.errors.corruptOutlook'));
  }
  let tops: PSTFolder[];
  try {
    const store = file.getMessageStore() as unknown as IntReader;
    // An OST always carries this property (its cache key); only a PST's is the user's password.
    if (kind === 'pst' && store.getIntItem(PR_PST_PASSWORD, 0) !== 0) {
      file.close();
      throw new OstalError('invalid_input', t('migration.errors.passwordOutlook'));
    }
    if (file.encryptionType > 1) {
      file.close();
      throw new OstalError('invalid_input', t('migration.errors.encryptedOutlook'));
    }
    const roots = mailboxRoots(file.getRootFolder());
    // A PST's « Top of Personal Folders » (its name depends on Outlook's language) holds the folders.
    tops = roots.length === 1 ? (roots[0].hasSubfolders ? roots[0].getSubFolders() : []) : roots;
  } catch (err) {
    if (err instanceof OstalError) throw err;
    log.warn('import: outlook folder tree unreadable', { err: err as Error });
    try {
      file.close();
    } catch {
      /* already closed */
    }
    throw new OstalError('invalid_input', t('migration.errors.corruptOutlook'));
  }

  // Folder list first (cheap: no message is read), so that the progress knows the total.
  const list: { folder: PSTFolder; path: string[]; kind: FolderKind }[] = [];
  const walk = (folder: PSTFolder, path: string[], inherited: FolderKind | null) => {
    const kind = path.length === 0 ? null : (kindOfContainer(folder.containerClass) ?? null);
    const effective = kind ?? (folder.containerClass ? null : inherited);
    if (path.length > 0 && effective) list.push({ folder, path, kind: effective });
    if (path.length > 0 && !effective && folder.contentCount > 0)
      log.info('import: outlook folder of another kind left out', { containerClass: folder.containerClass, count: folder.contentCount });
    if (folder.hasSubfolders) for (const child of folder.getSubFolders()) walk(child, [...path, child.displayName], effective);
  };
  for (const top of tops) walk(top, [top.displayName], 'mail');
  const total = list.reduce((n, e) => n + Math.max(0, e.folder.contentCount), 0);
  const fileTag = crypto.createHash('sha256').update(path).digest('hex').slice(0, 12);

  return {
    kind,
    total,
    close: () => file.close(),
    folders: async function* (): AsyncGenerator<SourceFolder> {
      for (const entry of list) {
        yield {
          path: entry.path,
          kind: entry.kind,
          // The top folder's special use: « Boîte de réception / Projets » goes below the account's INBOX.
          special: outlookSpecialUse(entry.path[0]),
          count: Math.max(0, entry.folder.contentCount),
          items: () => folderItems(entry.folder, entry.kind, fileTag, log),
        };
      }
    },
  };
}

async function* folderItems(folder: PSTFolder, kind: FolderKind, fileTag: string, log: Logger): AsyncGenerator<SourceItem> {
  const count = Math.max(0, folder.contentCount);
  for (let i = 0; i < count; i++) {
    let item: PSTMessage | null = null;
    try {
      folder.moveChildCursorTo(i);
      item = folder.getNextChild() as PSTMessage | null;
    } catch (err) {
      log.warn('import: outlook item unreadable', { index: i, err: err as Error });
    }
    const key = `${folder.descriptorNodeId}:${i}`;
    if (!item) {
      yield { type: 'skip', key, label: t('migration.itemNumber', { n: i + 1 }), reason: t('migration.reasons.unreadableItem') };
      continue;
    }
    const msg = item;
    const nodeKey = `${folder.descriptorNodeId}:${msg.descriptorNodeId}`;
    const cls = msg.messageClass || 'IPM.Note';
    if (kind === 'contacts' || cls.startsWith('IPM.Contact')) {
      if (cls.startsWith('IPM.DistList')) {
        yield { type: 'skip', key: nodeKey, label: msg.subject || msg.displayName, reason: t('migration.reasons.distributionList') };
        continue;
      }
      yield {
        type: 'contact',
        key: nodeKey,
        label: msg.displayName || msg.subject,
        vcard: () => contactToVcard(msg, `${fileTag}-${msg.descriptorNodeId}`),
      };
      continue;
    }
    if (kind === 'calendar' || cls === 'IPM.Appointment') {
      yield { type: 'event', key: nodeKey, label: msg.subject, ics: () => appointmentToIcs(msg, `${fileTag}-${msg.descriptorNodeId}`) };
      continue;
    }
    if (cls.startsWith('IPM.Task') || cls.startsWith('IPM.StickyNote') || cls.startsWith('IPM.Activity')) {
      yield { type: 'skip', key: nodeKey, label: msg.subject, reason: t('migration.reasons.otherKind') };
      continue;
    }
    yield { type: 'mail', key: nodeKey, label: msg.subject || t('migration.noSubject'), build: () => pstMessageToMime(msg, fileTag) };
  }
}

function headerValue(headers: string, name: string): string | null {
  const unfolded = headers.replace(/\r?\n[ \t]+/g, ' ');
  const re = new RegExp(`^${name}:[ \\t]*(.*)$`, 'im');
  const m = re.exec(unfolded);
  return m ? m[1].trim() : null;
}

/** An SMTP address for a PST address: Exchange's « /O=… » addresses are not usable. */
function smtpOr(address: string, fallback: string): string {
  return address && address.includes('@') && !address.startsWith('/') ? address : fallback;
}

export async function pstMessageToMime(msg: PSTMessage, fileTag: string): Promise<MailPayload> {
  const headers = msg.transportMessageHeaders || '';
  const date = msg.clientSubmitTime ?? msg.messageDeliveryTime ?? msg.creationTime ?? new Date(Date.UTC(1980, 0, 1));
  const found = (msg.internetMessageId || headerValue(headers, 'Message-ID') || '').trim();
  const bare = found.replace(/^<|>$/g, '') || `outlook-${fileTag}-${msg.descriptorNodeId.toString()}@import.ostal`;
  const messageId = `<${bare}>`;
  const fromAddress = smtpOr(msg.senderEmailAddress, smtpOr(msg.sentRepresentingEmailAddress, headerValue(headers, 'From') ?? ''));
  const to: { name: string; address: string }[] = [];
  const cc: { name: string; address: string }[] = [];
  const bcc: { name: string; address: string }[] = [];
  for (let r = 0; r < msg.numberOfRecipients; r++) {
    const rec = msg.getRecipient(r);
    if (!rec) continue;
    const address = smtpOr(rec.smtpAddress, smtpOr(rec.emailAddress, ''));
    const entry = { name: rec.displayName, address: address || rec.displayName };
    if (rec.recipientType === 2) cc.push(entry);
    else if (rec.recipientType === 3) bcc.push(entry);
    else to.push(entry);
  }
  const attachments: { filename: string; content: Buffer; contentType?: string; cid?: string }[] = [];
  for (let a = 0; a < msg.numberOfAttachments; a++) {
    const att = msg.getAttachment(a);
    const embedded = att.attachMethod === 5 ? att.embeddedPSTMessage : null;
    if (embedded) {
      const inner = await pstMessageToMime(embedded, fileTag);
      attachments.push({
        filename: `${(embedded.subject || 'message').replace(/[\\/:*?"<>|]/g, '_')}.eml`,
        content: inner.raw,
        contentType: 'message/rfc822',
      });
      continue;
    }
    const stream = att.fileInputStream;
    if (!stream) continue;
    const content = Buffer.alloc(att.filesize);
    stream.readCompletely(content);
    attachments.push({
      filename: att.longFilename || att.filename || `piece-jointe-${a + 1}`,
      content,
      contentType: att.mimeTag || undefined,
      cid: att.contentId || undefined,
    });
  }
  const html = msg.bodyHTML || undefined;
  const composer = new MailComposer({
    from: fromAddress ? { name: msg.senderName || msg.sentRepresentingName, address: fromAddress } : undefined,
    sender: undefined,
    to: to.length ? to : undefined,
    cc: cc.length ? cc : undefined,
    bcc: bcc.length ? bcc : undefined,
    subject: msg.subject,
    text: msg.body || (html ? undefined : ''),
    html,
    messageId,
    inReplyTo: msg.inReplyToId || headerValue(headers, 'In-Reply-To') || undefined,
    references: headerValue(headers, 'References') || undefined,
    date,
    attachments,
    baseBoundary: crypto.createHash('sha256').update(messageId).digest('hex').slice(0, 16),
    disableFileAccess: true,
    disableUrlAccess: true,
  } as ConstructorParameters<typeof MailComposer>[0]);
  const node = composer.compile();
  node.keepBcc = true;
  const raw = await node.build();
  const flags: string[] = [];
  if (msg.isRead) flags.push('\\Seen');
  if ((msg as unknown as IntReader).getIntItem(PR_FLAG_STATUS, 0) === 2) flags.push('\\Flagged');
  if (msg.lastVerbExecuted === 102 || msg.lastVerbExecuted === 103) flags.push('\\Answered');
  if ((msg as unknown as IntReader).getIntItem(PR_MESSAGE_FLAGS, 0) & MSGFLAG_UNSENT) flags.push('\\Draft');
  return { raw, messageId, date, flags };
}
