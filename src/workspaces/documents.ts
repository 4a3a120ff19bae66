/**
 * « Documents » of the espaces de travail: each space's folder on the organisation's shared WebDAV root is one more
 * sync root of the Fichiers engine (src/files/engine.ts: same conflict copies, partial downloads, Corbeille and
 * big-deletion question). Its local copy is `<files.localRoot>/Espaces/<nom de l'espace>` (Documents › Ostal › Espaces
 * by default, beside the accounts' Fichiers, where the agent finds it in the file manager and saves into it from any
 * application); the folder chosen is kept (workspace_documents), so a later space of the same name never takes it
 * over, and a space given a folder in the profile by an earlier version keeps it. The engine's state rows are
 * keyed `<account id> <room>` (migration 014), apart from the account's own Fichiers.
 *
 * The test and most real shared roots give every agent of the organisation the same rights on the whole root:
 * the view says so (« visibles par tous les agents de l'organisation »).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { CoreContext } from '../context.js';
import type { Workspace, WorkspaceDocument, WorkspaceDocumentsView } from '../shared/contract.js';
import { OstalError } from '../errors.js';
import { t } from '../i18n/index.js';
import { loadAccountCredentials } from '../accounts/account-rows.js';
import { AccountRepository } from '../store/account-repository.js';
import { FilesSyncEngine, PARTIAL_PREFIX } from '../files/engine.js';
import { FilesRepository } from '../files/repository.js';
import { WebDavClient } from '../files/webdav.js';
import { isHostileName, nameProblem, safeLocalPath } from '../files/names.js';
import { openLocalItem, type OpenOutcome } from '../files/opener.js';
import { filesRootOf, speedLimitOf, trashDirOf } from '../files/service.js';

/** Key of a space's Documents in the files_* tables. */
export const documentsRootId = (accountId: string, room: string): string => `${accountId} ${room}`;

async function sha256Of(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const c of fs.createReadStream(file)) h.update(c as Buffer);
  return h.digest('hex');
}

/** Removes the folder and the folders inside it that hold no file any more (bottom up); a folder with a file stays. */
function removeEmptyFolders(dir: string): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) if (e.isDirectory()) removeEmptyFolders(path.join(dir, e.name));
  if (fs.readdirSync(dir).length === 0) fs.rmdirSync(dir);
}

/** A space's name as a folder name every system accepts. */
export function folderNameOf(name: string): string {
  const clean = [...name.normalize('NFC')]
    .map((c) => ('<>:"|?*/\\'.includes(c) || c.charCodeAt(0) < 32 ? '_' : c))
    .join('')
    .replace(/[. ]+$/, '')
    .trim()
    .slice(0, 80)
    .replace(/[. ]+$/, '');
  return clean && !isHostileName(clean) ? clean : 'Espace';
}

export class WorkspaceDocuments {
  /** One sync at a time per space; a call during a sync waits for it and gets its outcome. */
  private readonly running = new Map<string, Promise<void>>();
  /** Spaces let go by {@link release} in this process: their root never syncs again. */
  private readonly released = new Set<string>();

  constructor(private readonly ctx: CoreContext) {}

  /** The local folder of the space's Documents (chosen on first use, then kept). */
  folderOf(w: Workspace): string {
    const row = this.ctx.db
      .prepare('SELECT folder FROM workspace_documents WHERE account_id = ? AND workspace_id = ?')
      .get(w.accountId, w.id) as { folder: string } | undefined;
    if (row) return row.folder;
    const base = path.join(filesRootOf(this.ctx), t('workspaceDocuments.localFolder'));
    const taken = new Set(
      (this.ctx.db.prepare('SELECT folder FROM workspace_documents').all() as { folder: string }[]).map((r) => r.folder.toLowerCase()),
    );
    const name = folderNameOf(w.name);
    const suffix = w.id.slice(0, w.id.indexOf('@')).split('-').pop() ?? '';
    let folder = path.join(base, name);
    for (let n = 2; taken.has(folder.toLowerCase()) || fs.existsSync(folder); n++) {
      folder = path.join(base, n === 2 && suffix ? `${name} (${suffix})` : `${name} (${suffix} ${n})`);
      if (n > 50) throw new OstalError('internal', t('workspaceDocuments.errors.noFolder'));
    }
    this.ctx.db
      .prepare('INSERT INTO workspace_documents (account_id, workspace_id, folder) VALUES (?, ?, ?)')
      .run(w.accountId, w.id, folder);
    return folder;
  }

