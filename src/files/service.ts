/**
 * Fichiers for one Core: the sync folder of each account, the engine run by the SyncCoordinator (scope
 * 'files'), the file watcher that triggers a sync after local changes, and what the API handlers need.
 *
 * Local folder: `<files.localRoot>/<email>` (setting and policy key; OSTAL_FILES_ROOT overrides it, for tests
 * and scripts); the espaces de travail's documents are beside, in `<files.localRoot>/Espaces`. Remote folder: the
 * account's WebDAV URL.
 */
import fs from 'node:fs';
import path from 'node:path';
import { OstalError } from '../errors.js';
import { readSetting } from '../store/settings-repository.js';
import { loadAccountCredentials } from '../accounts/account-rows.js';
import type { CoreContext } from '../context.js';
import type { SyncProgress } from '../shared/contract.js';
import { t } from '../i18n/index.js';
import type { Account } from '../store/account-repository.js';
import { AccountRepository } from '../store/account-repository.js';
import { machineFacts, resolveFilesRoot, windowsDocumentsFolder } from '../store/placement.js';
import { FilesSyncEngine } from './engine.js';
import { FilesRepository } from './repository.js';
import { WebDavClient } from './webdav.js';

const WATCH_DEBOUNCE_MS = 1_500;

/**
 * The folder on this computer where Ostal keeps the agent's documents (by default Documents › Ostal): each account's
 * Fichiers in a folder of its own, the espaces de travail's documents in « Espaces ».
 */
export function filesRootOf(ctx: Pick<CoreContext, 'db' | 'policy'>): string {
  const override = process.env.OSTAL_FILES_ROOT;
  return override && path.isAbsolute(override)
    ? override
    : resolveFilesRoot(readSetting(ctx, 'files.localRoot'), machineFacts(windowsDocumentsFolder));
}

/** Absolute local folder of an account. */
export function localRootOf(ctx: Pick<CoreContext, 'db' | 'policy'>, email: string): string {
  return path.join(filesRootOf(ctx), email);
}

export function trashDirOf(ctx: Pick<CoreContext, 'profileDir'>): string {
  return path.join(ctx.profileDir, 'files-trash');
}

/**
 * Bytes per second allowed for transfers, 0 = no limit: the 'files.speedLimitKbps' setting (and policy key);
 * OSTAL_FILES_SPEED_LIMIT_KBPS overrides it for scripts and tests. Read at each sync, so a change applies to the next one.
 */
export function speedLimitOf(ctx: Pick<CoreContext, 'db' | 'policy'>): number {
  const fromEnv = process.env.OSTAL_FILES_SPEED_LIMIT_KBPS;
  const v = fromEnv !== undefined && fromEnv !== '' ? Number(fromEnv) : readSetting(ctx, 'files.speedLimitKbps');
  return Number.isFinite(v) && v > 0 ? v * 1024 : 0;
}

export function accountsWithFiles(ctx: CoreContext): Account[] {
  return new AccountRepository(ctx.db).list().filter((a) => !!a.settings.webdav);
}

export function filesAccount(ctx: CoreContext, accountId: string): Account {
  const a = new AccountRepository(ctx.db).get(accountId);
  if (!a) throw new OstalError('not_found', t('errors.accountNotFound'));
  if (!a.settings.webdav) throw new OstalError('not_configured', t('files.errors.noWebdav', { email: a.email }));
  return a;
}

/** An engine for one account (its WebDAV client must be closed by the caller: `engine.client.close()`). */
export async function engineFor(ctx: CoreContext, account: Account, progress?: (p: SyncProgress) => void): Promise<FilesSyncEngine> {
  const { password } = await loadAccountCredentials(ctx, account.id);
  const client = new WebDavClient(String(account.settings.webdav), {
    username: account.settings.username || account.email,
    password,
    pinnedCertificates: account.pinnedCertificates,
  });
  return new FilesSyncEngine(ctx.db, account.id, localRootOf(ctx, account.email), client, trashDirOf(ctx), {
    log: ctx.log,
    emit: ctx.emit,
    speedLimit: speedLimitOf(ctx),
    onProgress: (p) => {
      progress?.({ label: p.label, done: p.done, total: p.total });
      ctx.emit('files.progress', { accountId: account.id, ...p });
    },
  });
}

/** The 'files' scope of the sync scheduler. Returns false when the account has no WebDAV server. */
export async function syncFiles(
  ctx: CoreContext,
  watchers: FileWatchers,
  account: Account,
  progress: (p: SyncProgress) => void,
): Promise<boolean> {
  if (!account.settings.webdav) return false;
  const repo = new FilesRepository(ctx.db);
  const engine = await engineFor(ctx, account, progress);
  try {
    const result = await engine.sync();
    repo.updateAccount(account.id, { lastSync: new Date().toISOString(), lastError: null });
    ctx.log.info('files sync done', { account: account.id, ...result });
  } catch (err) {
    const message = err instanceof OstalError ? err.message : t('files.errors.unexpectedFailure');
    if (new AccountRepository(ctx.db).get(account.id)) repo.updateAccount(account.id, { lastError: message });
    throw err instanceof OstalError ? err : new OstalError('internal', message, { cause: err });
  } finally {
    engine.client.close();
  }
  if (ctx.mode !== 'cli') watchers.watch(account);
  return true;
}

/** The folder watchers of one Core: a local change in an account's folder asks for a files sync. Closed with the background loop. */
export class FileWatchers {
  private readonly watchers = new Map<string, fs.FSWatcher>();

  constructor(private readonly ctx: CoreContext) {}

  /** Watch the account's folder (recursively where the platform can) and sync after changes. */
  watch(account: Account): void {
    const ctx = this.ctx;
    if (this.watchers.has(account.id)) return;
    const root = localRootOf(ctx, account.email);
    let timer: NodeJS.Timeout | null = null;
    try {
      const watcher = fs.watch(root, { recursive: true }, (_event, name) => {
        if (name && String(name).split(/[/\\]/).pop()?.startsWith('.ostal-partial-')) return;
        if (timer) clearTimeout(timer);
        timer = setTimeout(() => {
          timer = null;
          // After a run under way, not joined to it (it may have read the folder before this change).
          ctx.sync.requestReplay(account.id, 'files');
        }, WATCH_DEBOUNCE_MS);
        timer.unref();
      });
      watcher.on('error', (err) => {
        ctx.log.warn('files: watcher stopped', { account: account.id, err });
        watcher.close();
        this.watchers.delete(account.id);
      });
      watcher.unref();
      this.watchers.set(account.id, watcher);
    } catch (err) {
      ctx.log.warn('files: cannot watch the folder (the periodic sync still runs)', { account: account.id, err: err as Error });
    }
  }

  /** Close every watcher (the background loop stops). */
  stop(): void {
    for (const watcher of this.watchers.values()) watcher.close();
    this.watchers.clear();
  }
}
