-- 015: Espaces de travail, replies (XEP-0461), edits (XEP-0308) and deletions (XEP-0424) of Discussion messages.
-- reply_to: archive id of the message answered; edited_at: when its sender last corrected it (the body is then the
-- corrected text); retracted = 1: its sender deleted it (the body is emptied). Only the original sender's corrections
-- and deletions are applied (src/workspaces/repository.ts).
ALTER TABLE chat_messages ADD COLUMN reply_to TEXT;
ALTER TABLE chat_messages ADD COLUMN edited_at TEXT;
ALTER TABLE chat_messages ADD COLUMN retracted INTEGER NOT NULL DEFAULT 0;
