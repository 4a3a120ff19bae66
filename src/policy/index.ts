// STUB: to be written.
import type { Logger } from '../log.js';
export interface Policy {
  source: string | null;
}
export function loadPolicy(_opts: { path?: string | null; log: Logger }): Policy {
  return { source: null };
}
