import fs from 'node:fs';
import path from 'node:path';
import type { ImapFlow, FetchMessageObject, FetchQueryObject, ListResponse, MessageAddressObject, MessageStructureObject } from 'imapflow';
import PostalMime from 'postal-mime';
import type { Address, OfflineWindow, SpecialUse, SyncProgress } from '../shared/contract.js';
import { t } from '../i18n/index.js';
import type { Logger } from '../log.js';
import { connectImap, parseImapUrl, type MailAccount } from './imap-client.js';
import { imapErrorToOstal } from './errors.js';
import { folderDisplayName, folderSpecialUse, normaliseSpecialUse } from './folder-names.js';
import type { FolderListing, FolderRecord, MailRepository, MessageHeaders } from './repository.js';
import { pendingLocalChanges, withPendingFlags } from './operations.js';
import { readMessageSource, storeMessageSource } from './blob-store.js';
import { indexTextOf, type SourceReading } from './index-text.js';
import { headersOfSource, textOfEmail, toAddress, toIso, type WholeMessage } from './whole-store.js';
import { WholeStore } from './whole-store-host.js';
import { readState, writeState } from '../store/settings-repository.js';

/** How the bodies (message sources) are downloaded for offline reading and search. */
export interface BodyDownloadOptions {
  /** Which messages keep their text on this computer (setting 'mail.offlineWindow'); a folder's own choice wins. */
  offlineWindow: OfflineWindow;
  /** Bytes per second for the download of bodies (setting 'mail.speedLimitKbps'); 0 = no limit. */
  speedLimit?: number;
  /** Checked after each stored message: true stops the download there (« Suspendre », shutdown). */
  shouldStop?: () => boolean;
  /**
   * Diagnostics (OSTAL_MAIL_FETCH_LOG): a line `fetched <account> <folder> <uid>` is appended when a source has been
   * received whole from the server, and `stored …` once its row points at the blob.
   */
  fetchLog?: string | null;
  /**
   * Settles once the sources written by a run that did not end cleanly are checked (blob-recheck.ts): awaited before
   * any source is written, so that the check never reads a file being written again. The headers do not wait for it.
   */
  sourcesChecked?: Promise<unknown>;
  onProgress?: (progress: SyncProgress) => void;
  /** A folder got bodies (once its part of the download is over or stopped): the app refreshes its list. */
  onFolderBodies?: (folderPath: string) => void;
  /** Each Boîte de réception source downloaded (answers to invitations are applied from it; invitations announced). */
  onInboxSource?: (source: Buffer, where: { folder: string; uid: number }) => Promise<void>;
  log: Logger;
}

export interface MailSyncOptions extends BodyDownloadOptions {
  /**
   * Bodies downloaded by this sync: those of the Boîte de réception only (the rest continues in the background, see
   * mail-sync.ts), or those of every folder (the CLI: `ostal sync` returns when everything is local).
   */
  bodies: 'inbox' | 'all';
  /** Messages per FETCH of headers (newest first). */
  batchSize?: number;
  /**
   * The headers of every folder are stored, the bodies not yet: the app shows the folders and lists at once (the
   * download of the Boîte de réception's bodies can take a while on a slow link).
   */
  onHeaders?: (changedFolders: string[]) => void;
}

export interface BodyDownloadResult {
  /** Sources downloaded and stored. */
  fetched: number;
  /** Bodies of the chosen window still missing (stopped, or left for the background download). */
  remaining: number;
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
  /** Bodies of the chosen window not local yet (other folders when `bodies` was 'inbox'). */
  bodiesRemaining: number;
}

/** Sources per FETCH of the body download, and at most this many bytes of them (sizes from the headers). */
const BODY_BATCH = 200;
const BODY_BATCH_BYTES = 16 * 1024 * 1024;
/** Texts parsed and indexed for search in one transaction (fewer, larger FTS5 segments: less merging). */
const INDEX_BATCH = 400;
/** Messages per FETCH when headers and sources come in one pass (newest first), and per commit of them. */
const WHOLE_BATCH = 250;
const WHOLE_COMMIT = 200;

const WHOLE_QUERY: FetchQueryObject = { uid: true, flags: true, internalDate: true, size: true, source: true };

