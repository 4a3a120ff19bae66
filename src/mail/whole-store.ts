/**
 * Storing messages fetched whole (the one-pass initial sync, MailSyncEngine.fetchWhole): from the raw sources and the
 * few attributes the FETCH gave, the blobs, the rows with their headers read from the sources, and the search entries,
 * committed together. Runs in the store worker (whole-store-worker.ts, off the thread that drives IMAP) or, when that
 * worker cannot start, on the calling thread: the same code either way.
 *
 * Kept free of imapflow and of the rest of the engine: the worker's bundle holds this module, the repository and the
 * readers of sources only.
 */
import PostalMime, { addressParser, type Email } from 'postal-mime';
import type { Address } from '../shared/contract.js';
import type { MailRepository, MessageHeaders } from './repository.js';
import { storeMessageSourceLater, storeMessageSourceNow } from './blob-store.js';
import { headerText, headerUtf8, readSource, type SourceReading } from './index-text.js';

/** One message as the FETCH gave it: attributes and raw source. */
export interface WholeMessage {
  uid: number;
  modseq: string | null;
  /** Flags as they are to be stored (sorted; the user's pending changes applied by the caller). */
  flags: string[];
  internalDate: string | null;
  size: number;
  source: Buffer;
}

/** A batch of one folder's messages, stored in one transaction. */
export interface WholeBatch {
  accountId: string;
  folderId: number;
  folderPath: string;
  /** The folder has rows waiting for their server UID (moved here by the user): matched by Message-ID first. */
  provisional: boolean;
  messages: WholeMessage[];
}

/** What the store reports besides its work: a source beyond the quick reader that postal-mime could not read either. */
export type WholeStoreNotice = (message: string, data: Record<string, unknown>) => void;

export function toAddress(a: { name?: string; address?: string } | undefined): Address | null {
  if (!a || (!a.address && !a.name)) return null;
  return { name: a.name ?? '', address: a.address ?? '' };
}

export function toIso(value: Date | string | undefined | null): string | null {
  if (!value) return null;
  const d = value instanceof Date ? value : new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** Addresses of a header as the ENVELOPE gives them: a group is its name (no address), then its members. */
function sourceAddresses(value: string | undefined): Address[] {
  if (value === undefined) return [];
  const out: Address[] = [];
  const add = (name: string | undefined, address: string | undefined) => {
    const a = toAddress({ name, address });
    if (a) out.push(a);
  };
  try {
    for (const a of addressParser(headerUtf8(value))) {
      if ('group' in a && Array.isArray(a.group)) {
        add(a.name, '');
        for (const m of a.group) add(m.name, m.address);
      } else add(a.name, 'address' in a ? a.address : '');
    }
  } catch {
    return [];
  }
  return out;
}

/**
 * The headers of a message read from its source (the one-pass fetch: no ENVELOPE nor BODYSTRUCTURE asked), the same
 * fields as toMessageHeaders gives from the server's ENVELOPE; attachments from the reading of the MIME structure.
 * `msg.flags` are stored as given.
 */
export function headersOfSource(
  msg: Pick<WholeMessage, 'uid' | 'modseq' | 'flags' | 'internalDate' | 'size'>,
  read: SourceReading,
  attachments: { hasAttachments: boolean; names: string[] },
): MessageHeaders {
  const h = read.headers;
  const id = (v: string | undefined) => (v === undefined || v.trim() === '' ? null : headerUtf8(v).trim());
  return {
    uid: msg.uid,
    modseq: msg.modseq,
    messageId: id(h.get('message-id')),
    subject: headerText(h.get('subject')),
    from: sourceAddresses(h.get('from'))[0] ?? null,
    to: sourceAddresses(h.get('to')),
    cc: sourceAddresses(h.get('cc')),
    date: toIso(h.get('date')),
    internalDate: msg.internalDate,
    flags: msg.flags,
    size: msg.size,
    hasAttachments: attachments.hasAttachments,
    inReplyTo: id(h.get('in-reply-to')),
    references: headerUtf8(h.get('references')).match(/<[^<>\s]+>/g) ?? [],
    attachmentNames: attachments.names,
  };
}

export function textOfEmail(email: Email): string {
  const text =
    email.text ??
    (email.html ? email.html.replace(/<style[\s\S]*?<\/style>|<script[\s\S]*?<\/script>/gi, ' ').replace(/<[^>]+>/g, ' ') : '');
  const names = (email.attachments ?? []).map((a) => a.filename ?? '').join(' ');
  return `${text}\n${names}`.slice(0, 200_000);
}

/**
 * Store a batch: each source written as its blob (content-addressed), its headers and search text read from it, then
 * the rows and search entries in one transaction, once every blob of the batch is on disk (a row never points at a
 * blob not written whole). `writeNow`: each blob written at once, blocking (the store worker); else by the disk's
 * threads while the sources are read (the calling thread keeps serving its event loop). Returns the UIDs stored.
 */
export async function storeWholeBatch(
  repo: MailRepository,
  blobsDir: string,
  batch: WholeBatch,
  notice: WholeStoreNotice,
  writeNow = false,
): Promise<number[]> {
  const items = batch.messages.map((msg) => {
    const blob = writeNow
      ? { path: storeMessageSourceNow(blobsDir, batch.accountId, msg.source), written: null }
      : storeMessageSourceLater(blobsDir, batch.accountId, msg.source);
    const read = readSource(msg.source);
    const attachments = read.index ?? { hasAttachments: false, names: [] };
    return {
      headers: headersOfSource(msg, read, attachments),
      bodyPath: blob.path,
      written: blob.written,
      text: read.index ? `${read.index.text}\n${read.index.names.join(' ')}`.slice(0, 200_000) : '',
      source: read.index ? null : msg.source,
    };
  });
  await Promise.all(items.map((i) => i.written));
  // A source beyond the quick reader: postal-mime reads it (text and attachments), before the commit.
  for (const item of items) {
    if (!item.source) continue;
    const email = await PostalMime.parse(item.source).catch((err: unknown) => {
      notice('mail: body text unreadable, not indexed', { folder: batch.folderPath, uid: item.headers.uid, err: String(err) });
      return null;
    });
    if (!email) continue;
    item.text = textOfEmail(email);
    const names = (email.attachments ?? []).map((a) => a.filename ?? '').filter(Boolean);
    item.headers = { ...item.headers, hasAttachments: (email.attachments ?? []).length > 0, attachmentNames: names };
  }
  if (batch.provisional)
    repo.adoptProvisional(
      batch.folderId,
      items.map((i) => i.headers),
    );
  repo.storeDownloaded(batch.accountId, batch.folderId, items);
  return items.map((i) => i.headers.uid);
}
