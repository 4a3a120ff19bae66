import type Database from 'better-sqlite3';

export type OperationState = 'pending' | 'running' | 'done' | 'failed';

/** One user change waiting to reach the server. */
export interface Operation<P = unknown> {
  id: number;
  accountId: string;
  /** Domain-qualified kind, e.g. 'mail.flags', 'mail.send', 'calendar.put', 'files.upload'. */
  kind: string;
  payload: P;
  state: OperationState;
  attempts: number;
  /** Unix ms. */
  nextAttemptAt: number;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
}

interface OperationRow {
  id: number;
  account_id: string;
  kind: string;
  payload: string;
  state: OperationState;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  created_at: string;
  updated_at: string;
}

function fromRow<P>(r: OperationRow): Operation<P> {
  return {
    id: r.id,
    accountId: r.account_id,
    kind: r.kind,
    payload: JSON.parse(r.payload) as P,
    state: r.state,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    lastError: r.last_error,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export interface BackoffPolicy {
  /** Delay after the first failure, in ms. */
  baseMs: number;
  /** Longest delay between two attempts, in ms. */
  maxMs: number;
  /** After this many attempts the operation is marked failed for good (the user decides). */
  maxAttempts: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 5_000, maxMs: 60 * 60_000, maxAttempts: 20 };

/** Delay before attempt n+1 after n failed attempts: base·2^(n−1), capped. */
export function backoffDelay(attempts: number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  return Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempts - 1));
}

/**
 * The durable operations journal. Every user change is enqueued here first (in the same
 * transaction as its local effect, when the caller wraps both in db.transaction), then a
 * sync engine claims due operations, replays them to the server (idempotently: UIDs, ETags,
 * Message-ID checks) and marks them done or failed.
 */
export class OperationsJournal {
  constructor(
    private readonly db: Database.Database,
    private readonly backoff: BackoffPolicy = DEFAULT_BACKOFF,
  ) {}

  enqueue<P>(accountId: string, kind: string, payload: P, now: number = Date.now()): Operation<P> {
    const iso = new Date(now).toISOString();
    const info = this.db
      .prepare(
        "INSERT INTO operations (account_id, kind, payload, state, attempts, next_attempt_at, created_at, updated_at) VALUES (?, ?, ?, 'pending', 0, ?, ?, ?)",
      )
      .run(accountId, kind, JSON.stringify(payload ?? {}), now, iso, iso);
    return this.get<P>(Number(info.lastInsertRowid))!;
  }

  get<P = unknown>(id: number): Operation<P> | null {
    const row = this.db.prepare('SELECT * FROM operations WHERE id = ?').get(id) as OperationRow | undefined;
    return row ? fromRow<P>(row) : null;
  }

  /** Pending operations due now, oldest first, without claiming them. */
  due(filter: { accountId?: string; kindPrefix?: string; now?: number; limit?: number } = {}): Operation[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM operations WHERE state = 'pending' AND next_attempt_at <= ?
           AND (? IS NULL OR account_id = ?) AND (? IS NULL OR kind LIKE ? || '%')
         ORDER BY id LIMIT ?`,
      )
      .all(
        filter.now ?? Date.now(),
        filter.accountId ?? null,
        filter.accountId ?? null,
        filter.kindPrefix ?? null,
        filter.kindPrefix ?? null,
        filter.limit ?? 100,
      ) as OperationRow[];
    return rows.map((r) => fromRow(r));
  }

  /**
   * Claim the oldest due operation (state → running, attempts + 1) and return it, or null.
   * The claim is atomic: two engines never get the same operation.
   */
  claimNext<P = unknown>(filter: { accountId?: string; kindPrefix?: string; now?: number } = {}): Operation<P> | null {
    return this.db
      .transaction(() => {
        const [op] = this.due({ ...filter, limit: 1 });
        if (!op) return null;
        this.db
          .prepare("UPDATE operations SET state = 'running', attempts = attempts + 1, updated_at = ? WHERE id = ? AND state = 'pending'")
          .run(new Date(filter.now ?? Date.now()).toISOString(), op.id);
        return this.get<P>(op.id);
      })
      .immediate();
  }

  markDone(id: number, now: number = Date.now()): void {
    this.db
      .prepare("UPDATE operations SET state = 'done', last_error = NULL, updated_at = ? WHERE id = ?")
      .run(new Date(now).toISOString(), id);
  }

  /**
   * Record a failed attempt. Retryable failures go back to pending with exponential back-off
   * until maxAttempts; permanent ones (or too many attempts) end in state failed.
   */
  markFailed(id: number, error: string, options: { retry?: boolean; now?: number } = {}): Operation | null {
    const op = this.get(id);
    if (!op) return null;
    const now = options.now ?? Date.now();
    const retry = (options.retry ?? true) && op.attempts < this.backoff.maxAttempts;
    this.db
      .prepare('UPDATE operations SET state = ?, last_error = ?, next_attempt_at = ?, updated_at = ? WHERE id = ?')
      .run(
        retry ? 'pending' : 'failed',
        error,
        retry ? now + backoffDelay(op.attempts, this.backoff) : op.nextAttemptAt,
        new Date(now).toISOString(),
        id,
      );
    return this.get(id);
  }

  /** Put a failed operation back in the queue now (the user pressed « Réessayer »). */
  retryNow(id: number, now: number = Date.now()): void {
    this.db
      .prepare("UPDATE operations SET state = 'pending', next_attempt_at = ?, updated_at = ? WHERE id = ? AND state = 'failed'")
      .run(now, new Date(now).toISOString(), id);
  }

  /** At start-up: operations left running by a crash or a kill go back to pending (replay is idempotent). */
  requeueInterrupted(): number {
    return this.db.prepare("UPDATE operations SET state = 'pending' WHERE state = 'running'").run().changes;
  }

  /** Changes not yet applied on the server (pending or being replayed). */
  pendingCount(accountId?: string): number {
    const row = this.db
      .prepare("SELECT count(*) AS n FROM operations WHERE state IN ('pending', 'running') AND (? IS NULL OR account_id = ?)")
      .get(accountId ?? null, accountId ?? null) as { n: number };
    return row.n;
  }

  /** Operations that failed for good, for the UI to show and offer « Réessayer ». */
  failed(accountId?: string): Operation[] {
    return (
      this.db
        .prepare("SELECT * FROM operations WHERE state = 'failed' AND (? IS NULL OR account_id = ?) ORDER BY id")
        .all(accountId ?? null, accountId ?? null) as OperationRow[]
    ).map((r) => fromRow(r));
  }

  /** Forget done operations older than `olderThanMs`. */
  purgeDone(olderThanMs: number, now: number = Date.now()): number {
    return this.db.prepare("DELETE FROM operations WHERE state = 'done' AND updated_at < ?").run(new Date(now - olderThanMs).toISOString())
      .changes;
  }
}
