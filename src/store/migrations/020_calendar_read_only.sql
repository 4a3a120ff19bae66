-- 020: calendars the agent may only read (shared to it in read-only: a colleague's agenda, the town's public
-- holidays). read_only is 1 when the collection's DAV:current-user-privilege-set (RFC 3744), read at each sync by
-- src/calendar/dav-sync.ts, grants neither DAV:write, DAV:write-content, DAV:bind nor DAV:all; 0 when it does or when
-- the server does not give the property (as before this step). The Agenda refuses to write in a read-only calendar
-- (src/calendar/agenda.ts) and offers no change of its events. SQL in src/calendar/repository.ts.
ALTER TABLE dav_collections ADD COLUMN read_only INTEGER NOT NULL DEFAULT 0;
