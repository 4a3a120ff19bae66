-- 002: mail store (folders, message headers, full-text index). All SQL on these tables lives in
-- src/mail/repository.ts. Message sources are blobs on disk (profile/blobs/mail/<account>/<sha256>.eml).

-- One IMAP folder of an account, with the server state the incremental sync resumes from.
CREATE TABLE mail_folders (
  id            INTEGER PRIMARY KEY,
  account_id    TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  path          TEXT NOT NULL,                 -- server path decoded to UTF-8
  name          TEXT NOT NULL,                 -- French display name
  special_use   TEXT,                          -- '\Inbox', '\Sent', … or NULL
  delimiter     TEXT NOT NULL DEFAULT '/',
  subscribed    INTEGER NOT NULL DEFAULT 1,
  uidvalidity   TEXT,                          -- decimal string (bigint on the wire)
  uidnext       INTEGER,
  highestmodseq TEXT,                          -- decimal string: modseq is 63-bit
  total         INTEGER NOT NULL DEFAULT 0,    -- server STATUS MESSAGES
  unread        INTEGER NOT NULL DEFAULT 0,    -- server STATUS UNSEEN
  last_sync     TEXT,                          -- ISO 8601 UTC
  UNIQUE (account_id, path)
) STRICT;

-- Headers of one message in one folder (the same message in two folders is two rows).
CREATE TABLE mail_messages (
  id              INTEGER PRIMARY KEY,
  account_id      TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  folder_id       INTEGER NOT NULL REFERENCES mail_folders(id) ON DELETE CASCADE,
  uid             INTEGER NOT NULL,
  modseq          TEXT,
  message_id      TEXT,
  subject         TEXT NOT NULL DEFAULT '',
  from_name       TEXT,
  from_addr       TEXT,
  to_json         TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(to_json)),  -- Address[]
  cc_json         TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(cc_json)),  -- Address[]
  date            TEXT,                        -- ISO 8601 from the Date header
  internal_date   TEXT,                        -- ISO 8601, server arrival time
  flags_json      TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(flags_json)),
  seen            INTEGER NOT NULL DEFAULT 0,
  flagged         INTEGER NOT NULL DEFAULT 0,
  size            INTEGER NOT NULL DEFAULT 0,
  has_attachments INTEGER NOT NULL DEFAULT 0,
  body_path       TEXT,                        -- relative to the blobs folder, NULL until fetched
  in_reply_to     TEXT,
  references_json TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(references_json)),
  UNIQUE (folder_id, uid)
) STRICT;
CREATE INDEX mail_messages_list ON mail_messages (folder_id, internal_date DESC, uid DESC);
CREATE INDEX mail_messages_message_id ON mail_messages (account_id, message_id);

-- Accent- and case-insensitive full-text index; rowid = mail_messages.id. Contentless: the text
-- lives in mail_messages (subject, addresses) and in the blobs (body).
CREATE VIRTUAL TABLE mail_search USING fts5 (
  subject, addresses, body,
  content = '', contentless_delete = 1,
  tokenize = "unicode61 remove_diacritics 2"
);

CREATE TRIGGER mail_messages_search_insert AFTER INSERT ON mail_messages BEGIN
  INSERT INTO mail_search (rowid, subject, addresses, body)
  VALUES (new.id, new.subject,
          coalesce(new.from_name, '') || ' ' || coalesce(new.from_addr, '') || ' ' ||
          (SELECT coalesce(group_concat(coalesce(json_extract(value, '$.name'), '') || ' ' || coalesce(json_extract(value, '$.address'), ''), ' '), '')
             FROM json_each(new.to_json)) || ' ' ||
          (SELECT coalesce(group_concat(coalesce(json_extract(value, '$.name'), '') || ' ' || coalesce(json_extract(value, '$.address'), ''), ' '), '')
             FROM json_each(new.cc_json)),
          '');
END;

CREATE TRIGGER mail_messages_search_delete AFTER DELETE ON mail_messages BEGIN
  DELETE FROM mail_search WHERE rowid = old.id;
END;
