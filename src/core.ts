import { MigrationService } from './import/service.js';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import type { AppInfo, EventName, MethodName, Params, Result, ValidParams } from './shared/contract.js';
import { isMethodName, methodSchemas } from './shared/api-schema.js';
import { OstalError } from './errors.js';
import { t } from './i18n/index.js';
import { createFileLogger, type Logger } from './log.js';
import { acquireProfileLock, type ProfileLock } from './store/profile.js';
import { startBlobRecheck } from './mail/blob-recheck.js';
import { openDatabase } from './store/database.js';
import { OperationsJournal } from './store/operations-journal.js';
import { FileSecretStore, type SecretStore } from './secrets/index.js';
import { applyNetworkPolicy } from './policy/network.js';
import { loadSystemPolicy } from './policy/registry-policy.js';
import { trustSummary } from './net/tls.js';
import type { ProxyResolver } from './net/proxy.js';
import { handlers } from './api/handler-table.js';
import type { CoreContext, DesktopShell } from './context.js';
import type { Handler, HandlerContext, Services } from './api/handler-types.js';
import { ConnectionStates } from './net/connection-states.js';
import { SyncScheduler } from './sync/scheduler.js';
import { MailSyncer } from './mail/mail-sync.js';
import { OutboxSender } from './mail/outbox.js';
import { UndoHistory } from './mail/operations.js';
import { CorrespondentTable } from './contacts/suggest.js';
import { fillContactExtras } from './contacts/address-book.js';
import { announceInvitationOfSource, applyReplyOfSource, invitationReader } from './calendar/agenda.js';
import { syncDavKind } from './calendar/dav-sync.js';
import { WorkspaceHub } from './workspaces/service.js';
import { WorkspaceDocuments } from './workspaces/documents.js';
import { FileWatchers, syncFiles } from './files/service.js';
import { LaunchComposeQueue } from './mail/launch-compose.js';

export interface CoreOptions {
  profileDir: string;
  mode: AppInfo['mode'];
  /** Where secrets go; default: a 0600 file in the profile (browser mode, CLI). Electron passes a safeStorage-backed store. */
  secrets?: SecretStore;
  /** Policy file path; default: OSTAL_POLICIES, else the OS location. null = no policy. */
  policyPath?: string | null;
  /** The installed desktop app (Electron passes app.isPackaged): OSTAL_POLICIES ignored, policy file trust checked. */
  packaged?: boolean;
  logger?: Logger;
  /** The desktop's « open with the system application », when the host has one (Electron); none in browser mode and the CLI. */
  desktop?: DesktopShell;
  /** The host's proxy choice for the system's settings (Electron: Chromium's session.resolveProxy, src/host/system-proxy.ts). */
  systemProxy?: ProxyResolver;
}

/**
 * The composition root of the domains: each domain's services, and the syncers each registers with the scheduler
 * (which imports no domain).
 */
function composeServices(ctx: CoreContext, scheduler: SyncScheduler): Services {
  let outbox: OutboxSender | undefined;
  const mail = new MailSyncer(
    ctx,
    () => services.outbox,
    async (accountId, source, where) => {
      await applyReplyOfSource(ctx, accountId, source);
      await announceInvitationOfSource(ctx, accountId, source, where);
    },
  );
  const services: Services = {
    sync: scheduler,
    get outbox() {
      return (outbox ??= new OutboxSender(ctx));
    },
    mailUndo: new UndoHistory(),
    correspondents: new CorrespondentTable(),
    invitations: invitationReader(ctx),
    mailDownload: mail,
    migration: new MigrationService(ctx),
    workspaces: new WorkspaceHub(ctx),
    workspaceDocuments: new WorkspaceDocuments(ctx),
    launchCompose: new LaunchComposeQueue(ctx),
  };
  scheduler.registerScope('mail', (account, progress) => mail.sync(account, progress), {
    decidesConnection: true,
    replayOnlyInBackground: true,
  });
  scheduler.registerProbe((account, timeoutMs) => mail.probe(account, timeoutMs));
  scheduler.registerBackground(mail);
  scheduler.registerScope('calendar', async (account) => ((await syncDavKind(ctx, account, 'calendar')) ? undefined : 'not_configured'));
  scheduler.registerScope('contacts', async (account) => ((await syncDavKind(ctx, account, 'addressbook')) ? undefined : 'not_configured'));
  // A space that leaves the agent's list: its Documents stop syncing, local changes not sent are kept aside.
  services.workspaces.onSpaceGone = (w) => services.workspaceDocuments.release(w);
  const fileWatchers = new FileWatchers(ctx);
  scheduler.registerScope('files', async (account, progress) => {
    // The « Documents » of the account's espaces de travail are synced with its Fichiers (same engine).
    const spaces = await services.workspaceDocuments.syncAccount(account.id, services.workspaces.list());
    return (await syncFiles(ctx, fileWatchers, account, progress)) || spaces ? undefined : 'not_configured';
  });
  scheduler.registerBackground({ stop: () => fileWatchers.stop() });
  return services;
}

