/**
 * Accounts as the other domains and the API read them (summary, credentials, rows for the sync engines), through
 * the store's own repositories (no SQL here).
 */
import type { AccountSummary } from '../shared/contract.js';
import { OstalError } from '../errors.js';
import type { CoreContext } from '../context.js';
import { t } from '../i18n/index.js';
import { accountPasswordKey } from '../secrets/index.js';
import { AccountRepository, type Account } from '../store/account-repository.js';
import { OperationsJournal } from '../store/operations-journal.js';
import type { MailAccount } from '../mail/imap-client.js';

/** An account as the API shows it: stored settings, with the connection state seen by this process. */
export function accountSummary(ctx: Pick<CoreContext, 'db' | 'connections'>, account: Account): AccountSummary {
  return {
    id: account.id,
    email: account.email,
    name: account.name,
    settings: account.settings,
    online: ctx.connections.isOnline(account.id, account.lastError),
    lastSync: account.lastSync,
    pendingOperations: new OperationsJournal(ctx.db).pendingCount(account.id),
    lastError: ctx.connections.lastError(account.id, account.lastError),
  };
}

/** An account with its password, for the protocol clients of every domain. */
export async function loadAccountCredentials(
  ctx: Pick<CoreContext, 'db' | 'secrets'>,
  id: string,
): Promise<{ account: Account; password: string }> {
  const account = new AccountRepository(ctx.db).get(id);
  if (!account) throw new OstalError('not_found', t('errors.accountNotFound'));
  const password = await ctx.secrets.get(accountPasswordKey(id));
  if (password === null) throw new OstalError('auth_failed', t('errors.passwordMissing'));
  return { account, password };
}

/** An account row as the sync engines read it. */
export type AccountRow = Account;

export function listAccountRows(ctx: CoreContext): AccountRow[] {
  return new AccountRepository(ctx.db).list();
}

export function getAccountRow(ctx: CoreContext, id: string): AccountRow | null {
  return new AccountRepository(ctx.db).get(id);
}

/** The account with its password from the SecretStore, ready for the IMAP client. */
export async function loadMailAccount(ctx: CoreContext, row: AccountRow): Promise<MailAccount> {
  const password = await ctx.secrets.get(accountPasswordKey(row.id));
  if (password === null) throw new OstalError('auth_failed', t('mail.errors.noPassword'));
  return { id: row.id, email: row.email, name: row.name, settings: row.settings, pinnedCertificates: row.pinnedCertificates, password };
}

export function recordSyncOutcome(ctx: CoreContext, accountId: string, outcome: { lastSync?: string; lastError: string | null }): void {
  new AccountRepository(ctx.db).recordSync(accountId, outcome);
}

/** Operations of the journal not yet replayed to the server. */
export function pendingOperations(ctx: CoreContext, accountId: string): number {
  return new OperationsJournal(ctx.db).pendingCount(accountId);
}
