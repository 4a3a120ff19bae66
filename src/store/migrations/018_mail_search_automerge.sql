-- 018: the mail search index merges its segments 16 at a time instead of 4 (FTS5 'automerge'; each transaction of a
-- download adds a segment). Storing 10 000 downloaded messages with their text costs ~15 % less processor time (~1,5 s
-- → ~1,3 s in the store worker, 100 000: 16,7 → 15,2 s), searches measured as fast (more, larger segments: 1 150 rows
-- in mail_search_idx instead of 540 for 100 000 messages). Kept in the index's own configuration: nothing to do at
-- each start. All SQL on these tables lives in src/mail/repository.ts.
INSERT INTO mail_search (mail_search, rank) VALUES ('automerge', 16);
