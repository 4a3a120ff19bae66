import fs from 'node:fs';
import path from 'node:path';
import type { ImapFlow, FetchMessageObject, FetchQueryObject, ListResponse, MessageAddressObject, MessageStructureObject } from 'imapflow';
import PostalMime from 'postal-mime';
import type { Address, SpecialUse, SyncProgress } from '../shared/contract.js';
import { t } from '../i18n/index.js';
import type { Logger } from '../log.js';
import { connectImap, parseImapUrl, type MailAccount } from './imap-client.js';
import { imapErrorToOstal } from './errors.js';
import { folderDisplayName, folderSpecialUse, normaliseSpecialUse } from './folder-names.js';
import type { FolderListing, FolderRecord, MailRepository, MessageHeaders } from './repository.js';
import { pendingLocalChanges, withPendingFlags } from './operations.js';
import { storeMessageSource } from './blob-store.js';

export interface MailSyncOptions {
  /** Days of Boîte de réception bodies to fetch for offline reading (setting mail.prefetchDays). 0 = none. */
  prefetchDays: number;
  /** Messages per FETCH of headers (newest first). */
  batchSize?: number;
  /** Most bodies fetched in one sync run (the rest comes with the next runs). */
  maxBodiesPerRun?: number;
  onProgress?: (progress: SyncProgress) => void;
  /** Each Boîte de réception source fetched by the prefetch (answers to invitations are applied from it). */
  onInboxSource?: (source: Buffer) => Promise<void>;
  log: Logger;
}

export interface FolderSyncStats {
  path: string;
  added: number;
  flagsChanged: number;
  removed: number;
  reset: boolean;
  /** Local actions on this folder wait for the server (the sync kept them). */
  pendingLocal?: boolean;
}

export interface MailSyncResult {
  /** Paths of folders whose stored content or counts changed. */
  changedFolders: string[];
  folders: FolderSyncStats[];
  bodiesFetched: number;
}

/** Sources per FETCH of the prefetch, and at most this many bytes of them (sizes from the headers). */
const PREFETCH_BATCH = 200;
const PREFETCH_BATCH_BYTES = 16 * 1024 * 1024;

const HEADER_QUERY: FetchQueryObject = { uid: true, flags: true, envelope: true, bodyStructure: true, size: true, internalDate: true, headers: ['references'] };

function toAddress(a: MessageAddressObject | undefined): Address | null {
  if (!a || (!a.address && !a.name)) return null;
  return { name: a.name ?? '', address: a.address ?? '' };
}

function toAddresses(list: MessageAddressObject[] | undefined): Address[] {
  return (list ?? []).map(toAddress).filter((a): a is Address => a !== null);
}

