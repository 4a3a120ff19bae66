/**
 * Local copy of the espaces de travail and their Discussion (every SQL on these tables lives here).
 * The server holds the truth (room configuration, affiliations, archive, bookmarks): this copy serves the offline
 * reading and is rebuilt by workspaces.refresh.
 *
 * Schema: meant for migration 013 (reserved for this domain); created here with IF NOT EXISTS until 011 and 012 of
 * the other domains are merged (migrations must be numbered without gaps).
 */
import type Database from 'better-sqlite3';
import type { ChatMessage, Workspace } from '../shared/contract.js';

// The tables come from migration 012_workspaces.sql.

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
}

const toWorkspace = (r: WorkspaceRow): Workspace => ({
  id: r.id,
  accountId: r.account_id,
  name: r.name,
  description: r.description,
  members: JSON.parse(r.members) as string[],
  owner: r.owner,
  documentsUrl: r.documents_url,
  visioRoom: r.visio_room,
  createdAt: r.created_at,
});

const toMessage = (r: MessageRow): ChatMessage => ({
  id: r.id,
  workspaceId: r.workspace_id,
  from: r.sender,
  text: r.body,
  sentAt: r.sent_at,
  pending: r.pending === 1,
});

export class WorkspaceRepository {
  constructor(private readonly db: Database.Database) {}

  list(): Workspace[] {
    return (this.db.prepare('SELECT * FROM workspaces ORDER BY name COLLATE NOCASE').all() as WorkspaceRow[]).map(toWorkspace);
  }

  listFor(accountId: string): Workspace[] {
    return (this.db.prepare('SELECT * FROM workspaces WHERE account_id = ?').all(accountId) as WorkspaceRow[]).map(toWorkspace);
  }

  get(id: string): Workspace | null {
    const row = this.db.prepare('SELECT * FROM workspaces WHERE id = ? LIMIT 1').get(id) as WorkspaceRow | undefined;
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

  /** Stores archived messages; a pending copy with the same origin id is replaced by the archived one. */
  storeMessages(
    accountId: string,
    workspaceId: string,
    messages: { id: string; originId: string | null; sender: string; body: string; sentAt: string }[],
  ): void {
    const dropPending = this.db.prepare(
      'DELETE FROM chat_messages WHERE account_id = ? AND workspace_id = ? AND origin_id = ? AND pending = 1',
    );
    const insert = this.db.prepare(
      // REPLACE gives the row a new rowid: a page stored in archive order keeps that order for messages of the
      // same second (the archive's stamps have no milliseconds).
      `INSERT OR REPLACE INTO chat_messages (account_id, workspace_id, id, origin_id, sender, body, sent_at, pending)
       VALUES (?, ?, ?, ?, ?, ?, ?, 0)`,
    );
    this.db.transaction(() => {
      for (const m of messages) {
        if (m.originId) dropPending.run(accountId, workspaceId, m.originId);
        // One format for every stamp, to the second like the archive's (the text order is then the time order, and
        // messages of the same second keep the order they were stored in: the archive's).
        const at = Math.floor(new Date(m.sentAt).getTime() / 1000) * 1000;
        insert.run(accountId, workspaceId, m.id, m.originId, m.sender, m.body, Number.isNaN(at) ? m.sentAt : new Date(at).toISOString());
      }
    })();
  }

  /** The latest `limit` messages, oldest first. */
  history(workspaceId: string, limit: number): ChatMessage[] {
    const rows = this.db
      .prepare('SELECT * FROM chat_messages WHERE workspace_id = ? ORDER BY sent_at DESC, rowid DESC LIMIT ?')
      .all(workspaceId, limit) as MessageRow[];
    return rows.reverse().map(toMessage);
  }
}
