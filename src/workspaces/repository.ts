/**
 * Local copy of the espaces de travail and their Discussion (every SQL on these tables lives here).
 * The server holds the truth (room configuration, affiliations, archive, bookmarks): this copy serves the offline
 * reading and is rebuilt by workspaces.refresh.
 *
 * Tables: migrations 012_workspaces.sql and 013_workspaces_queue.sql (offline queue, unread and mentions).
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
}

/** A message of the offline queue. */
export interface PendingMessage {
  accountId: string;
  workspaceId: string;
  originId: string;
  body: string;
  sentAt: string;
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
});

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

  remove(accountId: string, id: string): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM workspaces WHERE account_id = ? AND id = ?').run(accountId, id);
      this.db.prepare('DELETE FROM chat_messages WHERE account_id = ? AND workspace_id = ?').run(accountId, id);
    })();
  }

  /**
   * Stores archived or live messages; a pending copy with the same origin id is replaced by the archived one.
   * Returns the messages that were not stored before (for the mention notices).
   */
  storeMessages(accountId: string, workspaceId: string, messages: StoredMessage[]): StoredMessage[] {
    const dropPending = this.db.prepare(
      'DELETE FROM chat_messages WHERE account_id = ? AND workspace_id = ? AND origin_id = ? AND pending = 1',
    );
    const known = this.db.prepare('SELECT seen FROM chat_messages WHERE account_id = ? AND workspace_id = ? AND id = ?').pluck();
    const insert = this.db.prepare(
      // REPLACE gives the row a new rowid: a page stored in archive order keeps that order for messages of the
      // same second (the archive's stamps have no milliseconds).
      `INSERT OR REPLACE INTO chat_messages (account_id, workspace_id, id, origin_id, sender, body, sent_at, pending, seen, mentions_me)
       VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?)`,
    );
    const added: StoredMessage[] = [];
    this.db.transaction(() => {
      for (const m of messages) {
        let seen = known.get(accountId, workspaceId, m.id) as number | undefined;
        if (m.originId && dropPending.run(accountId, workspaceId, m.originId).changes > 0) seen = 1;
        if (seen === undefined) added.push(m);
        // One format for every stamp, to the second like the archive's (the text order is then the time order, and
        // messages of the same second keep the order they were stored in: the archive's).
        const at = Math.floor(new Date(m.sentAt).getTime() / 1000) * 1000;
        insert.run(
          accountId,
          workspaceId,
          m.id,
          m.originId,
          m.sender,
          m.body,
          Number.isNaN(at) ? m.sentAt : new Date(at).toISOString(),
          seen ?? (m.seen === false ? 0 : 1),
          m.mentionsMe ? 1 : 0,
        );
      }
    })();
    return added;
  }

  /** Puts a message written here in the offline queue (pending until the archive holds it). */
  addPending(p: PendingMessage & { sender: string }): void {
    this.db
      .prepare(
        `INSERT INTO chat_messages (account_id, workspace_id, id, origin_id, sender, body, sent_at, pending, seen, queued_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 1, 1, ?)`,
      )
      .run(p.accountId, p.workspaceId, p.originId, p.originId, p.sender, p.body, p.sentAt, Date.now());
  }

  /** The queue of one space (or of every space of the account), in the order it was written. */
  pending(accountId: string, workspaceId?: string): PendingMessage[] {
    const rows = this.db
      .prepare(
        `SELECT account_id, workspace_id, origin_id, body, sent_at FROM chat_messages
         WHERE account_id = ? AND pending = 1 AND (? IS NULL OR workspace_id = ?) ORDER BY queued_at, rowid`,
      )
      .all(accountId, workspaceId ?? null, workspaceId ?? null) as {
      account_id: string;
      workspace_id: string;
      origin_id: string;
      body: string;
      sent_at: string;
    }[];
    return rows.map((r) => ({
      accountId: r.account_id,
      workspaceId: r.workspace_id,
      originId: r.origin_id,
      body: r.body,
      sentAt: r.sent_at,
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
      .prepare('SELECT * FROM chat_messages WHERE workspace_id = ? AND (id = ? OR origin_id = ?) ORDER BY pending LIMIT 1')
      .get(workspaceId, id, id) as MessageRow | undefined;
    return row ? toMessage(row) : null;
  }

  /** Everything of the space counts as read. */
  markRead(workspaceId: string): void {
    this.db.prepare('UPDATE chat_messages SET seen = 1 WHERE workspace_id = ? AND seen = 0').run(workspaceId);
  }

  /** The latest `limit` messages, oldest first. */
  history(workspaceId: string, limit: number): ChatMessage[] {
    const rows = this.db
      .prepare('SELECT * FROM chat_messages WHERE workspace_id = ? ORDER BY sent_at DESC, rowid DESC LIMIT ?')
      .all(workspaceId, limit) as MessageRow[];
    return rows.reverse().map(toMessage);
  }
}
