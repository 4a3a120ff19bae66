import type { HandlerMap } from '../handler-types.js';
import { suggestRecipients } from '../../contacts/suggest.js';
import { contactDetails, createContact, deleteContact, listContacts, restoreContact, updateContact } from '../../contacts/address-book.js';

export const contactHandlers: Pick<
  HandlerMap,
  'contacts.list' | 'contacts.get' | 'contacts.create' | 'contacts.update' | 'contacts.delete' | 'contacts.restore' | 'contacts.suggest'
> = {
  'contacts.list': (ctx) => listContacts(ctx),
  'contacts.suggest': (ctx, params) => suggestRecipients(ctx, ctx.services.correspondents, params.query, params.limit),
  'contacts.get': (ctx, params) => contactDetails(ctx, params),
  'contacts.create': (ctx, params) => createContact(ctx, params),
  'contacts.update': (ctx, params) => updateContact(ctx, params),
  'contacts.delete': (ctx, params) => deleteContact(ctx, params),
  'contacts.restore': (ctx, params) => restoreContact(ctx, params),
};
