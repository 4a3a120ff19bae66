/** SQL of Fichiers (tables of src/store/migrations/007_files.sql). */
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { FileNameProblem, FileSyncState } from '../shared/contract.js';

export interface StateRow {
  path: string;
  kind: 'file' | 'folder';
  size: number;
  mtimeMs: number | null;
  hash: string | null;
  etag: string | null;
  remoteModified: string | null;
  /** On the disk as recorded (false: online only). */
  local: boolean;
  state: FileSyncState;
  error: string | null;
  /** A transfer started and not recorded yet (see 007_files.sql). */
  pending?: PendingTransfer | null;
}

export interface PendingTransfer {
  kind: 'download' | 'upload';
  hash: string | null;
  size: number;
  etag: string | null;
  modified: string | null;
  at: string;
}

export interface RemoteRow {
  parent: string;
  path: string;
  kind: 'file' | 'folder';
  size: number;
  etag: string | null;
  modified: string | null;
}

export interface AccountFilesRow {
  paused: boolean;
  lastSync: string | null;
  lastError: string | null;
  pendingDeletion: { local: number; server: number } | null;
  /** The user's answer to the waiting big deletion: 'confirm' propagates it, 'restore' brings the files back. */
  deletionDecision: 'none' | 'confirm' | 'restore';
  quota: { used: number; available: number | null } | null;
  problems: FileNameProblem[];
  walks: number;
}

export interface ConflictRow {
  id: string;
  path: string;
  conflictPath: string;
  detectedAt: string;
  accountId: string;
}

export interface TrashRow {
  id: string;
  accountId: string;
  path: string;
  size: number;
  storedAs: string;
  deletedAt: string;
  expiresAt: string;
}

interface RawState {
  path: string;
  kind: 'file' | 'folder';
  size: number;
  mtime_ms: number | null;
  hash: string | null;
  etag: string | null;
  remote_modified: string | null;
  local: number;
  state: FileSyncState;
  error: string | null;
  pending_kind: 'download' | 'upload' | null;
  pending_hash: string | null;
  pending_size: number | null;
  pending_etag: string | null;
  pending_modified: string | null;
  pending_at: string | null;
}

export class FilesRepository {
  private readonly statements = new Map<string, Database.Statement>();
  constructor(private readonly db: Database.Database) {}

