import type { Core } from '../core.js';
import { getSyncCoordinator, type SyncCoordinator } from './coordinator.js';

export { SyncCoordinator, getSyncCoordinator, runtimeKeys } from './coordinator.js';
export type { ScopeSyncer, SyncCoordinatorOptions } from './coordinator.js';

/**
 * Start the background sync of a Core: connectivity probe every few seconds, full sync every
 * minute, stopped when the Core closes. Called by the hosts (browser mode, Electron), not by the CLI.
 */
export function startBackgroundSync(core: Core): SyncCoordinator {
  const coordinator = getSyncCoordinator(core.ctx);
  core.onClose(() => coordinator.stop());
  coordinator.start();
  return coordinator;
}
