-- 014: « Documents » of the espaces de travail are synced by the Fichiers engine, one sync root per space. A root is
-- named by its own key in the files_* tables: the account id for Fichiers, `<account id> <room>` for a space's
-- Documents. The key no longer references accounts(id); removing an account still removes the rows of all its roots
-- (trigger below). The tables are rebuilt as they were (SQLite cannot drop a constraint), their rows kept.

CREATE TABLE files_state_new (
  account_id TEXT NOT NULL,
  path TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('file', 'folder')),
  size INTEGER NOT NULL DEFAULT 0,
  mtime_ms INTEGER,
  hash TEXT,
  etag TEXT,
  remote_modified TEXT,
  local INTEGER NOT NULL DEFAULT 1,
  state TEXT NOT NULL DEFAULT 'synced',
  error TEXT,
  pending_kind TEXT,
  pending_hash TEXT,
  pending_size INTEGER,
  pending_etag TEXT,
  pending_modified TEXT,
  pending_at TEXT,
  PRIMARY KEY (account_id, path)
);
INSERT INTO files_state_new SELECT account_id, path, kind, size, mtime_ms, hash, etag, remote_modified, local, state, error,
  pending_kind, pending_hash, pending_size, pending_etag, pending_modified, pending_at FROM files_state;
DROP TABLE files_state;
ALTER TABLE files_state_new RENAME TO files_state;

CREATE TABLE files_remote_new (
  account_id TEXT NOT NULL,
  parent TEXT NOT NULL,
  path TEXT NOT NULL,
  kind TEXT NOT NULL,
  size INTEGER NOT NULL,
  etag TEXT,
  modified TEXT,
  PRIMARY KEY (account_id, parent, path)
);
INSERT INTO files_remote_new SELECT account_id, parent, path, kind, size, etag, modified FROM files_remote;
DROP TABLE files_remote;
ALTER TABLE files_remote_new RENAME TO files_remote;

CREATE TABLE files_pins_new (
  account_id TEXT NOT NULL,
  path TEXT NOT NULL,
  offline INTEGER NOT NULL,
  PRIMARY KEY (account_id, path)
);
INSERT INTO files_pins_new SELECT account_id, path, offline FROM files_pins;
DROP TABLE files_pins;
ALTER TABLE files_pins_new RENAME TO files_pins;

CREATE TABLE files_conflicts_new (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL,
  path TEXT NOT NULL,
  conflict_path TEXT NOT NULL,
  detected_at TEXT NOT NULL,
  resolved_at TEXT
);
INSERT INTO files_conflicts_new SELECT id, account_id, path, conflict_path, detected_at, resolved_at FROM files_conflicts;
DROP TABLE files_conflicts;
ALTER TABLE files_conflicts_new RENAME TO files_conflicts;

CREATE TABLE files_trash_new (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL,
  path TEXT NOT NULL,
  size INTEGER NOT NULL,
  stored_as TEXT NOT NULL,
  deleted_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
INSERT INTO files_trash_new SELECT id, account_id, path, size, stored_as, deleted_at, expires_at FROM files_trash;
DROP TABLE files_trash;
ALTER TABLE files_trash_new RENAME TO files_trash;

CREATE TABLE files_accounts_new (
  account_id TEXT PRIMARY KEY,
  paused INTEGER NOT NULL DEFAULT 0,
  last_sync TEXT,
  last_error TEXT,
  pending_deletion TEXT,
  deletion_confirmed INTEGER NOT NULL DEFAULT 0,
  quota_used INTEGER,
  quota_available INTEGER,
  problems TEXT NOT NULL DEFAULT '[]',
  walks INTEGER NOT NULL DEFAULT 0
);
INSERT INTO files_accounts_new SELECT account_id, paused, last_sync, last_error, pending_deletion, deletion_confirmed,
  quota_used, quota_available, problems, walks FROM files_accounts;
DROP TABLE files_accounts;
ALTER TABLE files_accounts_new RENAME TO files_accounts;

-- An account removed takes its Fichiers rows and those of its spaces' Documents.
CREATE TRIGGER files_rows_of_removed_account AFTER DELETE ON accounts
BEGIN
  DELETE FROM files_state WHERE account_id = OLD.id OR substr(account_id, 1, length(OLD.id) + 1) = OLD.id || ' ';
  DELETE FROM files_remote WHERE account_id = OLD.id OR substr(account_id, 1, length(OLD.id) + 1) = OLD.id || ' ';
  DELETE FROM files_pins WHERE account_id = OLD.id OR substr(account_id, 1, length(OLD.id) + 1) = OLD.id || ' ';
  DELETE FROM files_conflicts WHERE account_id = OLD.id OR substr(account_id, 1, length(OLD.id) + 1) = OLD.id || ' ';
  DELETE FROM files_trash WHERE account_id = OLD.id OR substr(account_id, 1, length(OLD.id) + 1) = OLD.id || ' ';
  DELETE FROM files_accounts WHERE account_id = OLD.id OR substr(account_id, 1, length(OLD.id) + 1) = OLD.id || ' ';
END;

-- The local folder chosen for each space's Documents, kept: a later space of the same name never takes it over.
CREATE TABLE workspace_documents (
  account_id   TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  workspace_id TEXT NOT NULL,
  folder       TEXT NOT NULL,
  PRIMARY KEY (account_id, workspace_id)
) STRICT;
CREATE UNIQUE INDEX workspace_documents_folder ON workspace_documents (folder);
