import fs from 'node:fs';
import path from 'node:path';
import type { FileEntrySummary, FileSyncState, FilesAccountStatus } from '../../shared/contract.js';
import { OstalError } from '../../errors.js';
import type { CoreContext } from '../../context.js';
import type { HandlerMap } from '../handler-types.js';
import { t } from '../../i18n/index.js';
import { baseName, isWithin, join, keyOf, safeLocalPath } from '../../files/names.js';
import { FilesRepository, offlineFrom, type StateRow } from '../../files/repository.js';
import { accountsWithFiles, engineFor, filesAccount, localRootOf } from '../../files/service.js';
import { PARTIAL_PREFIX } from '../../files/engine.js';
import { openLocalItem } from '../../files/opener.js';
import { FolderAdditions } from '../../files/additions.js';

type FileMethods =
  | 'files.list'
  | 'files.status'
  | 'files.sync'
  | 'files.conflicts'
  | 'files.resolveConflict'
  | 'files.trash.list'
  | 'files.trash.restore'
  | 'files.setOffline'
  | 'files.open'
  | 'files.pause'
  | 'files.resume'
  | 'files.confirmDeletion'
  | 'files.createFolder'
  | 'files.upload.stage'
  | 'files.add';

const STATES: FileSyncState[] = ['synced', 'pending', 'syncing', 'conflict', 'error', 'online-only'];

/** '/a/b' from '', 'a/b', '/a/b/' (NFC); refuses '..' and the like. */
function normPath(p: string | undefined): string {
  const segments = (p ?? '').split('/').filter(Boolean);
  if (segments.some((s) => s === '.' || s === '..' || s.includes('\\') || s.includes('\0')))
    throw new OstalError('invalid_input', t('files.errors.badPath'));
  return keyOf(`/${segments.join('/')}`);
}

function entryOf(ctx: CoreContext, accountId: string, root: string, row: StateRow, pins: Map<string, boolean>): FileEntrySummary {
  let localPath: string | null = null;
  if (row.local) {
    try {
      localPath = safeLocalPath(root, row.path);
    } catch {
      localPath = null;
    }
  }
  const modified =
    row.remoteModified && Number.isFinite(Date.parse(row.remoteModified))
      ? new Date(Date.parse(row.remoteModified)).toISOString()
      : row.mtimeMs
        ? new Date(row.mtimeMs).toISOString()
        : null;
  return {
    accountId,
    path: row.path,
    name: baseName(row.path),
    kind: row.kind,
    isFolder: row.kind === 'folder',
    size: row.kind === 'file' ? row.size : 0,
    modified,
    state: row.state,
    availableOffline: offlineFrom(pins, row.path),
    localPath,
    error: row.error,
  };
}

function triggerSync(ctx: CoreContext, accountId: string): void {
  ctx.sync.requestReplay(accountId, 'files');
}

function accountStatus(ctx: CoreContext, accountId: string): FilesAccountStatus {
  const a = filesAccount(ctx, accountId);
  const repo = new FilesRepository(ctx.db);
  const row = repo.account(a.id);
  const counts = Object.fromEntries(STATES.map((s) => [s, 0])) as Record<FileSyncState, number>;
  for (const r of ctx.db
    .prepare("SELECT state, COUNT(*) AS n FROM files_state WHERE account_id = ? AND kind = 'file' GROUP BY state")
    .all(a.id) as { state: FileSyncState; n: number }[])
    counts[r.state] = r.n;
  return {
    accountId: a.id,
    email: a.email,
    localRoot: localRootOf(ctx, a.email),
    remoteRoot: String(a.settings.webdav),
    counts,
    lastSync: row.lastSync,
    lastError: row.lastError,
    paused: row.paused,
    pendingDeletion: row.pendingDeletion,
    quota: row.quota,
    problems: row.problems,
  };
}

function targetAccounts(ctx: CoreContext, accountId?: string) {
  return accountId ? [filesAccount(ctx, accountId)] : accountsWithFiles(ctx);
}

