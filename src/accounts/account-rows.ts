/**
 * What the mail sync and the coordinator need from the account, the journal and the settings, through the
 * store's own repositories (no SQL here).
 */
import { OstalError } from '../errors.js';
import { readSetting } from '../api/handlers/app.js';
import type { CoreContext } from '../core.js';
import { t } from '../i18n/index.js';
import { accountPasswordKey } from '../secrets/index.js';
import { AccountRepository, type Account } from '../store/account-repository.js';
import { OperationsJournal } from '../store/operations-journal.js';
import type { MailAccount } from '../mail/imap-client.js';

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

/** Days of mail bodies prefetched for offline reading: the setting in force (IT policy first). */
export function prefetchDays(ctx: CoreContext): number {
  const value = Number(readSetting(ctx, 'mail.prefetchDays'));
  return Number.isFinite(value) && value >= 0 ? value : 30;
}
