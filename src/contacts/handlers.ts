import type { ContactSummary } from '../api/contract.js';
import type { CoreContext, HandlerMap } from '../core.js';
import { DavRepository } from '../calendar/repository.js';

const collator = new Intl.Collator('fr', { sensitivity: 'base' });

/** Every stored contact, sorted by name (French collation). Reads the store only. */
export function listContacts(ctx: Pick<CoreContext, 'db'>): ContactSummary[] {
  return new DavRepository(ctx.db)
    .objectsOfKind('addressbook')
    .map((o) => ({ uid: o.uid, fn: o.title, emails: o.emails, phones: o.phones, addressBook: o.collectionName }))
    .sort((a, b) => collator.compare(a.fn, b.fn) || a.uid.localeCompare(b.uid));
}

/** Carnet d’adresses: filled by the CardDAV sync (src/calendar/dav-sync.ts). */
export const contactHandlers: Pick<HandlerMap, 'contacts.list'> = {
  'contacts.list': (ctx) => listContacts(ctx),
};
