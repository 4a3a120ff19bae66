/**
 * The sync scheduler of one Core: runs the syncers the domains registered (from the composition root, core.ts),
 * one account at a time and never twice at once, keeps each account's connection state, probes connectivity, and
 * tells the UI (status.changed). It knows no domain: mail, agenda, contacts and fichiers plug in as scopes.
 *
 * AppStatus.state: 'syncing' while any sync runs; otherwise 'offline' as soon as ONE account's server is
 * unreachable (the status area must not say « En ligne » while part of the mail cannot be fetched; the per-account
 * list says which); else 'online'. Zero accounts = 'online'. An account whose server answers but refuses the
 * password (or has an untrusted certificate) is online with a lastError: the user has to act, waiting for the
 * network will not help.
 */
import type { ApiError, AppStatus, SyncProgress, SyncReport, SyncScope } from '../shared/contract.js';
import type { CoreContext, SyncRequests } from '../context.js';
import { OstalError, toApiError } from '../errors.js';
import { t } from '../i18n/index.js';
import { AccountRepository, type Account } from '../store/account-repository.js';
import { isConnectivityError } from '../net/errors.js';

/** Reports what a running sync is doing (shown in the status area). */
export type ProgressReporter = (progress: SyncProgress) => void;

/** Sync of one scope of one account. 'not_configured': the account has no server for this scope (reported as skipped). */
export type ScopeSyncer = (account: Account, progress: ProgressReporter) => Promise<void | 'not_configured'>;

export interface ScopeOptions {
  /**
   * The outcome of this scope's sync is the account's connection state (mail: the account's main server). A
   * connectivity error marks it offline; another error keeps it online with the French message.
   */
  decidesConnection?: boolean;
  /** requestReplay() runs only while the background loop runs and the account is reachable (mail); else always. */
  replayOnlyInBackground?: boolean;
}

/** A cheap connectivity check of one account (connect and greeting); throws an OstalError when it fails. */
export type ConnectionProbe = (account: Account, timeoutMs: number) => Promise<void>;

/** What runs only with the background loop (IMAP IDLE, the Boîte d'envoi timer, folder watchers). */
export interface BackgroundPart {
  start?(): void;
  stop(): Promise<void> | void;
  /** The account's connection changed. */
  onConnection?(account: Account, online: boolean): void;
  /** The accounts that exist, at each probe (to let go of what belonged to a removed one). */
  onAccounts?(accounts: Account[]): void;
}

export interface SyncSchedulerOptions {
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

type AccountResult = SyncReport['accounts'][number];

export class SyncScheduler implements SyncRequests {
  private readonly scopes = new Map<SyncScope, { sync: ScopeSyncer; options: ScopeOptions }>();
  private probeAccount: ConnectionProbe | null = null;
  private readonly parts: BackgroundPart[] = [];
  private readonly running = new Map<string, Promise<AccountResult>>();
  /** Runs (same keys as `running`) that began: a caller who wants the servers as they are now does not join them. */
  private readonly begun = new Set<string>();
  /** The one run queued after a begun run of the same key, shared by the callers who came while it ran. */
  private readonly followUps = new Map<string, Promise<AccountResult>>();
  /** Last queued run of each account: runs of one account never overlap. */
  private readonly accountTail = new Map<string, Promise<unknown>>();
  /** Replays of an account and scope: waiting for a run under way, running, or asked again while running (once more after it). */
  private readonly replays = new Map<string, 'waiting' | 'running' | 'again'>();
  private progress: SyncProgress | null = null;
  /** Progress of work that goes on after a sync (reportProgress), shown while no sync runs. */
  private readonly background = new Map<string, SyncProgress>();
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
    private readonly ctx: Pick<CoreContext, 'db' | 'log' | 'emit' | 'connections'>,
    options: SyncSchedulerOptions = {},
  ) {
    this.syncIntervalMs = options.syncIntervalMs ?? envNumber('OSTAL_SYNC_INTERVAL_MS') ?? 60_000;
    this.probeIntervalMs = options.probeIntervalMs ?? envNumber('OSTAL_PROBE_INTERVAL_MS') ?? 5_000;
    this.probeTimeoutMs = options.probeTimeoutMs ?? Math.min(4_000, Math.max(1_000, this.probeIntervalMs - 500));
  }

