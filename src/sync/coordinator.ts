import type { ApiError, AppStatus, CliStatus, SyncProgress, SyncReport, SyncScope } from '../shared/contract.js';
import { OstalError, toApiError } from '../errors.js';
import type { CoreContext } from '../core.js';
import { t } from '../i18n/index.js';
import { isAccountOnline } from '../accounts/connection-state.js';
import {
  getAccountRow,
  listAccountRows,
  loadMailAccount,
  pendingOperations,
  prefetchDays,
  recordSyncOutcome,
  type AccountRow,
} from '../accounts/account-rows.js';
import { isConnectivityError, imapErrorToOstal } from '../mail/errors.js';
import { parseImapUrl, probeImap } from '../mail/imap-client.js';
import { MailRepository } from '../mail/repository.js';
import { MailSyncEngine } from '../mail/sync-engine.js';
import { applyReplyOfSource } from '../mail/message-reader.js';
import { InboxWatcher } from '../mail/inbox-watcher.js';
import { getOutboxSender } from '../mail/outbox.js';
import { MailOperationReplayer } from '../mail/operations-replayer.js';
import { OperationsJournal } from '../store/operations-journal.js';
import { syncDavKind } from '../calendar/dav-sync.js';
import { stopFileWatchers, syncFiles } from '../files/service.js';

/**
 * Keys the sync coordinator keeps in `ctx.runtime` (in-memory, per Core):
 *  - `account:<id>:online`    boolean — the account's mail server answered the last probe or sync.
 *                             Absent = not known yet (no probe/sync since start): readers should then say
 *                             online unless accounts.last_error is set (the first probe comes within seconds).
 *  - `account:<id>:lastError` string | null — French text of the last connection/sync problem.
 *  - `sync:coordinator`       the SyncCoordinator of this Core.
 *  - `sync:progress`          SyncProgress | null — what the running sync is doing now.
 *
 * AppStatus.state: 'syncing' while any sync runs; otherwise 'offline' as soon as ONE account's
 * server is unreachable (the status area must not say « En ligne » while part of the mail
 * cannot be fetched; the per-account list says which); else 'online'. Zero accounts = 'online'.
 * An account whose server answers but refuses the password (or has an untrusted certificate) is
 * online with a lastError: the user has to act, waiting for the network will not help.
 */
export const runtimeKeys = {
  online: (accountId: string) => `account:${accountId}:online`,
  lastError: (accountId: string) => `account:${accountId}:lastError`,
  coordinator: 'sync:coordinator',
  progress: 'sync:progress',
} as const;

/** Sync of one scope of one account, plugged in by the domain that owns it (calendar, contacts, files). */
/** 'not_configured': the account has no server for this scope (reported as skipped). */
export type ScopeSyncer = (ctx: CoreContext, account: AccountRow) => Promise<void | 'not_configured'>;

export interface SyncCoordinatorOptions {
  /** Full sync period of the background loop; default 60 s (OSTAL_SYNC_INTERVAL_MS). */
  syncIntervalMs?: number;
  /** Connectivity probe period; default 5 s (OSTAL_PROBE_INTERVAL_MS). */
  probeIntervalMs?: number;
  /** Timeout of one probe. */
  probeTimeoutMs?: number;
}

const ALL_SCOPES: SyncScope[] = ['mail', 'calendar', 'contacts', 'files'];

function envNumber(name: string): number | undefined {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : undefined;
}

/** Runs the sync engines of every account, keeps the connection state, and tells the UI. One per Core. */
export class SyncCoordinator {
  private readonly engine: MailSyncEngine;
  /** Sends the user's mail actions waiting in the journal, before each mail sync. */
  private readonly replayer: MailOperationReplayer;
  private readonly scopeSyncers = new Map<SyncScope, ScopeSyncer>();
  private readonly running = new Map<string, Promise<SyncReport['accounts'][number]>>();
  /** Last queued run of each account: runs of one account never overlap. */
  private readonly accountTail = new Map<string, Promise<unknown>>();
  /** IDLE watchers of the Boîte de réception, only while the background loop runs. */
  private readonly watchers = new Map<string, InboxWatcher>();
  private started = false;
  private syncTimer: NodeJS.Timeout | null = null;
  private probeTimer: NodeJS.Timeout | null = null;
  private probing = false;
  private stopped = false;
  private lastEmitted = '';
  private readonly syncIntervalMs: number;
  private readonly probeIntervalMs: number;
  private readonly probeTimeoutMs: number;

