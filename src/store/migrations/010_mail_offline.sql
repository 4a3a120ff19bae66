-- 010: every message offline. All SQL on these tables lives in src/mail/repository.ts.
--
-- mail_folders.offline: the folder's own « Disponible hors ligne » choice; NULL follows the setting
-- 'mail.offlineWindow', 1 keeps every message of the folder, 0 keeps none (headers only).
ALTER TABLE mail_folders ADD COLUMN offline INTEGER CHECK (offline IN (0, 1));

-- A body is stored in two steps: the blob and body_path are committed as soon as the source arrives
-- (so that a kill never makes the download fetch it again), then its text is indexed for search
-- (body_indexed = 1). A kill between the two leaves body_indexed = 0: the text is indexed again from
-- the blob on disk, never from the server.
ALTER TABLE mail_messages ADD COLUMN body_indexed INTEGER NOT NULL DEFAULT 0;
UPDATE mail_messages SET body_indexed = 1 WHERE body_path IS NOT NULL;

-- What the download still has to fetch, newest first, without walking the stored bodies.
CREATE INDEX mail_messages_missing_body ON mail_messages (folder_id, internal_date DESC, uid DESC) WHERE body_path IS NULL;
-- Bodies on disk whose text is not in the search index yet (after a kill).
CREATE INDEX mail_messages_unindexed ON mail_messages (folder_id) WHERE body_path IS NOT NULL AND body_indexed = 0;
