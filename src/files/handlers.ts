import type { HandlerMap } from '../core.js';

/** Fichiers: filled by the WebDAV sync (Fichiers issue). */
export const fileHandlers: Pick<HandlerMap, 'files.list'> = {
  'files.list': () => [],
};
