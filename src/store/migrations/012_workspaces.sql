-- 012: Espaces de travail (src/workspaces/): the spaces an account belongs to (one XMPP room each) and the local copy
-- of their Discussion (archive ids from MAM; a message still being sent keeps its origin id with pending = 1).
CREATE TABLE workspaces (
  id            TEXT NOT NULL,                 -- room address (bare JID)
  account_id    TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  name          TEXT NOT NULL,
  description   TEXT NOT NULL DEFAULT '',
  members       TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(members)),
  owner         TEXT,
  documents_url TEXT,
  visio_room    TEXT NOT NULL,
  created_at    TEXT NOT NULL,
  PRIMARY KEY (account_id, id)
) STRICT;
CREATE TABLE chat_messages (
  account_id   TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  workspace_id TEXT NOT NULL,
  id           TEXT NOT NULL,                  -- archive id (stanza-id) or, while pending, the origin id
  origin_id    TEXT,
  sender       TEXT NOT NULL,
  body         TEXT NOT NULL,
  sent_at      TEXT NOT NULL,
  pending      INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (account_id, workspace_id, id)
) STRICT;
CREATE INDEX chat_messages_time ON chat_messages (account_id, workspace_id, sent_at);
CREATE INDEX chat_messages_origin ON chat_messages (account_id, workspace_id, origin_id);
