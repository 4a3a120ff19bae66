import type { HandlerMap } from '../core.js';
import { OstalError } from '../api/errors.js';

// Placeholder until the owning module is written.
const todo = (): never => {
  throw new OstalError('internal', 'Cette fonction n’est pas encore disponible.');
};

export const accountHandlers: Pick<HandlerMap, 'accounts.list' | 'accounts.discover' | 'accounts.test' | 'accounts.add' | 'accounts.update' | 'accounts.remove'> = {
  'accounts.list': todo,
  'accounts.discover': todo,
  'accounts.test': todo,
  'accounts.add': todo,
  'accounts.update': todo,
  'accounts.remove': todo,
};
