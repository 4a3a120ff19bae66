import type { HandlerMap } from '../../core.js';
import { getSyncCoordinator } from '../../sync/coordinator.js';

export const syncHandlers: Pick<HandlerMap, 'status.get' | 'status.cli' | 'sync.run'> = {
  'status.get': (ctx) => getSyncCoordinator(ctx).status(),
  'status.cli': (ctx) => getSyncCoordinator(ctx).cliStatus(),
  'sync.run': (ctx, params) => getSyncCoordinator(ctx).run({ accountId: params?.accountId, only: params?.only }),
};