/** The oldest arrival date of the bodies to keep for a folder: null = all, undefined = none. */
export function offlineSince(folder: Pick<FolderRecord, 'offline'>, window: OfflineWindow, now = new Date()): string | null | undefined {
  if (folder.offline === true) return null;
  if (folder.offline === false || window === 'none') return undefined;
  if (window === 'all') return null;
  const since = new Date(now);
  since.setUTCMonth(since.getUTCMonth() - (window === '12months' ? 12 : 3));
  return since.toISOString();
}

/** « 48 000 »: French digit grouping (narrow no-break space), as in the other progress labels. */
export function frenchCount(n: number): string {
  return n.toLocaleString('fr-FR').replace(/[\u00a0\u202f ]/g, '\u202f');
}

/** Keeps a download under a speed limit (bytes per second) by waiting after what it received. */
class SpeedLimiter {
  private readonly start = Date.now();
  private bytes = 0;
  constructor(private readonly bytesPerSecond: number) {}

  async take(bytes: number): Promise<void> {
    if (this.bytesPerSecond <= 0) return;
    this.bytes += bytes;
    const wait = this.start + (this.bytes / this.bytesPerSecond) * 1000 - Date.now();
    if (wait > 2) await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

const HEADER_QUERY: FetchQueryObject = {
  uid: true,
  flags: true,
  envelope: true,
  bodyStructure: true,
  size: true,
  internalDate: true,
  headers: ['references'],
};

function toAddresses(list: MessageAddressObject[] | undefined): Address[] {
  return (list ?? []).map(toAddress).filter((a): a is Address => a !== null);
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

/**
 * The headers of a message read from its source (the one-pass fetch: no ENVELOPE nor BODYSTRUCTURE asked), the same
 * fields as toMessageHeaders gives from the server's ENVELOPE; attachments from the reading of the MIME structure.
 */
export function headersFromSource(
  msg: Pick<FetchMessageObject, 'uid' | 'modseq' | 'flags' | 'internalDate' | 'size'>,
  read: SourceReading,
  attachments: { hasAttachments: boolean; names: string[] },
): MessageHeaders {
  return headersOfSource(wholeAttributes(msg), read, attachments);
}

/** The attributes of a one-pass FETCH response as stored (flags sorted). */
function wholeAttributes(
  msg: Pick<FetchMessageObject, 'uid' | 'modseq' | 'flags' | 'internalDate' | 'size'>,
): Omit<WholeMessage, 'source'> {
  return {
    uid: msg.uid,
    modseq: msg.modseq !== undefined ? msg.modseq.toString() : null,
    flags: [...(msg.flags ?? [])].sort(),
    internalDate: toIso(msg.internalDate),
    size: msg.size ?? 0,
  };
}

/** Compact IMAP sequence set ("1:4,7,9:10") of sorted UIDs. */
export function uidSet(uids: number[]): string {
  const sorted = [...uids].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
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
    result.push({
      path: f.path,
      name: folderDisplayName(f.path, f.delimiter, specialUse),
      specialUse,
      delimiter: f.delimiter || '/',
      subscribed: f.subscribed,
    });
  }
  return result;
}

/**
 * Server ⇄ store for one account's mail: folder list with French names and counts, headers first
 * and newest first, CONDSTORE incremental resync, expunge detection, UIDVALIDITY resets, and the
 * prefetch of recent Boîte de réception sources as blobs on disk.
 */
export class MailSyncEngine {
  /** Folders whose blobs were checked on disk by this engine. */
  private readonly checkedBlobs = new Set<number>();

  constructor(
    private readonly repo: MailRepository,
    /** Root of the profile's blobs; sources go to mail/<account>/<sha256>.eml under it. */
    private readonly blobsDir: string,
  ) {}

  async syncAccount(account: MailAccount, options: MailSyncOptions): Promise<MailSyncResult> {
    const endpoint = parseImapUrl(account.settings.imap);
    options.onProgress?.({ label: t('sync.progress.connecting', { host: endpoint.host }), done: 0, total: 0 });
    const client = await connectImap(account, { log: options.log, qresync: true });
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
    const listStarted = Date.now();
    const list = await client.list({
      statusQuery: { messages: true, unseen: true, uidValidity: true, uidNext: true, highestModseq: true },
    });
    const listMs = Date.now() - listStarted;
    const before = new Map(this.repo.listFolders(account.id).map((f) => [f.path, f]));
    const folders = this.repo.replaceFolders(account.id, foldersFromListing(list));
    const statusByPath = new Map(list.map((l) => [l.path, l.status]));
    const changed = new Set<string>();
    for (const p of before.keys()) if (!folders.some((f) => f.path === p)) changed.add(p);

    const stats: FolderSyncStats[] = [];
    // The store of the one-pass fetch (fetchWhole), started once a folder needs it; at once when some folder was never
    // synced (its worker then starts while the first folders are selected).
    let whole: WholeStore | null = null;
    const wholeStore = () => (whole ??= WholeStore.open(this.repo, this.blobsDir, options.log));
    if (options.bodies === 'all' && folders.some((f) => f.uidValidity === null && offlineSince(f, options.offlineWindow) === null))
      wholeStore();
    try {
      // Every body wanted now (`ostal sync`): the Boîte de réception first, as the download of bodies goes.
      for (const folder of options.bodies === 'all' ? bodyOrder(folders) : folders) {
        const status = statusByPath.get(folder.path);
        const prev = before.get(folder.path);
        const s = await this.syncFolder(client, account, folder, status, options, wholeStore);
        stats.push(s);
        let total = status?.messages ?? this.repo.countMessages(folder.id);
        let unread = status?.unseen ?? 0;
        // Local actions not yet on the server: show the counts of what the list shows.
        if (s.pendingLocal) ({ total, unread } = this.repo.localCounts(folder.id));
        this.repo.setFolderCounts(folder.id, total, unread);
        if (
          !prev ||
          s.added ||
          s.removed ||
          s.flagsChanged ||
          s.reset ||
          prev.total !== total ||
          prev.unread !== unread ||
          prev.name !== folder.name
        ) {
          changed.add(folder.path);
        }
      }
    } finally {
      await (whole as WholeStore | null)?.close();
    }

    options.log.info('mail: folders synced', { account: account.id, folders: folders.length, listMs, ms: Date.now() - listStarted });
    // Headers of every folder first; then the bodies: Boîte de réception first, newest first.
    if (changed.size) options.onHeaders?.([...changed]);
    const all = this.repo.listFolders(account.id);
    const inbox = all.find((f) => f.specialUse === '\\Inbox');
    const wanted = options.bodies === 'all' ? bodyOrder(all) : inbox ? [inbox] : [];
    const bodies = await this.downloadBodies(client, account, wanted, options, (folder) => changed.add(folder.path));
    let remaining = bodies.remaining;
    if (options.bodies === 'inbox') for (const f of all) if (f !== inbox) remaining += this.missingBodies(f, options.offlineWindow);
    return { changedFolders: [...changed], folders: stats, bodiesFetched: bodies.fetched, bodiesRemaining: remaining };
  }

  /**
   * Download the missing bodies of every folder but the Boîte de réception (each sync takes care of that one: two
   * connections never fetch the same message) on a connection of its own: the background download of the app.
   */
  async downloadAccount(account: MailAccount, options: BodyDownloadOptions): Promise<BodyDownloadResult & { changedFolders: string[] }> {
    const endpoint = parseImapUrl(account.settings.imap);
    const changed = new Set<string>();
    const folders = this.repo.listFolders(account.id).filter((f) => f.specialUse !== '\\Inbox');
    if (!folders.some((f) => this.missingBodies(f, options.offlineWindow) > 0 || this.repo.listUnindexedBodies(f.id, 1).length > 0)) {
      return { fetched: 0, remaining: 0, changedFolders: [] };
    }
    const client = await connectImap(account, { log: options.log });
    try {
      const result = await this.downloadBodies(client, account, folders, options, (folder) => changed.add(folder.path));
      return { ...result, changedFolders: [...changed] };
    } catch (err) {
      throw imapErrorToOstal(err, endpoint.host, endpoint.port);
    } finally {
      await client.logout().catch(() => client.close());
    }
  }

  /** Bodies of a folder the window wants that are not local. */
  private missingBodies(folder: FolderRecord, window: OfflineWindow): number {
    const since = offlineSince(folder, window);
    return since === undefined ? 0 : this.repo.countMissingBodies(folder.id, since);
  }

  private async syncFolder(
    client: ImapFlow,
    account: MailAccount,
    folder: FolderRecord,
    status: { uidValidity?: bigint; uidNext?: number; highestModseq?: bigint; messages?: number } | undefined,
    options: MailSyncOptions,
    wholeStore: () => WholeStore,
  ): Promise<FolderSyncStats> {
    const stats: FolderSyncStats = { path: folder.path, added: 0, flagsChanged: 0, removed: 0, reset: false };
    // Actions of the user still in the journal win over the server until they are replayed.
    const pending = pendingLocalChanges(this.repo, account.id, folder.path);
    if (pending.any || this.repo.countProvisional(folder.id) > 0) stats.pendingLocal = true;
    const store = (messages: MessageHeaders[]) => {
      this.repo.adoptProvisional(folder.id, messages);
      this.repo.upsertMessages(
        account.id,
        folder.id,
        messages.map((m) => ({ ...m, flags: withPendingFlags(pending, m.uid, m.flags) })),
      );
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

    // QRESYNC (RFC 7162) where the server offers it: the EXAMINE itself brings the flags changed since the last sync
    // and the UIDs expunged meanwhile (VANISHED), so a changed folder costs one round trip less or two.
    const qresync = client.enabled.has('QRESYNC') && folder.uidValidity !== null && folder.highestModseq !== null;
    const vanished: number[] = [];
    const changedFlags = new Map<number, { flags: string[]; modseq: string | null }>();
    const onExpunge = (e: { path: string; uid?: number; vanished?: boolean }) => {
      if (e.path === folder.path && e.vanished && e.uid) vanished.push(e.uid);
    };
    const onFlags = (e: { path: string; uid?: number; flags?: Set<string>; modseq?: bigint }) => {
      if (e.path === folder.path && e.uid && e.flags)
        changedFlags.set(e.uid, { flags: [...e.flags].sort(), modseq: e.modseq?.toString() ?? null });
    };
    if (qresync) {
      client.on('expunge', onExpunge);
      client.on('flags', onFlags);
    }
    let lock: Awaited<ReturnType<ImapFlow['getMailboxLock']>>;
    try {
      lock = await client.getMailboxLock(
        folder.path,
        qresync
          ? { readOnly: true, uidValidity: BigInt(folder.uidValidity!), changedSince: BigInt(folder.highestModseq!) }
          : { readOnly: true },
      );
    } finally {
      client.off('expunge', onExpunge);
      client.off('flags', onFlags);
    }
    try {
      const mailbox = client.mailbox;
      if (!mailbox) return stats;
      const resynced = qresync && (mailbox as { qresync?: boolean }).qresync === true;
      const uidValidity = mailbox.uidValidity.toString();
      const uidNext = mailbox.uidNext;
      const highestModseq = mailbox.highestModseq !== undefined && !mailbox.noModseq ? mailbox.highestModseq : undefined;
      const batchSize = options.batchSize ?? 250;
      const label = (done: number, total: number) =>
        options.onProgress?.({ label: t('sync.progress.mailFolder', { folder: folder.name, done, total }), done, total });

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
        let headerUids = missing;
        if (options.bodies === 'all' && offlineSince(folder, options.offlineWindow) === null && missing.length) {
          // Every body of this folder is wanted now: headers and sources in one pass (see fetchWhole).
          const rest = await this.fetchWhole(client, account, folder, missing, options, pending, stats, wholeStore(), (done) =>
            label(done, missing.length),
          );
          // Stopped (the core closes): the folder keeps no sync state, the next sync goes on from the stored rows.
          if (rest === null) return stats;
          headerUids = rest;
        }
        // The next batch is requested before the current one is stored (one round trip hidden per batch).
        const fetchBatch = (i: number) => {
          const p = client.fetchAll(uidSet(headerUids.slice(i, i + batchSize)), HEADER_QUERY, { uid: true });
          p.catch(() => undefined); // awaited below; never an unhandled rejection if this run stops first
          return p;
        };
        let next = headerUids.length ? fetchBatch(0) : null;
        for (let i = 0; next; i += batchSize) {
          const fetched = await next;
          next = i + batchSize < headerUids.length ? fetchBatch(i + batchSize) : null;
          store(fetched.map(toMessageHeaders));
          stats.added += fetched.length;
          label(Math.min(i + batchSize, headerUids.length), headerUids.length);
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
        // 2. Flag changes: given by QRESYNC, else CONDSTORE CHANGEDSINCE when we have a modseq, else every flag.
        if (resynced) {
          const known = [...changedFlags].filter(([uid]) => uid < from);
          stats.flagsChanged += this.repo.updateFlags(
            folder.id,
            known.map(([uid, c]) => ({ uid, flags: withPendingFlags(pending, uid, c.flags), modseq: c.modseq })),
          );
          if (vanished.length) stats.removed += this.repo.deleteUids(folder.id, vanished);
        } else if (mailbox.exists > 0 && from > 1) {
          const canCondstore = highestModseq !== undefined && known.highestModseq !== null;
          if (!canCondstore || BigInt(known.highestModseq!) < highestModseq!) {
            const changedMsgs = await client.fetchAll(
              `1:${from - 1}`,
              { uid: true, flags: true },
              canCondstore ? { uid: true, changedSince: BigInt(known.highestModseq!) } : { uid: true },
            );
            stats.flagsChanged += this.repo.updateFlags(
              folder.id,
              changedMsgs.map((m) => ({
                uid: m.uid,
                flags: withPendingFlags(pending, m.uid, [...(m.flags ?? [])].sort()),
                modseq: m.modseq?.toString() ?? null,
              })),
            );
          }
        }
        // 3. Expunged messages (QRESYNC's VANISHED above): compare counts, the full UID list only when they differ.
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

      if (known.uidValidity !== null && !stats.reset) {
        options.log.info('mail: folder resynced', {
          account: account.id,
          folder: folder.path,
          qresync: resynced,
          added: stats.added,
          flagsChanged: stats.flagsChanged,
          removed: stats.removed,
        });
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

  /**
   * The initial sync of a folder whose every body is wanted now (`ostal sync`): one FETCH of the sources with flags,
   * arrival date and size per batch of UIDs, newest first, instead of a pass for the headers (ENVELOPE, BODYSTRUCTURE)
   * and another for the bodies; the headers, the attachments' names and the search text come from one reading of each
   * source. The sources go to the store worker (see whole-store-host.ts) by WHOLE_COMMIT messages, a batch handed over
   * once the previous one is committed (one batch being stored while the next is received): there each source is
   * hashed and written as its blob, then read, and the batch's rows and search entries committed in one transaction
   * once every blob of it is whole. This thread only reads the FETCH. A kill loses at most the messages received and not committed yet
   * (the batch being stored and the one being received: their rows do not exist, so the next sync fetches them again,
   * headers with them); a stored message is never fetched again. Returns the UIDs the server did not send (their
   * headers are then fetched the usual way), or null when the run was asked to stop.
   */
  private async fetchWhole(
    client: ImapFlow,
    account: MailAccount,
    folder: FolderRecord,
    uids: number[],
    options: MailSyncOptions,
    pending: ReturnType<typeof pendingLocalChanges>,
    stats: FolderSyncStats,
    store: WholeStore,
    onProgress: (done: number) => void,
  ): Promise<number[] | null> {
    await options.sourcesChecked;
    const isInbox = folder.specialUse === '\\Inbox';
    const keepSources = isInbox && options.onInboxSource !== undefined;
    const limiter = new SpeedLimiter(options.speedLimit ?? 0);
    const received = new Set<number>();
    const log = (what: 'fetched' | 'stored', uid: number) => {
      if (options.fetchLog) fs.appendFileSync(options.fetchLog, `${what}\t${account.id}\t${folder.path}\t${uid}\n`);
    };
    let items: WholeMessage[] = [];
    let done = 0;
    let lastReport = 0;
    // Rows moved here by the user and waiting for their server UID (matched by Message-ID); mostly none.
    const provisional = this.repo.countProvisional(folder.id) > 0;
    /** The batch being stored (settled once committed and its Boîte de réception sources handed to the hook). */
    let storing: Promise<void> = Promise.resolve();
    const commit = async () => {
      // One batch at a time in the store: this one goes once the previous one is committed.
      await storing;
      if (items.length === 0) return;
      const batch = items;
      items = [];
      const sources = keepSources ? batch.map((m) => m.source) : [];
      storing = store
        .store({ accountId: account.id, folderId: folder.id, folderPath: folder.path, provisional, messages: batch }, keepSources)
        .then(async (stored) => {
          stats.added += stored.length;
          for (const uid of stored) log('stored', uid);
          if (!keepSources) return;
          for (let k = 0; k < batch.length; k++) {
            await options.onInboxSource!(sources[k], { folder: folder.path, uid: batch[k].uid }).catch((err: unknown) =>
              options.log.warn('inbox source hook failed', { err: err as Error }),
            );
          }
        });
      storing.catch(() => undefined); // awaited by the next commit; never an unhandled rejection meanwhile
    };
    const finish = async () => {
      await commit();
      await storing;
    };
    try {
      for (let i = 0; i < uids.length; i += WHOLE_BATCH) {
        const batch = uids.slice(i, i + WHOLE_BATCH);
        for await (const msg of client.fetch(uidSet(batch), WHOLE_QUERY, { uid: true })) {
          if (!msg.source || !msg.uid || pending.hidden.has(msg.uid) || received.has(msg.uid)) continue;
          received.add(msg.uid);
          log('fetched', msg.uid);
          const size = msg.source.length;
          const attributes = wholeAttributes(msg);
          // Hashed, written, read and stored by the store (its worker: nothing of it on this thread).
          items.push({ ...attributes, flags: withPendingFlags(pending, msg.uid, attributes.flags), source: msg.source });
          done++;
          const now = Date.now();
          if (now - lastReport >= 200) {
            lastReport = now;
            onProgress(done);
          }
          if (items.length >= WHOLE_COMMIT) await commit();
          await limiter.take(size);
          if (options.shouldStop?.()) {
            await finish();
            return null;
          }
        }
        onProgress(done);
      }
      await finish();
    } finally {
      // A failure above: what was handed over still settles before the caller goes on (never a store after it).
      await storing.catch(() => undefined);
    }
    if (done) options.onFolderBodies?.(folder.path);
    return uids.filter((u) => !received.has(u) && !pending.hidden.has(u));
  }

  private async searchAllUids(client: ImapFlow): Promise<number[]> {
    const uids = await client.search({ all: true }, { uid: true });
    return Array.isArray(uids) ? uids : [];
  }

  /**
   * Download the missing bodies of these folders, in this order, newest first, for offline reading and search.
   *
   * Each message is committed as soon as its blob is written: the FETCH is streamed (imapflow's iterator: the next
   * response is read only once this one is stored), the blob is written and the row updated in the same synchronous
   * step, in a transaction of its own. A kill can only lose the message being handed over at that instant: what the
   * server sent after it is still in the socket and was never handed to Ostal. The text is indexed for search by
   * small transactions right after; a kill before that leaves `body_indexed = 0`, and the next run indexes it from
   * the blob on disk (never from the server).
   */
  private async downloadBodies(
    client: ImapFlow,
    account: MailAccount,
    folders: FolderRecord[],
    options: BodyDownloadOptions,
    onChanged: (folder: FolderRecord) => void,
  ): Promise<BodyDownloadResult> {
    await options.sourcesChecked;
    const plan: { folder: FolderRecord; since: string | null }[] = [];
    this.forgetVanishedBlobs(account, folders);
    for (const folder of folders) {
      if (await this.indexStoredBodies(folder, options.log)) onChanged(folder);
      const since = offlineSince(folder, options.offlineWindow);
      if (since !== undefined) plan.push({ folder, since });
    }
    const total = plan.reduce((n, p) => n + this.repo.countMissingBodies(p.folder.id, p.since), 0);
    if (total === 0) return { fetched: 0, remaining: 0 };
    let done = 0;
    let lastReport = 0;
    const report = (force = false) => {
      const now = Date.now();
      if (!force && now - lastReport < 200) return;
      lastReport = now;
      options.onProgress?.({
        label: t('sync.progress.offlineBodies', { done: frenchCount(done), total: frenchCount(total) }),
        done,
        total,
      });
    };
    report(true);
    const limiter = new SpeedLimiter(options.speedLimit ?? 0);
    let stopped = false;
    for (const { folder, since } of plan) {
      if (stopped) break;
      const before = done;
      stopped = await this.downloadFolder(client, account, folder, since, options, limiter, () => {
        done++;
        report();
      });
      if (done > before) {
        onChanged(folder);
        options.onFolderBodies?.(folder.path);
      }
    }
    report(true);
    const remaining = plan.reduce((n, p) => n + this.repo.countMissingBodies(p.folder.id, p.since), 0);
    return { fetched: done, remaining };
  }

  /** One folder's missing bodies, newest first, by batches bounded in count and bytes. Returns true when stopped. */
  private async downloadFolder(
    client: ImapFlow,
    account: MailAccount,
    folder: FolderRecord,
    since: string | null,
    options: BodyDownloadOptions,
    limiter: SpeedLimiter,
    onStored: () => void,
  ): Promise<boolean> {
    const isInbox = folder.specialUse === '\\Inbox';
    // UIDs asked once in this run: one the server no longer has (expunged meanwhile) is not asked again and again.
    const asked = new Set<number>();
    const toIndex: { uid: number; source: Buffer }[] = [];
    const log = (what: 'fetched' | 'stored', uid: number) => {
      if (options.fetchLog) fs.appendFileSync(options.fetchLog, `${what}\t${account.id}\t${folder.path}\t${uid}\n`);
    };
    let lock: Awaited<ReturnType<ImapFlow['getMailboxLock']>> | null = null;
    try {
      for (;;) {
        const wanted = this.repo.listMissingBodies(folder.id, since, 2000 + asked.size).filter((m) => !asked.has(m.uid));
        if (wanted.length === 0) return false;
        lock ??= await client.getMailboxLock(folder.path, { readOnly: true });
        for (let i = 0; i < wanted.length;) {
          const batch: number[] = [];
          for (
            let bytes = 0;
            i < wanted.length && batch.length < BODY_BATCH && (batch.length === 0 || bytes + wanted[i].size <= BODY_BATCH_BYTES);
            i++
          ) {
            batch.push(wanted[i].uid);
            bytes += wanted[i].size;
          }
          for (const uid of batch) asked.add(uid);
          for await (const msg of client.fetch(uidSet(batch), { uid: true, source: true }, { uid: true })) {
            if (!msg.source || !msg.uid) continue;
            // From here to the commit, nothing awaits: a kill cannot fall between "received" and "stored" but for
            // these few synchronous steps.
            log('fetched', msg.uid);
            const bodyPath = storeMessageSource(this.blobsDir, account.id, msg.source);
            if (!this.repo.setBodyPath(folder.id, msg.uid, bodyPath)) continue;
            log('stored', msg.uid);
            onStored();
            toIndex.push({ uid: msg.uid, source: msg.source });
            if (toIndex.length >= INDEX_BATCH) await this.indexSources(folder, toIndex.splice(0), options.log);
            if (isInbox && options.onInboxSource) {
              await options
                .onInboxSource(msg.source, { folder: folder.path, uid: msg.uid })
                .catch((err: unknown) => options.log.warn('inbox source hook failed', { err: err as Error }));
            }
            await limiter.take(msg.source.length);
            if (options.shouldStop?.()) return true;
          }
          await this.indexSources(folder, toIndex.splice(0), options.log);
          if (options.shouldStop?.()) return true;
        }
      }
    } finally {
      await this.indexSources(folder, toIndex.splice(0), options.log).catch((err: unknown) =>
        options.log.warn('mail: indexing failed', { err: err as Error }),
      );
      lock?.release();
    }
  }

  /** Parse sources and index their text (one transaction). */
  private async indexSources(folder: FolderRecord, sources: { uid: number; source: Buffer }[], log: Logger): Promise<void> {
    if (sources.length === 0) return;
    const texts: { uid: number; text: string }[] = [];
    for (const s of sources) {
      texts.push({
        uid: s.uid,
        text: await bodyText(s.source).catch((err: unknown) => {
          log.info('mail: body text unreadable, not indexed', { folder: folder.path, uid: s.uid, err: err as Error });
          return '';
        }),
      });
    }
    this.repo.indexBodies(folder.id, texts);
  }

  /** Index bodies already on disk whose text is not in the index (a kill came between the two). Returns true if any. */
  private async indexStoredBodies(folder: FolderRecord, log: Logger): Promise<boolean> {
    let any = false;
    for (
      let rows = this.repo.listUnindexedBodies(folder.id, INDEX_BATCH);
      rows.length;
      rows = this.repo.listUnindexedBodies(folder.id, INDEX_BATCH)
    ) {
      const sources: { uid: number; source: Buffer }[] = [];
      const vanished: number[] = [];
      for (const r of rows) {
        const read = await readMessageSource(this.blobsDir, r.bodyPath);
        if ('source' in read) sources.push({ uid: r.uid, source: read.source });
        else {
          if ('damaged' in read) log.warn('mail: stored source damaged, fetched again', { folder: folder.path, uid: r.uid });
          vanished.push(r.uid);
        }
      }
      if (vanished.length) this.repo.clearBodyPaths(folder.id, vanished);
      await this.indexSources(folder, sources, log);
      any = true;
    }
    return any;
  }

  /**
   * Forget blobs that vanished from disk (so that bodiesCached stays true and the download fetches them again); once
   * per folder and process, from one listing of the account's blob folder (not one stat per message).
   *
   * A blob can only vanish with its folder's modification time changing: when the folder is the one of the last check
   * (same inode and time, kept in the settings table), the folders checked then are not read again. An `ostal sync`
   * with nothing new thus reads one stat instead of every stored path and the folder's listing (~0,1 s per
   * 10 000 messages). A folder modified in the last seconds is not taken as checked (coarse file-system clocks).
   */
  private forgetVanishedBlobs(account: MailAccount, folders: FolderRecord[]): void {
    const unchecked = folders.filter((f) => !this.checkedBlobs.has(f.id));
    if (unchecked.length === 0) return;
    for (const folder of unchecked) this.checkedBlobs.add(folder.id);
    const dir = path.join(this.blobsDir, 'mail', account.id);
    const stamp = blobFolderStamp(dir);
    const stateKey = `state.mail.blobsChecked.${account.id}` as const;
    const last = stamp ? readState(this.repo.database, stateKey) : undefined;
    const lastFolders = isBlobCheck(last) && last.stamp === stamp?.key ? last.folders : [];
    const toCheck = unchecked.filter((f) => !lastFolders.includes(f.id));
    const checked: number[] = [];
    if (toCheck.length > 0) {
      let names: Set<string>;
      try {
        names = new Set(fs.readdirSync(dir));
      } catch {
        names = new Set();
      }
      // Stored paths are `mail/<account>/<name>` (blob-store.ts): compared as strings, not through path functions (this
      // runs over every stored body at the first sync of each process, `ostal sync` included).
      const prefix = path.join('mail', account.id) + path.sep;
      for (const folder of toCheck) {
        let elsewhere = false;
        const gone = this.repo.listBodyPaths(folder.id).filter((b) => {
          const name = b.bodyPath.startsWith(prefix) ? b.bodyPath.slice(prefix.length) : null;
          if (name !== null && !name.includes('/') && !name.includes(path.sep)) return !names.has(name);
          // A path outside the account's folder (another layout): ask the disk, at every check.
          elsewhere = true;
          return !fs.existsSync(path.join(this.blobsDir, b.bodyPath));
        });
        if (gone.length)
          this.repo.clearBodyPaths(
            folder.id,
            gone.map((b) => b.uid),
          );
        if (!elsewhere) checked.push(folder.id);
      }
    }
    if (stamp && checked.length > 0 && Date.now() - stamp.mtimeMs > 2000) {
      writeState(this.repo.database, stateKey, { stamp: stamp.key, folders: [...new Set([...lastFolders, ...checked])] });
    }
  }
}

/** What identifies the state of an account's blob folder: inode and modification time (null when it is missing). */
function blobFolderStamp(dir: string): { key: string; mtimeMs: number } | null {
  try {
    const st = fs.statSync(dir, { bigint: true });
    return { key: `${st.ino}:${st.mtimeNs}`, mtimeMs: Number(st.mtimeMs) };
  } catch {
    return null;
  }
}

function isBlobCheck(v: unknown): v is { stamp: string; folders: number[] } {
  const o = v as { stamp?: unknown; folders?: unknown } | null;
  return (
    typeof o === 'object' &&
    o !== null &&
    typeof o.stamp === 'string' &&
    Array.isArray(o.folders) &&
    o.folders.every((x) => typeof x === 'number')
  );
}

/** The order of the body download: Boîte de réception first, then the other folders in the list's order. */
function bodyOrder(folders: FolderRecord[]): FolderRecord[] {
  return [...folders.filter((f) => f.specialUse === '\\Inbox'), ...folders.filter((f) => f.specialUse !== '\\Inbox')];
}

/**
 * Plain text of a message for the search index (text part, else HTML without tags, and the attachments' names): read
 * straight from the source (index-text.ts, attachments never decoded), with postal-mime for what that reader leaves.
 */
export async function bodyText(source: Buffer): Promise<string> {
  const quick = indexTextOf(source);
  if (quick) return `${quick.text}\n${quick.names.join(' ')}`.slice(0, 200_000);
  return textOfEmail(await PostalMime.parse(source));
}
