import type Database from 'better-sqlite3';
import type { OutboxEntry, OutboxState } from '../shared/contract.js';

/** All SQL of the Boîte d'envoi (table `outbox`, migration 003). Synchronous, like better-sqlite3. */

interface OutboxRow {
  id: string;
  account_id: string;
  state: OutboxState;
  message_id: string;
  subject: string;
  to_json: string;
  cc_json: string;
  bcc_json: string;
  envelope_json: string | null;
  draft_json: string;
  raw_path: string | null;
  size: number;
  attempts: number;
  next_attempt_at: string | null;
  last_error_code: string | null;
  last_error: string | null;
  filed_in_sent: number;
  created_at: string;
  updated_at: string;
  sent_at: string | null;
  scheduled_at: string | null;
}

/** One row with what the sender needs besides the public entry. */
export interface OutboxRecord extends OutboxEntry {
  envelope: { from: string; to: string[] } | null;
  draft: Record<string, unknown>;
  rawPath: string | null;
  lastErrorCode: string | null;
}

export interface NewOutboxMessage {
  id: string;
  accountId: string;
  messageId: string;
  subject: string;
  to: string[];
  cc: string[];
  bcc: string[];
  envelope: { from: string; to: string[] };
  draft: Record<string, unknown>;
  rawPath: string;
  size: number;
  /** « Envoyer plus tard »: not due before this moment (ISO UTC); null = at once. */
  scheduledAt?: string | null;
}

function toRecord(r: OutboxRow): OutboxRecord {
  return {
    id: r.id,
    accountId: r.account_id,
    state: r.state,
    messageId: r.message_id,
    subject: r.subject,
    to: JSON.parse(r.to_json) as string[],
    cc: JSON.parse(r.cc_json) as string[],
    bcc: JSON.parse(r.bcc_json) as string[],
    size: r.size,
    attempts: r.attempts,
    lastError: r.last_error,
    nextAttemptAt: r.next_attempt_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    sentAt: r.sent_at,
    filedInSent: r.filed_in_sent === 1,
    scheduledAt: r.scheduled_at,
    envelope: r.envelope_json ? (JSON.parse(r.envelope_json) as { from: string; to: string[] }) : null,
    draft: JSON.parse(r.draft_json) as Record<string, unknown>,
    rawPath: r.raw_path,
    lastErrorCode: r.last_error_code,
  };
}

/** The public view of a record (no envelope, no paths). */
export function toEntry(r: OutboxRecord): OutboxEntry {
  return {
    id: r.id,
    accountId: r.accountId,
    state: r.state,
    messageId: r.messageId,
    subject: r.subject,
    to: r.to,
    cc: r.cc,
    bcc: r.bcc,
    size: r.size,
    attempts: r.attempts,
    lastError: r.lastError,
    nextAttemptAt: r.nextAttemptAt,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    sentAt: r.sentAt,
    filedInSent: r.filedInSent,
    scheduledAt: r.scheduledAt,
  };
}

const now = () => new Date().toISOString();

export class OutboxStore {
  constructor(private readonly db: Database.Database) {}

  get(id: string): OutboxRecord | null {
    const row = this.db.prepare('SELECT * FROM outbox WHERE id = ?').get(id) as OutboxRow | undefined;
    return row ? toRecord(row) : null;
  }

  /** Entries by state, oldest first. */
  list(filter: { accountId?: string; states: OutboxState[] }): OutboxRecord[] {
    if (filter.states.length === 0) return [];
    const marks = filter.states.map(() => '?').join(', ');
    const args: unknown[] = [...filter.states];
    let sql = `SELECT * FROM outbox WHERE state IN (${marks})`;
    if (filter.accountId) {
      sql += ' AND account_id = ?';
      args.push(filter.accountId);
    }
    sql += ' ORDER BY created_at, rowid';
    return (this.db.prepare(sql).all(...args) as OutboxRow[]).map(toRecord);
  }

