-- Fichiers: two-way WebDAV sync state (src/files/). Paths are '/'-separated from the account's sync
-- folder, NFC-normalised, with a leading '/'.

-- What was true on both sides after the last successful sync of each item (the « base » of the
-- three-way decision), plus the server listing of items not kept on the disk.
CREATE TABLE files_state (
  account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  path TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('file', 'folder')),
  size INTEGER NOT NULL DEFAULT 0,
  -- Local modification time (ms) and content hash (sha256 hex) when last synced; NULL when not on the disk.
  mtime_ms INTEGER,
  hash TEXT,
  -- Server ETag and Last-Modified when last synced (for folders: the collection ETag of the last listing).
  etag TEXT,
  remote_modified TEXT,
  -- 1 when the item is on both sides as recorded; 0 when it is only on the server (online only).
  local INTEGER NOT NULL DEFAULT 1,
  state TEXT NOT NULL DEFAULT 'synced',
  error TEXT,
  -- A transfer under way ('download' | 'upload'): what the item will be once it lands. A crash between the
  -- transfer and its record leaves this; the next sync recognises the landed content instead of seeing a conflict.
  pending_kind TEXT,
  pending_hash TEXT,
  pending_size INTEGER,
  pending_etag TEXT,
  pending_modified TEXT,
  pending_at TEXT,
  PRIMARY KEY (account_id, path)
);

-- Server listing cache: the children of each collection as last listed (lets the walk skip a
-- collection whose ETag did not change).
CREATE TABLE files_remote (
  account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  parent TEXT NOT NULL,
  path TEXT NOT NULL,
  kind TEXT NOT NULL,
  size INTEGER NOT NULL,
  etag TEXT,
  modified TEXT,
  -- A collection appears twice: as a child of its parent, and as its own row (parent = path) holding the
  -- ETag it had when its children were listed.
  PRIMARY KEY (account_id, parent, path)
);

-- « Disponible hors ligne » choices: the nearest ancestor with a row decides (default: offline).
CREATE TABLE files_pins (
  account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  path TEXT NOT NULL,
  offline INTEGER NOT NULL,
  PRIMARY KEY (account_id, path)
);

CREATE TABLE files_conflicts (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  path TEXT NOT NULL,
  conflict_path TEXT NOT NULL,
  detected_at TEXT NOT NULL,
  resolved_at TEXT
);

-- Ostal's own Corbeille: local files removed by sync, kept 30 days under <profile>/files-trash/.
CREATE TABLE files_trash (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  path TEXT NOT NULL,
  size INTEGER NOT NULL,
  stored_as TEXT NOT NULL,
  deleted_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);

-- Per account: pause, last outcome, big deletion waiting for confirmation, quota, name problems.
CREATE TABLE files_accounts (
  account_id TEXT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
  paused INTEGER NOT NULL DEFAULT 0,
  last_sync TEXT,
  last_error TEXT,
  -- JSON {local, server} when a big deletion waits; NULL otherwise.
  pending_deletion TEXT,
  -- The user's answer: 1 = propagate the waiting deletion at the next sync, 2 = restore the files instead.
  deletion_confirmed INTEGER NOT NULL DEFAULT 0,
  quota_used INTEGER,
  quota_available INTEGER,
  -- JSON FileNameProblem[] of the last sync.
  problems TEXT NOT NULL DEFAULT '[]',
  walks INTEGER NOT NULL DEFAULT 0
);
