/** The Carnet d’adresses: filled by the CardDAV sync; writes are local at once and sent through the journal (dav-writes.ts). */
import crypto from 'node:crypto';
import type { ContactInput, ContactSummary, Params, Result } from '../shared/contract.js';
import { OstalError } from '../errors.js';
import type { CoreContext } from '../context.js';
import { t } from '../i18n/index.js';
import { enqueueDelete, enqueuePut, newResourceHref, newRevision, pendingHrefs } from '../calendar/dav-writes.js';
import { DavRepository } from '../calendar/repository.js';
import { ContactInputError, contactFields, createVCard, updateVCard } from './vcard.js';
import { compareFrench } from '../shared/format.js';

/** Every stored contact, sorted by name (French collation). Reads the store only. */
export function listContacts(ctx: Pick<CoreContext, 'db'>): ContactSummary[] {
  return new DavRepository(ctx.db)
    .objectsOfKind('addressbook')
    .map((o) => ({ uid: o.uid, fn: o.title, emails: o.emails, phones: o.phones, addressBook: o.collectionName }))
    .sort((a, b) => compareFrench(a.fn, b.fn) || a.uid.localeCompare(b.uid));
}

function findContact(ctx: CoreContext, uid: string) {
  const obj = new DavRepository(ctx.db).objectByUid('addressbook', uid);
  if (!obj) throw new OstalError('not_found', t('dav.writes.contactNotFound'));
  return obj;
}

/** A contact needs a name (the rest of the fields is checked by the API schema, then by the vCard model). */
function checkContact(contact: ContactInput): ContactInput {
  if (!contact.fn.trim()) throw new OstalError('invalid_input', t('dav.writes.nameRequired'));
  return contact;
}

function inputError(err: unknown): never {
  if (err instanceof ContactInputError) throw new OstalError('invalid_input', t('dav.writes.invalidContact'), { cause: err });
  throw err;
}

function replaySoon(ctx: Pick<CoreContext, 'sync'>, accountId: string): void {
  ctx.sync.requestReplay(accountId, 'contacts');
}

export function contactDetails(ctx: CoreContext, params: Params<'contacts.get'>): Result<'contacts.get'> {
  const obj = findContact(ctx, params.uid);
  return {
    ...contactFields(obj.raw),
    uid: obj.uid,
    accountId: obj.accountId,
    addressBookHref: obj.collectionHref,
    addressBook: obj.collectionName,
    pending: pendingHrefs(ctx, obj.accountId, 'addressbook').has(obj.href),
  };
}

export function createContact(ctx: CoreContext, params: Params<'contacts.create'>): Result<'contacts.create'> {
  const input = checkContact(params.contact);
  const books = new DavRepository(ctx.db).allCollections('addressbook');
  const target = params.addressBookHref
    ? books.find((b) => b.href === params.addressBookHref && (!params.accountId || b.accountId === params.accountId))
    : books.find((b) => !params.accountId || b.accountId === params.accountId);
  if (!target) throw new OstalError('not_found', t('dav.writes.noAddressBook'));
  const uid = crypto.randomUUID();
  const rev = newRevision();
  let raw: string;
  try {
    raw = createVCard(input, { uid, rev });
  } catch (err) {
    return inputError(err);
  }
  enqueuePut(ctx, 'addressbook', target.accountId, {
    collectionHref: target.href,
    href: newResourceHref(target.href, uid, 'addressbook'),
    uid,
    raw,
    rev,
  });
  replaySoon(ctx, target.accountId);
  return { uid };
}

export function updateContact(ctx: CoreContext, params: Params<'contacts.update'>): Result<'contacts.update'> {
  const obj = findContact(ctx, params.uid);
  const input = checkContact(params.contact);
  const rev = newRevision();
  let raw: string;
  try {
    raw = updateVCard(obj.raw, input, { rev });
  } catch (err) {
    return inputError(err);
  }
  enqueuePut(ctx, 'addressbook', obj.accountId, { collectionHref: obj.collectionHref, href: obj.href, uid: obj.uid, raw, rev });
  replaySoon(ctx, obj.accountId);
  return { uid: obj.uid };
}

export function deleteContact(ctx: CoreContext, params: Params<'contacts.delete'>): Result<'contacts.delete'> {
  const obj = findContact(ctx, params.uid);
  enqueueDelete(ctx, 'addressbook', obj.accountId, { collectionHref: obj.collectionHref, href: obj.href, uid: obj.uid });
  replaySoon(ctx, obj.accountId);
  return { deleted: true };
}
