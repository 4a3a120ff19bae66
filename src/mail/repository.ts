import type Database from 'better-sqlite3';
import type { Address, FolderInfo, MessageListFilter, MessagePage, MessageSummary, SpecialUse } from '../shared/contract.js';
import { folderSortKey } from './folder-names.js';

/** A folder row as the sync engine needs it. */
export interface FolderRecord {
  id: number;
  accountId: string;
  path: string;
  name: string;
  specialUse: SpecialUse;
  delimiter: string;
  subscribed: boolean;
  uidValidity: string | null;
  uidNext: number | null;
  highestModseq: string | null;
  total: number;
  unread: number;
  lastSync: string | null;
  /** The folder's own « Disponible hors ligne »: null follows the setting, true every message, false none. */
  offline: boolean | null;
}

/** What the server said about a folder in LIST. */
export interface FolderListing {
  path: string;
  name: string;
  specialUse: SpecialUse;
  delimiter: string;
  subscribed: boolean;
}

/** Headers of one message as fetched from the server. */
export interface MessageHeaders {
  uid: number;
  modseq: string | null;
  messageId: string | null;
  subject: string;
  from: Address | null;
  to: Address[];
  cc: Address[];
  date: string | null;
  internalDate: string | null;
  flags: string[];
  size: number;
  hasAttachments: boolean;
  inReplyTo: string | null;
  references: string[];
  /** File names of the attachments, from BODYSTRUCTURE (searchable before the body is fetched). */
  attachmentNames?: string[];
}

/** A search over the store (see search.ts for the query language). */
export interface MessageSearchSpec {
  /** FTS5 MATCH expression, or null for filters only. */
  match: string | null;
  accountId: string | null;
  folder: string | null;
  before: string | null;
  after: string | null;
  hasAttachment: boolean | null;
  /** Most results; null: every match. */
  limit: number | null;
}

/** A stored message as an action needs it. */
export interface LocalMessageRef {
  id: number;
  uid: number;
  messageId: string | null;
  flags: string[];
}

/** A stored message as the reader needs it (see message-reader.ts). */
export interface StoredMessageForReading {
  folderId: number;
  uid: number;
  messageId: string | null;
  fromAddr: string | null;
  flags: string[];
  /** Relative to the blobs folder, null until the source was fetched. */
  bodyPath: string | null;
  size: number;
}

interface FolderRow {
  id: number;
  account_id: string;
  path: string;
  name: string;
  special_use: string | null;
  delimiter: string;
  subscribed: number;
  uidvalidity: string | null;
  uidnext: number | null;
  highestmodseq: string | null;
  total: number;
  unread: number;
  last_sync: string | null;
  offline: number | null;
}

interface MessageRow {
  account_id?: string;
  folder_path?: string;
  uid: number;
  message_id: string | null;
  subject: string;
  from_name: string | null;
  from_addr: string | null;
  to_json: string;
  date: string | null;
  internal_date: string | null;
  flags_json: string;
  size: number;
  has_attachments: number;
  body_path: string | null;
}

function toFolder(row: FolderRow): FolderRecord {
  return {
    id: row.id,
    accountId: row.account_id,
    path: row.path,
    name: row.name,
    specialUse: row.special_use as SpecialUse,
    delimiter: row.delimiter,
    subscribed: row.subscribed === 1,
    uidValidity: row.uidvalidity,
    uidNext: row.uidnext,
    highestModseq: row.highestmodseq,
    total: row.total,
    unread: row.unread,
    lastSync: row.last_sync,
    offline: row.offline === null ? null : row.offline === 1,
  };
}

function toSummary(r: MessageRow, accountId: string, folderPath: string): MessageSummary {
  return {
    accountId,
    folder: folderPath,
    uid: r.uid,
    messageId: r.message_id,
    subject: r.subject,
    from: r.from_addr || r.from_name ? { name: r.from_name ?? '', address: r.from_addr ?? '' } : null,
    to: JSON.parse(r.to_json) as Address[],
    date: r.date ?? r.internal_date,
    flags: JSON.parse(r.flags_json) as string[],
    size: r.size,
    hasBody: r.body_path !== null,
    hasAttachments: r.has_attachments === 1,
  };
}

/** Prepared statements of the sync's hot paths, per database (preparing costs more than running them). */
const statementCache = new WeakMap<Database.Database, Map<string, Database.Statement>>();

const INDEX_BODY_SQL = `INSERT OR REPLACE INTO mail_search (rowid, subject, sender, recipients, body, attachments)
         SELECT m.id, m.subject,
           coalesce(m.from_name, '') || ' ' || coalesce(m.from_addr, ''),
           (SELECT coalesce(group_concat(coalesce(json_extract(value, '$.name'), '') || ' ' || coalesce(json_extract(value, '$.address'), ''), ' '), '') FROM json_each(m.to_json)) || ' ' ||
           (SELECT coalesce(group_concat(coalesce(json_extract(value, '$.name'), '') || ' ' || coalesce(json_extract(value, '$.address'), ''), ' '), '') FROM json_each(m.cc_json)),
           ?, m.attachment_names
         FROM mail_messages m WHERE m.id = ?`;