  /** Prepared once per repository (a sync runs thousands of these). */
  private prepare(sql: string): Database.Statement {
    let st = this.statements.get(sql);
    if (!st) {
      st = this.db.prepare(sql);
      this.statements.set(sql, st);
    }
    return st;
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  states(accountId: string): Map<string, StateRow> {
    const rows = this.prepare('SELECT * FROM files_state WHERE account_id = ?').all(accountId) as RawState[];
    return new Map(rows.map((r) => [r.path, fromState(r)]));
  }

  state(accountId: string, path: string): StateRow | null {
    const r = this.prepare('SELECT * FROM files_state WHERE account_id = ? AND path = ?').get(accountId, path) as RawState | undefined;
    return r ? fromState(r) : null;
  }

  children(accountId: string, parent: string): StateRow[] {
    const prefix = parent === '/' ? '/' : `${parent}/`;
    const rows = this.db
      .prepare(
        "SELECT * FROM files_state WHERE account_id = ? AND substr(path, 1, ?) = ? AND instr(substr(path, ?), '/') = 0 AND path <> ?",
      )
      .all(accountId, prefix.length, prefix, prefix.length + 1, parent) as RawState[];
    return rows.map(fromState);
  }

  putState(accountId: string, s: StateRow): void {
    this.db
      .prepare(
        `INSERT INTO files_state (account_id, path, kind, size, mtime_ms, hash, etag, remote_modified, local, state, error)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (account_id, path) DO UPDATE SET kind = excluded.kind, size = excluded.size, mtime_ms = excluded.mtime_ms, hash = excluded.hash,
           etag = excluded.etag, remote_modified = excluded.remote_modified, local = excluded.local, state = excluded.state, error = excluded.error,
           pending_kind = NULL, pending_hash = NULL, pending_size = NULL, pending_etag = NULL, pending_modified = NULL, pending_at = NULL`,
      )
      .run(accountId, s.path, s.kind, s.size, s.mtimeMs, s.hash, s.etag, s.remoteModified, s.local ? 1 : 0, s.state, s.error);
  }

  /** Note a transfer about to land (creates a placeholder row for a new file: no hash, no ETag). */
  setPending(accountId: string, path: string, p: PendingTransfer): void {
    this.prepare(
      "INSERT OR IGNORE INTO files_state (account_id, path, kind, size, local, state) VALUES (?, ?, 'file', 0, 1, 'syncing')",
    ).run(accountId, path);
    this.db
      .prepare(
        'UPDATE files_state SET pending_kind = ?, pending_hash = ?, pending_size = ?, pending_etag = ?, pending_modified = ?, pending_at = ? WHERE account_id = ? AND path = ?',
      )
      .run(p.kind, p.hash, p.size, p.etag, p.modified, p.at, accountId, path);
  }

  setState(accountId: string, path: string, state: FileSyncState, error: string | null = null): void {
    this.prepare('UPDATE files_state SET state = ?, error = ? WHERE account_id = ? AND path = ?').run(state, error, accountId, path);
  }

  deleteState(accountId: string, path: string): void {
    this.prepare('DELETE FROM files_state WHERE account_id = ? AND path = ?').run(accountId, path);
  }

  /** Rename a state row and everything under it (a folder). */
  moveState(accountId: string, from: string, to: string): void {
    this.prepare('DELETE FROM files_state WHERE account_id = ? AND path = ?').run(accountId, to);
    this.prepare('UPDATE files_state SET path = ? WHERE account_id = ? AND path = ?').run(to, accountId, from);
    this.prepare('UPDATE files_state SET path = ? || substr(path, ?) WHERE account_id = ? AND substr(path, 1, ?) = ?').run(
      to,
      from.length + 1,
      accountId,
      from.length + 1,
      `${from}/`,
    );
  }

  remoteChildren(accountId: string, parent: string): RemoteRow[] {
    return this.prepare('SELECT parent, path, kind, size, etag, modified FROM files_remote WHERE account_id = ? AND parent = ?').all(
      accountId,
      parent,
    ) as RemoteRow[];
  }

  replaceRemoteChildren(accountId: string, parent: string, rows: RemoteRow[]): void {
    this.db.transaction(() => {
      this.prepare('DELETE FROM files_remote WHERE account_id = ? AND parent = ?').run(accountId, parent);
      const ins = this.prepare(
        'INSERT OR REPLACE INTO files_remote (account_id, parent, path, kind, size, etag, modified) VALUES (?, ?, ?, ?, ?, ?, ?)',
      );
      for (const r of rows) ins.run(accountId, parent, r.path, r.kind, r.size, r.etag, r.modified);
    })();
  }

  /** Forget cached listings of folders gone from the server. */
  pruneRemote(accountId: string, keepParents: Set<string>): void {
    const parents = this.prepare('SELECT DISTINCT parent FROM files_remote WHERE account_id = ?').all(accountId) as { parent: string }[];
    const del = this.prepare('DELETE FROM files_remote WHERE account_id = ? AND parent = ?');
    for (const p of parents) if (!keepParents.has(p.parent)) del.run(accountId, p.parent);
  }

  /** Offline choice of a path: the nearest pinned ancestor decides; default offline. */
  isOffline(accountId: string, path: string): boolean {
    const pins = this.pins(accountId);
    return offlineFrom(pins, path);
  }

  pins(accountId: string): Map<string, boolean> {
    const rows = this.prepare('SELECT path, offline FROM files_pins WHERE account_id = ?').all(accountId) as {
      path: string;
      offline: number;
    }[];
    return new Map(rows.map((r) => [r.path, r.offline === 1]));
  }

  setPin(accountId: string, path: string, offline: boolean): void {
    this.prepare('DELETE FROM files_pins WHERE account_id = ? AND substr(path, 1, ?) = ?').run(accountId, path.length + 1, `${path}/`);
    this.prepare(
      'INSERT INTO files_pins (account_id, path, offline) VALUES (?, ?, ?) ON CONFLICT (account_id, path) DO UPDATE SET offline = excluded.offline',
    ).run(accountId, path, offline ? 1 : 0);
  }

  account(accountId: string): AccountFilesRow {
    this.prepare('INSERT OR IGNORE INTO files_accounts (account_id) VALUES (?)').run(accountId);
    const r = this.prepare('SELECT * FROM files_accounts WHERE account_id = ?').get(accountId) as {
      paused: number;
      last_sync: string | null;
      last_error: string | null;
      pending_deletion: string | null;
      deletion_confirmed: number;
      quota_used: number | null;
      quota_available: number | null;
      problems: string;
      walks: number;
    };
    return {
      paused: r.paused === 1,
      lastSync: r.last_sync,
      lastError: r.last_error,
      pendingDeletion: r.pending_deletion ? (JSON.parse(r.pending_deletion) as { local: number; server: number }) : null,
      deletionDecision: r.deletion_confirmed === 1 ? 'confirm' : r.deletion_confirmed === 2 ? 'restore' : 'none',
      quota: r.quota_used === null ? null : { used: r.quota_used, available: r.quota_available },
      problems: JSON.parse(r.problems) as FileNameProblem[],
      walks: r.walks,
    };
  }

  updateAccount(accountId: string, patch: Partial<AccountFilesRow>): void {
    this.account(accountId);
    const sets: string[] = [];
    const values: unknown[] = [];
    const add = (col: string, v: unknown) => {
      sets.push(`${col} = ?`);
      values.push(v);
    };
    if (patch.paused !== undefined) add('paused', patch.paused ? 1 : 0);
    if (patch.lastSync !== undefined) add('last_sync', patch.lastSync);
    if (patch.lastError !== undefined) add('last_error', patch.lastError);
    if (patch.pendingDeletion !== undefined) add('pending_deletion', patch.pendingDeletion ? JSON.stringify(patch.pendingDeletion) : null);
    if (patch.deletionDecision !== undefined)
      add('deletion_confirmed', patch.deletionDecision === 'confirm' ? 1 : patch.deletionDecision === 'restore' ? 2 : 0);
    if (patch.quota !== undefined) {
      add('quota_used', patch.quota?.used ?? null);
      add('quota_available', patch.quota?.available ?? null);
    }
    if (patch.problems !== undefined) add('problems', JSON.stringify(patch.problems));
    if (patch.walks !== undefined) add('walks', patch.walks);
    if (!sets.length) return;
    this.prepare(`UPDATE files_accounts SET ${sets.join(', ')} WHERE account_id = ?`).run(...values, accountId);
  }

  addConflict(accountId: string, path: string, conflictPath: string): ConflictRow {
    const row: ConflictRow = { id: randomUUID(), accountId, path, conflictPath, detectedAt: new Date().toISOString() };
    this.prepare('INSERT INTO files_conflicts (id, account_id, path, conflict_path, detected_at) VALUES (?, ?, ?, ?, ?)').run(
      row.id,
      accountId,
      path,
      conflictPath,
      row.detectedAt,
    );
    return row;
  }

  conflicts(accountId?: string): ConflictRow[] {
    const sql = `SELECT id, account_id AS accountId, path, conflict_path AS conflictPath, detected_at AS detectedAt FROM files_conflicts WHERE resolved_at IS NULL ${accountId ? 'AND account_id = ?' : ''} ORDER BY detected_at`;
    return (accountId ? this.prepare(sql).all(accountId) : this.prepare(sql).all()) as ConflictRow[];
  }

  conflict(id: string): ConflictRow | null {
    return (
      (this.prepare(
        'SELECT id, account_id AS accountId, path, conflict_path AS conflictPath, detected_at AS detectedAt FROM files_conflicts WHERE id = ? AND resolved_at IS NULL',
      ).get(id) as ConflictRow | undefined) ?? null
    );
  }

  resolveConflict(id: string): void {
    this.prepare('UPDATE files_conflicts SET resolved_at = ? WHERE id = ?').run(new Date().toISOString(), id);
  }

  conflictPaths(accountId: string): Set<string> {
    return new Set(this.conflicts(accountId).map((c) => c.conflictPath));
  }

  addTrash(row: Omit<TrashRow, 'id'>): TrashRow {
    const full = { id: randomUUID(), ...row };
    this.prepare(
      'INSERT INTO files_trash (id, account_id, path, size, stored_as, deleted_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).run(full.id, full.accountId, full.path, full.size, full.storedAs, full.deletedAt, full.expiresAt);
    return full;
  }

  trash(accountId?: string): TrashRow[] {
    const sql = `SELECT id, account_id AS accountId, path, size, stored_as AS storedAs, deleted_at AS deletedAt, expires_at AS expiresAt FROM files_trash ${accountId ? 'WHERE account_id = ?' : ''} ORDER BY deleted_at DESC`;
    return (accountId ? this.prepare(sql).all(accountId) : this.prepare(sql).all()) as TrashRow[];
  }

  removeTrash(id: string): void {
    this.prepare('DELETE FROM files_trash WHERE id = ?').run(id);
  }
}

export function offlineFrom(pins: Map<string, boolean>, path: string): boolean {
  let p = path;
  for (;;) {
    const v = pins.get(p);
    if (v !== undefined) return v;
    if (p === '/' || p === '') return true;
    const i = p.lastIndexOf('/');
    p = i <= 0 ? '/' : p.slice(0, i);
  }
}

function fromState(r: RawState): StateRow {
  const pending: PendingTransfer | null = r.pending_kind
    ? {
        kind: r.pending_kind,
        hash: r.pending_hash,
        size: r.pending_size ?? 0,
        etag: r.pending_etag,
        modified: r.pending_modified,
        at: r.pending_at ?? '',
      }
    : null;
  return {
    path: r.path,
    kind: r.kind,
    size: r.size,
    mtimeMs: r.mtime_ms,
    hash: r.hash,
    etag: r.etag,
    remoteModified: r.remote_modified,
    local: r.local === 1,
    state: r.state,
    error: r.error,
    pending,
  };
}
