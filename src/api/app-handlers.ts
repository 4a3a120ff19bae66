import type { HandlerMap } from '../core.js';
import { OstalError } from './errors.js';

// Placeholder until the owning module is written.
const todo = (): never => {
  throw new OstalError('internal', 'Cette fonction n’est pas encore disponible.');
};

export const appHandlers: Pick<HandlerMap, 'app.info' | 'policy.get' | 'settings.list' | 'settings.set'> = {
  'app.info': todo,
  'policy.get': todo,
  'settings.list': todo,
  'settings.set': todo,
};