  private url(w: Workspace): string {
    if (!w.documentsUrl) throw new OstalError('not_configured', t('workspaceDocuments.errors.noSharedRoot'));
    return w.documentsUrl;
  }

  /** Two-way sync of the space's Documents (the Fichiers engine, with its own state rows). */
  sync(w: Workspace): Promise<void> {
    const key = documentsRootId(w.accountId, w.id);
    if (this.released.has(key)) {
      // Let go (the space left the list): only a space back in the list (invited again) syncs again.
      if (!this.ctx.db.prepare('SELECT 1 FROM workspaces WHERE account_id = ? AND id = ?').get(w.accountId, w.id)) return Promise.resolve();
      this.released.delete(key);
    }
    const existing = this.running.get(key);
    if (existing) return existing;
    const run = this.syncNow(w).finally(() => this.running.delete(key));
    this.running.set(key, run);
    return run;
  }

  private async syncNow(w: Workspace): Promise<void> {
    const account = new AccountRepository(this.ctx.db).get(w.accountId);
    if (!account) throw new OstalError('not_found', t('errors.accountNotFound'));
    const url = this.url(w);
    const folder = this.folderOf(w);
    fs.mkdirSync(folder, { recursive: true });
    const key = documentsRootId(w.accountId, w.id);
    const { password } = await loadAccountCredentials(this.ctx, account.id);
    const client = new WebDavClient(url, {
      username: account.settings.username?.trim() || account.email,
      password,
      pinnedCertificates: account.pinnedCertificates,
    });
    const repo = new FilesRepository(this.ctx.db);
    const engine = new FilesSyncEngine(this.ctx.db, key, folder, client, trashDirOf(this.ctx), {
      log: this.ctx.log,
      emit: this.ctx.emit,
      speedLimit: speedLimitOf(this.ctx),
    });
    try {
      const result = await engine.sync();
      repo.updateAccount(key, { lastSync: new Date().toISOString(), lastError: null });
      this.ctx.log.info('workspace documents synced', { room: w.id, ...result });
      if (result.downloaded + result.deletedLocal + result.movedLocal + result.uploaded > 0)
        this.ctx.emit('workspaces.documents', { workspaceId: w.id });
    } catch (err) {
      const message = err instanceof OstalError ? err.message : t('workspaceDocuments.errors.syncFailed');
      repo.updateAccount(key, { lastError: message });
      this.ctx.log.warn('workspace documents not synced', { room: w.id, err: err as Error });
      throw err instanceof OstalError ? err : new OstalError('internal', message, { cause: err });
    } finally {
      client.close();
    }
  }

  /** Syncs the Documents of every space of the account (the 'files' scope of the sync scheduler). True when it has some. */
  async syncAccount(accountId: string, spaces: Workspace[]): Promise<boolean> {
    const mine = spaces.filter((w) => w.accountId === accountId && w.documentsUrl);
    for (const w of mine) {
      await this.sync(w).catch((err: unknown) => this.ctx.log.warn('workspace documents: sync failed', { room: w.id, err: err as Error }));
    }
    return mine.length > 0;
  }

