import type { HandlerMap } from '../core.js';
import { OstalError } from '../api/errors.js';

// Placeholder until the owning module is written.
const todo = (): never => {
  throw new OstalError('internal', 'Cette fonction n’est pas encore disponible.');
};

export const syncHandlers: Pick<HandlerMap, 'status.get' | 'status.cli' | 'sync.run'> = {
  'status.get': todo,
  'status.cli': todo,
  'sync.run': todo,
};