  /** A domain's sync of its scope, run in this order within `run`: mail, calendar, contacts, files. */
  registerScope(scope: SyncScope, sync: ScopeSyncer, options: ScopeOptions = {}): void {
    this.scopes.set(scope, { sync, options });
  }

  /** The connectivity check of the background loop (one per Core: the account's main server). */
  registerProbe(probe: ConnectionProbe): void {
    this.probeAccount = probe;
  }

  /** Something that lives with the background loop; stopped with it. */
  registerBackground(part: BackgroundPart): void {
    this.parts.push(part);
  }

  get isRunning(): boolean {
    return this.running.size > 0;
  }

  /** No run under way and no replay requested (a write's replay starts after the sync.run that returned first). */
  get isSettled(): boolean {
    return this.running.size === 0 && this.replays.size === 0;
  }

  /** Whether the background loop runs (hosts), as opposed to one-shot runs (the CLI). */
  get inBackground(): boolean {
    return this.started && !this.stopped;
  }

  private accounts(): AccountRepository {
    return new AccountRepository(this.ctx.db);
  }

  /**
   * Sync one account or all. A sync that has not begun is joined; one under way is followed by one more run (shared),
   * unless `join: 'any'` (see SyncRequests.run). Never throws for a server problem: each account's error is in the
   * report (French message).
   */
  async run(params: { accountId?: string; only?: SyncScope; join?: 'any' } = {}): Promise<SyncReport> {
    let rows: Account[];
    if (params.accountId) {
      const row = this.accounts().get(params.accountId);
      if (!row) throw new OstalError('not_found', t('errors.accountNotFound'));
      rows = [row];
    } else {
      rows = this.accounts().list();
    }
    const scopes = params.only ? [params.only] : ALL_SCOPES;
    const results = await Promise.all(rows.map((row) => this.runAccount(row, scopes, params.join === 'any')));
    return { accounts: results };
  }

  requestReplay(accountId: string, scope: SyncScope): void {
    if (this.scopes.get(scope)?.options.replayOnlyInBackground) {
      if (!this.inBackground) return;
      const row = this.accounts().get(accountId);
      if (!row || this.ctx.connections.seenOnline(accountId) === false) return;
      // Then as every scope: joining a mail run under way (the minute's, or the replay of the previous action) left
      // this change to the next minute, since that run had read the actions to send before it.
    }
    const key = `${accountId}|${scope}`;
    const state = this.replays.get(key);
    // A replay that has not started yet will see this change too; one that runs needs one more run after it.
    if (state === 'waiting') return;
    if (state) {
      this.replays.set(key, 'again');
      return;
    }
    this.replays.set(key, 'waiting');
    const once = (): void => {
      // A run of this scope already under way (a file watcher's, the periodic one's files-only run…) read its state
      // before this request: run again after it rather than join it, or the change waits for the next period.
      const inFlight = this.running.get(key) ?? Promise.resolve();
      void inFlight
        .catch(() => undefined)
        .then(() => {
          this.replays.set(key, 'running');
          return this.run({ accountId, only: scope });
        })
        .catch((err: unknown) => this.ctx.log.warn('replay request failed', { account: accountId, scope, err: err as Error }))
        .finally(() => {
          if (this.replays.get(key) === 'again') {
            this.replays.set(key, 'waiting');
            once();
          } else this.replays.delete(key);
        });
    };
    once();
  }

  reportProgress(key: string, progress: SyncProgress | null): void {
    if (progress) this.background.set(key, progress);
    else this.background.delete(key);
    this.emitStatus();
  }