  constructor(
    private readonly ctx: CoreContext,
    options: SyncCoordinatorOptions = {},
  ) {
    this.engine = new MailSyncEngine(new MailRepository(ctx.db), ctx.blobsDir);
    this.replayer = new MailOperationReplayer(new MailRepository(ctx.db), new OperationsJournal(ctx.db), ctx.log);
    this.syncIntervalMs = options.syncIntervalMs ?? envNumber('OSTAL_SYNC_INTERVAL_MS') ?? 60_000;
    this.probeIntervalMs = options.probeIntervalMs ?? envNumber('OSTAL_PROBE_INTERVAL_MS') ?? 5_000;
    this.probeTimeoutMs = options.probeTimeoutMs ?? Math.min(4_000, Math.max(1_000, this.probeIntervalMs - 500));
  }

  /** Let another domain sync its scope within `run` (calendar, contacts, files). */
  registerScope(scope: Exclude<SyncScope, 'mail'>, syncer: ScopeSyncer): void {
    this.scopeSyncers.set(scope, syncer);
  }

  get isRunning(): boolean {
    return this.running.size > 0;
  }

  /**
   * Sync one account or all. A sync already running for an account is joined, not doubled.
   * Never throws for a server problem: each account's error is in the report (French message).
   */
  async run(params: { accountId?: string; only?: SyncScope } = {}): Promise<SyncReport> {
    let rows: AccountRow[];
    if (params.accountId) {
      const row = getAccountRow(this.ctx, params.accountId);
      if (!row) throw new OstalError('not_found', t('errors.accountNotFound'));
      rows = [row];
    } else {
      rows = listAccountRows(this.ctx);
    }
    if (params.only && !ALL_SCOPES.includes(params.only)) throw new OstalError('invalid_input', t('errors.invalidRequest'));
    const scopes = params.only ? [params.only] : ALL_SCOPES;
    const results = await Promise.all(rows.map((row) => this.runAccount(row, scopes)));
    return { accounts: results };
  }

  private runAccount(row: AccountRow, scopes: SyncScope[]): Promise<SyncReport['accounts'][number]> {
    const key = `${row.id}|${scopes.join(',')}`;
    const existing = this.running.get(key);
    if (existing) return existing;
    const previous = this.accountTail.get(row.id) ?? Promise.resolve();
    const promise = previous
      .catch(() => undefined)
      .then(() => this.doRunAccount(row, scopes))
      .finally(() => {
        this.running.delete(key);
        if (this.accountTail.get(row.id) === promise) this.accountTail.delete(row.id);
        if (this.running.size === 0) this.ctx.runtime.set(runtimeKeys.progress, null);
        this.emitStatus();
      });
    this.running.set(key, promise);
    this.accountTail.set(row.id, promise);
    this.emitStatus();
    return promise;
  }

  private async doRunAccount(queued: AccountRow, scopes: SyncScope[]): Promise<SyncReport['accounts'][number]> {
    // Settings may have changed (or the account gone) while this run waited in the queue.
    const row = getAccountRow(this.ctx, queued.id);
    if (!row) return { email: queued.email, ok: false, scopes: [], error: toApiError(new OstalError('not_found', t('errors.accountNotFound'))) };
    const done: SyncScope[] = [];
    const skipped: SyncScope[] = [];
    let error: ApiError | undefined;
    for (const scope of scopes) {
      if (this.stopped) break;
      try {
        if (scope === 'mail') {
          await this.syncMail(row);
          done.push(scope);
        } else {
          const syncer = this.scopeSyncers.get(scope);
          if (!syncer) {
            skipped.push(scope);
            continue;
          }
          if ((await syncer(this.ctx, row)) === 'not_configured') {
            skipped.push(scope);
            continue;
          }
          done.push(scope);
        }
      } catch (err) {
        error = toApiError(err);
        if (!(err instanceof OstalError)) this.ctx.log.error('sync failed', { account: row.id, scope, err: err as Error, stack: (err as Error)?.stack });
        break;
      }
    }
    const result: SyncReport['accounts'][number] = { email: row.email, ok: error === undefined, scopes: done };
    if (skipped.length) result.skipped = skipped;
    if (error) result.error = error;
    return result;
  }

