import type { MailAccount } from '../../mail/imap-client.js';
import type { HandlerMap } from '../handler-types.js';
import { OstalError } from '../../errors.js';
import { t } from '../../i18n/index.js';
import { getAccountRow, listAccountRows, loadMailAccount } from '../../accounts/account-rows.js';
import { MailRepository } from '../../mail/repository.js';
import { MailSearch } from '../../mail/search.js';

/** Search: the store first (works offline), completed by the reachable servers within 1.5 s. */
export const searchHandlers: Pick<HandlerMap, 'mail.search' | 'mail.searchCount'> = {
  'mail.searchCount': (ctx, params) => {
    if (typeof params?.query !== 'string') throw new OstalError('invalid_input', t('errors.invalidRequest'));
    if (params.accountId !== undefined && !getAccountRow(ctx, params.accountId))
      throw new OstalError('not_found', t('errors.accountNotFound'));
    return {
      total: new MailSearch(new MailRepository(ctx.db)).countLocal(params.query, { accountId: params.accountId, folder: params.folder }),
    };
  },
  'mail.search': async (ctx, params) => {
    if (params.accountId !== undefined && !getAccountRow(ctx, params.accountId))
      throw new OstalError('not_found', t('errors.accountNotFound'));
    const search = new MailSearch(new MailRepository(ctx.db));
    const options = { accountId: params.accountId, folder: params.folder, limit: params.limit };
    if (params.server === false) return search.searchLocal(params.query, options);
    const accounts: MailAccount[] = [];
    for (const row of listAccountRows(ctx)) {
      if (params.accountId && row.id !== params.accountId) continue;
      if (!ctx.connections.isOnline(row.id, row.lastError)) continue;
      try {
        accounts.push(await loadMailAccount(ctx, row));
      } catch {
        /* no password: local results only */
      }
    }
    return search.search(params.query, options, { accounts, log: ctx.log });
  },
};
