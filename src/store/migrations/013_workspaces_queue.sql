-- 013: Espaces de travail, the offline queue and what the agent has read. A message written here keeps its origin id
-- (XEP-0359) and pending = 1 until the room's archive holds it; queued_at orders the queue (sent in that order).
-- seen = 0: a message of someone else not read yet (unread counts per space); mentions_me = 1: it names the agent
-- (« @Élodie »).
ALTER TABLE chat_messages ADD COLUMN seen INTEGER NOT NULL DEFAULT 1;
ALTER TABLE chat_messages ADD COLUMN mentions_me INTEGER NOT NULL DEFAULT 0;
ALTER TABLE chat_messages ADD COLUMN queued_at INTEGER;
CREATE INDEX chat_messages_pending ON chat_messages (account_id, pending, queued_at);
CREATE INDEX chat_messages_unseen ON chat_messages (account_id, workspace_id, seen);
