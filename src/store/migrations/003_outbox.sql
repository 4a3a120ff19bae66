-- 003: Boîte d'envoi (outbox) and local drafts. All SQL on this table lives in src/mail/outbox-store.ts.
-- The raw RFC 5322 message is a blob on disk (profile/blobs/outbox/<id>.eml, written tmp+rename)
-- BEFORE the row becomes 'queued'; the Message-ID is fixed at creation and never changes.
--
-- States: draft → queued → sending → sent | failed | uncertain.
-- A row found in 'sending' when the core opens becomes 'uncertain' and is never resent automatically.
CREATE TABLE outbox (
  id              TEXT PRIMARY KEY,              -- uuid
  account_id      TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  state           TEXT NOT NULL CHECK (state IN ('draft', 'queued', 'sending', 'sent', 'failed', 'uncertain')),
  message_id      TEXT NOT NULL,                 -- '<uuid@domain>', fixed at creation
  subject         TEXT NOT NULL DEFAULT '',
  to_json         TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(to_json)),   -- string[] (addresses as typed)
  cc_json         TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(cc_json)),
  bcc_json        TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(bcc_json)),
  envelope_json   TEXT CHECK (envelope_json IS NULL OR json_valid(envelope_json)), -- {from, to[]} for SMTP (Bcc included)
  draft_json      TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(draft_json)),     -- fields to reopen the composer
  raw_path        TEXT,                          -- relative to the blobs folder; NULL for a draft
  size            INTEGER NOT NULL DEFAULT 0,
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT,                          -- ISO 8601 UTC; NULL = now
  last_error_code TEXT,
  last_error      TEXT,                          -- French message shown in the Boîte d'envoi
  filed_in_sent   INTEGER NOT NULL DEFAULT 0,    -- 1 once the copy is in the server's Envoyés
  created_at      TEXT NOT NULL,
  updated_at      TEXT NOT NULL,
  sent_at         TEXT
) STRICT;
CREATE INDEX outbox_state ON outbox (state, next_attempt_at);
CREATE UNIQUE INDEX outbox_message_id ON outbox (account_id, message_id);
