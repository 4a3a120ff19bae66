-- 006: Agenda et Contacts: CalDAV calendars and CardDAV address books synced from the server.
-- dav_collections: one row per calendar / address book (kind), with the server's change markers
-- (getctag, sync-token) so an unchanged collection is skipped on the next sync.
-- dav_objects: one row per resource (href) with its ETag and raw iCalendar/vCard text, plus the fields
-- parsed at sync time (uid, summary or fn, emails/phones for contacts). Recurrences are expanded at
-- query time from `raw`. SQL in src/calendar/repository.ts.
CREATE TABLE dav_collections (
  account_id   TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  kind         TEXT NOT NULL CHECK (kind IN ('calendar', 'addressbook')),
  href         TEXT NOT NULL,
  display_name TEXT NOT NULL,
  color        TEXT,
  ctag         TEXT,
  sync_token   TEXT,
  PRIMARY KEY (account_id, href)
) STRICT, WITHOUT ROWID;

CREATE TABLE dav_objects (
  account_id     TEXT NOT NULL,
  collection_href TEXT NOT NULL,
  href           TEXT NOT NULL,
  etag           TEXT,
  raw            TEXT NOT NULL,
  uid            TEXT NOT NULL,
  title          TEXT NOT NULL,
  emails         TEXT NOT NULL DEFAULT '[]',
  phones         TEXT NOT NULL DEFAULT '[]',
  PRIMARY KEY (account_id, href),
  FOREIGN KEY (account_id, collection_href) REFERENCES dav_collections(account_id, href) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;

CREATE INDEX dav_objects_collection ON dav_objects(account_id, collection_href);