  /**
   * Queued messages whose back-off is over, oldest first. A scheduled message is due once its time has come, even
   * with ignoreBackoff (which only skips the retry back-off); before that it is left out, so it never holds up the
   * account's other messages.
   */
  due(at: string, accountId?: string, ignoreBackoff = false): OutboxRecord[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM outbox WHERE state = 'queued' AND (? OR next_attempt_at IS NULL OR next_attempt_at <= ?)
           AND (scheduled_at IS NULL OR scheduled_at <= ?)
           AND (? IS NULL OR account_id = ?) ORDER BY created_at, rowid`,
      )
      .all(ignoreBackoff ? 1 : 0, at, at, accountId ?? null, accountId ?? null) as OutboxRow[];
    return rows.map(toRecord);
  }

  /** Earliest time of a scheduled message still to send (to arm the drain's timer), or null. */
  nextScheduledAt(): string | null {
    return (
      (this.db.prepare(`SELECT min(scheduled_at) FROM outbox WHERE state = 'queued' AND scheduled_at IS NOT NULL`).pluck().get() as
        string | null) ?? null
    );
  }

  /** « Envoyer maintenant »: a scheduled message becomes due at once (and its back-off is forgotten). */
  sendNow(id: string): boolean {
    return (
      this.db
        .prepare(
          `UPDATE outbox SET scheduled_at = NULL, next_attempt_at = NULL, updated_at = ? WHERE id = ? AND state = 'queued' AND scheduled_at IS NOT NULL`,
        )
        .run(now(), id).changes > 0
    );
  }

  /**
   * « Modifier »: a scheduled (still queued) or failed message becomes a local draft again (raw_path kept: it is
   * the draft's raw copy until the next save, drafts.ts). False when it changed state meanwhile (e.g. claimed for
   * sending: then it leaves, and it is not a draft).
   */
  backToDraft(id: string): boolean {
    return (
      this.db
        .prepare(
          `UPDATE outbox SET state = 'draft', scheduled_at = NULL, next_attempt_at = NULL, envelope_json = NULL, last_error = NULL,
             last_error_code = NULL, attempts = 0, updated_at = ?
           WHERE id = ? AND ((state = 'queued' AND scheduled_at IS NOT NULL) OR state = 'failed')`,
        )
        .run(now(), id).changes > 0
    );
  }

  /** Sent messages whose copy is not yet in the server's Envoyés. */
  unfiled(accountId?: string): OutboxRecord[] {
    const rows = this.db
      .prepare(`SELECT * FROM outbox WHERE state = 'sent' AND filed_in_sent = 0 AND (? IS NULL OR account_id = ?) ORDER BY sent_at, rowid`)
      .all(accountId ?? null, accountId ?? null) as OutboxRow[];
    return rows.map(toRecord);
  }

  /** Earliest next attempt among queued messages (to schedule the next drain). */
  nextAttemptAt(): string | null {
    return (
      (this.db.prepare(`SELECT min(coalesce(next_attempt_at, '')) FROM outbox WHERE state = 'queued'`).pluck().get() as string | null) ??
      null
    );
  }

  /** A new message, queued (the raw blob is already on disk). A draft with the same id becomes this message. */
  insertQueued(m: NewOutboxMessage): void {
    const at = now();
    this.db
      .prepare(
        `INSERT INTO outbox (id, account_id, state, message_id, subject, to_json, cc_json, bcc_json, envelope_json, draft_json, raw_path, size, created_at, updated_at, scheduled_at)
         VALUES (@id, @accountId, 'queued', @messageId, @subject, @to, @cc, @bcc, @envelope, @draft, @rawPath, @size, @at, @at, @scheduledAt)
         ON CONFLICT (id) DO UPDATE SET state = 'queued', subject = excluded.subject, to_json = excluded.to_json, cc_json = excluded.cc_json,
           bcc_json = excluded.bcc_json, envelope_json = excluded.envelope_json, draft_json = excluded.draft_json, raw_path = excluded.raw_path,
           size = excluded.size, updated_at = excluded.updated_at, last_error = NULL, last_error_code = NULL, next_attempt_at = NULL,
           scheduled_at = excluded.scheduled_at
         WHERE outbox.state = 'draft'`,
      )
      .run({
        id: m.id,
        accountId: m.accountId,
        messageId: m.messageId,
        subject: m.subject,
        to: JSON.stringify(m.to),
        cc: JSON.stringify(m.cc),
        bcc: JSON.stringify(m.bcc),
        envelope: JSON.stringify(m.envelope),
        draft: JSON.stringify(m.draft),
        rawPath: m.rawPath,
        size: m.size,
        at,
        scheduledAt: m.scheduledAt ?? null,
      });
  }

  /**
   * Insert or update a local draft with its raw message (the copy that goes to the server's Brouillons). Returns
   * false when the id belongs to a message that is no longer a draft.
   */
  saveDraft(d: {
    id: string;
    accountId: string;
    messageId: string;
    subject: string;
    to: string[];
    cc: string[];
    bcc: string[];
    draft: Record<string, unknown>;
    rawPath: string | null;
    size: number;
  }): boolean {
    const at = now();
    const info = this.db
      .prepare(
        `INSERT INTO outbox (id, account_id, state, message_id, subject, to_json, cc_json, bcc_json, draft_json, raw_path, size, created_at, updated_at)
         VALUES (@id, @accountId, 'draft', @messageId, @subject, @to, @cc, @bcc, @draft, @rawPath, @size, @at, @at)
         ON CONFLICT (id) DO UPDATE SET subject = excluded.subject, to_json = excluded.to_json, cc_json = excluded.cc_json,
           bcc_json = excluded.bcc_json, draft_json = excluded.draft_json, raw_path = excluded.raw_path, size = excluded.size,
           updated_at = excluded.updated_at
         WHERE outbox.state = 'draft'`,
      )
      .run({ ...d, to: JSON.stringify(d.to), cc: JSON.stringify(d.cc), bcc: JSON.stringify(d.bcc), draft: JSON.stringify(d.draft), at });
    return info.changes > 0;
  }

  /** The row of an account with this Message-ID, if any. */
  findByMessageId(accountId: string, messageId: string): OutboxRecord | null {
    const row = this.db.prepare('SELECT * FROM outbox WHERE account_id = ? AND message_id = ?').get(accountId, messageId) as
      OutboxRow | undefined;
    return row ? toRecord(row) : null;
  }

  /** Drafts whose server copy must change: a revision not yet uploaded, or a discarded draft still on the server. */
  draftsForServer(accountId?: string): OutboxRecord[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM outbox WHERE state = 'draft' AND (? IS NULL OR account_id = ?)
           AND (json_extract(draft_json, '$.discarded') = 1
                OR (raw_path IS NOT NULL AND coalesce(json_extract(draft_json, '$.rev'), 0) <> coalesce(json_extract(draft_json, '$.uploadedRev'), -1)))
         ORDER BY updated_at, rowid`,
      )
      .all(accountId ?? null, accountId ?? null) as OutboxRow[];
    return rows.map(toRecord);
  }

  /** Revision `rev` of a draft is on the server (ignored when the draft changed meanwhile). */
  markDraftUploaded(id: string, rev: number): boolean {
    return (
      this.db
        .prepare(
          `UPDATE outbox SET draft_json = json_set(draft_json, '$.uploadedRev', ?)
             WHERE id = ? AND state = 'draft' AND json_extract(draft_json, '$.rev') = ?`,
        )
        .run(rev, id, rev).changes > 0
    );
  }

  /** A draft the user threw away while a copy is on the server: kept, hidden, until that copy is removed. */
  markDraftDiscarded(id: string): boolean {
    return (
      this.db
        .prepare(
          `UPDATE outbox SET draft_json = json_set(draft_json, '$.discarded', json('true')), raw_path = NULL, updated_at = ?
             WHERE id = ? AND state = 'draft'`,
        )
        .run(now(), id).changes > 0
    );
  }

  /** queued → sending, committed before any SMTP traffic. False when someone else took it (or it changed state). */
  claim(id: string): boolean {
    return (
      this.db
        .prepare(`UPDATE outbox SET state = 'sending', attempts = attempts + 1, updated_at = ? WHERE id = ? AND state = 'queued'`)
        .run(now(), id).changes > 0
    );
  }

  markSent(id: string, note: { code: string; message: string } | null = null): void {
    const at = now();
    this.db
      .prepare(
        `UPDATE outbox SET state = 'sent', sent_at = ?, updated_at = ?, next_attempt_at = NULL, last_error_code = ?, last_error = ? WHERE id = ?`,
      )
      .run(at, at, note?.code ?? null, note?.message ?? null, id);
  }

  markFiled(id: string): void {
    this.db.prepare('UPDATE outbox SET filed_in_sent = 1, updated_at = ? WHERE id = ?').run(now(), id);
  }

  /** Forget the blob path once the blob is gone (message sent and filed). */
  clearRawPath(id: string): void {
    this.db.prepare('UPDATE outbox SET raw_path = NULL WHERE id = ?').run(id);
  }

  /** Back to the queue after a connectivity or temporary error. */
  requeue(id: string, nextAttemptAt: string | null, error: { code: string; message: string } | null): void {
    this.db
      .prepare(`UPDATE outbox SET state = 'queued', next_attempt_at = ?, last_error_code = ?, last_error = ?, updated_at = ? WHERE id = ?`)
      .run(nextAttemptAt, error?.code ?? null, error?.message ?? null, now(), id);
  }

  /** Push back queued messages of an account (the server is unreachable: one attempt per back-off, not one per message). */
  postpone(accountId: string, nextAttemptAt: string, error: { code: string; message: string }): void {
    this.db
      .prepare(
        `UPDATE outbox SET next_attempt_at = ?, last_error_code = ?, last_error = ?, updated_at = ?
         WHERE account_id = ? AND state = 'queued' AND (next_attempt_at IS NULL OR next_attempt_at < ?)`,
      )
      .run(nextAttemptAt, error.code, error.message, now(), accountId, nextAttemptAt);
  }

  markFailed(id: string, error: { code: string; message: string }): void {
    this.db
      .prepare(
        `UPDATE outbox SET state = 'failed', next_attempt_at = NULL, last_error_code = ?, last_error = ?, updated_at = ? WHERE id = ?`,
      )
      .run(error.code, error.message, now(), id);
  }

  markUncertain(id: string, message: string): void {
    this.db
      .prepare(
        `UPDATE outbox SET state = 'uncertain', next_attempt_at = NULL, last_error_code = 'uncertain', last_error = ?, updated_at = ? WHERE id = ?`,
      )
      .run(message, now(), id);
  }

  /** Rows left in 'sending' by a previous process: nobody knows whether the server accepted them. */
  recoverInterrupted(message: string): string[] {
    return this.db.transaction(() => {
      const ids = this.db.prepare(`SELECT id FROM outbox WHERE state = 'sending'`).pluck().all() as string[];
      for (const id of ids) this.markUncertain(id, message);
      return ids;
    })();
  }

  delete(id: string): boolean {
    return this.db.prepare('DELETE FROM outbox WHERE id = ?').run(id).changes > 0;
  }
}
