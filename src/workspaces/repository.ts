/**
 * Local copy of the espaces de travail and their Discussion (every SQL on these tables lives here).
 * The server holds the truth (room configuration, affiliations, archive, bookmarks): this copy serves the offline
 * reading and is rebuilt by workspaces.refresh.
 *
 * Tables: migrations 012_workspaces.sql, 013_workspaces_queue.sql (offline queue, unread and mentions) and
 * 015_chat_edits.sql (replies, edits, deletions), 017_chat_paging.sql (order within a second, gaps before archive pages).
 */
import type Database from 'better-sqlite3';
import type { ChatMessage, Workspace } from '../shared/contract.js';

interface WorkspaceRow {
  id: string;
  account_id: string;
  name: string;
  description: string;
  members: string;
  owner: string | null;
  documents_url: string | null;
  visio_room: string;
  created_at: string;
}

interface MessageRow {
  workspace_id: string;
  id: string;
  sender: string;
  body: string;
  sent_at: string;
  pending: number;
  mentions_me: number;
  reply_to: string | null;
  edited_at: string | null;
  retracted: number;
  reply_from: string | null;
  reply_body: string | null;
  reply_retracted: number | null;
}

/** A message to store: from the archive, live from the room, or written here (pending). */
export interface StoredMessage {
  id: string;
  originId: string | null;
  sender: string;
  body: string;
  sentAt: string;
  /** Whether the agent has read it (its own messages are); a message already stored keeps its own state. */
  seen?: boolean;
  mentionsMe?: boolean;
  /** Archive id of the message answered (XEP-0461). */
  replyTo?: string | null;
  /** This message corrects (XEP-0308) or deletes (XEP-0424) the message with this id: applied, not stored. */
  replaces?: string | null;
  retracts?: string | null;
  /** Whether the room vouches for `sender` (a correction or deletion from an unknown sender is ignored). */
  senderVouched?: boolean;
}

/**
 * How a batch of messages came: an archive page (contiguous in the archive: only its first message may have a gap
 * before it, none when the archive said it starts there; read `before` a kept message, that message's gap is closed and
 * the page is ordered below it) or live from the room (no page).
 */
export interface ArchivePage {
  complete: boolean;
  /** The kept message (archive id) this page was read before, if any. */
  before?: string | null;
}

/** One page of a Discussion read from the local copy, oldest first. */
export interface LocalPage {
  messages: ChatMessage[];
  /** Archived messages older than the page's first (or than the cursor) may be missing here: ask the archive. */
  gap: boolean;
  /** Nothing older exists, here or in the archive. */
  complete: boolean;
}

/** A message of the offline queue. */
export interface PendingMessage {
  accountId: string;
  workspaceId: string;
  originId: string;
  body: string;
  sentAt: string;
  replyTo: string | null;
}

/** What storeMessages did: new messages (mention notices), and corrections applied or ignored (forged). */
export interface StoreResult {
  added: StoredMessage[];
  corrected: string[];
  ignored: { target: string; sender: string; reason: 'unknown' | 'not-sender' }[];
}

const toWorkspace = (r: WorkspaceRow & { unread?: number; mentions?: number }): Workspace => ({
  id: r.id,
  accountId: r.account_id,
  name: r.name,
  description: r.description,
  members: JSON.parse(r.members) as string[],
  owner: r.owner,
  documentsUrl: r.documents_url,
  visioRoom: r.visio_room,
  createdAt: r.created_at,
  unread: r.unread ?? 0,
  mentions: r.mentions ?? 0,
});

const toMessage = (r: MessageRow): ChatMessage => ({
  id: r.id,
  workspaceId: r.workspace_id,
  from: r.sender,
  text: r.body,
  sentAt: r.sent_at,
  pending: r.pending === 1,
  mentionsMe: r.mentions_me === 1,
  replyTo: r.reply_to ? { id: r.reply_to, from: r.reply_from, text: r.reply_body ?? null, retracted: r.reply_retracted === 1 } : null,
  editedAt: r.edited_at,
  retracted: r.retracted === 1,
  // Set by the service, which knows the account's server (src/workspaces/chat-files.ts).
  file: null,
});