/** The bound parameters of a message row (upsertMessages, storeDownloaded). */
function messageParams(accountId: string, folderId: number, m: MessageHeaders) {
  return {
    accountId,
    folderId,
    uid: m.uid,
    modseq: m.modseq,
    messageId: m.messageId,
    subject: m.subject,
    fromName: m.from?.name ?? null,
    fromAddr: m.from?.address ?? null,
    to: JSON.stringify(m.to),
    cc: JSON.stringify(m.cc),
    date: m.date,
    internalDate: m.internalDate,
    flags: JSON.stringify(m.flags),
    seen: m.flags.includes('\\Seen') ? 1 : 0,
    flagged: m.flags.includes('\\Flagged') ? 1 : 0,
    size: m.size,
    hasAttachments: m.hasAttachments ? 1 : 0,
    inReplyTo: m.inReplyTo,
    references: JSON.stringify(m.references),
    attachmentNames: (m.attachmentNames ?? []).join(' '),
  };
}

/** The WHERE part and parameters shared by a search and its count. */
function searchFilters(spec: MessageSearchSpec): { filters: string; params: Record<string, string | number | null> } {
  return {
    filters: `(@accountId IS NULL OR m.account_id = @accountId) AND (@folder IS NULL OR f.path = @folder)
      AND (@before IS NULL OR coalesce(m.date, m.internal_date) < @before) AND (@after IS NULL OR coalesce(m.date, m.internal_date) >= @after)
      AND (@pj IS NULL OR m.has_attachments = @pj)`,
    params: {
      accountId: spec.accountId,
      folder: spec.folder,
      before: spec.before,
      after: spec.after,
      pj: spec.hasAttachment === null ? null : spec.hasAttachment ? 1 : 0,
    },
  };
}

/** Connections whose temp schema has the fts5vocab table of MailRepository.indexTermsStartingWith. */
const vocabReady = new WeakSet<Database.Database>();

/** All SQL of the mail store (tables of 002_mail.sql). Synchronous, like better-sqlite3. */
export class MailRepository {
  constructor(private readonly db: Database.Database) {}

  /** The profile's database, for the app's own state kept beside the mail tables (settings-repository.ts). */
  get database(): Database.Database {
    return this.db;
  }

  /** A statement prepared once per database (only for statements never switched to pluck/raw mode). */
  private cached(sql: string): Database.Statement {
    let byDb = statementCache.get(this.db);
    if (!byDb) statementCache.set(this.db, (byDb = new Map()));
    let stmt = byDb.get(sql);
    if (!stmt) byDb.set(sql, (stmt = this.db.prepare(sql)));
    return stmt;
  }

  // ---------------------------------------------------------------- folders

  listFolders(accountId: string): FolderRecord[] {
    const rows = this.db.prepare('SELECT * FROM mail_folders WHERE account_id = ? ORDER BY path').all(accountId) as FolderRow[];
    return rows
      .map(toFolder)
      .sort((a, b) => folderSortKey(a.specialUse) - folderSortKey(b.specialUse) || a.path.localeCompare(b.path, 'fr'));
  }

  getFolder(accountId: string, path: string): FolderRecord | null {
    const row = this.db.prepare('SELECT * FROM mail_folders WHERE account_id = ? AND path = ?').get(accountId, path) as
      FolderRow | undefined;
    return row ? toFolder(row) : null;
  }

  /**
   * Make the stored folder list match the server's LIST: insert new folders, update names and
   * flags, delete folders that disappeared (their messages go with them). Returns the folders.
   */
  replaceFolders(accountId: string, listing: FolderListing[]): FolderRecord[] {
    const upsert = this.db.prepare(
      `INSERT INTO mail_folders (account_id, path, name, special_use, delimiter, subscribed)
       VALUES (@accountId, @path, @name, @specialUse, @delimiter, @subscribed)
       ON CONFLICT (account_id, path) DO UPDATE SET name = excluded.name, special_use = excluded.special_use,
         delimiter = excluded.delimiter, subscribed = excluded.subscribed`,
    );
    const existing = this.db.prepare('SELECT id, path FROM mail_folders WHERE account_id = ?');
    const remove = this.db.prepare('DELETE FROM mail_folders WHERE id = ?');
    this.db.transaction(() => {
      const keep = new Set(listing.map((f) => f.path));
      for (const row of existing.all(accountId) as { id: number; path: string }[]) {
        if (!keep.has(row.path)) remove.run(row.id);
      }
      for (const f of listing) {
        upsert.run({
          accountId,
          path: f.path,
          name: f.name,
          specialUse: f.specialUse,
          delimiter: f.delimiter,
          subscribed: f.subscribed ? 1 : 0,
        });
      }
    })();
    return this.listFolders(accountId);
  }

  /** Server counts from STATUS. */
  setFolderCounts(folderId: number, total: number, unread: number): void {
    this.db.prepare('UPDATE mail_folders SET total = ?, unread = ? WHERE id = ?').run(total, unread, folderId);
  }

  /** Sync state after a successful folder sync. */
  setFolderSyncState(
    folderId: number,
    state: { uidValidity: string; uidNext: number | null; highestModseq: string | null; syncedAt: string },
  ): void {
    this.db
      .prepare('UPDATE mail_folders SET uidvalidity = ?, uidnext = ?, highestmodseq = ?, last_sync = ? WHERE id = ?')
      .run(state.uidValidity, state.uidNext, state.highestModseq, state.syncedAt, folderId);
  }