  /** `joinBegun`: join a run of the same scopes even when it has begun (else one more run follows it). */
  private runAccount(row: Account, scopes: SyncScope[], joinBegun = true): Promise<AccountResult> {
    const key = `${row.id}|${scopes.join(',')}`;
    const existing = this.running.get(key);
    if (existing && (joinBegun || !this.begun.has(key))) return existing;
    if (existing) {
      const queued = this.followUps.get(key);
      if (queued) return queued;
      const followUp = existing
        .catch(() => undefined)
        .then(() => {
          this.followUps.delete(key);
          // Stopping (the core closes): the run that was under way is the last one.
          return this.stopped ? existing : this.runAccount(row, scopes, false);
        });
      this.followUps.set(key, followUp);
      return followUp;
    }
    const previous = this.accountTail.get(row.id) ?? Promise.resolve();
    const promise = previous
      .catch(() => undefined)
      .then(() => {
        this.begun.add(key);
        return this.doRunAccount(row, scopes);
      })
      .finally(() => {
        this.running.delete(key);
        this.begun.delete(key);
        if (this.accountTail.get(row.id) === promise) this.accountTail.delete(row.id);
        if (this.running.size === 0) this.progress = null;
        this.emitStatus();
      });
    this.running.set(key, promise);
    this.accountTail.set(row.id, promise);
    this.emitStatus();
    return promise;
  }

  private async doRunAccount(queued: Account, scopes: SyncScope[]): Promise<AccountResult> {
    // Settings may have changed (or the account gone) while this run waited in the queue.
    const row = this.accounts().get(queued.id);
    if (!row)
      return { email: queued.email, ok: false, scopes: [], error: toApiError(new OstalError('not_found', t('errors.accountNotFound'))) };
    const done: SyncScope[] = [];
    const skipped: SyncScope[] = [];
    let error: ApiError | undefined;
    for (const scope of scopes) {
      if (this.stopped) break;
      const registered = this.scopes.get(scope);
      if (!registered) {
        skipped.push(scope);
        continue;
      }
      const started = Date.now();
      try {
        const outcome = await this.syncScope(row, scope, registered);
        if (outcome === 'not_configured') skipped.push(scope);
        else {
          done.push(scope);
          this.ctx.log.info('sync done', { account: row.id, scope, ms: Date.now() - started });
        }
      } catch (err) {
        error = toApiError(err);
        if (err instanceof OstalError)
          this.ctx.log.warn('sync stopped', { account: row.id, scope, code: err.code, ms: Date.now() - started, err });
        else this.ctx.log.error('sync failed', { account: row.id, scope, err: err as Error, stack: (err as Error)?.stack });
        break;
      }
    }
    const result: AccountResult = { email: row.email, ok: error === undefined, scopes: done };
    if (skipped.length) result.skipped = skipped;
    if (error) result.error = error;
    return result;
  }

  private async syncScope(
    row: Account,
    scope: SyncScope,
    registered: { sync: ScopeSyncer; options: ScopeOptions },
  ): Promise<void | 'not_configured'> {
    let lastProgressEmit = 0;
    const progress: ProgressReporter = (p) => {
      this.progress = p;
      const now = Date.now();
      if (now - lastProgressEmit > 250 || p.done === p.total) {
        lastProgressEmit = now;
        this.emitStatus();
      }
    };
    if (!registered.options.decidesConnection) return registered.sync(row, progress);
    try {
      const outcome = await registered.sync(row, progress);
      this.setConnection(row, true, null);
      this.accounts().recordSync(row.id, { lastSync: new Date().toISOString(), lastError: null });
      return outcome;
    } catch (err) {
      const e = err instanceof OstalError ? err : new OstalError('internal', t('errors.internal'), { cause: err });
      // A deleted account has no row to update any more: nothing to record.
      if (this.accounts().get(row.id)) {
        this.setConnection(row, !isConnectivityError(e), e.message);
        this.accounts().recordSync(row.id, { lastError: e.message });
      }
      throw err;
    }
  }

