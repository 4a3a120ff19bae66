import type Database from 'better-sqlite3';
import type { Address, FolderInfo, MessageSummary, SpecialUse } from '../api/contract.js';
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
}

interface MessageRow {
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
  };
}

/** All SQL of the mail store (tables of 002_mail.sql). Synchronous, like better-sqlite3. */
export class MailRepository {
  constructor(private readonly db: Database.Database) {}

  // ---------------------------------------------------------------- folders

  listFolders(accountId: string): FolderRecord[] {
    const rows = this.db.prepare('SELECT * FROM mail_folders WHERE account_id = ? ORDER BY path').all(accountId) as FolderRow[];
    return rows.map(toFolder).sort((a, b) => folderSortKey(a.specialUse) - folderSortKey(b.specialUse) || a.path.localeCompare(b.path, 'fr'));
  }

  getFolder(accountId: string, path: string): FolderRecord | null {
    const row = this.db.prepare('SELECT * FROM mail_folders WHERE account_id = ? AND path = ?').get(accountId, path) as FolderRow | undefined;
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
        upsert.run({ accountId, path: f.path, name: f.name, specialUse: f.specialUse, delimiter: f.delimiter, subscribed: f.subscribed ? 1 : 0 });
      }
    })();
    return this.listFolders(accountId);
  }

  /** Server counts from STATUS. */
  setFolderCounts(folderId: number, total: number, unread: number): void {
    this.db.prepare('UPDATE mail_folders SET total = ?, unread = ? WHERE id = ?').run(total, unread, folderId);
  }

  /** Sync state after a successful folder sync. */
  setFolderSyncState(folderId: number, state: { uidValidity: string; uidNext: number | null; highestModseq: string | null; syncedAt: string }): void {
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
    const stmt = this.db.prepare(
      `INSERT INTO mail_messages (account_id, folder_id, uid, modseq, message_id, subject, from_name, from_addr, to_json, cc_json,
         date, internal_date, flags_json, seen, flagged, size, has_attachments, in_reply_to, references_json, attachment_names)
       VALUES (@accountId, @folderId, @uid, @modseq, @messageId, @subject, @fromName, @fromAddr, @to, @cc,
         @date, @internalDate, @flags, @seen, @flagged, @size, @hasAttachments, @inReplyTo, @references, @attachmentNames)
       ON CONFLICT (folder_id, uid) DO UPDATE SET modseq = excluded.modseq, flags_json = excluded.flags_json,
         seen = excluded.seen, flagged = excluded.flagged`,
    );
    this.db.transaction(() => {
      for (const m of messages) {
        stmt.run({
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
        });
      }
    })();
  }

  /** Flag changes only (CONDSTORE CHANGEDSINCE, or a full flags refresh). Unknown UIDs are ignored. */
  updateFlags(folderId: number, changes: { uid: number; flags: string[]; modseq: string | null }[]): number {
    const stmt = this.db.prepare('UPDATE mail_messages SET flags_json = ?, seen = ?, flagged = ?, modseq = coalesce(?, modseq) WHERE folder_id = ? AND uid = ?');
    let changed = 0;
    this.db.transaction(() => {
      for (const c of changes) {
        changed += stmt.run(JSON.stringify(c.flags), c.flags.includes('\\Seen') ? 1 : 0, c.flags.includes('\\Flagged') ? 1 : 0, c.modseq, folderId, c.uid).changes;
      }
    })();
    return changed;
  }

  /** Every stored UID of a folder, ascending. */
  listUids(folderId: number): number[] {
    return (this.db.prepare('SELECT uid FROM mail_messages WHERE folder_id = ? ORDER BY uid').pluck().all(folderId) as number[]);
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

  /** Messages of a folder without a local source, newest first, that arrived after `since` (ISO). */
  listMissingBodies(folderId: number, since: string, limit: number): { uid: number; size: number }[] {
    return this.db
      .prepare(
        `SELECT uid, size FROM mail_messages WHERE folder_id = ? AND body_path IS NULL AND coalesce(internal_date, date) >= ?
         ORDER BY internal_date DESC, uid DESC LIMIT ?`,
      )
      .all(folderId, since, limit) as { uid: number; size: number }[];
  }

  setBodyPath(folderId: number, uid: number, bodyPath: string): void {
    this.db.prepare('UPDATE mail_messages SET body_path = ? WHERE folder_id = ? AND uid = ?').run(bodyPath, folderId, uid);
  }

  /** Every body path of an account (to check blobs on disk). */
  listBodyPaths(folderId: number): { uid: number; bodyPath: string }[] {
    return this.db.prepare('SELECT uid, body_path AS bodyPath FROM mail_messages WHERE folder_id = ? AND body_path IS NOT NULL').all(folderId) as {
      uid: number;
      bodyPath: string;
    }[];
  }

  /** Forget body paths whose blob vanished from disk. */
  clearBodyPaths(folderId: number, uids: number[]): void {
    const stmt = this.db.prepare('UPDATE mail_messages SET body_path = NULL WHERE folder_id = ? AND uid = ?');
    this.db.transaction(() => {
      for (const uid of uids) stmt.run(folderId, uid);
    })();
  }

  /** Index body text for search (subject, addresses and attachment names are indexed by trigger on insert). */
  indexBody(folderId: number, uid: number, bodyText: string): void {
    const row = this.db.prepare('SELECT id FROM mail_messages WHERE folder_id = ? AND uid = ?').get(folderId, uid) as { id: number } | undefined;
    if (!row) return;
    this.db
      .prepare(
        `INSERT OR REPLACE INTO mail_search (rowid, subject, sender, recipients, body, attachments)
         SELECT m.id, m.subject,
           coalesce(m.from_name, '') || ' ' || coalesce(m.from_addr, ''),
           (SELECT coalesce(group_concat(coalesce(json_extract(value, '$.name'), '') || ' ' || coalesce(json_extract(value, '$.address'), ''), ' '), '') FROM json_each(m.to_json)) || ' ' ||
           (SELECT coalesce(group_concat(coalesce(json_extract(value, '$.name'), '') || ' ' || coalesce(json_extract(value, '$.address'), ''), ' '), '') FROM json_each(m.cc_json)),
           ?, m.attachment_names
         FROM mail_messages m WHERE m.id = ?`,
      )
      .run(bodyText, row.id);
  }

  // ---------------------------------------------------------------- reads for the API

  /** Folders with counts for the UI and `status --json`. `bodiesCached` counts messages whose source is on disk. */
  folderInfos(accountId: string): FolderInfo[] {
    const cached = new Map<number, number>();
    for (const row of this.db
      .prepare('SELECT folder_id AS folderId, count(*) AS n FROM mail_messages WHERE account_id = ? AND body_path IS NOT NULL GROUP BY folder_id')
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
    return rows.map((r) => ({
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
    }));
  }

  countMessages(folderId: number): number {
    return this.db.prepare('SELECT count(*) FROM mail_messages WHERE folder_id = ?').pluck().get(folderId) as number;
  }
}
