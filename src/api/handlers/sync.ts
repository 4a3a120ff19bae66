import type { HandlerMap } from '../handler-types.js';
import { OperationsJournal } from '../../store/operations-journal.js';
import { AccountRepository } from '../../store/account-repository.js';
import { MailRepository } from '../../mail/repository.js';

export const syncHandlers: Pick<HandlerMap, 'status.get' | 'status.cli' | 'sync.run'> = {
  'status.get': (ctx) => ctx.services.sync.status(),
  /** `status --json` of the CLI. Accounts not probed yet in this process are probed first (a few seconds at most). */
  'status.cli': async (ctx) => {
    await ctx.services.sync.probeUnknown();
    const mail = new MailRepository(ctx.db);
    const journal = new OperationsJournal(ctx.db);
    return {
      accounts: new AccountRepository(ctx.db).list().map((row) => ({
        email: row.email,
        online: ctx.connections.isOnline(row.id, row.lastError),
        lastSync: row.lastSync,
        pendingOperations: journal.pendingCount(row.id),
        folders: mail.folderInfos(row.id).map((f) => ({
          path: f.path,
          name: f.name,
          specialUse: f.specialUse,
          total: f.total,
          unread: f.unread,
          bodiesCached: f.bodiesCached,
        })),
      })),
    };
  },
  'sync.run': (ctx, params) => ctx.services.sync.run({ accountId: params.accountId, only: params.only }),
};
