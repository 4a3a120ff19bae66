import type { HandlerMap } from '../handler-types.js';
import { OstalError } from '../../errors.js';
import { t } from '../../i18n/index.js';
import { getAccountRow, loadMailAccount } from '../../accounts/account-rows.js';
import { readSieve, writeSieve } from '../../mail/sieve/service.js';
import type { CoreContext } from '../../context.js';

async function account(ctx: CoreContext, accountId: string) {
  const row = getAccountRow(ctx, accountId);
  if (!row) throw new OstalError('not_found', t('errors.accountNotFound'));
  return loadMailAccount(ctx, row);
}

/** « Réponse automatique » and « Règles »: read from and written to the account's ManageSieve server, never stored here. */
export const sieveHandlers: Pick<HandlerMap, 'mail.sieve.get' | 'mail.vacation.set' | 'mail.rules.set'> = {
  'mail.sieve.get': async (ctx, params) => readSieve(ctx, await account(ctx, params.accountId)),
  'mail.vacation.set': async (ctx, params) => writeSieve(ctx, await account(ctx, params.accountId), { vacation: params.vacation }),
  'mail.rules.set': async (ctx, params) => writeSieve(ctx, await account(ctx, params.accountId), { rules: params.rules }),
};
