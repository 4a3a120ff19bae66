import type { HandlerMap } from '../core.js';

/** Carnet d'adresses: filled by the CardDAV sync (Agenda et Contacts issue). */
export const contactHandlers: Pick<HandlerMap, 'contacts.list'> = {
  'contacts.list': () => [],
};
