import type { HandlerMap } from '../core.js';
import { OstalError } from '../api/errors.js';

// Placeholder until the owning module is written.
const todo = (): never => {
  throw new OstalError('internal', 'Cette fonction n’est pas encore disponible.');
};

export const mailHandlers: Pick<HandlerMap, 'mail.folders' | 'mail.messages'> = {
  'mail.folders': todo,
  'mail.messages': todo,
};
