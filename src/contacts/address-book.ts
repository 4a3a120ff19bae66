/** The Carnet d’adresses: filled by the CardDAV sync; writes are local at once and sent through the journal (dav-writes.ts). */
import crypto from 'node:crypto';
import type { ContactInput, ContactSummary, Params, Result } from '../shared/contract.js';
import { OstalError } from '../errors.js';
import type { CoreContext } from '../context.js';
import { t } from '../i18n/index.js';
import {
  enqueueDelete,
  enqueuePut,
  newResourceHref,
  newRevision,
  pendingHrefs,
  restamp,
  type DavDeletePayload,
} from '../calendar/dav-writes.js';
import { DavRepository } from '../calendar/repository.js';
import { ContactInputError, cardExtras, contactFields, createVCard, noCardExtras, updateVCard } from './vcard.js';
import { compareFrench } from '../shared/format.js';

/**
 * Every stored contact, sorted by name (French collation), with what its card shows. Reads the store's columns only,
 * never the vCard text: they were filled when the card was stored (and by fillContactExtras for older profiles).
 */
export function listContacts(ctx: Pick<CoreContext, 'db'>): ContactSummary[] {
  return new DavRepository(ctx.db)
    .objectsOfKind('addressbook')
    .map((o) => ({
      uid: o.uid,
      fn: o.title,
      emails: o.emails,
      phones: o.phones,
      ...(o.extras ?? noCardExtras),
      addressBook: o.collectionName,
    }))
    .sort((a, b) => compareFrench(a.fn, b.fn) || a.uid.localeCompare(b.uid));
}

/**
 * Read once the extras of the cards stored before migration 019 (organisation, fonction, note, address, birthday),
 * when the profile opens; a text that cannot be read keeps empty extras (its name and addresses still show). Returns
 * how many objects were read; at the next starts the partial index is empty and this costs one lookup.
 */
export function fillContactExtras(db: CoreContext['db'], log?: Pick<CoreContext['log'], 'info'>): number {
  const repo = new DavRepository(db);
  let filled = 0;
  for (;;) {
    const batch = repo.objectsWithoutExtras(500);
    if (!batch.length) break;
    db.transaction(() => {
      for (const o of batch) {
        let extras = noCardExtras;
        try {
          extras = cardExtras(o.raw);
        } catch {
          /* stored because its UID and name were readable: the card shows those */
        }
        repo.setExtras(o.accountId, o.href, extras);
      }
    })();
    filled += batch.length;
  }
  if (filled) log?.info('contacts: extras of the stored cards read once', { count: filled });
  return filled;
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

/** Hidden at once, deleted on the server through the journal; the text goes with the operation, for « Annuler ». */
export function deleteContact(ctx: CoreContext, params: Params<'contacts.delete'>): Result<'contacts.delete'> {
  const obj = findContact(ctx, params.uid);
  enqueueDelete(ctx, 'addressbook', obj.accountId, { collectionHref: obj.collectionHref, href: obj.href, uid: obj.uid, raw: obj.raw });
  replaySoon(ctx, obj.accountId);
  return { deleted: true };
}

/**
 * « Annuler » after a delete: the same vCard comes back (same UID, same address on the server, every field).
 * If its DELETE has not left yet, it is dropped and nothing reaches the server; otherwise (sent, or on its way)
 * the text kept with the operation is written again, as a new resource (PUT If-None-Match: *).
 */
export function restoreContact(ctx: CoreContext, params: Params<'contacts.restore'>): Result<'contacts.restore'> {
  const repo = new DavRepository(ctx.db);
  if (repo.objectByUid('addressbook', params.uid)) return { uid: params.uid };
  const row = ctx.db
    .prepare(
      "SELECT id, account_id AS accountId, payload FROM operations WHERE kind = 'dav.addressbook.delete' AND json_extract(payload, '$.uid') = ? ORDER BY id DESC LIMIT 1",
    )
    .get(params.uid) as { id: number; accountId: string; payload: string } | undefined;
  if (!row) throw new OstalError('not_found', t('dav.writes.contactNotFound'));
  const p = JSON.parse(row.payload) as DavDeletePayload;
  const local = repo.object(row.accountId, p.href);
  const dropped = ctx.db.transaction(() => {
    const n = ctx.db
      .prepare(
        "UPDATE operations SET state = 'done', last_error = 'cancelled: contact restored', updated_at = ? WHERE id = ? AND state = 'pending'",
      )
      .run(new Date().toISOString(), row.id).changes;
    if (n > 0 && local?.localDeleted) repo.setLocalDeleted(row.accountId, p.href, false);
    return n > 0 && !!local;
  })();
  if (dropped) {
    ctx.emit('dav.changed', { accountId: row.accountId, kind: 'addressbook' });
    return { uid: params.uid };
  }
  const text = local?.raw ?? p.raw;
  if (!text) throw new OstalError('not_found', t('dav.writes.contactNotFound'));
  const { raw, rev } = restamp(text);
  enqueuePut(ctx, 'addressbook', row.accountId, { collectionHref: p.collectionHref, href: p.href, uid: p.uid, raw, rev });
  replaySoon(ctx, row.accountId);
  return { uid: params.uid };
}
