-- 001: accounts, the operations journal, user settings.
-- Later numbers belong to the domains: 002 mail, 003 calendar, 004 contacts, 005 files.

-- One account = one identity with mail (IMAP + SMTP submission) and optional DAV endpoints.
-- Passwords never live here: they go through the SecretStore under `account:<id>:password`.
CREATE TABLE accounts (
  id           TEXT PRIMARY KEY,                          -- UUID
  email        TEXT NOT NULL UNIQUE COLLATE NOCASE,
  name         TEXT NOT NULL DEFAULT '',
  settings     TEXT NOT NULL CHECK (json_valid(settings)),  -- ServerSettings (contract)
  pinned_certs TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(pinned_certs)), -- PEM strings the user chose to trust
  created_at   TEXT NOT NULL,                             -- ISO 8601 UTC
  last_sync    TEXT,                                      -- ISO 8601 UTC
  last_error   TEXT                                       -- French, shown to the user
) STRICT;

-- Durable journal of user changes, written before anything goes to the network and replayed
-- by the sync engines with retries and back-off. Replaying an operation twice must be harmless.
CREATE TABLE operations (
  id              INTEGER PRIMARY KEY,
  account_id      TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  kind            TEXT NOT NULL,                          -- e.g. 'mail.flags', 'mail.send', 'calendar.put'
  payload         TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(payload)),
  state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'running', 'done', 'failed')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,                       -- Unix time in milliseconds
  last_error      TEXT,
  created_at      TEXT NOT NULL,
  updated_at      TEXT NOT NULL
) STRICT;
CREATE INDEX operations_due ON operations (state, next_attempt_at);
CREATE INDEX operations_account ON operations (account_id, state);

-- User settings (Réglages); keys as in the contract's Settings, values as JSON.
CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL CHECK (json_valid(value))
) STRICT;