/** Fichiers: two-way WebDAV sync (src/files/engine.ts). */
export const fileHandlers: Pick<HandlerMap, FileMethods> = {
  'files.list': (ctx, params) => {
    const parent = normPath(params.path);
    const repo = new FilesRepository(ctx.db);
    return targetAccounts(ctx, params.accountId).flatMap((a) => {
      const pins = repo.pins(a.id);
      const root = localRootOf(ctx, a.email);
      const entries = repo.children(a.id, parent).map((row) => entryOf(ctx, a.id, root, row, pins));
      // Items created on this computer and not synced yet: « en attente ».
      const known = new Set(entries.map((e) => e.path));
      let dirents: fs.Dirent[] = [];
      try {
        dirents = fs.readdirSync(safeLocalPath(root, parent), { withFileTypes: true });
      } catch {
        dirents = [];
      }
      for (const d of dirents) {
        if (d.name.startsWith(PARTIAL_PREFIX) || (!d.isFile() && !d.isDirectory())) continue;
        const p = keyOf(join(parent, d.name));
        if (known.has(p)) continue;
        const abs = safeLocalPath(root, p);
        const st = fs.statSync(abs, { throwIfNoEntry: false });
        if (!st) continue;
        const kind = d.isDirectory() ? ('folder' as const) : ('file' as const);
        entries.push(
          entryOf(
            ctx,
            a.id,
            root,
            {
              path: p,
              kind,
              size: kind === 'file' ? st.size : 0,
              mtimeMs: Math.floor(st.mtimeMs),
              hash: null,
              etag: null,
              remoteModified: null,
              local: true,
              state: 'pending',
              error: null,
            },
            pins,
          ),
        );
      }
      return entries;
    });
  },
  'files.status': (ctx, params) => ({ accounts: targetAccounts(ctx, params.accountId).map((a) => accountStatus(ctx, a.id)) }),
  'files.sync': (ctx, params) => ctx.sync.run({ accountId: params.accountId, only: 'files' }),
  'files.conflicts': (ctx, params) =>
    new FilesRepository(ctx.db).conflicts(params.accountId).map((c) => ({
      id: c.id,
      accountId: c.accountId,
      path: c.path,
      conflictPath: c.conflictPath,
      detectedAt: c.detectedAt,
      message: t('files.notices.conflict', { name: baseName(c.path), copy: baseName(c.conflictPath) }),
    })),
  'files.resolveConflict': (ctx, params) => {
    const repo = new FilesRepository(ctx.db);
    const c = repo.conflict(params.id);
    if (!c) throw new OstalError('not_found', t('files.errors.conflictUnknown'));
    const a = filesAccount(ctx, c.accountId);
    const root = localRootOf(ctx, a.email);
    const copyAbs = safeLocalPath(root, c.conflictPath);
    const abs = safeLocalPath(root, c.path);
    if (params.keep === 'local') {
      if (fs.existsSync(copyAbs)) fs.renameSync(copyAbs, abs);
      repo.setState(a.id, c.path, 'pending');
    } else if (params.keep === 'server') {
      if (fs.existsSync(copyAbs)) {
        const trash = path.join(ctx.profileDir, 'files-trash');
        fs.mkdirSync(trash, { recursive: true, mode: 0o700 });
        const stored = path.join(trash, `${c.id}-${baseName(c.conflictPath)}`);
        const size = fs.statSync(copyAbs).size;
        fs.renameSync(copyAbs, stored);
        const now = new Date();
        repo.addTrash({
          accountId: a.id,
          path: c.conflictPath,
          size,
          storedAs: stored,
          deletedAt: now.toISOString(),
          expiresAt: new Date(now.getTime() + 30 * 86_400_000).toISOString(),
        });
      }
      repo.setState(a.id, c.path, 'synced');
    } else {
      repo.setState(a.id, c.path, 'synced');
    }
    repo.deleteState(a.id, c.conflictPath);
    repo.resolveConflict(c.id);
    ctx.emit('files.changed', { accountId: a.id, paths: [c.path, c.conflictPath] });
    triggerSync(ctx, a.id);
    return { resolved: true };
  },
  'files.trash.list': (ctx, params) =>
    new FilesRepository(ctx.db).trash(params.accountId).map((e) => ({
      id: e.id,
      accountId: e.accountId,
      path: e.path,
      name: baseName(e.path),
      size: e.size,
      deletedAt: e.deletedAt,
      expiresAt: e.expiresAt,
    })),
  'files.trash.restore': (ctx, params) => {
    const repo = new FilesRepository(ctx.db);
    const entry = repo.trash().find((e) => e.id === params.id);
    if (!entry) throw new OstalError('not_found', t('files.errors.trashUnknown'));
    const a = filesAccount(ctx, entry.accountId);
    const root = localRootOf(ctx, a.email);
    let target = entry.path;
    for (let i = 2; fs.existsSync(safeLocalPath(root, target)); i++) {
      const name = baseName(entry.path);
      const dot = name.lastIndexOf('.');
      const renamed = dot > 0 ? `${name.slice(0, dot)} (${i})${name.slice(dot)}` : `${name} (${i})`;
      target = join(entry.path.slice(0, entry.path.lastIndexOf('/')) || '/', renamed);
    }
    const abs = safeLocalPath(root, target);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.copyFileSync(entry.storedAs, abs);
    fs.rmSync(entry.storedAs, { force: true });
    repo.removeTrash(entry.id);
    ctx.emit('files.changed', { accountId: a.id, paths: [target] });
    triggerSync(ctx, a.id);
    return { restored: true, path: target };
  },
  'files.setOffline': (ctx, params) => {
    const a = filesAccount(ctx, params.accountId);
    const p = normPath(params.path);
    const repo = new FilesRepository(ctx.db);
    const row = repo.state(a.id, p);
    if (!row && p !== '/') throw new OstalError('not_found', t('files.errors.itemUnknown', { path: p }));
    repo.setPin(a.id, p, params.offline);
    const root = localRootOf(ctx, a.email);
    if (!params.offline) {
      // Free the disk: only files synced and unchanged since (anything else stays until it is synced).
      for (const r of repo.states(a.id).values()) {
        if (r.kind !== 'file' || !r.local || r.state !== 'synced' || !isWithin(r.path, p)) continue;
        const abs = safeLocalPath(root, r.path);
        const st = fs.statSync(abs, { throwIfNoEntry: false });
        if (st && (st.size !== r.size || Math.floor(st.mtimeMs) !== r.mtimeMs)) continue;
        fs.rmSync(abs, { force: true });
        repo.putState(a.id, { ...r, local: false, mtimeMs: null, state: 'online-only' });
      }
    }
    ctx.emit('files.changed', { accountId: a.id, paths: [p] });
    if (params.offline) triggerSync(ctx, a.id);
    const updated = repo.state(a.id, p) ?? {
      path: '/',
      kind: 'folder' as const,
      size: 0,
      mtimeMs: null,
      hash: null,
      etag: null,
      remoteModified: null,
      local: true,
      state: 'synced' as const,
      error: null,
    };
    return entryOf(ctx, a.id, root, updated, repo.pins(a.id));
  },
  'files.open': async (ctx, params) => {
    const a = filesAccount(ctx, params.accountId);
    const p = normPath(params.path);
    const root = localRootOf(ctx, a.email);
    if (p === '/') {
      fs.mkdirSync(root, { recursive: true });
      return openLocalItem(ctx, root, 'folder');
    }
    const repo = new FilesRepository(ctx.db);
    const row = repo.state(a.id, p);
    if (!row) throw new OstalError('not_found', t('files.errors.itemUnknown', { path: p }));
    const abs = safeLocalPath(root, p);
    if (row.local && fs.existsSync(abs)) return openLocalItem(ctx, abs, row.kind);
    if (row.kind === 'folder') {
      fs.mkdirSync(abs, { recursive: true });
      return openLocalItem(ctx, abs, 'folder');
    }
    // Online only: download it now and keep it on the disk.
    const engine = await engineFor(ctx, a);
    try {
      const item = await engine.client.stat(engine.client.hrefOf(p));
      if (!item) throw new OstalError('not_found', t('files.errors.gone', { path: p }));
      repo.setPin(a.id, p, true);
      await engine.download(p, item, null);
    } finally {
      engine.client.close();
    }
    ctx.emit('files.changed', { accountId: a.id, paths: [p] });
    return openLocalItem(ctx, abs, 'file');
  },
  'files.pause': (ctx, params) => {
    const repo = new FilesRepository(ctx.db);
    for (const a of targetAccounts(ctx, params.accountId)) repo.updateAccount(a.id, { paused: true });
    return { paused: true };
  },
  'files.resume': (ctx, params) => {
    const repo = new FilesRepository(ctx.db);
    for (const a of targetAccounts(ctx, params.accountId)) {
      repo.updateAccount(a.id, { paused: false });
      triggerSync(ctx, a.id);
    }
    return { paused: false };
  },
  'files.confirmDeletion': (ctx, params) => {
    const a = filesAccount(ctx, params.accountId);
    const repo = new FilesRepository(ctx.db);
    if (!repo.account(a.id).pendingDeletion) throw new OstalError('not_found', t('files.errors.noPendingDeletion'));
    repo.updateAccount(a.id, { deletionDecision: params.confirm ? 'confirm' : 'restore' });
    triggerSync(ctx, a.id);
    return { done: true };
  },
  'files.createFolder': (ctx, params) => {
    const added = new FolderAdditions(ctx).createFolder(params.accountId, normPath(params.path), params.name);
    ctx.emit('files.changed', { accountId: params.accountId, paths: [added.path] });
    triggerSync(ctx, params.accountId);
    return added;
  },
  'files.upload.stage': (ctx, { uploadId, content }) => new FolderAdditions(ctx).stage(uploadId, Buffer.from(content, 'base64')),
  'files.add': (ctx, params) => {
    const source = params.uploadId !== undefined ? { uploadId: params.uploadId } : { content: Buffer.from(params.content ?? '', 'base64') };
    const added = new FolderAdditions(ctx).addFile(params.accountId, normPath(params.path), params.name, source, params.modified);
    ctx.emit('files.changed', { accountId: params.accountId, paths: [added.path] });
    triggerSync(ctx, params.accountId);
    return added;
  },
};
