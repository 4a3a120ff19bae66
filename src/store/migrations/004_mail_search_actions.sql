-- 004: search columns for the French operators (de:, à:, objet:, pj:) and attachment names.
-- All SQL on these tables lives in src/mail/repository.ts.
--
-- Attachment file names come from BODYSTRUCTURE at header sync time, so `pj:nom.pdf` and a plain
-- search find them before the body is downloaded.
ALTER TABLE mail_messages ADD COLUMN attachment_names TEXT NOT NULL DEFAULT '';

-- The full-text index gets one column per operator. It is contentless (the text of the bodies is
-- in the blobs), so it cannot be copied: rebuild it from the rows; bodies that were indexed are
-- fetched again by the prefetch (the blobs are content-addressed, nothing is written twice).
DROP TRIGGER mail_messages_search_insert;
DROP TRIGGER mail_messages_search_delete;
DROP TABLE mail_search;

CREATE VIRTUAL TABLE mail_search USING fts5 (
  subject, sender, recipients, body, attachments,
  content = '', contentless_delete = 1,
  tokenize = "unicode61 remove_diacritics 2"
);

CREATE TRIGGER mail_messages_search_insert AFTER INSERT ON mail_messages BEGIN
  INSERT INTO mail_search (rowid, subject, sender, recipients, body, attachments)
  VALUES (new.id, new.subject,
          coalesce(new.from_name, '') || ' ' || coalesce(new.from_addr, ''),
          (SELECT coalesce(group_concat(coalesce(json_extract(value, '$.name'), '') || ' ' || coalesce(json_extract(value, '$.address'), ''), ' '), '')
             FROM json_each(new.to_json)) || ' ' ||
          (SELECT coalesce(group_concat(coalesce(json_extract(value, '$.name'), '') || ' ' || coalesce(json_extract(value, '$.address'), ''), ' '), '')
             FROM json_each(new.cc_json)),
          '', new.attachment_names);
END;

CREATE TRIGGER mail_messages_search_delete AFTER DELETE ON mail_messages BEGIN
  DELETE FROM mail_search WHERE rowid = old.id;
END;

INSERT INTO mail_search (rowid, subject, sender, recipients, body, attachments)
SELECT m.id, m.subject,
       coalesce(m.from_name, '') || ' ' || coalesce(m.from_addr, ''),
       (SELECT coalesce(group_concat(coalesce(json_extract(value, '$.name'), '') || ' ' || coalesce(json_extract(value, '$.address'), ''), ' '), '')
          FROM json_each(m.to_json)) || ' ' ||
       (SELECT coalesce(group_concat(coalesce(json_extract(value, '$.name'), '') || ' ' || coalesce(json_extract(value, '$.address'), ''), ' '), '')
          FROM json_each(m.cc_json)),
       '', m.attachment_names
  FROM mail_messages m;
UPDATE mail_messages SET body_path = NULL WHERE body_path IS NOT NULL;

-- Messages moved locally wait for their server UID with a provisional negative one; the folder
-- sync matches them by Message-ID.
CREATE INDEX mail_messages_provisional ON mail_messages (folder_id, message_id) WHERE uid < 0;
