import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import type { AppInfo, EventData, EventName, MethodName, Params, Result } from './shared/contract.js';
import { METHOD_NAMES } from './shared/contract.js';
import { OstalError } from './errors.js';
import { t } from './i18n/index.js';
import { createFileLogger, type Logger } from './log.js';
import { acquireProfileLock, type ProfileLock } from './store/profile.js';
import { openDatabase } from './store/database.js';
import { OperationsJournal } from './store/operations-journal.js';
import { FileSecretStore, type SecretStore } from './secrets/index.js';
import { loadPolicy, type Policy } from './policy/index.js';
import { handlers } from './api/handler-table.js';

export interface CoreOptions {
  profileDir: string;
  mode: AppInfo['mode'];
  /** Where secrets go; default: a 0600 file in the profile (browser mode, CLI). Electron passes a safeStorage-backed store. */
  secrets?: SecretStore;
  /** Policy file path; default: OSTAL_POLICIES, else the OS location. null = no policy. */
  policyPath?: string | null;
  logger?: Logger;
  /** The desktop's « open with the system application », when the host has one (Electron); none in browser mode and the CLI. */
  desktop?: DesktopShell;
}

/** What the desktop host does for the core on the user's machine. */
export interface DesktopShell {
  /** Open a local file or folder with the system application; resolves '' on success, else the system's error text. */
  openPath(absolutePath: string): Promise<string>;
}

/** Services every handler may use. */
export interface CoreContext {
  readonly profileDir: string;
  readonly mode: AppInfo['mode'];
  readonly db: Database.Database;
  readonly secrets: SecretStore;
  readonly policy: Policy;
  readonly log: Logger;
  readonly blobsDir: string;
  /** Set by the Electron host; null in browser mode and the CLI (the view then shows the path to open). */
  readonly desktop: DesktopShell | null;
  emit<E extends EventName>(event: E, data: EventData<E>): void;
  /** Shared in-memory state of the sync engines (connection state, progress). */
  readonly runtime: Map<string, unknown>;
}

export type Handler<M extends MethodName> = (ctx: CoreContext, params: Params<M>) => Promise<Result<M>> | Result<M>;
export type HandlerMap = { [M in MethodName]: Handler<M> };

/**
 * The core: owns the profile (lock, database, secrets, policy) and answers API calls.
 * It is plain Node: the Electron utility process, the browser-mode host and the CLI all drive this class.
 */
export class Core {
  private readonly events = new EventEmitter();
  private closed = false;
  private readonly closers: (() => Promise<void> | void)[] = [];

  private constructor(
    readonly ctx: CoreContext,
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
      const blobsDir = path.join(profileDir, 'blobs');
      fs.mkdirSync(blobsDir, { recursive: true, mode: 0o700 });
      const policy = loadPolicy({ path: options.policyPath, log });
      const secrets = options.secrets ?? new FileSecretStore(path.join(profileDir, 'secrets.json'));
      let core: Core | undefined = undefined;
      const ctx: CoreContext = {
        profileDir,
        mode: options.mode,
        db,
        secrets,
        policy,
        log,
        blobsDir,
        desktop: options.desktop ?? null,
        emit: (event, data) => core?.events.emit('event', event, data),
        runtime: new Map(),
      };
      core = new Core(ctx, lock);
      core.closers.push(() => {
        db.close();
      });
      log.info('core started', { mode: options.mode, profileDir });
      return core;
    } catch (err) {
      lock.release();
      throw err;
    }
  }

  /** Answer one API call. Throws OstalError (French message) on failure. */
  async handle<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>> {
    if (this.closed) throw new OstalError('internal', t('errors.internal'));
    if (!METHOD_NAMES.includes(method)) throw new OstalError('invalid_input', t('errors.unknownMethod'));
    const handler = handlers[method] as Handler<M>;
    try {
      return await handler(this.ctx, (params ?? {}) as Params<M>);
    } catch (err) {
      if (!(err instanceof OstalError)) this.ctx.log.error(`handler ${method} failed`, { err: err as Error, stack: (err as Error)?.stack });
      throw err;
    }
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
