-- 016: a message fetched whole (headers and source in one pass, MailRepository.storeDownloaded) is inserted with
-- body_indexed = 1 and writes its complete search entry itself, body text included: the insert trigger no longer
-- writes a header-only entry for it, which the body's entry replaced at once (two FTS writes and a delete per
-- message). Every other insert (header sync, copies, imports) has body_indexed = 0 and keeps its trigger entry.
-- All SQL on these tables lives in src/mail/repository.ts.
DROP TRIGGER mail_messages_search_insert;

CREATE TRIGGER mail_messages_search_insert AFTER INSERT ON mail_messages WHEN new.body_indexed = 0 BEGIN
  INSERT INTO mail_search (rowid, subject, sender, recipients, body, attachments)
  VALUES (new.id, new.subject,
          coalesce(new.from_name, '') || ' ' || coalesce(new.from_addr, ''),
          (SELECT coalesce(group_concat(coalesce(json_extract(value, '$.name'), '') || ' ' || coalesce(json_extract(value, '$.address'), ''), ' '), '')
             FROM json_each(new.to_json)) || ' ' ||
          (SELECT coalesce(group_concat(coalesce(json_extract(value, '$.name'), '') || ' ' || coalesce(json_extract(value, '$.address'), ''), ' '), '')
             FROM json_each(new.cc_json)),
          '', new.attachment_names);
END;