  private setConnection(row: Account, online: boolean, lastError: string | null): void {
    const was = this.ctx.connections.seenOnline(row.id);
    this.ctx.connections.set(row.id, online, lastError);
    if (was !== online) for (const part of this.parts) part.onConnection?.(row, online);
    this.emitStatus();
  }

  /** Probe every account once (cheap connect + greeting). Flips online/offline and syncs an account that came back. */
  async probe(): Promise<void> {
    const probeAccount = this.probeAccount;
    if (!probeAccount || this.probing || this.stopped) return;
    this.probing = true;
    try {
      const rows = this.accounts().list();
      for (const part of this.parts) part.onAccounts?.(rows);
      await Promise.all(
        rows.map(async (row) => {
          const was = this.ctx.connections.seenOnline(row.id);
          try {
            await probeAccount(row, this.probeTimeoutMs);
            if (was !== true) {
              // Back (or first seen): keep a non-connectivity error (password…) until a sync clears it.
              this.setConnection(row, true, was === false ? null : this.ctx.connections.lastError(row.id, null));
              if (was === false && !this.stopped) void this.runAccount(row, this.connectionScopes()).catch(() => undefined);
            }
          } catch (err) {
            if (!(err instanceof OstalError)) return; // not a probe outcome (an endpoint that cannot be read)
            if (!isConnectivityError(err)) {
              // TLS problems and the like: reachable, but the user must act.
              if (was !== true || this.ctx.connections.lastError(row.id, null) !== err.message) this.setConnection(row, true, err.message);
              return;
            }
            if (was !== false) {
              this.setConnection(row, false, err.message);
              if (this.accounts().get(row.id)) this.accounts().recordSync(row.id, { lastError: err.message });
            }
          }
        }),
      );
    } finally {
      this.probing = false;
    }
  }

  /** The scopes whose sync decides the connection state: what to sync when an account comes back. */
  private connectionScopes(): SyncScope[] {
    return [...this.scopes].filter(([, s]) => s.options.decidesConnection).map(([scope]) => scope);
  }

  /** Probe the accounts this process knows nothing about yet (the CLI's status, a few seconds at most). */
  async probeUnknown(): Promise<void> {
    if (
      this.accounts()
        .list()
        .some((r) => !this.ctx.connections.known(r.id))
    )
      await this.probe();
  }

  /**
   * Background loop: a probe every few seconds, a full sync every minute, and the background parts (IMAP IDLE,
   * Boîte d'envoi timer, folder watchers). Hosts call this (not the CLI).
   */
  start(): void {
    if (this.syncTimer || this.stopped) return;
    this.started = true;
    const sync = () => {
      if (this.stopped) return;
      void this.run({ join: 'any' }).catch((err: unknown) => this.ctx.log.warn('background sync failed', { err: err as Error }));
    };
    this.syncTimer = setInterval(sync, this.syncIntervalMs);
    this.syncTimer.unref();
    this.probeTimer = setInterval(() => void this.probe(), this.probeIntervalMs);
    this.probeTimer.unref();
    for (const part of this.parts) part.start?.();
    void this.probe();
    sync();
  }

  /** Stop the loops and wait for running syncs to end (their connections close with them). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.syncTimer) clearInterval(this.syncTimer);
    if (this.probeTimer) clearInterval(this.probeTimer);
    this.syncTimer = this.probeTimer = null;
    await Promise.allSettled([...this.parts.map((p) => p.stop()), ...this.running.values(), ...this.followUps.values()]);
  }

  // ------------------------------------------------------------------ status

  status(): AppStatus {
    const accounts = this.accounts()
      .list()
      .map((row) => ({
        id: row.id,
        email: row.email,
        online: this.ctx.connections.isOnline(row.id, row.lastError),
        lastSync: row.lastSync,
        lastError: this.ctx.connections.lastError(row.id, row.lastError),
      }));
    const state: AppStatus['state'] = this.isRunning ? 'syncing' : accounts.some((a) => !a.online) ? 'offline' : 'online';
    const background = this.background.values().next().value ?? null;
    return { state, progress: state === 'syncing' ? (this.progress ?? background) : background, accounts };
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
