-- 019: what a contact's card shows besides its name, addresses and numbers, kept as columns of dav_objects so that
-- contacts.list (called often by Espaces, Agenda and Courrier) reads them without parsing every vCard: organisation
-- (ORG), fonction (TITLE, not the `title` column, which holds FN or SUMMARY), note, postal address (first ADR, one line
-- per '\n') and birthday (BDAY, 'YYYY-MM-DD' or '--MM-DD'). Filled when a card is stored (src/calendar/repository.ts,
-- from src/contacts/vcard.ts readVCard); '' for events. NULL means « not read yet »: the cards stored before this step
-- are read once by fillContactExtras (src/contacts/address-book.ts) when the profile opens, through the partial index
-- below, which is empty afterwards (nothing to do at the next starts).
ALTER TABLE dav_objects ADD COLUMN organization TEXT;
ALTER TABLE dav_objects ADD COLUMN job_title TEXT;
ALTER TABLE dav_objects ADD COLUMN note TEXT;
ALTER TABLE dav_objects ADD COLUMN address TEXT;
ALTER TABLE dav_objects ADD COLUMN birthday TEXT;

UPDATE dav_objects SET organization = '', job_title = '', note = '', address = '', birthday = ''
WHERE EXISTS (
  SELECT 1 FROM dav_collections c
  WHERE c.account_id = dav_objects.account_id AND c.href = dav_objects.collection_href AND c.kind = 'calendar'
);

CREATE INDEX dav_objects_extras_unread ON dav_objects(account_id, href) WHERE organization IS NULL;
