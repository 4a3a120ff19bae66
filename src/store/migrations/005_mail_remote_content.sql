-- 005: the user's « Afficher les images » choices: remote content of HTML mail stays blocked unless
-- allowed for one message (scope 'message', key = Message-ID or folder id/UID) or for a sender
-- (scope 'sender', key = lower-case address). SQL in src/mail/repository.ts.
CREATE TABLE mail_remote_content (
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  scope      TEXT NOT NULL CHECK (scope IN ('message', 'sender')),
  key        TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (account_id, scope, key)
) STRICT, WITHOUT ROWID;
