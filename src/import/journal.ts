/**
 * Journal of imports (migration 011): which items of a source are already handled, so that a kill resumes where
 * it stopped and a second run adds nothing. All SQL on import_items and import_runs lives here.
 */
import crypto from 'node:crypto';
import type Database from 'better-sqlite3';

export type ItemOutcome = 'imported' | 'present' | 'skipped';

export interface JournalEntry {
  outcome: ItemOutcome;
  sourceFolder: string;
  targetFolder: string;
  label: string;
  reason: string | null;
}

/** One source file (or folder) imported into one account: same file, same size and date, same key. */
export function jobKeyOf(accountId: string, absolutePath: string, size: number, mtimeMs: number): string {
  return crypto
    .createHash('sha256')
    .update(JSON.stringify([accountId, absolutePath, size, Math.floor(mtimeMs)]))
    .digest('hex');
}

export class ImportJournal {
  private readonly getStmt: Database.Statement<[string, string]>;
  private readonly putStmt: Database.Statement<[string, string, string, string, string, string, string | null, string]>;

  constructor(private readonly db: Database.Database) {
    this.getStmt = db.prepare(
      'SELECT outcome, source_folder, target_folder, label, reason FROM import_items WHERE job_key = ? AND item_key = ?',
    );
    this.putStmt = db.prepare(
      `INSERT INTO import_items (job_key, item_key, outcome, source_folder, target_folder, label, reason, done_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (job_key, item_key) DO UPDATE SET outcome = excluded.outcome, target_folder = excluded.target_folder,
         label = excluded.label, reason = excluded.reason, done_at = excluded.done_at`,
    );
  }

  get(jobKey: string, itemKey: string): JournalEntry | null {
    const row = this.getStmt.get(jobKey, itemKey) as
      { outcome: ItemOutcome; source_folder: string; target_folder: string; label: string; reason: string | null } | undefined;
    return row
      ? { outcome: row.outcome, sourceFolder: row.source_folder, targetFolder: row.target_folder, label: row.label, reason: row.reason }
      : null;
  }

  record(jobKey: string, itemKey: string, entry: JournalEntry): void {
    this.putStmt.run(
      jobKey,
      itemKey,
      entry.outcome,
      entry.sourceFolder,
      entry.targetFolder,
      entry.label,
      entry.reason,
      new Date().toISOString(),
    );
  }

  /** Several entries in one transaction (a batch the server took at once). */
  recordMany(jobKey: string, entries: { itemKey: string; entry: JournalEntry }[]): void {
    this.db.transaction(() => {
      for (const e of entries) this.record(jobKey, e.itemKey, e.entry);
    })();
  }

  startRun(jobKey: string, accountId: string, sourcePath: string): void {
    this.db
      .prepare(
        `INSERT INTO import_runs (job_key, account_id, source_path, started_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (job_key) DO UPDATE SET started_at = excluded.started_at, finished_at = NULL`,
      )
      .run(jobKey, accountId, sourcePath, new Date().toISOString());
  }

  finishRun(jobKey: string): void {
    this.db.prepare('UPDATE import_runs SET finished_at = ? WHERE job_key = ?').run(new Date().toISOString(), jobKey);
  }
}