  /** UIDVALIDITY changed: every stored UID of the folder is meaningless now. */
  resetFolder(folderId: number): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM mail_messages WHERE folder_id = ?').run(folderId);
      this.db.prepare('UPDATE mail_folders SET uidvalidity = NULL, uidnext = NULL, highestmodseq = NULL WHERE id = ?').run(folderId);
    })();
  }

  // ---------------------------------------------------------------- messages

  /** Insert or update headers (flags included) of messages of a folder, in one transaction. */
  upsertMessages(accountId: string, folderId: number, messages: MessageHeaders[]): void {
    if (messages.length === 0) return;
    const stmt = this.cached(
      `INSERT INTO mail_messages (account_id, folder_id, uid, modseq, message_id, subject, from_name, from_addr, to_json, cc_json,
         date, internal_date, flags_json, seen, flagged, size, has_attachments, in_reply_to, references_json, attachment_names)
       VALUES (@accountId, @folderId, @uid, @modseq, @messageId, @subject, @fromName, @fromAddr, @to, @cc,
         @date, @internalDate, @flags, @seen, @flagged, @size, @hasAttachments, @inReplyTo, @references, @attachmentNames)
       ON CONFLICT (folder_id, uid) DO UPDATE SET modseq = excluded.modseq, flags_json = excluded.flags_json,
         seen = excluded.seen, flagged = excluded.flagged`,
    );
    this.db.transaction(() => {
      for (const m of messages) stmt.run(messageParams(accountId, folderId, m));
    })();
  }

  /**
   * Messages fetched whole (headers and source in one pass, see MailSyncEngine): each row is inserted with its blob and
   * its whole search entry (body text included) in one transaction (inserted with body_indexed = 1, the row fires no
   * header-only entry of the insert trigger: migration 016). A row that already exists (a provisional one adopted
   * its UID) gets its flags, its blob and its body text as a header sync and a download would give them.
   */
  storeDownloaded(accountId: string, folderId: number, items: { headers: MessageHeaders; bodyPath: string; text: string }[]): void {
    if (items.length === 0) return;
    const insert = this.cached(
      `INSERT INTO mail_messages (account_id, folder_id, uid, modseq, message_id, subject, from_name, from_addr, to_json, cc_json,
         date, internal_date, flags_json, seen, flagged, size, has_attachments, in_reply_to, references_json, attachment_names,
         body_path, body_indexed)
       VALUES (@accountId, @folderId, @uid, @modseq, @messageId, @subject, @fromName, @fromAddr, @to, @cc,
         @date, @internalDate, @flags, @seen, @flagged, @size, @hasAttachments, @inReplyTo, @references, @attachmentNames,
         @bodyPath, 1)
       ON CONFLICT (folder_id, uid) DO NOTHING`,
    );
    const index = this.cached('INSERT INTO mail_search (rowid, subject, sender, recipients, body, attachments) VALUES (?, ?, ?, ?, ?, ?)');
    const existing: typeof items = [];
    this.db.transaction(() => {
      for (const item of items) {
        const m = item.headers;
        const params = messageParams(accountId, folderId, m);
        const r = insert.run({ ...params, bodyPath: item.bodyPath });
        if (r.changes === 0) {
          existing.push(item);
          continue;
        }
        const names = (a: Address[]) => a.map((x) => `${x.name} ${x.address}`).join(' ');
        index.run(
          r.lastInsertRowid,
          m.subject,
          `${m.from?.name ?? ''} ${m.from?.address ?? ''}`,
          `${names(m.to)} ${names(m.cc)}`,
          item.text,
          params.attachmentNames,
        );
      }
      if (existing.length) {
        this.upsertMessages(
          accountId,
          folderId,
          existing.map((e) => e.headers),
        );
        for (const e of existing) this.setBodyPath(folderId, e.headers.uid, e.bodyPath);
        this.indexBodies(
          folderId,
          existing.map((e) => ({ uid: e.headers.uid, text: e.text })),
        );
      }
    })();
  }

  /** Flag changes only (CONDSTORE CHANGEDSINCE, or a full flags refresh). Unknown UIDs are ignored. */
  updateFlags(folderId: number, changes: { uid: number; flags: string[]; modseq: string | null }[]): number {
    const stmt = this.db.prepare(
      'UPDATE mail_messages SET flags_json = ?, seen = ?, flagged = ?, modseq = coalesce(?, modseq) WHERE folder_id = ? AND uid = ?',
    );
    let changed = 0;
    this.db.transaction(() => {
      for (const c of changes) {
        changed += stmt.run(
          JSON.stringify(c.flags),
          c.flags.includes('\\Seen') ? 1 : 0,
          c.flags.includes('\\Flagged') ? 1 : 0,
          c.modseq,
          folderId,
          c.uid,
        ).changes;
      }
    })();
    return changed;
  }

  /** Every stored server UID of a folder, ascending (provisional rows of local moves excluded). */
  listUids(folderId: number): number[] {
    return this.db.prepare('SELECT uid FROM mail_messages WHERE folder_id = ? AND uid > 0 ORDER BY uid').pluck().all(folderId) as number[];
  }

  /** Remove messages the server expunged. Returns how many rows went. */
  deleteUids(folderId: number, uids: number[]): number {
    const stmt = this.db.prepare('DELETE FROM mail_messages WHERE folder_id = ? AND uid = ?');
    let removed = 0;
    this.db.transaction(() => {
      for (const uid of uids) removed += stmt.run(folderId, uid).changes;
    })();
    return removed;
  }

  /** Messages of a folder without a local source, newest first, that arrived after `since` (ISO; null: all). */
  listMissingBodies(folderId: number, since: string | null, limit: number): { uid: number; size: number }[] {
    return this.cached(
      `SELECT uid, size FROM mail_messages INDEXED BY mail_messages_missing_body
       WHERE folder_id = ? AND body_path IS NULL AND uid > 0 AND (? IS NULL OR coalesce(internal_date, date) >= ?)
       ORDER BY internal_date DESC, uid DESC LIMIT ?`,
    ).all(folderId, since, since, limit) as { uid: number; size: number }[];
  }

  /** How many messages of a folder have no local source (within the window, like listMissingBodies). */
  countMissingBodies(folderId: number, since: string | null): number {
    return (
      this.cached(
        `SELECT count(*) AS n FROM mail_messages INDEXED BY mail_messages_missing_body
       WHERE folder_id = ? AND body_path IS NULL AND uid > 0 AND (? IS NULL OR coalesce(internal_date, date) >= ?)`,
      ).get(folderId, since, since) as { n: number }
    ).n;
  }

  /** Messages of an account (or of one folder) whose source is not local: the server search is asked only then. */
  countAccountMissingBodies(accountId: string | null, folderPath: string | null): number {
    return (
      this.cached(
        `SELECT count(*) AS n FROM mail_messages m JOIN mail_folders f ON f.id = m.folder_id
       WHERE m.body_path IS NULL AND m.uid > 0 AND (@accountId IS NULL OR m.account_id = @accountId) AND (@folder IS NULL OR f.path = @folder)`,
      ).get({ accountId, folder: folderPath }) as { n: number }
    ).n;
  }

  /**
   * The source of one message is on disk: point its row at the blob, in its own transaction (autocommit), so that a
   * kill right after never makes the download fetch it again. Its text is indexed later (body_indexed = 0 until then).
   */
  setBodyPath(folderId: number, uid: number, bodyPath: string): boolean {
    return (
      this.cached('UPDATE mail_messages SET body_path = ?, body_indexed = 0 WHERE folder_id = ? AND uid = ?').run(bodyPath, folderId, uid)
        .changes > 0
    );
  }

  /** Search index entries of bodies already on disk, in one transaction (body_indexed = 1). */
  indexBodies(folderId: number, bodies: { uid: number; text: string }[]): void {
    if (bodies.length === 0) return;
    const find = this.cached('SELECT id FROM mail_messages WHERE folder_id = ? AND uid = ?');
    const index = this.cached(INDEX_BODY_SQL);
    const done = this.cached('UPDATE mail_messages SET body_indexed = 1 WHERE id = ?');
    this.db.transaction(() => {
      for (const b of bodies) {
        const row = find.get(folderId, b.uid) as { id: number } | undefined;
        if (!row) continue;
        index.run(b.text, row.id);
        done.run(row.id);
      }
    })();
  }

  /** Bodies on disk whose text is not indexed yet (a kill came between storing and indexing). */
  listUnindexedBodies(folderId: number, limit: number): { uid: number; bodyPath: string }[] {
    return this.cached(
      `SELECT uid, body_path AS bodyPath FROM mail_messages INDEXED BY mail_messages_unindexed
       WHERE folder_id = ? AND body_path IS NOT NULL AND body_indexed = 0 LIMIT ?`,
    ).all(folderId, limit) as { uid: number; bodyPath: string }[];
  }

  /** The folder's own « Disponible hors ligne » (null: follow the setting). */
  setFolderOffline(folderId: number, offline: boolean | null): void {
    this.db.prepare('UPDATE mail_folders SET offline = ? WHERE id = ?').run(offline === null ? null : offline ? 1 : 0, folderId);
  }

  /** Every body path of an account (to check blobs on disk). */
  listBodyPaths(folderId: number): { uid: number; bodyPath: string }[] {
    return this.db
      .prepare('SELECT uid, body_path AS bodyPath FROM mail_messages WHERE folder_id = ? AND body_path IS NOT NULL')
      .all(folderId) as {
      uid: number;
      bodyPath: string;
    }[];
  }

  /** Forget body paths whose blob vanished from disk. */
  clearBodyPaths(folderId: number, uids: number[]): void {
    const stmt = this.db.prepare('UPDATE mail_messages SET body_path = NULL, body_indexed = 0 WHERE folder_id = ? AND uid = ?');
    this.db.transaction(() => {
      for (const uid of uids) stmt.run(folderId, uid);
    })();
  }

  /** Forget a blob in every row of the account that points at it (it was found damaged); returns how many rows. */
  forgetBodyPath(accountId: string, bodyPath: string): number {
    return this.cached('UPDATE mail_messages SET body_path = NULL, body_indexed = 0 WHERE account_id = ? AND body_path = ?').run(
      accountId,
      bodyPath,
    ).changes;
  }

  /** Index body text for search (subject, addresses and attachment names are indexed by trigger on insert). */
  indexBody(folderId: number, uid: number, bodyText: string): void {
    const row = this.cached('SELECT id FROM mail_messages WHERE folder_id = ? AND uid = ?').get(folderId, uid) as
      { id: number } | undefined;
    if (!row) return;
    this.cached(INDEX_BODY_SQL).run(bodyText, row.id);
    this.cached('UPDATE mail_messages SET body_indexed = 1 WHERE id = ?').run(row.id);
  }

  // ---------------------------------------------------------------- reading (see message-reader.ts)

  /** What the reader needs of one stored message, or null when it is not in the store. */
  messageForReading(accountId: string, folderPath: string, uid: number): StoredMessageForReading | null {
    const row = this.db
      .prepare(
        `SELECT m.folder_id AS folderId, m.uid, m.message_id AS messageId, m.from_addr AS fromAddr, m.flags_json AS flagsJson,
           m.body_path AS bodyPath, m.size
         FROM mail_messages m JOIN mail_folders f ON f.id = m.folder_id
         WHERE f.account_id = ? AND f.path = ? AND m.uid = ?`,
      )
      .get(accountId, folderPath, uid) as (Omit<StoredMessageForReading, 'flags'> & { flagsJson: string }) | undefined;
    if (!row) return null;
    const { flagsJson, ...rest } = row;
    return { ...rest, flags: JSON.parse(flagsJson) as string[] };
  }

  /** True when the user allowed remote content for one of these (scope, key) pairs. */
  isRemoteContentAllowed(accountId: string, keys: { scope: 'message' | 'sender'; key: string }[]): boolean {
    const stmt = this.db.prepare('SELECT 1 FROM mail_remote_content WHERE account_id = ? AND scope = ? AND key = ?');
    return keys.some((k) => k.key !== '' && stmt.get(accountId, k.scope, k.key) !== undefined);
  }

  /** Remember « Afficher les images » for a message or « Toujours pour cet expéditeur ». */
  allowRemoteContent(accountId: string, scope: 'message' | 'sender', key: string): void {
    this.db
      .prepare('INSERT INTO mail_remote_content (account_id, scope, key, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING')
      .run(accountId, scope, key, new Date().toISOString());
  }

  // ---------------------------------------------------------------- reads for the API

  /** Folders with counts for the UI and `status --json`. `bodiesCached` counts messages whose source is on disk. */
  folderInfos(accountId: string): FolderInfo[] {
    const cached = new Map<number, number>();
    for (const row of this.db
      .prepare(
        'SELECT folder_id AS folderId, count(*) AS n FROM mail_messages WHERE account_id = ? AND body_path IS NOT NULL GROUP BY folder_id',
      )
      .all(accountId) as { folderId: number; n: number }[]) {
      cached.set(row.folderId, row.n);
    }
    return this.listFolders(accountId).map((f) => ({
      accountId,
      path: f.path,
      name: f.name,
      specialUse: f.specialUse,
      delimiter: f.delimiter,
      total: f.total,
      unread: f.unread,
      bodiesCached: cached.get(f.id) ?? 0,
      offline: f.offline,
    }));
  }

  /** Messages of a folder, newest first. */
  listMessages(accountId: string, folderPath: string, offset: number, limit: number): MessageSummary[] | null {
    const folder = this.getFolder(accountId, folderPath);
    if (!folder) return null;
    const rows = this.db
      .prepare(
        `SELECT uid, message_id, subject, from_name, from_addr, to_json, date, internal_date, flags_json, size, has_attachments, body_path
         FROM mail_messages WHERE folder_id = ? ORDER BY internal_date DESC, uid DESC LIMIT ? OFFSET ?`,
      )
      .all(folder.id, limit, offset) as MessageRow[];
    return rows.map((r) => toSummary(r, accountId, folderPath));
  }

  /**
   * One window of a folder's list for the virtualised list, newest first, and the size of the
   * whole filtered list. The window's row ids come from the covering index `mail_messages_list`
   * (OFFSET walks the index only, never the rows), then only `limit` rows are read.
   */
  listPage(accountId: string, folderPath: string, offset: number, limit: number, filter: MessageListFilter = 'all'): MessagePage | null {
    const folder = this.getFolder(accountId, folderPath);
    if (!folder) return null;
    const { where, total } = this.pageQueries(filter);
    const count = this.db.prepare(total).pluck().get(folder.id) as number;
    const rows = this.db.prepare(where).all(folder.id, limit, offset) as MessageRow[];
    return { total: count, offset, messages: rows.map((r) => toSummary(r, accountId, folderPath)) };
  }

  /** The SQL of `listPage` (exported for the query-plan test). */
  pageQueries(filter: MessageListFilter): { where: string; total: string } {
    const condition =
      filter === 'unread'
        ? ' AND seen = 0'
        : filter === 'flagged'
          ? ' AND flagged = 1'
          : filter === 'attachments'
            ? ' AND has_attachments = 1'
            : '';
    return {
      total: `SELECT count(*) FROM mail_messages WHERE folder_id = ?${condition}`,
      where: `SELECT uid, message_id, subject, from_name, from_addr, to_json, date, internal_date, flags_json, size, has_attachments, body_path
        FROM mail_messages WHERE id IN (
          SELECT id FROM mail_messages INDEXED BY mail_messages_list WHERE folder_id = ?${condition} ORDER BY internal_date DESC, uid DESC LIMIT ? OFFSET ?)
        ORDER BY internal_date DESC, uid DESC`,
    };
  }

  /**
   * Full-text search (accent- and case-insensitive FTS5) with filters, best first: bm25 with the
   * subject weighing most, then newest. Without a MATCH expression, filters only, newest first.
   */
  searchMessages(spec: MessageSearchSpec): MessageSummary[] {
    const columns = `m.account_id, f.path AS folder_path, m.uid, m.message_id, m.subject, m.from_name, m.from_addr, m.to_json, m.date, m.internal_date,
      m.flags_json, m.size, m.has_attachments, m.body_path`;
    const { filters, params } = searchFilters(spec);
    // LIMIT -1: every match.
    const limited = { ...params, limit: spec.limit ?? -1 };
    const unfiltered =
      spec.accountId === null && spec.folder === null && spec.before === null && spec.after === null && spec.hasAttachment === null;
    // No filter and a limit (the search field): the best matches are picked in the index alone, then joined to their
    // messages — not every match joined and sorted with all its columns (100 000 messages: a common word matches them all).
    const rows =
      spec.match && unfiltered && spec.limit !== undefined && spec.limit !== null && spec.limit > 0
        ? (this.cached(
            `WITH best AS (SELECT rowid AS id, bm25(mail_search, 8.0, 4.0, 2.0, 1.0, 3.0) AS score FROM mail_search
             WHERE mail_search MATCH @match ORDER BY score LIMIT @limit)
           SELECT ${columns} FROM best JOIN mail_messages m ON m.id = best.id JOIN mail_folders f ON f.id = m.folder_id
             ORDER BY best.score, coalesce(m.date, m.internal_date) DESC`,
          ).all({ match: spec.match, limit: spec.limit }) as MessageRow[])
        : spec.match
          ? (this.cached(
              `SELECT ${columns} FROM mail_search s JOIN mail_messages m ON m.id = s.rowid JOIN mail_folders f ON f.id = m.folder_id
             WHERE mail_search MATCH @match AND ${filters}
             ORDER BY bm25(mail_search, 8.0, 4.0, 2.0, 1.0, 3.0), coalesce(m.date, m.internal_date) DESC LIMIT @limit`,
            ).all({ ...limited, match: spec.match }) as MessageRow[])
          : (this.cached(
              `SELECT ${columns} FROM mail_messages m JOIN mail_folders f ON f.id = m.folder_id WHERE ${filters}
             ORDER BY coalesce(m.date, m.internal_date) DESC LIMIT @limit`,
            ).all(limited) as MessageRow[]);
    return rows.map((r) => toSummary(r, r.account_id!, r.folder_path!));
  }

  /** Ids of the folders of one account, or of every account. */
  folderIds(accountId: string | null): number[] {
    return (
      accountId === null
        ? this.cached('SELECT id FROM mail_folders ORDER BY id').pluck().all()
        : this.cached('SELECT id FROM mail_folders WHERE account_id = ? ORDER BY id').pluck().all(accountId)
    ) as number[];
  }

  /** Number of stored messages (every account). */
  countStoredMessages(): number {
    return this.cached('SELECT count(*) FROM mail_messages').pluck().get() as number;
  }

  /** True when this is the profile's one account (its messages are every stored message). */
  isOnlyAccount(accountId: string): boolean {
    const ids = this.cached('SELECT id FROM accounts LIMIT 2').pluck().all() as string[];
    return ids.length === 1 && ids[0] === accountId;
  }

  /**
   * Terms of the search index that start with `prefix` (folded as the index folds them: lower case, no accents), with
   * the number of messages holding each; null when there are more than `max`. Read through an fts5vocab table of this
   * connection's temp schema (nothing written to the profile).
   */
  indexTermsStartingWith(prefix: string, max: number): { term: string; docs: number }[] | null {
    if (!prefix) return null;
    if (!vocabReady.has(this.db)) {
      this.db.exec('CREATE VIRTUAL TABLE IF NOT EXISTS temp.mail_search_terms USING fts5vocab(main, mail_search, row)');
      vocabReady.add(this.db);
    }
    // Terms in [prefix, prefix with its last character incremented): the index compares them as UTF-8 bytes.
    const upper = prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
    const rows = this.cached('SELECT term, doc AS docs FROM temp.mail_search_terms WHERE term >= ? AND term < ? LIMIT ?').all(
      prefix,
      upper,
      max + 1,
    ) as { term: string; docs: number }[];
    return rows.length > max ? null : rows;
  }

  /**
   * The `limit` newest messages (by arrival, as the folder lists) of these folders that match `match`: each folder is
   * walked newest first through its list index, the search index asked about each message, and SQLite merges the
   * folders' walks, stopping at `limit`. Cheap when most messages match (a very common word) and only then; `match`
   * must hold exact terms (a prefix query would be expanded again for every message).
   */
  newestMatches(folderIds: number[], match: string, limit: number): MessageSummary[] {
    if (folderIds.length === 0) return [];
    const arm = (i: number) =>
      `SELECT * FROM (SELECT m.id, m.internal_date FROM mail_messages m INDEXED BY mail_messages_list WHERE m.folder_id = @f${i}
         AND EXISTS (SELECT 1 FROM mail_search WHERE mail_search MATCH @match AND rowid = m.id) ORDER BY m.internal_date DESC, m.uid DESC)`;
    const sql = `WITH hits AS (${folderIds.map((_, i) => arm(i)).join(' UNION ALL ')} ORDER BY 2 DESC LIMIT @limit)
      SELECT m.account_id, f.path AS folder_path, m.uid, m.message_id, m.subject, m.from_name, m.from_addr, m.to_json, m.date,
        m.internal_date, m.flags_json, m.size, m.has_attachments, m.body_path
      FROM hits JOIN mail_messages m ON m.id = hits.id JOIN mail_folders f ON f.id = m.folder_id
      ORDER BY hits.internal_date DESC, m.uid DESC`;
    const params: Record<string, string | number> = { match, limit };
    folderIds.forEach((id, i) => (params[`f${i}`] = id));
    const rows = this.cached(sql).all(params) as MessageRow[];
    return rows.map((r) => toSummary(r, r.account_id!, r.folder_path!));
  }

  /** Exact number of stored messages a search matches (the limit is ignored). */
  countSearch(spec: MessageSearchSpec): number {
    const { filters, params } = searchFilters(spec);
    const unfiltered =
      spec.accountId === null && spec.folder === null && spec.before === null && spec.after === null && spec.hasAttachment === null;
    // No filter: the index alone (every entry is a stored message), not each match joined to its message and folder.
    if (spec.match && unfiltered)
      return this.cached('SELECT count(*) FROM mail_search WHERE mail_search MATCH ?').pluck().get(spec.match) as number;
    const row = spec.match
      ? this.cached(
          `SELECT count(*) AS n FROM mail_search s JOIN mail_messages m ON m.id = s.rowid JOIN mail_folders f ON f.id = m.folder_id
             WHERE mail_search MATCH @match AND ${filters}`,
        ).get({ ...params, match: spec.match })
      : this.cached(`SELECT count(*) AS n FROM mail_messages m JOIN mail_folders f ON f.id = m.folder_id WHERE ${filters}`).get(params);
    return (row as { n: number }).n;
  }

  /** Stored messages of a folder, by server UID, whose body is not local (hits of a server-side search). */
  summariesWithoutBody(accountId: string, folderPath: string, uids: number[]): MessageSummary[] {
    const folder = this.getFolder(accountId, folderPath);
    if (!folder || uids.length === 0) return [];
    const stmt = this.db.prepare(
      `SELECT uid, message_id, subject, from_name, from_addr, to_json, date, internal_date, flags_json, size, has_attachments, body_path
       FROM mail_messages WHERE folder_id = ? AND uid = ? AND body_path IS NULL`,
    );
    const out: MessageSummary[] = [];
    for (const uid of [...uids].sort((a, b) => b - a)) {
      const row = stmt.get(folder.id, uid) as MessageRow | undefined;
      if (row) out.push(toSummary(row, accountId, folderPath));
    }
    return out;
  }

  // ---------------------------------------------------------------- local actions (optimistic, see operations.ts)

  /** Rows of a folder by UID (provisional negative UIDs included), for an action. */
  messagesByUids(folderId: number, uids: number[]): LocalMessageRef[] {
    const stmt = this.db.prepare(
      'SELECT id, uid, message_id AS messageId, flags_json AS flagsJson FROM mail_messages WHERE folder_id = ? AND uid = ?',
    );
    const out: LocalMessageRef[] = [];
    for (const uid of uids) {
      const row = stmt.get(folderId, uid) as { id: number; uid: number; messageId: string | null; flagsJson: string } | undefined;
      if (row) out.push({ id: row.id, uid: row.uid, messageId: row.messageId, flags: JSON.parse(row.flagsJson) as string[] });
    }
    return out;
  }

  /** Current UIDs of rows (by row id) that are in a folder. */
  uidsOfRows(folderId: number, rowIds: number[]): number[] {
    const stmt = this.db.prepare('SELECT uid FROM mail_messages WHERE id = ? AND folder_id = ?').pluck();
    return rowIds.map((id) => stmt.get(id, folderId) as number | undefined).filter((u): u is number => u !== undefined);
  }

  /** Set the flags of one row (local change waiting for the server). */
  setLocalFlags(rowId: number, flags: string[]): void {
    const sorted = [...new Set(flags)].sort();
    this.db
      .prepare('UPDATE mail_messages SET flags_json = ?, seen = ?, flagged = ? WHERE id = ?')
      .run(JSON.stringify(sorted), sorted.includes('\\Seen') ? 1 : 0, sorted.includes('\\Flagged') ? 1 : 0, rowId);
  }

  /**
   * A new provisional UID (−1, −2, …) for a message moved into a folder before the server gave its
   * UID; below every provisional UID of the store, so that an old journal entry never names another row.
   */
  nextProvisionalUid(folderId: number): number {
    void folderId;
    const min = this.db.prepare('SELECT min(uid) FROM mail_messages').pluck().get() as number | null;
    return Math.min(0, min ?? 0) - 1;
  }

  /** Move a row to another folder under a provisional UID; the row id (and its search entry) stays. */
  moveRow(rowId: number, targetFolderId: number, provisionalUid: number): void {
    this.db
      .prepare('UPDATE mail_messages SET folder_id = ?, uid = ?, modseq = NULL WHERE id = ?')
      .run(targetFolderId, provisionalUid, rowId);
  }

  /** Copy a row to another folder under a provisional UID. Returns the new row id. */
  copyRow(rowId: number, targetFolderId: number, provisionalUid: number): number {
    const info = this.db
      .prepare(
        `INSERT INTO mail_messages (account_id, folder_id, uid, modseq, message_id, subject, from_name, from_addr, to_json, cc_json,
           date, internal_date, flags_json, seen, flagged, size, has_attachments, body_path, in_reply_to, references_json, attachment_names, body_indexed)
         SELECT account_id, ?, ?, NULL, message_id, subject, from_name, from_addr, to_json, cc_json,
           date, internal_date, flags_json, seen, flagged, size, has_attachments, body_path, in_reply_to, references_json, attachment_names, 0
         FROM mail_messages WHERE id = ?`,
      )
      .run(targetFolderId, provisionalUid, rowId);
    return Number(info.lastInsertRowid);
  }

  deleteRow(rowId: number): void {
    this.db.prepare('DELETE FROM mail_messages WHERE id = ?').run(rowId);
  }

  /** Change the counts shown for a folder until the next sync brings the server's. */
  adjustFolderCounts(folderId: number, total: number, unread: number): void {
    this.db
      .prepare('UPDATE mail_folders SET total = max(0, total + ?), unread = max(0, unread + ?) WHERE id = ?')
      .run(total, unread, folderId);
  }

  /**
   * The server gave the real UID of a provisional row (UIDPLUS COPYUID): take it, unless the
   * folder sync already brought the message under that UID (then the provisional row goes).
   */
  resolveProvisional(folderId: number, provisionalUid: number, uid: number): void {
    this.db.transaction(() => {
      const real = this.db.prepare('SELECT id FROM mail_messages WHERE folder_id = ? AND uid = ?').get(folderId, uid) as
        { id: number } | undefined;
      if (real) this.db.prepare('DELETE FROM mail_messages WHERE folder_id = ? AND uid = ?').run(folderId, provisionalUid);
      else this.db.prepare('UPDATE mail_messages SET uid = ? WHERE folder_id = ? AND uid = ?').run(uid, folderId, provisionalUid);
    })();
  }

  /**
   * Before storing headers fetched from the server: provisional rows of the folder with the same
   * Message-ID take the real UID (keeping their body and search entry) instead of being doubled.
   */
  adoptProvisional(folderId: number, messages: { uid: number; messageId: string | null }[]): number {
    const find = this.db.prepare(
      'SELECT id FROM mail_messages WHERE folder_id = ? AND uid < 0 AND message_id = ? ORDER BY uid DESC LIMIT 1',
    );
    const exists = this.db.prepare('SELECT 1 FROM mail_messages WHERE folder_id = ? AND uid = ?');
    const setUid = this.db.prepare('UPDATE mail_messages SET uid = ? WHERE id = ?');
    let adopted = 0;
    this.db.transaction(() => {
      for (const m of messages) {
        if (!m.messageId || m.uid <= 0 || exists.get(folderId, m.uid)) continue;
        const row = find.get(folderId, m.messageId) as { id: number } | undefined;
        if (row) adopted += setUid.run(m.uid, row.id).changes;
      }
    })();
    return adopted;
  }

  /** Rows of a folder without a server UID yet. */
  countProvisional(folderId: number): number {
    return this.db.prepare('SELECT count(*) FROM mail_messages WHERE folder_id = ? AND uid < 0').pluck().get(folderId) as number;
  }

  /** Unread and total rows of a folder as stored (used while local changes wait for the server). */
  localCounts(folderId: number): { total: number; unread: number } {
    return this.db
      .prepare('SELECT count(*) AS total, coalesce(sum(seen = 0), 0) AS unread FROM mail_messages WHERE folder_id = ?')
      .get(folderId) as {
      total: number;
      unread: number;
    };
  }

  /** Payloads of the mail actions of an account not yet replayed (pending or running), oldest first. */
  pendingActionPayloads(accountId: string, kindPrefix: string): { kind: string; payload: unknown }[] {
    return (
      this.db
        .prepare(
          "SELECT kind, payload FROM operations WHERE account_id = ? AND state IN ('pending', 'running') AND kind LIKE ? || '%' ORDER BY id",
        )
        .all(accountId, kindPrefix) as { kind: string; payload: string }[]
    ).map((r) => ({ kind: r.kind, payload: JSON.parse(r.payload) as unknown }));
  }

  /** Stored messages of a folder that have a server UID. */
  countMessages(folderId: number): number {
    return this.db.prepare('SELECT count(*) FROM mail_messages WHERE folder_id = ? AND uid > 0').pluck().get(folderId) as number;
  }

  // ---------------------------------------------------------------- space used by offline reading

  /** Bodies kept on this computer (distinct blobs: one source copied in two folders is one file) and their bytes. */
  offlineBodiesSpace(): { bodies: number; bytes: number } {
    const row = this.db
      .prepare(
        `SELECT count(*) AS bodies, coalesce(sum(size), 0) AS bytes
         FROM (SELECT max(size) AS size FROM mail_messages WHERE body_path IS NOT NULL GROUP BY body_path)`,
      )
      .get() as { bodies: number; bytes: number };
    return row;
  }

  /**
   * Forget the local sources of a folder's messages outside the window (received before `before`, ISO; null: all of
   * them), never those without a server UID (local changes not yet on the server). Their rows, headers and the
   * subject/address/attachment part of the search index stay; the body text leaves the index. Returns the body paths
   * dropped (their blobs may still be used by other rows: see usedBodyPaths).
   */
  dropBodies(folderId: number, before: string | null): string[] {
    const rows = this.db
      .prepare(
        `SELECT id, body_path AS bodyPath FROM mail_messages
         WHERE folder_id = ? AND uid > 0 AND body_path IS NOT NULL AND (? IS NULL OR coalesce(internal_date, date) < ?)`,
      )
      .all(folderId, before, before) as { id: number; bodyPath: string }[];
    if (rows.length === 0) return [];
    const clear = this.cached('UPDATE mail_messages SET body_path = NULL, body_indexed = 0 WHERE id = ?');
    const index = this.cached(INDEX_BODY_SQL);
    this.db.transaction(() => {
      for (const r of rows) {
        clear.run(r.id);
        index.run('', r.id);
      }
    })();
    return rows.map((r) => r.bodyPath);
  }

  /** Every blob a stored message points at (one pass; body_path has no index of its own). */
  usedBodyPaths(): Set<string> {
    return new Set(this.db.prepare('SELECT DISTINCT body_path FROM mail_messages WHERE body_path IS NOT NULL').pluck().all() as string[]);
  }

  /** The From address of a stored message of the account, by its Message-ID (null when no stored message has it). */
  senderOf(accountId: string, messageId: string): string | null {
    const row = this.db
      .prepare('SELECT from_addr FROM mail_messages WHERE account_id = ? AND message_id = ? AND from_addr IS NOT NULL LIMIT 1')
      .get(accountId, messageId) as { from_addr: string } | undefined;
    return row?.from_addr ?? null;
  }
}
