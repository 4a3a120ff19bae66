-- 017: Espaces de travail, the Discussion paged from the local copy and, where it runs out, from the room's archive.
-- seq orders the messages of one space that share a second (the archive's stamps have no milliseconds): a page read
-- from the archive before a message gets the numbers right below that message's (the ones below move down), newer
-- messages numbers above (rowid no longer tells, as an older page is stored after the newer ones). gap_before = 1: archived messages older than this one may
-- be missing here (the first message of an archive page, unless the archive said it starts there); reading the page
-- before it clears the mark (src/workspaces/repository.ts).
ALTER TABLE chat_messages ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE chat_messages ADD COLUMN gap_before INTEGER NOT NULL DEFAULT 0;
UPDATE chat_messages SET seq = rowid;
-- Kept before this migration: nothing says what came before the oldest message of each space, so the archive is asked.
UPDATE chat_messages SET gap_before = 1 WHERE rowid IN (
  SELECT (SELECT o.rowid FROM chat_messages o
          WHERE o.account_id = g.account_id AND o.workspace_id = g.workspace_id AND o.pending = 0
          ORDER BY o.sent_at, o.rowid LIMIT 1)
  FROM (SELECT DISTINCT account_id, workspace_id FROM chat_messages) g);
CREATE INDEX chat_messages_order ON chat_messages (workspace_id, sent_at, seq);
