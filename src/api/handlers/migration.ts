import type { HandlerMap } from '../handler-types.js';

export const migrationHandlers: Pick<
  HandlerMap,
  'migration.run' | 'migration.start' | 'migration.status' | 'migration.pause' | 'migration.resume'
> = {
  'migration.run': (ctx, params) => ctx.services.migration.run(params),
  'migration.start': (ctx, params) => ctx.services.migration.start(params),
  'migration.status': (ctx) => ctx.services.migration.status(),
  'migration.pause': (ctx) => ctx.services.migration.pause(),
  'migration.resume': (ctx) => ctx.services.migration.resume(),
};
