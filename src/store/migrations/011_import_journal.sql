-- 011: journal of imports (issue « Migration »). All SQL on these tables lives in src/import/journal.ts.
--
-- import_items: one row per item of a source already handled (a message appended or found on the server, a
-- contact or event handed to the DAV journal, an item refused). `job_key` names one source file (or folder) for
-- one target account: a hash of the account, the absolute path, the size and the modification time, so that a
-- second run of the same import, or a run after a kill, skips what is already done. The row is written right
-- after the server accepted the message: a kill between the two leaves the message on the server without its
-- row, and the next run finds it there (same Message-ID, date and size) instead of appending it again.
CREATE TABLE import_items (
  job_key TEXT NOT NULL,
  item_key TEXT NOT NULL,
  -- 'imported' | 'present' | 'skipped'
  outcome TEXT NOT NULL CHECK (outcome IN ('imported', 'present', 'skipped')),
  -- Folder of the source (Outlook path) and of the target (IMAP path, or 'carddav' / 'caldav').
  source_folder TEXT NOT NULL,
  target_folder TEXT NOT NULL,
  -- French label of the item (subject, name) and, when skipped, the French reason.
  label TEXT NOT NULL DEFAULT '',
  reason TEXT,
  done_at TEXT NOT NULL,
  PRIMARY KEY (job_key, item_key)
) WITHOUT ROWID;

-- The last report of each import (JSON of ImportReport, src/shared/contract.ts), for « Réglages › Importer ».
CREATE TABLE import_runs (
  job_key TEXT PRIMARY KEY,
  account_id TEXT NOT NULL,
  source_path TEXT NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT
);