/** A message with the sender and text of the message it answers (when this computer has it). */
const SELECT_MESSAGE = `SELECT m.*, r.sender AS reply_from, r.body AS reply_body, r.retracted AS reply_retracted
  FROM chat_messages m LEFT JOIN chat_messages r
    ON m.reply_to IS NOT NULL AND r.account_id = m.account_id AND r.workspace_id = m.workspace_id AND r.id = m.reply_to`;

const WITH_COUNTS = `SELECT w.*,
  (SELECT COUNT(*) FROM chat_messages m WHERE m.account_id = w.account_id AND m.workspace_id = w.id AND m.seen = 0) AS unread,
  (SELECT COUNT(*) FROM chat_messages m WHERE m.account_id = w.account_id AND m.workspace_id = w.id AND m.seen = 0
     AND m.mentions_me = 1) AS mentions
  FROM workspaces w`;

export class WorkspaceRepository {
  constructor(private readonly db: Database.Database) {}

  list(): Workspace[] {
    return (this.db.prepare(`${WITH_COUNTS} ORDER BY w.name COLLATE NOCASE`).all() as WorkspaceRow[]).map(toWorkspace);
  }

  listFor(accountId: string): Workspace[] {
    return (this.db.prepare('SELECT * FROM workspaces WHERE account_id = ?').all(accountId) as WorkspaceRow[]).map(toWorkspace);
  }

  get(id: string): Workspace | null {
    const row = this.db.prepare(`${WITH_COUNTS} WHERE w.id = ? LIMIT 1`).get(id) as WorkspaceRow | undefined;
    return row ? toWorkspace(row) : null;
  }

  /** Whether the account has this space (cheap: one row by its key). */
  has(accountId: string, id: string): boolean {
    return this.db.prepare('SELECT 1 FROM workspaces WHERE account_id = ? AND id = ?').get(accountId, id) !== undefined;
  }

  upsert(w: Workspace): void {
    this.db
      .prepare(
        `INSERT INTO workspaces (id, account_id, name, description, members, owner, documents_url, visio_room, created_at)
         VALUES (@id, @accountId, @name, @description, @members, @owner, @documentsUrl, @visioRoom, @createdAt)
         ON CONFLICT (account_id, id) DO UPDATE SET name = excluded.name, description = excluded.description,
           members = excluded.members, owner = COALESCE(excluded.owner, owner), documents_url = excluded.documents_url,
           visio_room = excluded.visio_room`,
      )
      .run({ ...w, members: JSON.stringify(w.members) });
  }

  /** Sets the space's visio room; whether it changed. */
  setVisioRoom(accountId: string, id: string, visioRoom: string): boolean {
    return (
      this.db
        .prepare('UPDATE workspaces SET visio_room = ? WHERE account_id = ? AND id = ? AND visio_room IS NOT ?')
        .run(visioRoom, accountId, id, visioRoom).changes > 0
    );
  }