  private async syncMail(row: AccountRow): Promise<void> {
    const ctx = this.ctx;
    // Boîte d'envoi first (it never throws): the copies it files in Envoyés come down with this sync.
    await getOutboxSender(ctx)
      .drain({ accountId: row.id })
      .catch((err: unknown) => ctx.log.warn('outbox drain failed', { account: row.id, err: err as Error }));
    try {
      const account = await loadMailAccount(ctx, row);
      // The user's actions first, so that the folder sync sees the server as the user left it.
      const replayed = await this.replayer.replay(account);
      if (replayed.changedFolders.length) ctx.emit('mail.changed', { accountId: row.id, folders: replayed.changedFolders });
      let lastProgressEmit = 0;
      const result = await this.engine.syncAccount(account, {
        prefetchDays: prefetchDays(ctx),
        log: ctx.log,
        onInboxSource: (source) => applyReplyOfSource(ctx, row.id, source),
        onProgress: (progress: SyncProgress) => {
          ctx.runtime.set(runtimeKeys.progress, progress);
          const now = Date.now();
          if (now - lastProgressEmit > 250 || progress.done === progress.total) {
            lastProgressEmit = now;
            this.emitStatus();
          }
        },
      });
      this.setConnection(row.id, true, null);
      recordSyncOutcome(ctx, row.id, { lastSync: new Date().toISOString(), lastError: null });
      if (result.changedFolders.length) ctx.emit('mail.changed', { accountId: row.id, folders: result.changedFolders });
      if (this.started && !this.stopped) this.watchInbox(row, account);
    } catch (err) {
      const e = err instanceof OstalError ? err : imapErrorToOstal(err, hostOf(row), portOf(row));
      ctx.log.warn('mail sync failed', { account: row.id, code: e.code, err: (e.cause as Error) ?? e });
      // A deleted account has no row to update any more: nothing to record.
      if (getAccountRow(ctx, row.id)) {
        this.setConnection(row.id, !isConnectivityError(e), e.message);
        recordSyncOutcome(ctx, row.id, { lastError: e.message });
      }
      throw e;
    }
  }

  /**
   * A mail action was just applied locally: when the background loop runs and the account is
   * reachable, replay it now (with a mail sync) rather than at the next period.
   */
  requestMailReplay(accountId: string): void {
    if (!this.started || this.stopped) return;
    const row = getAccountRow(this.ctx, accountId);
    if (!row || this.ctx.runtime.get(runtimeKeys.online(accountId)) === false) return;
    void this.runAccount(row, ['mail']).catch(() => undefined);
  }

  /** Keep an IDLE connection on the account's Boîte de réception; a change there triggers a mail sync. */
  private watchInbox(row: AccountRow, account: Awaited<ReturnType<typeof loadMailAccount>>): void {
    if (this.watchers.has(row.id)) return;
    const watcher = new InboxWatcher(
      account,
      () => void this.runAccount(row, ['mail']).catch(() => undefined),
      () => {
        if (this.watchers.get(row.id) === watcher) this.watchers.delete(row.id);
      },
      this.ctx.log,
    );
    this.watchers.set(row.id, watcher);
    watcher.start().catch((err: unknown) => {
      if (this.watchers.get(row.id) === watcher) this.watchers.delete(row.id);
      this.ctx.log.warn('mail: IDLE watcher could not start', { account: row.id, err: err as Error });
    });
  }

  private unwatchInbox(accountId: string): void {
    const watcher = this.watchers.get(accountId);
    if (!watcher) return;
    this.watchers.delete(accountId);
    void watcher.stop();
  }

  private setConnection(accountId: string, online: boolean, lastError: string | null): void {
    if (!online) this.unwatchInbox(accountId);
    this.ctx.runtime.set(runtimeKeys.online(accountId), online);
    this.ctx.runtime.set(runtimeKeys.lastError(accountId), lastError);
    this.emitStatus();
  }

  /** Probe every account's IMAP server once (cheap connect + greeting). Flips online/offline and syncs an account that came back. */
  async probe(): Promise<void> {
    if (this.probing || this.stopped) return;
    this.probing = true;
    try {
      const rows = listAccountRows(this.ctx);
      for (const id of this.watchers.keys()) if (!rows.some((r) => r.id === id)) this.unwatchInbox(id);
      await Promise.all(
        rows.map(async (row) => {
          const was = this.ctx.runtime.get(runtimeKeys.online(row.id)) as boolean | undefined;
          let endpoint;
          try {
            endpoint = parseImapUrl(row.settings.imap);
          } catch {
            return;
          }
          try {
            await probeImap(endpoint, { pinnedCertificates: row.pinnedCertificates, timeoutMs: this.probeTimeoutMs });
            if (was !== true) {
              // Back (or first seen): keep a non-connectivity error (password…) until a sync clears it.
              const previous = this.ctx.runtime.get(runtimeKeys.lastError(row.id)) as string | null | undefined;
              this.setConnection(row.id, true, was === false ? null : (previous ?? null));
              if (was === false && !this.stopped) void this.runAccount(row, ['mail']).catch(() => undefined);
            }
          } catch (err) {
            const e = err instanceof OstalError ? err : imapErrorToOstal(err, endpoint.host, endpoint.port);
            if (!isConnectivityError(e)) {
              // TLS problems and the like: reachable, but the user must act.
              if (was !== true || this.ctx.runtime.get(runtimeKeys.lastError(row.id)) !== e.message) this.setConnection(row.id, true, e.message);
              return;
            }
            if (was !== false) {
              this.setConnection(row.id, false, e.message);
              if (getAccountRow(this.ctx, row.id)) recordSyncOutcome(this.ctx, row.id, { lastError: e.message });
            }
          }
        }),
      );
    } finally {
      this.probing = false;
    }
  }

