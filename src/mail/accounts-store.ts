import type { ServerSettings } from '../api/contract.js';
import { OstalError } from '../api/errors.js';
import type { CoreContext } from '../core.js';
import { t } from '../i18n/index.js';
import type { MailAccount } from './imap-client.js';

/** An account row as the sync engines read it (table `accounts` of 001_init.sql). */
export interface AccountRow {
  id: string;
  email: string;
  name: string;
  settings: ServerSettings;
  pinnedCertificates: string[];
  lastSync: string | null;
  lastError: string | null;
}

interface Row {
  id: string;
  email: string;
  name: string;
  settings: string;
  pinned_certs: string;
  last_sync: string | null;
  last_error: string | null;
}

function toAccount(r: Row): AccountRow {
  return {
    id: r.id,
    email: r.email,
    name: r.name,
    settings: JSON.parse(r.settings) as ServerSettings,
    pinnedCertificates: JSON.parse(r.pinned_certs) as string[],
    lastSync: r.last_sync,
    lastError: r.last_error,
  };
}

/** Key of an account's password in the SecretStore (same as src/accounts/). */
export function passwordKey(accountId: string): string {
  return `account:${accountId}:password`;
}

export function listAccountRows(ctx: CoreContext): AccountRow[] {
  return (ctx.db.prepare('SELECT id, email, name, settings, pinned_certs, last_sync, last_error FROM accounts ORDER BY created_at, email').all() as Row[]).map(toAccount);
}

export function getAccountRow(ctx: CoreContext, id: string): AccountRow | null {
  const row = ctx.db.prepare('SELECT id, email, name, settings, pinned_certs, last_sync, last_error FROM accounts WHERE id = ?').get(id) as Row | undefined;
  return row ? toAccount(row) : null;
}

/** The account with its password from the SecretStore, ready for the IMAP client. */
export async function loadMailAccount(ctx: CoreContext, row: AccountRow): Promise<MailAccount> {
  const password = await ctx.secrets.get(passwordKey(row.id));
  if (password === null) throw new OstalError('auth_failed', t('mail.errors.noPassword'));
  return { id: row.id, email: row.email, name: row.name, settings: row.settings, pinnedCertificates: row.pinnedCertificates, password };
}

export function recordSyncOutcome(ctx: CoreContext, accountId: string, outcome: { lastSync?: string; lastError: string | null }): void {
  if (outcome.lastSync) ctx.db.prepare('UPDATE accounts SET last_sync = ?, last_error = ? WHERE id = ?').run(outcome.lastSync, outcome.lastError, accountId);
  else ctx.db.prepare('UPDATE accounts SET last_error = ? WHERE id = ?').run(outcome.lastError, accountId);
}

/** Operations of the journal not yet replayed to the server. */
export function pendingOperations(ctx: CoreContext, accountId: string): number {
  return ctx.db.prepare("SELECT count(*) FROM operations WHERE account_id = ? AND state IN ('pending', 'running')").pluck().get(accountId) as number;
}

/** Setting mail.prefetchDays (table `settings`, JSON value); 30 when unset or unreadable. */
export function prefetchDays(ctx: CoreContext): number {
  try {
    const raw = ctx.db.prepare("SELECT value FROM settings WHERE key = 'mail.prefetchDays'").pluck().get() as string | undefined;
    const value = raw === undefined ? NaN : Number(JSON.parse(raw));
    return Number.isFinite(value) && value >= 0 ? value : 30;
  } catch {
    return 30;
  }
}
