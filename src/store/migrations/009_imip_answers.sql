-- 009: answers received to the invitations I organise (iMIP METHOD:REPLY), kept by Ostal only: the latest
-- answer of each participant (SEQUENCE, then DTSTAMP), so that an older answer read later never replaces a
-- newer one. Nothing of it is written into the event on the shared server. SQL in src/calendar/imip-answers.ts.
CREATE TABLE imip_answers (
  account_id    TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  uid           TEXT NOT NULL,
  recurrence_id TEXT NOT NULL,
  attendee      TEXT NOT NULL,
  sequence      INTEGER NOT NULL,
  dtstamp       TEXT NOT NULL,
  partstat      TEXT NOT NULL,
  PRIMARY KEY (account_id, uid, recurrence_id, attendee)
) STRICT, WITHOUT ROWID;