  /**
   * Background loop: a probe every few seconds, a full sync every minute, and an IDLE watcher on
   * each reachable account's Boîte de réception. Hosts call this (not the CLI).
   */
  start(): void {
    if (this.syncTimer || this.stopped) return;
    this.started = true;
    const sync = () => {
      if (this.stopped) return;
      void this.run().catch((err: unknown) => this.ctx.log.warn('background sync failed', { err: err as Error }));
    };
    this.syncTimer = setInterval(sync, this.syncIntervalMs);
    this.syncTimer.unref();
    this.probeTimer = setInterval(() => void this.probe(), this.probeIntervalMs);
    this.probeTimer.unref();
    getOutboxSender(this.ctx).start();
    void this.probe();
    sync();
  }

  /** Stop the loops and wait for running syncs to end (their connections close with them). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.syncTimer) clearInterval(this.syncTimer);
    if (this.probeTimer) clearInterval(this.probeTimer);
    this.syncTimer = this.probeTimer = null;
    stopFileWatchers(this.ctx);
    const watchers = [...this.watchers.values()];
    this.watchers.clear();
    await Promise.allSettled([...watchers.map((w) => w.stop()), ...this.running.values(), getOutboxSender(this.ctx).stop()]);
  }

  // ------------------------------------------------------------------ status

  private accountOnline(row: AccountRow): boolean {
    return isAccountOnline(this.ctx.runtime, row.id, row.lastError);
  }

  private accountLastError(row: AccountRow): string | null {
    const known = this.ctx.runtime.get(runtimeKeys.lastError(row.id));
    return known === undefined ? row.lastError : (known as string | null);
  }

  status(): AppStatus {
    const rows = listAccountRows(this.ctx);
    const accounts = rows.map((row) => ({ id: row.id, email: row.email, online: this.accountOnline(row), lastSync: row.lastSync, lastError: this.accountLastError(row) }));
    const progress = (this.ctx.runtime.get(runtimeKeys.progress) as SyncProgress | null | undefined) ?? null;
    const state: AppStatus['state'] = this.isRunning ? 'syncing' : accounts.some((a) => !a.online) ? 'offline' : 'online';
    return { state, progress: state === 'syncing' ? progress : null, accounts };
  }

  /** `status --json` of the CLI. Accounts not probed yet in this process are probed first (a few seconds at most). */
  async cliStatus(): Promise<CliStatus> {
    const rows = listAccountRows(this.ctx);
    if (rows.some((r) => typeof this.ctx.runtime.get(runtimeKeys.online(r.id)) !== 'boolean')) await this.probe();
    const repo = new MailRepository(this.ctx.db);
    return {
      accounts: listAccountRows(this.ctx).map((row) => ({
        email: row.email,
        online: this.accountOnline(row),
        lastSync: row.lastSync,
        pendingOperations: pendingOperations(this.ctx, row.id),
        folders: repo.folderInfos(row.id).map((f) => ({ path: f.path, name: f.name, specialUse: f.specialUse, total: f.total, unread: f.unread, bodiesCached: f.bodiesCached })),
      })),
    };
  }

  /** Emit status.changed when what the UI shows changed (state, progress, an account's connection). */
  private emitStatus(): void {
    let status: AppStatus;
    try {
      status = this.status();
    } catch {
      return; // database closed during shutdown
    }
    const key = JSON.stringify(status);
    if (key === this.lastEmitted) return;
    this.lastEmitted = key;
    this.ctx.emit('status.changed', status);
  }
}

function hostOf(row: AccountRow): string {
  try {
    return parseImapUrl(row.settings.imap).host;
  } catch {
    return row.settings.imap;
  }
}

function portOf(row: AccountRow): number {
  try {
    return parseImapUrl(row.settings.imap).port;
  } catch {
    return 0;
  }
}

/** The coordinator of this Core (created on first use). */
export function getSyncCoordinator(ctx: CoreContext): SyncCoordinator {
  let coordinator = ctx.runtime.get(runtimeKeys.coordinator) as SyncCoordinator | undefined;
  if (!coordinator) {
    coordinator = new SyncCoordinator(ctx);
    coordinator.registerScope('calendar', async (c, account) => ((await syncDavKind(c, account, 'calendar')) ? undefined : 'not_configured'));
    coordinator.registerScope('contacts', async (c, account) => ((await syncDavKind(c, account, 'addressbook')) ? undefined : 'not_configured'));
    coordinator.registerScope('files', async (c, account) => ((await syncFiles(c, account)) ? undefined : 'not_configured'));
    ctx.runtime.set(runtimeKeys.coordinator, coordinator);
  }
  return coordinator;
}
