import crypto from 'node:crypto';
import type { ContactInput, ContactSummary } from '../../shared/contract.js';
import { OstalError } from '../../errors.js';
import type { CoreContext, HandlerMap } from '../../core.js';
import { t } from '../../i18n/index.js';
import { enqueueDelete, enqueuePut, newResourceHref, newRevision, pendingHrefs } from '../../calendar/dav-writes.js';
import { requestDavReplay } from './calendar.js';
import { DavRepository } from '../../calendar/repository.js';
import { suggestRecipients } from '../../contacts/suggest.js';
import { ContactInputError, contactFields, createVCard, updateVCard } from '../../contacts/vcard.js';

const collator = new Intl.Collator('fr', { sensitivity: 'base' });

/** Every stored contact, sorted by name (French collation). Reads the store only. */
export function listContacts(ctx: Pick<CoreContext, 'db'>): ContactSummary[] {
  return new DavRepository(ctx.db)
    .objectsOfKind('addressbook')
    .map((o) => ({ uid: o.uid, fn: o.title, emails: o.emails, phones: o.phones, addressBook: o.collectionName }))
    .sort((a, b) => collator.compare(a.fn, b.fn) || a.uid.localeCompare(b.uid));
}

function findContact(ctx: CoreContext, uid: unknown) {
  if (typeof uid !== 'string' || !uid) throw new OstalError('invalid_input', t('errors.invalidRequest'));
  const obj = new DavRepository(ctx.db).objectByUid('addressbook', uid);
  if (!obj) throw new OstalError('not_found', t('dav.writes.contactNotFound'));
  return obj;
}

function checkContact(contact: unknown): ContactInput {
  const c = contact as ContactInput | undefined;
  if (!c || typeof c !== 'object') throw new OstalError('invalid_input', t('errors.invalidRequest'));
  if (typeof c.fn !== 'string' || !c.fn.trim()) throw new OstalError('invalid_input', t('dav.writes.nameRequired'));
  return { ...c, emails: Array.isArray(c.emails) ? c.emails : [], phones: Array.isArray(c.phones) ? c.phones : [] };
}

function inputError(err: unknown): never {
  if (err instanceof ContactInputError) throw new OstalError('invalid_input', t('dav.writes.invalidContact'), { cause: err });
  throw err;
}

/** Carnet d’adresses: filled by the CardDAV sync (src/calendar/dav-sync.ts); writes through the journal (dav-writes.ts). */
export const contactHandlers: Pick<HandlerMap, 'contacts.list' | 'contacts.get' | 'contacts.create' | 'contacts.update' | 'contacts.delete' | 'contacts.suggest'> = {
  'contacts.list': (ctx) => listContacts(ctx),
  'contacts.suggest': (ctx, params) => suggestRecipients(ctx, params?.query, params?.limit),
  'contacts.get': (ctx, params) => {
    const obj = findContact(ctx, params?.uid);
    return { ...contactFields(obj.raw), uid: obj.uid, accountId: obj.accountId, addressBookHref: obj.collectionHref, addressBook: obj.collectionName, pending: pendingHrefs(ctx, obj.accountId, 'addressbook').has(obj.href) };
  },
  'contacts.create': (ctx, params) => {
    const input = checkContact(params?.contact);
    const books = new DavRepository(ctx.db).allCollections('addressbook');
    const target = params?.addressBookHref ? books.find((b) => b.href === params.addressBookHref && (!params.accountId || b.accountId === params.accountId)) : books.find((b) => !params?.accountId || b.accountId === params.accountId);
    if (!target) throw new OstalError('not_found', t('dav.writes.noAddressBook'));
    const uid = crypto.randomUUID();
    const rev = newRevision();
    let raw: string;
    try {
      raw = createVCard(input, { uid, rev });
    } catch (err) {
      return inputError(err);
    }
    enqueuePut(ctx, 'addressbook', target.accountId, { collectionHref: target.href, href: newResourceHref(target.href, uid, 'addressbook'), uid, raw, rev });
    requestDavReplay(ctx, target.accountId, 'addressbook');
    return { uid };
  },
  'contacts.update': (ctx, params) => {
    const obj = findContact(ctx, params?.uid);
    const input = checkContact(params?.contact);
    const rev = newRevision();
    let raw: string;
    try {
      raw = updateVCard(obj.raw, input, { rev });
    } catch (err) {
      return inputError(err);
    }
    enqueuePut(ctx, 'addressbook', obj.accountId, { collectionHref: obj.collectionHref, href: obj.href, uid: obj.uid, raw, rev });
    requestDavReplay(ctx, obj.accountId, 'addressbook');
    return { uid: obj.uid };
  },
  'contacts.delete': (ctx, params) => {
    const obj = findContact(ctx, params?.uid);
    enqueueDelete(ctx, 'addressbook', obj.accountId, { collectionHref: obj.collectionHref, href: obj.href, uid: obj.uid });
    requestDavReplay(ctx, obj.accountId, 'addressbook');
    return { deleted: true };
  },
};