/**
 * The core: owns the profile (lock, database, secrets, policy) and answers API calls.
 * It is plain Node: the Electron utility process, the browser-mode host and the CLI all drive this class.
 */
export class Core {
  private readonly events = new EventEmitter();
  private closed = false;
  private readonly closers: (() => Promise<void> | void)[] = [];

  private constructor(
    readonly ctx: HandlerContext,
    private readonly lock: ProfileLock,
  ) {
    this.events.setMaxListeners(100);
  }

  static async open(options: CoreOptions): Promise<Core> {
    const profileDir = path.resolve(options.profileDir);
    const lock = acquireProfileLock(profileDir);
    try {
      const log = options.logger ?? createFileLogger(path.join(profileDir, 'logs'));
      const db = openDatabase(path.join(profileDir, 'ostal.sqlite'));
      const requeued = new OperationsJournal(db).requeueInterrupted();
      if (requeued) log.info('operations interrupted by the last exit are queued again', { count: requeued });
      // Cards stored before migration 019: their extras are read once, so that contacts.list reads columns only.
      fillContactExtras(db, log);
      const blobsDir = path.join(profileDir, 'blobs');
      fs.mkdirSync(blobsDir, { recursive: true, mode: 0o700 });
      const policy = loadSystemPolicy({ path: options.policyPath, log, packaged: options.packaged ?? false });
      applyNetworkPolicy(policy.proxy, { log, system: options.systemProxy });
      const secrets = options.secrets ?? new FileSecretStore(path.join(profileDir, 'secrets.json'));
      let core: Core | undefined = undefined;
      const emit: CoreContext['emit'] = (event, data) => core?.events.emit('event', event, data);
      const connections = new ConnectionStates();
      const scheduler = new SyncScheduler({ db, log, emit, connections });
      const recheck = startBlobRecheck(db, blobsDir, lock.previousRunUnclean, log);
      const base: CoreContext = {
        profileDir,
        mode: options.mode,
        db,
        secrets,
        policy,
        log,
        blobsDir,
        desktop: options.desktop ?? null,
        emit,
        connections,
        sync: scheduler,
        mailSourcesChecked: recheck?.done ?? Promise.resolve(),
      };
      const ctx: HandlerContext = { ...base, services: composeServices(base, scheduler) };
      core = new Core(ctx, lock);
      core.closers.push(() => {
        db.close();
      });
      core.onClose(() => scheduler.stop());
      core.onClose(() => ctx.services.workspaces.close());
      ctx.services.workspaces.start();
      if (recheck) core.onClose(() => recheck.stop());
      log.info('core started', { mode: options.mode, profileDir, trust: trustSummary() });
      return core;
    } catch (err) {
      lock.release();
      throw err;
    }
  }

  /**
   * Answer one API call. Throws OstalError (French message) on failure.
   *
   * The one place where calls are validated, whatever the transport (WebSocket, MessagePort, CLI): the method must
   * exist and its parameters must fit the method's schema (src/shared/api-schema.ts; unknown extra keys are stripped).
   * A misfit gets the same French message for every method; zod's issues go to the core's log only.
   */
  async handle<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>> {
    if (this.closed) throw new OstalError('internal', t('errors.internal'));
    if (!isMethodName(method)) throw new OstalError('invalid_input', t('errors.unknownMethod'));
    const parsed = methodSchemas[method].safeParse(params ?? {});
    if (!parsed.success) {
      // Paths and zod's English messages only: a received value (a password…) is never logged.
      const issues = parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), code: i.code, message: i.message }));
      this.ctx.log.warn('invalid parameters refused', { method, issues });
      throw new OstalError('invalid_input', t('errors.invalidParams'));
    }
    const handler = handlers[method] as Handler<M>;
    try {
      return await handler(this.ctx, parsed.data as ValidParams<M>);
    } catch (err) {
      if (!(err instanceof OstalError)) this.ctx.log.error(`handler ${method} failed`, { err: err as Error, stack: (err as Error)?.stack });
      throw err;
    }
  }

  /**
   * Start the background sync: connectivity probe every few seconds, full sync every minute, IMAP IDLE, the Boîte
   * d'envoi timer; stopped when the Core closes. Called by the hosts (browser mode, Electron), not by the CLI.
   */
  startBackgroundSync(): SyncScheduler {
    this.ctx.services.sync.start();
    return this.ctx.services.sync;
  }

  /** Subscribe to every event; returns the unsubscribe function. */
  onEvent(listener: (event: EventName, data: unknown) => void): () => void {
    this.events.on('event', listener);
    return () => this.events.off('event', listener);
  }

  /** Register work to do at close (stop sync loops, IMAP connections…). */
  onClose(fn: () => Promise<void> | void): void {
    this.closers.unshift(fn);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const fn of this.closers) {
      try {
        await fn();
      } catch (err) {
        this.ctx.log.warn('close step failed', { err: err as Error });
      }
    }
    this.lock.release();
  }
}