function toIso(value: Date | string | undefined): string | null {
  if (!value) return null;
  const d = value instanceof Date ? value : new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** True when the structure holds a part the user would call a « pièce jointe ». */
export function hasAttachment(node: MessageStructureObject | undefined): boolean {
  if (!node) return false;
  if (node.childNodes?.length) return node.childNodes.some(hasAttachment);
  const type = (node.type || '').toLowerCase();
  if (node.disposition?.toLowerCase() === 'attachment') return true;
  const filename = node.dispositionParameters?.filename ?? node.parameters?.name;
  if (filename && !type.startsWith('multipart/')) return true;
  return type === 'message/rfc822';
}

/** File names of the attachments of a structure (for the search index). */
export function attachmentNames(node: MessageStructureObject | undefined, out: string[] = []): string[] {
  if (!node) return out;
  if (node.childNodes?.length) {
    for (const child of node.childNodes) attachmentNames(child, out);
    return out;
  }
  const filename = node.dispositionParameters?.filename ?? node.parameters?.name;
  if (filename && !(node.type || '').toLowerCase().startsWith('multipart/')) out.push(filename);
  return out;
}

/** Message-IDs of a raw `References:` header block. */
export function parseReferences(headers: Buffer | undefined): string[] {
  if (!headers) return [];
  return headers.toString('utf8').match(/<[^<>\s]+>/g) ?? [];
}

export function toMessageHeaders(msg: FetchMessageObject): MessageHeaders {
  const env = msg.envelope;
  return {
    uid: msg.uid,
    modseq: msg.modseq !== undefined ? msg.modseq.toString() : null,
    messageId: env?.messageId ?? null,
    subject: env?.subject ?? '',
    from: toAddress(env?.from?.[0]),
    to: toAddresses(env?.to),
    cc: toAddresses(env?.cc),
    date: toIso(env?.date),
    internalDate: toIso(msg.internalDate),
    flags: [...(msg.flags ?? [])].sort(),
    size: msg.size ?? 0,
    hasAttachments: hasAttachment(msg.bodyStructure),
    inReplyTo: env?.inReplyTo ?? null,
    references: parseReferences(msg.headers),
    attachmentNames: attachmentNames(msg.bodyStructure),
  };
}

/** Compact IMAP sequence set ("1:4,7,9:10") of sorted UIDs. */
export function uidSet(uids: number[]): string {
  const sorted = [...uids].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}:${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** Turn LIST answers into stored folders: French names, special use, one folder per special use. */
export function foldersFromListing(list: ListResponse[]): FolderListing[] {
  const selectable = list.filter((f) => !f.flags.has('\\Noselect') && !f.flags.has('\\NonExistent'));
  // Special uses the server announced itself win over name guesses.
  const announced = new Map<string, SpecialUse>();
  for (const f of selectable) {
    const su = f.specialUseSource === 'extension' || f.specialUseSource === 'user' ? normaliseSpecialUse(f.specialUse) : null;
    if (su) announced.set(f.path, su);
  }
  const taken = new Set<SpecialUse>(announced.values());
  const result: FolderListing[] = [];
  for (const f of selectable) {
    let specialUse = announced.get(f.path) ?? null;
    if (!specialUse) {
      const guess = folderSpecialUse(f.path, f.delimiter, null);
      if (guess && (guess === '\\Inbox' || !taken.has(guess))) {
        specialUse = guess;
        taken.add(guess);
      }
    }
    result.push({ path: f.path, name: folderDisplayName(f.path, f.delimiter, specialUse), specialUse, delimiter: f.delimiter || '/', subscribed: f.subscribed });
  }
  return result;
}

/**
 * Server ⇄ store for one account's mail: folder list with French names and counts, headers first
 * and newest first, CONDSTORE incremental resync, expunge detection, UIDVALIDITY resets, and the
 * prefetch of recent Boîte de réception sources as blobs on disk.
 */
export class MailSyncEngine {
  constructor(
    private readonly repo: MailRepository,
    /** Root of the profile's blobs; sources go to mail/<account>/<sha256>.eml under it. */
    private readonly blobsDir: string,
  ) {}

  async syncAccount(account: MailAccount, options: MailSyncOptions): Promise<MailSyncResult> {
    const endpoint = parseImapUrl(account.settings.imap);
    options.onProgress?.({ label: t('sync.progress.connecting', { host: endpoint.host }), done: 0, total: 0 });
    const client = await connectImap(account, { log: options.log });
    try {
      return await this.syncWithClient(client, account, options);
    } catch (err) {
      throw imapErrorToOstal(err, endpoint.host, endpoint.port);
    } finally {
      await client.logout().catch(() => client.close());
    }
  }

  /** Sync with an already authenticated connection (also used by tests and IDLE watchers). */
  async syncWithClient(client: ImapFlow, account: MailAccount, options: MailSyncOptions): Promise<MailSyncResult> {
    options.onProgress?.({ label: t('sync.progress.folders'), done: 0, total: 0 });
    const list = await client.list({ statusQuery: { messages: true, unseen: true, uidValidity: true, uidNext: true, highestModseq: true } });
    const before = new Map(this.repo.listFolders(account.id).map((f) => [f.path, f]));
    const folders = this.repo.replaceFolders(account.id, foldersFromListing(list));
    const statusByPath = new Map(list.map((l) => [l.path, l.status]));
    const changed = new Set<string>();
    for (const p of before.keys()) if (!folders.some((f) => f.path === p)) changed.add(p);

    const stats: FolderSyncStats[] = [];
    for (const folder of folders) {
      const status = statusByPath.get(folder.path);
      const prev = before.get(folder.path);
      const s = await this.syncFolder(client, account, folder, status, options);
      stats.push(s);
      let total = status?.messages ?? this.repo.countMessages(folder.id);
      let unread = status?.unseen ?? 0;
      // Local actions not yet on the server: show the counts of what the list shows.
      if (s.pendingLocal) ({ total, unread } = this.repo.localCounts(folder.id));
      this.repo.setFolderCounts(folder.id, total, unread);
      if (!prev || s.added || s.removed || s.flagsChanged || s.reset || prev.total !== total || prev.unread !== unread || prev.name !== folder.name) {
        changed.add(folder.path);
      }
    }

    const inbox = this.repo.listFolders(account.id).find((f) => f.specialUse === '\\Inbox');
    let bodiesFetched = 0;
    if (inbox) {
      bodiesFetched = await this.prefetchBodies(client, account, inbox, options);
      if (bodiesFetched > 0) changed.add(inbox.path);
    }
    return { changedFolders: [...changed], folders: stats, bodiesFetched };
  }

  private async syncFolder(
    client: ImapFlow,
    account: MailAccount,
    folder: FolderRecord,
    status: { uidValidity?: bigint; uidNext?: number; highestModseq?: bigint; messages?: number } | undefined,
    options: MailSyncOptions,
  ): Promise<FolderSyncStats> {
    const stats: FolderSyncStats = { path: folder.path, added: 0, flagsChanged: 0, removed: 0, reset: false };
    // Actions of the user still in the journal win over the server until they are replayed.
    const pending = pendingLocalChanges(this.repo, account.id, folder.path);
    if (pending.any || this.repo.countProvisional(folder.id) > 0) stats.pendingLocal = true;
    const store = (messages: MessageHeaders[]) => {
      this.repo.adoptProvisional(folder.id, messages);
      this.repo.upsertMessages(account.id, folder.id, messages.map((m) => ({ ...m, flags: withPendingFlags(pending, m.uid, m.flags) })));
    };
    // Nothing changed since last time: same UIDVALIDITY, UIDNEXT, MODSEQ and count → skip SELECT entirely.
    if (
      status &&
      folder.uidValidity !== null &&
      status.uidValidity !== undefined &&
      status.uidValidity.toString() === folder.uidValidity &&
      status.uidNext === folder.uidNext &&
      status.highestModseq !== undefined &&
      folder.highestModseq === status.highestModseq.toString() &&
      status.messages === this.repo.countMessages(folder.id)
    ) {
      return stats;
    }

    const lock = await client.getMailboxLock(folder.path, { readOnly: true });
    try {
      const mailbox = client.mailbox;
      if (!mailbox) return stats;
      const uidValidity = mailbox.uidValidity.toString();
      const uidNext = mailbox.uidNext;
      const highestModseq = mailbox.highestModseq !== undefined && !mailbox.noModseq ? mailbox.highestModseq : undefined;
      const batchSize = options.batchSize ?? 250;
      const label = (done: number, total: number) => options.onProgress?.({ label: t('sync.progress.mailFolder', { folder: folder.name, done, total }), done, total });

      let known = folder;
      if (folder.uidValidity !== null && folder.uidValidity !== uidValidity) {
        options.log.info('mail: UIDVALIDITY changed, refetching folder', { account: account.id, folder: folder.path });
        this.repo.resetFolder(folder.id);
        stats.reset = true;
        known = { ...folder, uidValidity: null, uidNext: null, highestModseq: null };
      }

      const localUids = new Set(this.repo.listUids(folder.id));
      if (known.uidValidity === null || localUids.size === 0) {
        // Initial sync: every UID, headers newest first.
        const all = mailbox.exists > 0 ? await this.searchAllUids(client) : [];
        const missing = all.filter((u) => !localUids.has(u) && !pending.hidden.has(u)).sort((a, b) => b - a);
        label(0, missing.length);
        // The next batch is requested before the current one is stored (one round trip hidden per batch).
        const fetchBatch = (i: number) => {
          const p = client.fetchAll(uidSet(missing.slice(i, i + batchSize)), HEADER_QUERY, { uid: true });
          p.catch(() => undefined); // awaited below; never an unhandled rejection if this run stops first
          return p;
        };
        let next = missing.length ? fetchBatch(0) : null;
        for (let i = 0; next; i += batchSize) {
          const fetched = await next;
          next = i + batchSize < missing.length ? fetchBatch(i + batchSize) : null;
          store(fetched.map(toMessageHeaders));
          stats.added += fetched.length;
          label(Math.min(i + batchSize, missing.length), missing.length);
        }
        const onServer = new Set(all);
        const gone = [...localUids].filter((u) => !onServer.has(u));
        if (gone.length) stats.removed += this.repo.deleteUids(folder.id, gone);
      } else {
        // 1. New messages: UIDs from the last UIDNEXT on.
        const from = known.uidNext ?? 1;
        if (mailbox.exists > 0 && uidNext > from) {
          const fetched = await client.fetchAll(`${from}:*`, HEADER_QUERY, { uid: true });
          const fresh = fetched.filter((m) => m.uid >= from && !pending.hidden.has(m.uid)).sort((a, b) => b.uid - a.uid);
          label(0, fresh.length);
          for (let i = 0; i < fresh.length; i += batchSize) {
            const batch = fresh.slice(i, i + batchSize);
            store(batch.map(toMessageHeaders));
            stats.added += batch.filter((m) => !localUids.has(m.uid)).length;
            label(Math.min(i + batch.length, fresh.length), fresh.length);
          }
        }
        // 2. Flag changes: CONDSTORE CHANGEDSINCE when we have a modseq, else every flag.
        if (mailbox.exists > 0 && from > 1) {
          const canCondstore = highestModseq !== undefined && known.highestModseq !== null;
          if (!canCondstore || BigInt(known.highestModseq!) < highestModseq!) {
            const changedMsgs = await client.fetchAll(
              `1:${from - 1}`,
              { uid: true, flags: true },
              canCondstore ? { uid: true, changedSince: BigInt(known.highestModseq!) } : { uid: true },
            );
            stats.flagsChanged += this.repo.updateFlags(
              folder.id,
              changedMsgs.map((m) => ({ uid: m.uid, flags: withPendingFlags(pending, m.uid, [...(m.flags ?? [])].sort()), modseq: m.modseq?.toString() ?? null })),
            );
          }
        }
        // 3. Expunged messages: compare counts first, the full UID list only when they differ.
        const localCount = this.repo.countMessages(folder.id);
        const serverCount = client.mailbox ? client.mailbox.exists : mailbox.exists;
        if (localCount !== serverCount) {
          const serverUids = new Set(serverCount > 0 ? await this.searchAllUids(client) : []);
          const gone = this.repo.listUids(folder.id).filter((u) => !serverUids.has(u));
          if (gone.length) stats.removed += this.repo.deleteUids(folder.id, gone);
          const missing = [...serverUids].filter((u) => !localUids.has(u) && !pending.hidden.has(u) && u < from).sort((a, b) => b - a);
          for (let i = 0; i < missing.length; i += batchSize) {
            const fetched = await client.fetchAll(uidSet(missing.slice(i, i + batchSize)), HEADER_QUERY, { uid: true });
            store(fetched.map(toMessageHeaders));
            stats.added += fetched.length;
          }
        }
      }

      this.repo.setFolderSyncState(folder.id, {
        uidValidity,
        uidNext,
        highestModseq: highestModseq !== undefined ? highestModseq.toString() : null,
        syncedAt: new Date().toISOString(),
      });
      return stats;
    } finally {
      lock.release();
    }
  }

  private async searchAllUids(client: ImapFlow): Promise<number[]> {
    const uids = await client.search({ all: true }, { uid: true });
    return Array.isArray(uids) ? uids : [];
  }

  /** Fetch the sources of the newest Boîte de réception messages within the prefetch window. */
  private async prefetchBodies(client: ImapFlow, account: MailAccount, inbox: FolderRecord, options: MailSyncOptions): Promise<number> {
    // Forget blobs that vanished from disk so that bodiesCached stays true.
    const vanished = this.repo.listBodyPaths(inbox.id).filter((b) => !fs.existsSync(path.join(this.blobsDir, b.bodyPath)));
    if (vanished.length) this.repo.clearBodyPaths(inbox.id, vanished.map((b) => b.uid));
    if (options.prefetchDays <= 0) return 0;

    const since = new Date(Date.now() - options.prefetchDays * 86_400_000).toISOString();
    const wanted = this.repo.listMissingBodies(inbox.id, since, options.maxBodiesPerRun ?? 2000);
    if (wanted.length === 0) return 0;
    let done = 0;
    const report = () => options.onProgress?.({ label: t('sync.progress.mailBodies', { done, total: wanted.length }), done, total: wanted.length });
    report();
    // Batches bounded in count and bytes; the next batch is requested before the current one is parsed and
    // stored, so the server and the network work while this process parses (one round trip hidden per batch).
    const batches: number[][] = [];
    for (let i = 0, bytes = 0; i < wanted.length; i++) {
      const last = batches[batches.length - 1];
      if (!last || last.length >= PREFETCH_BATCH || bytes + wanted[i].size > PREFETCH_BATCH_BYTES) {
        batches.push([wanted[i].uid]);
        bytes = wanted[i].size;
      } else {
        last.push(wanted[i].uid);
        bytes += wanted[i].size;
      }
    }
    const lock = await client.getMailboxLock(inbox.path, { readOnly: true });
    const fetchBatch = (uids: number[]) => {
      const p = client.fetchAll(uidSet(uids), { uid: true, source: true }, { uid: true });
      p.catch(() => undefined); // awaited below; never an unhandled rejection if this run stops first
      return p;
    };
    try {
      let next: Promise<FetchMessageObject[]> | null = batches.length ? fetchBatch(batches[0]) : null;
      for (let b = 0; next; b++) {
        const fetched = await next;
        next = b + 1 < batches.length ? fetchBatch(batches[b + 1]) : null;
        const stored: { uid: number; bodyPath: string; text: string }[] = [];
        for (const msg of fetched) {
          if (!msg.source) continue;
          // The blob is on disk before its row points at it (a crash leaves at most an unreferenced blob).
          const bodyPath = storeMessageSource(this.blobsDir, account.id, msg.source);
          const text = await bodyText(msg.source).catch(() => '');
          stored.push({ uid: msg.uid, bodyPath, text });
          if (options.onInboxSource) await options.onInboxSource(msg.source).catch((err: unknown) => options.log.warn('inbox source hook failed', { err: err as Error }));
        }
        this.repo.storeBodies(inbox.id, stored);
        done += stored.length;
        report();
      }
    } finally {
      lock.release();
    }
    return done;
  }
}

/** Plain text of a message for the search index (text part, else HTML without tags). */
async function bodyText(source: Buffer): Promise<string> {
  const email = await PostalMime.parse(source);
  const text = email.text ?? (email.html ? email.html.replace(/<style[\s\S]*?<\/style>|<script[\s\S]*?<\/script>/gi, ' ').replace(/<[^>]+>/g, ' ') : '');
  const names = (email.attachments ?? []).map((a) => a.filename ?? '').join(' ');
  return `${text}\n${names}`.slice(0, 200_000);
}
