-- 015: Espaces de travail, replies (XEP-0461), edits (XEP-0308) and deletions (XEP-0424) of Discussion messages.
-- reply_to: archive id of the message answered; edited_at: when its sender last corrected it (the body is then the
-- corrected text); retracted = 1: its sender deleted it (the body is emptied). Only the original sender's corrections
-- and deletions are applied (src/workspaces/repository.ts).
ALTER TABLE chat_messages ADD COLUMN reply_to TEXT;
ALTER TABLE chat_messages ADD COLUMN edited_at TEXT;
ALTER TABLE chat_messages ADD COLUMN retracted INTEGER NOT NULL DEFAULT 0;

-- Offline search of the Discussions (chat.search), accent- and case-insensitive like the mail's (« reunion » finds
-- « Réunion »). Keyed by the message row's rowid; kept by triggers (a stored message is written by INSERT OR REPLACE,
-- whose implicit delete fires no trigger: the insert trigger clears the rowid first, and a search joins the rows, so a
-- leftover entry never shows).
CREATE VIRTUAL TABLE chat_search USING fts5 (body, tokenize = "unicode61 remove_diacritics 2");
CREATE TRIGGER chat_messages_search_insert AFTER INSERT ON chat_messages BEGIN
  DELETE FROM chat_search WHERE rowid = new.rowid;
  INSERT INTO chat_search (rowid, body) VALUES (new.rowid, new.body);
END;
CREATE TRIGGER chat_messages_search_update AFTER UPDATE OF body ON chat_messages BEGIN
  DELETE FROM chat_search WHERE rowid = old.rowid;
  INSERT INTO chat_search (rowid, body) VALUES (new.rowid, new.body);
END;
CREATE TRIGGER chat_messages_search_delete AFTER DELETE ON chat_messages BEGIN
  DELETE FROM chat_search WHERE rowid = old.rowid;
END;
INSERT INTO chat_search (rowid, body) SELECT rowid, body FROM chat_messages;
