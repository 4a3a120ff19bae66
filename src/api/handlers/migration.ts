import type { HandlerMap } from '../handler-types.js';

export const migrationHandlers: Pick<
  HandlerMap,
  'migration.run' | 'migration.copyAccount' | 'migration.start' | 'migration.status' | 'migration.pause' | 'migration.resume'
> = {
  'migration.run': (ctx, params) => ctx.services.migration.run(params),
  'migration.copyAccount': (ctx, params) =>
    ctx.services.migration.run({ paths: [], accountId: params.accountId, fromAccountId: params.fromAccountId, folders: params.folders }),
  'migration.start': (ctx, params) => ctx.services.migration.start(params),
  'migration.status': (ctx) => ctx.services.migration.status(),
  'migration.pause': (ctx) => ctx.services.migration.pause(),
  'migration.resume': (ctx) => ctx.services.migration.resume(),
};