  /** The files of the space's local folder, newest first (Ostal's partial downloads and conflict state aside). */
  view(w: Workspace): WorkspaceDocumentsView {
    const folder = this.folderOf(w);
    const files: WorkspaceDocument[] = [];
    const walk = (dir: string, rel: string, depth: number): void => {
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        if (e.name.startsWith(PARTIAL_PREFIX) || e.name.startsWith('.')) continue;
        const abs = path.join(dir, e.name);
        const relPath = `${rel}/${e.name}`;
        if (e.isDirectory() && depth < 8) walk(abs, relPath, depth + 1);
        else if (e.isFile()) {
          const st = fs.statSync(abs);
          files.push({ path: relPath, name: e.name, size: st.size, modified: st.mtime.toISOString() });
        }
      }
    };
    walk(folder, '', 0);
    files.sort((a, b) => b.modified.localeCompare(a.modified) || a.path.localeCompare(b.path));
    const state = new FilesRepository(this.ctx.db).account(documentsRootId(w.accountId, w.id));
    return {
      workspaceId: w.id,
      folder,
      url: this.url(w),
      visibleToOrganisation: true,
      files,
      lastSync: state.lastSync,
      lastError: state.lastError,
    };
  }

  /**
   * « Ajouter un document »: written at the top of the space's folder (never over another file: « nom (2).ext »),
   * then synced. A name no system accepts is refused in French.
   */
  async add(w: Workspace, name: string, content: Buffer): Promise<string> {
    return this.place(w, name, (tmp) => fs.writeFileSync(tmp, content, { flag: 'wx' }), content.length);
  }

  /** « Ajouter aux documents de l'espace » of a file of the Discussion: a copy of the local file, same naming. */
  async addCopy(w: Workspace, name: string, source: string): Promise<string> {
    return this.place(w, name, (tmp) => fs.copyFileSync(source, tmp, fs.constants.COPYFILE_EXCL), fs.statSync(source).size);
  }

  private place(w: Workspace, name: string, write: (tmp: string) => void, size: number): string {
    const clean = name.normalize('NFC').trim();
    const problem = isHostileName(clean) ? t('workspaceDocuments.errors.badName', { name: clean }) : nameProblem(`/${clean}`);
    if (problem) throw new OstalError('invalid_input', problem);
    const folder = this.folderOf(w);
    fs.mkdirSync(folder, { recursive: true });
    const dot = clean.lastIndexOf('.');
    const [stem, ext] = dot > 0 ? [clean.slice(0, dot), clean.slice(dot)] : [clean, ''];
    let target = clean;
    for (let n = 2; fs.existsSync(path.join(folder, target)); n++) target = `${stem} (${n})${ext}`;
    const abs = safeLocalPath(folder, `/${target}`);
    const tmp = path.join(folder, `${PARTIAL_PREFIX}${process.pid}-${Date.now()}`);
    try {
      write(tmp);
      fs.renameSync(tmp, abs);
    } catch (err) {
      fs.rmSync(tmp, { force: true });
      throw err;
    }
    this.ctx.log.info('workspace document added', { room: w.id, size });
    this.ctx.emit('workspaces.documents', { workspaceId: w.id });
    return `/${target}`;
  }

  /**
   * The space left this agent's list (removed from its members, or the room gone), as a sync client does when a share
   * goes away: the root stops syncing; each file identical to what was last synced (its hash in files_state) is removed
   * from the local folder; any other file (changed or written here and not sent, a conflict copy) is moved to
   * `Espaces/Conservés – <nom>/` beside it, with a French notice: nothing the agent wrote is lost. The engine's rows of
   * the root go; its Corbeille entries stay.
   */
  async release(w: Workspace): Promise<{ removed: number; kept: number; keptFolder: string | null }> {
    const key = documentsRootId(w.accountId, w.id);
    this.released.add(key);
    await this.running.get(key)?.catch(() => undefined);
    const row = this.ctx.db
      .prepare('SELECT folder FROM workspace_documents WHERE account_id = ? AND workspace_id = ?')
      .get(w.accountId, w.id) as { folder: string } | undefined;
    const synced = new Map(
      (
        this.ctx.db.prepare("SELECT path, hash FROM files_state WHERE account_id = ? AND kind = 'file' AND hash IS NOT NULL").all(key) as {
          path: string;
          hash: string;
        }[]
      ).map((r) => [r.path.normalize('NFC'), r.hash]),
    );
    let removed = 0;
    const toKeep: string[] = [];
    const folder = row?.folder ?? null;
    if (folder && fs.existsSync(folder)) {
      const walk = async (dir: string, rel: string): Promise<void> => {
        for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
          const abs = path.join(dir, e.name);
          const relPath = `${rel}/${e.name}`;
          if (e.isDirectory()) await walk(abs, relPath);
          else if (e.isFile() && e.name.startsWith(PARTIAL_PREFIX)) fs.rmSync(abs, { force: true });
          else if (e.isFile() && synced.get(relPath.normalize('NFC')) === (await sha256Of(abs))) {
            fs.rmSync(abs);
            removed++;
          } else toKeep.push(relPath);
        }
      };
      await walk(folder, '');
    }
    let keptFolder: string | null = null;
    if (folder && toKeep.length > 0) {
      const base = t('workspaceDocumentsRelease.keptFolder', { name: path.basename(folder) });
      keptFolder = path.join(path.dirname(folder), base);
      for (let n = 2; fs.existsSync(keptFolder); n++) keptFolder = path.join(path.dirname(folder), `${base} (${n})`);
      for (const rel of toKeep) {
        const target = path.join(keptFolder, ...rel.split('/').filter(Boolean));
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.renameSync(path.join(folder, ...rel.split('/').filter(Boolean)), target);
      }
    }
    if (folder) removeEmptyFolders(folder);
    this.ctx.db.transaction(() => {
      for (const table of ['files_state', 'files_remote', 'files_pins', 'files_conflicts', 'files_accounts'])
        this.ctx.db.prepare(`DELETE FROM ${table} WHERE account_id = ?`).run(key);
      this.ctx.db.prepare('DELETE FROM workspace_documents WHERE account_id = ? AND workspace_id = ?').run(w.accountId, w.id);
    })();
    this.ctx.log.info('workspace documents released (space left)', { room: w.id, removed, kept: toKeep.length });
    if (keptFolder) {
      const message = t(toKeep.length === 1 ? 'workspaceDocumentsRelease.keptOne' : 'workspaceDocumentsRelease.keptMany', {
        count: toKeep.length,
        space: w.name,
        folder: keptFolder,
      });
      this.ctx.log.info('workspace documents: local changes kept', { room: w.id, folder: keptFolder, count: toKeep.length });
      this.ctx.emit('workspaces.documentsKept', { workspaceId: w.id, folder: keptFolder, count: toKeep.length, message });
    }
    return { removed, kept: toKeep.length, keptFolder };
  }

  /** « Ouvrir » / « Afficher dans le dossier »: the same safety as Fichiers (a file that could run code is only shown). */
  async open(w: Workspace, relPath: string, reveal: boolean): Promise<OpenOutcome> {
    const folder = this.folderOf(w);
    let abs: string;
    try {
      abs = safeLocalPath(folder, relPath.startsWith('/') ? relPath : `/${relPath}`);
    } catch {
      throw new OstalError('invalid_input', t('workspaceDocuments.errors.notFound'));
    }
    if (!fs.existsSync(abs) || !fs.statSync(abs).isFile()) throw new OstalError('not_found', t('workspaceDocuments.errors.notFound'));
    if (!reveal) return openLocalItem(this.ctx, abs, 'file');
    const desktop = this.ctx.desktop;
    const error = desktop ? await desktop.showItemInFolder(abs).catch((e: unknown) => String(e)) : 'no desktop';
    if (error) this.ctx.log.warn('workspace documents: the system could not show the file', { error });
    return { localPath: abs, launched: !error, warning: null };
  }
}
