-- 008: Agenda et Contacts writes. Events and contacts created, changed or deleted in Ostal are written to
-- dav_objects at once and replayed to the server through the operations journal (kinds 'dav.put',
-- 'dav.delete'; src/calendar/dav-writes.ts). local_deleted hides a row whose deletion has not reached the
-- server yet. dav_conflicts keeps the user's change when the server changed the same resource meanwhile
-- (412 on If-Match): the server version is kept, the user's version waits here to be re-applied or dismissed.
ALTER TABLE dav_objects ADD COLUMN local_deleted INTEGER NOT NULL DEFAULT 0;

CREATE TABLE dav_conflicts (
  id              INTEGER PRIMARY KEY,
  account_id      TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  kind            TEXT NOT NULL CHECK (kind IN ('calendar', 'addressbook')),
  collection_href TEXT NOT NULL,
  href            TEXT NOT NULL,
  uid             TEXT NOT NULL,
  title           TEXT NOT NULL,
  -- 'put': the user's version of the resource is in local_raw; 'delete': the user deleted it.
  action          TEXT NOT NULL CHECK (action IN ('put', 'delete')),
  local_raw       TEXT,
  created_at      TEXT NOT NULL
) STRICT;

CREATE INDEX dav_conflicts_account ON dav_conflicts(account_id);