  remove(accountId: string, id: string): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM workspaces WHERE account_id = ? AND id = ?').run(accountId, id);
      this.db.prepare('DELETE FROM chat_messages WHERE account_id = ? AND workspace_id = ?').run(accountId, id);
    })();
  }

  /**
   * Stores archived or live messages, in their order; a pending copy with the same origin id is replaced by the
   * archived one. A correction (XEP-0308) or deletion (XEP-0424) is applied to the message it names only when it comes
   * from that message's own sender, as the room vouches for it: anyone else's is ignored (and reported in `ignored`).
   */
  storeMessages(accountId: string, workspaceId: string, messages: StoredMessage[], page?: ArchivePage): StoreResult {
    const dropPending = this.db.prepare(
      'DELETE FROM chat_messages WHERE account_id = ? AND workspace_id = ? AND origin_id = ? AND pending = 1',
    );
    const known = this.db.prepare(
      'SELECT seen, body, edited_at, retracted, seq, gap_before FROM chat_messages WHERE account_id = ? AND workspace_id = ? AND id = ?',
    );
    const insert = this.db.prepare(
      // A newer page or a live message takes numbers above the kept ones, again for a message read again: a page stored
      // in archive order keeps that order for messages of the same second (the archive's stamps have no milliseconds).
      // An older page (read before a kept message) takes the numbers right below that message, a message of the page
      // already kept too.
      `INSERT OR REPLACE INTO chat_messages (account_id, workspace_id, id, origin_id, sender, body, sent_at, pending, seen,
         mentions_me, reply_to, edited_at, retracted, seq, gap_before)
       VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const older = Boolean(page?.before);
    let next = 0;
    const hasArchived = (): boolean =>
      this.db
        .prepare('SELECT 1 FROM chat_messages WHERE account_id = ? AND workspace_id = ? AND pending = 0 LIMIT 1')
        .get(accountId, workspaceId) !== undefined;
    const closeGap = this.db.prepare('UPDATE chat_messages SET gap_before = 0 WHERE account_id = ? AND workspace_id = ? AND id = ?');
    let firstStored = true;
    /** The first message of a newer page as stored: its second and number. */
    let pageStart: { sentAt: string; seq: number } | null = null;
    const target = this.db.prepare(
      `SELECT id, sender FROM chat_messages WHERE account_id = ? AND workspace_id = ? AND pending = 0 AND (id = ? OR origin_id = ?)
       ORDER BY rowid LIMIT 1`,
    );
    const correct = this.db.prepare(
      // A later correction wins (an archive page read again applies its corrections again, in their order).
      `UPDATE chat_messages SET body = ?, edited_at = ?
       WHERE account_id = ? AND workspace_id = ? AND id = ? AND retracted = 0 AND (edited_at IS NULL OR edited_at <= ?)`,
    );
    const retract = this.db.prepare(
      `UPDATE chat_messages SET body = '', retracted = 1, mentions_me = 0, seen = 1 WHERE account_id = ? AND workspace_id = ? AND id = ?`,
    );
    const result: StoreResult = { added: [], corrected: [], ignored: [] };
    // One format for every stamp, to the second like the archive's (the text order is then the time order, and
    // messages of the same second keep the order they were stored in: the archive's).
    const stamp = (sentAt: string): string => {
      const at = Math.floor(new Date(sentAt).getTime() / 1000) * 1000;
      return Number.isNaN(at) ? sentAt : new Date(at).toISOString();
    };
    this.db.transaction(() => {
      const bounds = this.db
        .prepare(
          'SELECT COALESCE(MIN(seq), 0) AS low, COALESCE(MAX(seq), 0) AS high FROM chat_messages WHERE account_id = ? AND workspace_id = ?',
        )
        .get(accountId, workspaceId) as { low: number; high: number };
      next = bounds.high + 1;
      if (older) {
        // The page goes right before that message: the messages ordered before it move down to make room (their order
        // kept), so a page filling a gap sits between the two sides of the gap, also within one second.
        const anchor = this.db
          .prepare('SELECT seq FROM chat_messages WHERE account_id = ? AND workspace_id = ? AND id = ?')
          .get(accountId, workspaceId, page!.before) as { seq: number } | undefined;
        if (anchor) {
          this.db
            .prepare('UPDATE chat_messages SET seq = seq - ? WHERE account_id = ? AND workspace_id = ? AND seq < ?')
            .run(messages.length, accountId, workspaceId, anchor.seq);
          next = anchor.seq - messages.length;
        } else next = bounds.low - messages.length - 1;
      }
      for (const m of messages) {
        const ref = m.retracts ?? m.replaces;
        if (ref) {
          const row = target.get(accountId, workspaceId, ref, ref) as { id: string; sender: string } | undefined;
          if (!row) result.ignored.push({ target: ref, sender: m.sender, reason: 'unknown' });
          else if (!m.senderVouched || row.sender !== m.sender)
            result.ignored.push({ target: ref, sender: m.sender, reason: 'not-sender' });
          else {
            if (m.retracts) retract.run(accountId, workspaceId, row.id);
            else correct.run(m.body, stamp(m.sentAt), accountId, workspaceId, row.id, stamp(m.sentAt));
            result.corrected.push(row.id);
          }
          continue;
        }
        const before = known.get(accountId, workspaceId, m.id) as
          { seen: number; body: string; edited_at: string | null; retracted: number; seq: number; gap_before: number } | undefined;
        // What the local copy knows of the archived messages before this one: in a page, those before it in the page
        // (its first message: nothing, unless the archive starts there); live, the messages kept (none on a new copy).
        const gap = before
          ? firstStored || !page
            ? before.gap_before
            : 0
          : page
            ? firstStored && !page.complete
              ? 1
              : 0
            : hasArchived()
              ? 0
              : 1;
        firstStored = false;
        // Every message of a page takes its slot in the page's order, one already kept too (received live while the
        // copy had a gap: its old number could sit anywhere among the page's messages of the same second).
        const seq = next++;
        if (page && !older && pageStart === null) pageStart = { sentAt: stamp(m.sentAt), seq };
        let seen = before?.seen;
        if (m.originId && dropPending.run(accountId, workspaceId, m.originId).changes > 0) seen = 1;
        if (seen === undefined) result.added.push(m);
        // Read again from the archive, the message keeps the corrections and deletion applied to it since.
        const changed = before && (before.edited_at !== null || before.retracted === 1);
        insert.run(
          accountId,
          workspaceId,
          m.id,
          m.originId,
          m.sender,
          changed ? before.body : m.body,
          stamp(m.sentAt),
          seen ?? (m.seen === false ? 0 : 1),
          m.mentionsMe && !before?.retracted ? 1 : 0,
          m.replyTo ?? null,
          changed ? before.edited_at : null,
          changed ? before.retracted : 0,
          seq,
          gap,
        );
      }
      // The page is what comes right before that message in the archive: nothing is missing before it any more.
      if (page?.before) closeGap.run(accountId, workspaceId, page.before);
      // A newer page comes after every kept message not in it. One received live was stamped with this computer's
      // clock when it came, a few milliseconds after the archive stamped it: near the turn of a second it could sort
      // after the page's first messages. It takes the page's first second at most (its number already sorts it first).
      if (pageStart)
        this.db
          .prepare(
            'UPDATE chat_messages SET sent_at = ? WHERE account_id = ? AND workspace_id = ? AND pending = 0 AND seq < ? AND sent_at > ?',
          )
          .run(pageStart.sentAt, accountId, workspaceId, pageStart.seq, pageStart.sentAt);
    })();
    return result;
  }

  /** Puts a message written here in the offline queue (pending until the archive holds it). */
  addPending(p: PendingMessage & { sender: string }): void {
    this.db
      .prepare(
        `INSERT INTO chat_messages (account_id, workspace_id, id, origin_id, sender, body, sent_at, pending, seen, queued_at, reply_to, seq)
         VALUES (?, ?, ?, ?, ?, ?, ?, 1, 1, ?, ?,
           (SELECT COALESCE(MAX(seq), 0) + 1 FROM chat_messages WHERE account_id = ? AND workspace_id = ?))`,
      )
      .run(
        p.accountId,
        p.workspaceId,
        p.originId,
        p.originId,
        p.sender,
        p.body,
        p.sentAt,
        Date.now(),
        p.replyTo,
        p.accountId,
        p.workspaceId,
      );
  }

  /** The queue of one space (or of every space of the account), in the order it was written. */
  pending(accountId: string, workspaceId?: string): PendingMessage[] {
    const rows = this.db
      .prepare(
        `SELECT account_id, workspace_id, origin_id, body, sent_at, reply_to FROM chat_messages
         WHERE account_id = ? AND pending = 1 AND (? IS NULL OR workspace_id = ?) ORDER BY queued_at, rowid`,
      )
      .all(accountId, workspaceId ?? null, workspaceId ?? null) as {
      account_id: string;
      workspace_id: string;
      origin_id: string;
      body: string;
      sent_at: string;
      reply_to: string | null;
    }[];
    return rows.map((r) => ({
      accountId: r.account_id,
      workspaceId: r.workspace_id,
      originId: r.origin_id,
      body: r.body,
      sentAt: r.sent_at,
      replyTo: r.reply_to,
    }));
  }

  /** Accounts with something in their queue. */
  accountsWithPending(): string[] {
    return this.db.prepare('SELECT DISTINCT account_id FROM chat_messages WHERE pending = 1').pluck().all() as string[];
  }

  dropPending(accountId: string, workspaceId: string, originId: string): void {
    this.db
      .prepare('DELETE FROM chat_messages WHERE account_id = ? AND workspace_id = ? AND origin_id = ? AND pending = 1')
      .run(accountId, workspaceId, originId);
  }

  /** The message with this archive id or origin id. */
  message(workspaceId: string, id: string): ChatMessage | null {
    const row = this.db
      .prepare(`${SELECT_MESSAGE} WHERE m.workspace_id = ? AND (m.id = ? OR m.origin_id = ?) ORDER BY m.pending LIMIT 1`)
      .get(workspaceId, id, id) as MessageRow | undefined;
    return row ? toMessage(row) : null;
  }

  /** The stored message with this archive id or origin id, as corrections and deletions need it. */
  messageRef(
    workspaceId: string,
    id: string,
  ): { id: string; originId: string | null; sender: string; pending: boolean; retracted: boolean } | null {
    const row = this.db
      .prepare(
        `SELECT id, origin_id, sender, pending, retracted FROM chat_messages WHERE workspace_id = ? AND (id = ? OR origin_id = ?)
         ORDER BY pending LIMIT 1`,
      )
      .get(workspaceId, id, id) as { id: string; origin_id: string | null; sender: string; pending: number; retracted: number } | undefined;
    return row
      ? { id: row.id, originId: row.origin_id, sender: row.sender, pending: row.pending === 1, retracted: row.retracted === 1 }
      : null;
  }

  /** The direct discussions (keys starting with `prefix`): unread count and latest message, latest first. */
  directConversations(prefix: string): {
    accountId: string;
    workspaceId: string;
    unread: number;
    lastAt: string;
    lastText: string;
    lastFrom: string;
  }[] {
    const rows = this.db
      .prepare(
        `SELECT m.account_id, m.workspace_id, m.sent_at, m.body, m.sender,
           (SELECT COUNT(*) FROM chat_messages u WHERE u.account_id = m.account_id AND u.workspace_id = m.workspace_id AND u.seen = 0) AS unread
         FROM chat_messages m
         WHERE m.workspace_id >= ? AND m.workspace_id < ? AND m.rowid = (
           SELECT l.rowid FROM chat_messages l WHERE l.account_id = m.account_id AND l.workspace_id = m.workspace_id
           ORDER BY l.sent_at DESC, l.seq DESC LIMIT 1)
         ORDER BY m.sent_at DESC`,
      )
      .all(prefix, `${prefix}\uffff`) as {
      account_id: string;
      workspace_id: string;
      sent_at: string;
      body: string;
      sender: string;
      unread: number;
    }[];
    return rows.map((r) => ({
      accountId: r.account_id,
      workspaceId: r.workspace_id,
      unread: r.unread,
      lastAt: r.sent_at,
      lastText: r.body,
      lastFrom: r.sender,
    }));
  }

  /** Drops a message kept under its own origin id (sent, not found in the archive then) once the archive has it. */
  dropProvisional(accountId: string, workspaceId: string, originId: string): void {
    this.db
      .prepare('DELETE FROM chat_messages WHERE account_id = ? AND workspace_id = ? AND id = ? AND origin_id = ? AND pending = 0')
      .run(accountId, workspaceId, originId, originId);
  }

  /** Everything of the space counts as read. */
  markRead(workspaceId: string): void {
    this.db.prepare('UPDATE chat_messages SET seen = 1 WHERE workspace_id = ? AND seen = 0').run(workspaceId);
  }

  /**
   * Messages whose text holds every word of `query` (word starts, accents and case ignored: FTS5 unicode61 with
   * remove_diacritics), newest first; in one space or in all of them. Local: works offline.
   */
  search(query: string, workspaceId: string | null, limit: number): ChatMessage[] {
    const words = query
      .normalize('NFC')
      .split(/[^\p{L}\p{N}]+/u)
      .filter(Boolean)
      .slice(0, 20);
    if (words.length === 0) return [];
    // Each word quoted (no FTS operator can slip in) and matched as a prefix.
    const match = words.map((w) => `"${w.replace(/"/g, '""')}"*`).join(' ');
    const rows = this.db
      .prepare(
        `${SELECT_MESSAGE} JOIN chat_search s ON s.rowid = m.rowid
         WHERE chat_search MATCH ? AND m.retracted = 0 AND (? IS NULL OR m.workspace_id = ?)
         ORDER BY m.sent_at DESC, m.seq DESC LIMIT ?`,
      )
      .all(match, workspaceId, workspaceId, limit) as MessageRow[];
    return rows.map(toMessage);
  }

  /** The latest `limit` messages, oldest first. */
  /** The account a message is kept under. */
  accountOf(workspaceId: string, id: string): string | null {
    return (
      (this.db.prepare('SELECT account_id FROM chat_messages WHERE workspace_id = ? AND id = ? LIMIT 1').pluck().get(workspaceId, id) as
        string | undefined) ?? null
    );
  }

  /** Whether a message of the Discussion has this text (a shared file's address). */
  hasBody(accountId: string, workspaceId: string, body: string): boolean {
    return (
      this.db
        .prepare('SELECT 1 FROM chat_messages WHERE account_id = ? AND workspace_id = ? AND trim(body) = ? AND retracted = 0 LIMIT 1')
        .get(accountId, workspaceId, body) !== undefined
    );
  }

  history(workspaceId: string, limit: number): ChatMessage[] {
    const rows = this.db
      .prepare(`${SELECT_MESSAGE} WHERE m.workspace_id = ? ORDER BY m.sent_at DESC, m.seq DESC LIMIT ?`)
      .all(workspaceId, limit) as MessageRow[];
    return rows.reverse().map(toMessage);
  }

  /**
   * Up to `limit` messages older than the message `before` (archive id or origin id; the latest ones without it),
   * oldest first, as far as the local copy is known to hold every archived message: the page stops at a message with
   * a gap before it (`gap`: ask the archive for what precedes it).
   */
  page(workspaceId: string, before: string | null, limit: number): LocalPage {
    let rows: (MessageRow & { gap_before: number })[];
    if (before) {
      const cursor = this.db
        .prepare(
          'SELECT sent_at, seq, gap_before FROM chat_messages WHERE workspace_id = ? AND (id = ? OR origin_id = ?) ORDER BY pending LIMIT 1',
        )
        .get(workspaceId, before, before) as { sent_at: string; seq: number; gap_before: number } | undefined;
      if (!cursor) return { messages: [], gap: false, complete: true };
      if (cursor.gap_before === 1) return { messages: [], gap: true, complete: false };
      rows = this.db
        .prepare(
          `${SELECT_MESSAGE} WHERE m.workspace_id = ? AND (m.sent_at < ? OR (m.sent_at = ? AND m.seq < ?))
           ORDER BY m.sent_at DESC, m.seq DESC LIMIT ?`,
        )
        .all(workspaceId, cursor.sent_at, cursor.sent_at, cursor.seq, limit) as (MessageRow & { gap_before: number })[];
    } else {
      rows = this.db
        .prepare(`${SELECT_MESSAGE} WHERE m.workspace_id = ? ORDER BY m.sent_at DESC, m.seq DESC LIMIT ?`)
        .all(workspaceId, limit) as (MessageRow & { gap_before: number })[];
      // Nothing kept: whether the archive has anything is not known here.
      if (rows.length === 0) return { messages: [], gap: true, complete: false };
    }
    const kept: ChatMessage[] = [];
    let gap = false;
    for (const r of rows) {
      kept.push(toMessage(r));
      if (r.gap_before === 1) {
        gap = true;
        break;
      }
    }
    return { messages: kept.reverse(), gap, complete: !gap && rows.length < limit };
  }
}
