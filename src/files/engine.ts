/**
 * Two-way sync of one account's local folder with its WebDAV folder (three-way: local scan, server walk,
 * and the state recorded after the last sync in files_state).
 *
 * Never lose a document:
 *  - a file changed on both sides is a conflict: the local version is renamed « nom (conflit du …).ext » and
 *    kept (not uploaded until the user chooses), the server version is downloaded beside it;
 *  - downloads go to `.ostal-partial-*` files, fsynced, then renamed over the target; an interrupted download
 *    resumes (Range + If-Range) at the next sync; PUT is atomic on the server (see webdav.ts);
 *  - a folder that failed to list (5xx, timeout) is not « empty »: nothing below it is decided this round;
 *  - local files removed because the server removed them go to Ostal's Corbeille (30 days);
 *  - more than BIG_DELETION files deleted at once (or 30 % of the files) waits for the user's confirmation;
 *  - every local path is resolved and checked to stay inside the sync folder; hostile server names are refused.
 *
 * Remote walk: PROPFIND Depth 1 per folder. A folder whose ETag did not change since its own last listing is
 * not listed again (its children come from the listing cache; its subfolders are still visited, because
 * Apache mod_dav_fs does not propagate a change up to the parents' ETags). Every 20th sync walks everything.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform, Writable, type TransformCallback } from 'node:stream';
import type { FileNameProblem } from '../shared/contract.js';
import { OstalError } from '../errors.js';
import type { CoreContext } from '../context.js';
import { t } from '../i18n/index.js';
import type { Logger } from '../log.js';
import { FilesRepository, offlineFrom, type StateRow } from './repository.js';
import { baseName, caseClashProblem, conflictName, isHostileName, isWithin, join, keyOf, nameProblem, parentOf, safeLocalPath } from './names.js';
import type { WebDavClient, RemoteItem } from './webdav.js';

export const PARTIAL_PREFIX = '.ostal-partial-';
const PARALLEL = 4;
const LIST_PARALLEL = 8;
const BIG_DELETION = 50;
const BIG_DELETION_SHARE = 0.3;
const BIG_DELETION_FLOOR = 10;
const FULL_WALK_EVERY = 20;
export const TRASH_DAYS = 30;

interface LocalItem {
  key: string;
  /** Relative path as on the disk (may be NFD). */
  actual: string;
  kind: 'file' | 'folder';
  size: number;
  mtimeMs: number;
  hash: string | null;
}

interface RemoteEntry extends RemoteItem {
  key: string;
}

export interface FilesSyncOptions {
  log: Logger;
  emit: CoreContext['emit'];
  onProgress?: (p: { label: string; done: number; total: number; bytesDone: number; bytesTotal: number; current: string | null }) => void;
  /** Bytes per second for transfers (0 = no limit). */
  speedLimit?: number;
}

export interface FilesSyncResult {
  uploaded: number;
  downloaded: number;
  movedRemote: number;
  movedLocal: number;
  deletedLocal: number;
  deletedRemote: number;
  conflicts: number;
  listed: number;
  skippedFolders: number;
}

export class FilesSyncEngine {
  private readonly repo: FilesRepository;
  private problems: FileNameProblem[] = [];
  private bytesDone = 0;
  private unreadable = new Set<string>();
  private onBytes: () => void = () => undefined;
  private ignored = new Set<string>();
  private changed = new Set<string>();

  constructor(
    private readonly db: CoreContext['db'],
    readonly accountId: string,
    readonly localRoot: string,
    readonly client: WebDavClient,
    private readonly trashDir: string,
    private readonly options: FilesSyncOptions,
  ) {
    this.repo = new FilesRepository(db);
  }

  private abs(relPath: string): string {
    return safeLocalPath(this.localRoot, relPath);
  }

  private notice(kind: 'conflict' | 'confirmation' | 'name' | 'listing', message: string, p: string | null): void {
    this.options.emit('files.notice', { accountId: this.accountId, kind, message, path: p });
  }

  private problem(p: string, side: 'local' | 'server', message: string): void {
    this.problems.push({ accountId: this.accountId, path: p, side, message });
    this.ignored.add(p);
  }

  // ------------------------------------------------------------------ remote walk

  private async walkRemote(full: boolean): Promise<{ items: Map<string, RemoteEntry>; failed: Map<string, string>; listed: number; skipped: number; quota: { used: number; available: number | null } | null }> {
    const items = new Map<string, RemoteEntry>();
    const failed = new Map<string, string>();
    let listed = 0;
    let skipped = 0;
    let quota: { used: number; available: number | null } | null = null;
    const visited = new Set<string>();
    const queue: { key: string; href: string; etag: string | null }[] = [{ key: '/', href: this.client.rootHref, etag: null }];
    const visit = async (folder: { key: string; href: string; etag: string | null }) => {
      visited.add(folder.key);
      const cached = this.repo.remoteChildren(this.accountId, folder.key);
      const self = cached.find((r) => r.path === folder.key);
      let children: RemoteEntry[];
      let fromCache = false;
      if (!full && folder.etag && self && self.etag === folder.etag) {
        fromCache = true;
        skipped++;
        children = cached.filter((r) => r.path !== folder.key).map((r) => ({ key: r.path, href: this.client.hrefOf(r.path, r.kind === 'folder'), kind: r.kind, size: r.size, etag: r.etag, modified: r.modified }));
        // The cache holds only accepted names (problems were reported when they were listed).
        for (const c of children) if (nameProblem(c.key)) this.problem(c.key, 'server', nameProblem(c.key)!);
      } else {
        let listing;
        try {
          listing = await this.client.list(folder.href);
        } catch (err) {
          if (err instanceof OstalError && err.code === 'auth_failed') throw err;
          // The server itself is unreachable: say so (nothing is decided, nothing deleted).
          if (folder.key === '/' && err instanceof OstalError && ['unreachable', 'connection_refused', 'timeout', 'tls_untrusted'].includes(err.code)) throw err;
          const message = err instanceof OstalError ? err.message : String(err);
          this.options.log.warn('files: folder listing failed, nothing decided below it', { folder: folder.key, err: err as Error });
          failed.set(folder.key, message);
          return;
        }
        listed++;
        if (folder.key === '/' && listing.quota) quota = listing.quota;
        for (const s of listing.strangers) this.problem(`${folder.key}#${s}`, 'server', t('files.names.outside', { href: s }));
        children = [];
        const byLower = new Map<string, string>();
        for (const c of listing.children) {
          const name = c.href.replace(/\/$/, '').split('/').pop() ?? '';
          if (isHostileName(name)) {
            this.problem(join(folder.key, name.replace(/[/\\\0]/g, '_')), 'server', t('files.names.hostile', { name: JSON.stringify(name) }));
            continue;
          }
          const key = keyOf(join(folder.key, name));
          const lower = key.toLocaleLowerCase('fr');
          const other = byLower.get(lower);
          if (other !== undefined) {
            this.problem(key, 'server', caseClashProblem(baseName(key), baseName(other)));
            continue;
          }
          byLower.set(lower, key);
          children.push({ ...c, key });
        }
        this.repo.replaceRemoteChildren(this.accountId, folder.key, [
          { parent: folder.key, path: folder.key, kind: 'folder', size: 0, etag: listing.self?.etag ?? null, modified: listing.self?.modified ?? null },
          ...children.map((c) => ({ parent: folder.key, path: c.key, kind: c.kind, size: c.size, etag: c.etag, modified: c.modified })),
        ]);
        for (const c of children) {
          const p = nameProblem(c.key);
          if (p) this.problem(c.key, 'server', p);
        }
      }
      for (const c of children) {
        if (this.ignored.has(c.key)) continue;
        items.set(c.key, c);
        // Under a folder taken from the cache, a subfolder's ETag is the one of the last listing, possibly stale
        // (Apache does not propagate changes upwards): list it.
        if (c.kind === 'folder') queue.push({ key: c.key, href: c.href, etag: fromCache ? null : c.etag });
      }
    };
    // Bounded parallel BFS.
    const running = new Set<Promise<void>>();
    while (queue.length || running.size) {
      while (queue.length && running.size < LIST_PARALLEL) {
        const next = queue.shift()!;
        const p: Promise<void> = visit(next).finally(() => running.delete(p));
        running.add(p);
      }
      if (running.size) await Promise.race(running);
    }
    if (failed.has('/')) throw new OstalError('listing_failed', t('files.errors.rootListing', { detail: failed.get('/')! }));
    this.repo.pruneRemote(this.accountId, visited);
    return { items, failed, listed, skipped, quota };
  }

  // ------------------------------------------------------------------ local scan

  private async scanLocal(base: Map<string, StateRow>, conflictCopies: Set<string>): Promise<{ items: Map<string, LocalItem>; partials: string[] }> {
    const items = new Map<string, LocalItem>();
    const partials: string[] = [];
    const walk = async (relDir: string) => {
      const absDir = relDir === '/' ? this.localRoot : this.abs(relDir);
      let entries: fs.Dirent[];
      try {
        entries = await fs.promises.readdir(absDir, { withFileTypes: true });
      } catch (err) {
        if (relDir === '/') throw new OstalError('local_unavailable', t('files.errors.localRoot', { path: this.localRoot }), { cause: err });
        // An unreadable local folder is not an empty one: nothing is decided below it this round.
        this.options.log.warn('files: local folder unreadable, nothing decided below it', { folder: relDir, err: err as Error });
        this.unreadable.add(keyOf(relDir));
        this.problem(keyOf(relDir), 'local', t('files.errors.localFolder', { path: keyOf(relDir) }));
        return;
      }
      const byLower = new Map<string, string>();
      for (const e of entries) {
        if (e.name.startsWith(PARTIAL_PREFIX)) {
          partials.push(path.join(absDir, e.name));
          continue;
        }
        if (!e.isFile() && !e.isDirectory()) continue; // symbolic links, sockets…: not synced
        const actual = join(relDir, e.name);
        const key = keyOf(actual);
        if (conflictCopies.has(key)) continue;
        const problem = nameProblem(key);
        if (problem) {
          this.problem(key, 'local', problem);
          continue;
        }
        const lower = key.toLocaleLowerCase('fr');
        if (items.has(key) || byLower.has(lower)) {
          this.problem(key, 'local', caseClashProblem(e.name, baseName(byLower.get(lower) ?? key)));
          continue;
        }
        byLower.set(lower, key);
        if (e.isDirectory()) {
          items.set(key, { key, actual, kind: 'folder', size: 0, mtimeMs: 0, hash: null });
          await walk(actual);
        } else {
          const st = await fs.promises.stat(path.join(absDir, e.name));
          const b = base.get(key);
          const unchanged = b && b.local && b.kind === 'file' && b.size === st.size && b.mtimeMs === Math.floor(st.mtimeMs) && b.hash;
          items.set(key, { key, actual, kind: 'file', size: st.size, mtimeMs: Math.floor(st.mtimeMs), hash: unchanged ? b.hash : null });
        }
      }
    };
    await walk('/');
    return { items, partials };
  }

  private async hashOf(item: LocalItem): Promise<string> {
    if (item.hash) return item.hash;
    const h = crypto.createHash('sha256');
    for await (const c of fs.createReadStream(this.abs(item.actual))) h.update(c as Buffer);
    item.hash = h.digest('hex');
    return item.hash;
  }

  // ------------------------------------------------------------------ sync

  async sync(): Promise<FilesSyncResult> {
    const result: FilesSyncResult = { uploaded: 0, downloaded: 0, movedRemote: 0, movedLocal: 0, deletedLocal: 0, deletedRemote: 0, conflicts: 0, listed: 0, skippedFolders: 0 };
    const acc = this.repo.account(this.accountId);
    if (acc.paused) return result;
    this.purgeTrash();
    this.problems = [];
    this.ignored = new Set();
    this.changed = new Set();
    this.unreadable = new Set();
    const base = this.repo.states(this.accountId);
    if (!fs.existsSync(this.localRoot)) {
      // A sync folder that held files and is gone is an unmounted disk or a moved folder, not « delete everything ».
      if ([...base.values()].some((b) => b.local && b.kind === 'file')) throw new OstalError('local_unavailable', t('files.errors.localRoot', { path: this.localRoot }));
      fs.mkdirSync(this.localRoot, { recursive: true });
    }
    const conflictCopies = this.repo.conflictPaths(this.accountId);
    this.options.onProgress?.({ label: t('files.progress.listing'), done: 0, total: 0, bytesDone: 0, bytesTotal: 0, current: null });
    const walks = acc.walks + 1;
    const remote = await this.walkRemote(walks % FULL_WALK_EVERY === 1 || process.env.OSTAL_FILES_FULL_WALK === '1');
    result.listed = remote.listed;
    result.skippedFolders = remote.skipped;
    const { items: local, partials } = await this.scanLocal(base, conflictCopies);
    const pins = this.repo.pins(this.accountId);
    const failedRoots = [...remote.failed.keys(), ...this.unreadable];
    const underFailed = (p: string) => failedRoots.some((f) => isWithin(p, f));
    const isIgnored = (p: string) => {
      for (const i of this.ignored) if (isWithin(p, i)) return true;
      return false;
    };

    type Plan = { kind: 'upload' | 'download' | 'conflict' | 'adopt'; key: string };
    const transfers: Plan[] = [];
    const mkcols: string[] = [];
    const mkdirs: string[] = [];
    const moveRemote: { from: string; to: string; etag: string | null }[] = [];
    const moveLocal: { from: string; to: string; remote: RemoteEntry }[] = [];
    const delLocal: string[] = [];
    const delRemote: { key: string; etag: string | null; kind: 'file' | 'folder' }[] = [];
    const onlineOnly: RemoteEntry[] = [];
    const forget: string[] = [];

    // Hashes of new and changed local files (needed for renames and to tell real changes from touches).
    for (const l of local.values()) if (l.kind === 'file' && !l.hash) await this.hashOf(l);
    // A folder renamed on one side is renamed on the other in one step (one MOVE, or one local rename).
    const renamed = await this.renameFolders(base, local, remote.items, (p) => underFailed(p) || isIgnored(p));
    result.movedRemote += renamed.remote;
    result.movedLocal += renamed.local;
    const keys = new Set<string>([...local.keys(), ...remote.items.keys(), ...base.keys()]);

    const newLocal: LocalItem[] = [];
    const goneLocal: StateRow[] = [];
    const newRemote: RemoteEntry[] = [];
    const goneRemote: StateRow[] = [];

    for (const key of [...keys].sort()) {
      if (key === '/' || conflictCopies.has(key) || isIgnored(key) || underFailed(key)) continue;
      const l = local.get(key);
      const r = remote.items.get(key);
      let b = base.get(key) ?? null;
      if (b?.pending) {
        // Record what landed now: a new transfer of this item replaces the pending note.
        const resolved = landed(b, l, r);
        if (resolved !== b) this.repo.putState(this.accountId, { ...resolved, state: 'synced', error: null });
        b = resolved;
      }
      if (b && b.kind === 'file' && b.local && b.hash === null && b.etag === null) b = null; // placeholder of a transfer that never landed
      if (b && ((l && l.kind !== b.kind) || (r && r.kind !== b.kind))) b = null;
      if (l && r && l.kind !== r.kind) {
        this.problem(key, 'local', t('files.names.kindClash', { name: baseName(key) }));
        continue;
      }
      const offline = offlineFrom(pins, key);
      const kind = (l ?? r ?? b)!.kind;
      const bLocal = b?.local ? b : null;
      if (kind === 'folder') {
        if (l && r) this.record({ path: key, kind, size: 0, mtimeMs: null, hash: null, etag: r.etag, remoteModified: r.modified, local: true, state: 'synced', error: null });
        else if (l && !r && !b) mkcols.push(key);
        else if (l && !r && b) delLocal.push(key);
        else if (!l && r && !b) {
          if (offline) mkdirs.push(key);
          else onlineOnly.push(r);
        }
        else if (!l && r && b) {
          if (b.local && offline) delRemote.push({ key, etag: null, kind });
          else onlineOnly.push(r);
        } else if (!l && !r && b) forget.push(key);
        continue;
      }
      const lChanged = l ? !bLocal || bLocal.hash !== l.hash : false;
      const rChanged = r ? !b || b.etag !== r.etag : false;
      if (l && r) {
        if (!lChanged && !rChanged) {
          if (b && (b.mtimeMs !== l.mtimeMs || b.state !== 'synced')) this.record({ ...b, mtimeMs: l.mtimeMs, size: l.size, local: true, state: 'synced', error: null });
          continue;
        }
        if (lChanged && !rChanged && bLocal) transfers.push({ kind: 'upload', key });
        else if (rChanged && !lChanged) transfers.push({ kind: 'download', key });
        else if (r.size === l.size && r.modified && Math.abs(Date.parse(r.modified) - l.mtimeMs) < 1000) transfers.push({ kind: 'adopt', key });
        else transfers.push({ kind: 'conflict', key });
      } else if (l && !r) {
        if (!b) newLocal.push(l);
        else if (lChanged) transfers.push({ kind: 'upload', key }); // changed here, deleted there: the change wins
        else goneRemote.push(b);
      } else if (!l && r) {
        if (!b || !b.local) {
          if (offline) newRemote.push(r);
          else onlineOnly.push(r);
        } else if (rChanged) transfers.push({ kind: 'download', key }); // deleted here, changed there: the change wins
        else if (!offline) onlineOnly.push(r);
        else goneLocal.push(b);
      } else if (b) forget.push(key);
    }

    // Renames. Local rename: a file gone here whose content appears under a new name here → MOVE on the server.
    const byHash = new Map<string, LocalItem[]>();
    for (const l of newLocal) byHash.set(`${l.hash}:${l.size}`, [...(byHash.get(`${l.hash}:${l.size}`) ?? []), l]);
    const goneLocalByHash = new Map<string, StateRow[]>();
    for (const g of goneLocal) goneLocalByHash.set(`${g.hash}:${g.size}`, [...(goneLocalByHash.get(`${g.hash}:${g.size}`) ?? []), g]);
    const movedFrom = new Set<string>();
    const movedTo = new Set<string>();
    for (const [h, gone] of goneLocalByHash) {
      const arrived = byHash.get(h);
      if (gone.length === 1 && arrived?.length === 1) {
        moveRemote.push({ from: gone[0].path, to: arrived[0].key, etag: gone[0].etag });
        movedFrom.add(gone[0].path);
        movedTo.add(arrived[0].key);
      }
    }
    // Remote rename: a file gone on the server whose ETag and size appear under a new name there → local rename.
    const newRemoteBySig = new Map<string, RemoteEntry[]>();
    for (const r of newRemote) if (r.etag) newRemoteBySig.set(`${r.etag}:${r.size}`, [...(newRemoteBySig.get(`${r.etag}:${r.size}`) ?? []), r]);
    const goneRemoteBySig = new Map<string, StateRow[]>();
    for (const g of goneRemote) if (g.etag) goneRemoteBySig.set(`${g.etag}:${g.size}`, [...(goneRemoteBySig.get(`${g.etag}:${g.size}`) ?? []), g]);
    for (const [sig, gone] of goneRemoteBySig) {
      const arrived = newRemoteBySig.get(sig);
      if (gone.length === 1 && arrived?.length === 1 && !local.has(arrived[0].key)) {
        moveLocal.push({ from: gone[0].path, to: arrived[0].key, remote: arrived[0] });
        movedFrom.add(gone[0].path);
        movedTo.add(arrived[0].key);
      }
    }
    for (const l of newLocal) if (!movedTo.has(l.key)) transfers.push({ kind: 'upload', key: l.key });
    for (const r of newRemote) if (!movedTo.has(r.key)) transfers.push({ kind: 'download', key: r.key });
    for (const g of goneLocal) if (!movedFrom.has(g.path)) delRemote.push({ key: g.path, etag: g.etag, kind: 'file' });
    for (const g of goneRemote) if (!movedFrom.has(g.path)) delLocal.push(g.path);

    // A folder is deleted only when nothing below it is being created or kept.
    const creating = [...transfers.filter((p) => p.kind !== 'adopt').map((p) => p.key), ...mkcols, ...mkdirs, ...movedTo];
    const keepsBelow = (folder: string) => creating.some((c) => c !== folder && isWithin(c, folder)) || [...this.ignored].some((i) => isWithin(i, folder)) || failedRoots.some((f) => isWithin(f, folder));
    const finalDelLocal: string[] = [];
    for (const key of delLocal) {
      const isFolder = local.get(key)?.kind === 'folder';
      if (isFolder && keepsBelow(key)) mkcols.push(key);
      else finalDelLocal.push(key);
    }
    const finalDelRemote: typeof delRemote = [];
    for (const d of delRemote) {
      if (d.kind === 'folder' && keepsBelow(d.key)) mkdirs.push(d.key);
      else finalDelRemote.push(d);
    }

    // Big deletions wait for the user.
    const fileDeletions = finalDelLocal.filter((k) => local.get(k)?.kind === 'file').length + finalDelRemote.filter((d) => d.kind === 'file').length;
    const baseFiles = [...base.values()].filter((b) => b.kind === 'file').length;
    const big = fileDeletions > BIG_DELETION || (fileDeletions >= BIG_DELETION_FLOOR && fileDeletions > baseFiles * BIG_DELETION_SHARE);
    let doDeletions = true;
    if (big && acc.deletionDecision === 'restore') {
      // The user refused: bring the files back on the side that lost them.
      for (const key of finalDelLocal) if (local.get(key)?.kind === 'file') {
        this.repo.deleteState(this.accountId, key);
        transfers.push({ kind: 'upload', key });
      }
      for (const d of finalDelRemote) if (d.kind === 'file') {
        this.repo.deleteState(this.accountId, d.key);
        transfers.push({ kind: 'download', key: d.key });
      }
      for (const d of finalDelRemote) if (d.kind === 'folder') mkdirs.push(d.key);
      for (const key of finalDelLocal) if (local.get(key)?.kind === 'folder') mkcols.push(key);
      doDeletions = false;
      this.repo.updateAccount(this.accountId, { pendingDeletion: null, deletionDecision: 'none' });
    } else if (big && acc.deletionDecision !== 'confirm') {
      doDeletions = false;
      const pending = { local: finalDelLocal.filter((k) => local.get(k)?.kind === 'file').length, server: finalDelRemote.filter((d) => d.kind === 'file').length };
      this.repo.updateAccount(this.accountId, { pendingDeletion: pending });
      if (JSON.stringify(acc.pendingDeletion) !== JSON.stringify(pending)) this.notice('confirmation', t('files.notices.bigDeletion', { local: pending.local, server: pending.server }), null);
    } else if (acc.pendingDeletion || acc.deletionDecision !== 'none') {
      this.repo.updateAccount(this.accountId, { pendingDeletion: null, deletionDecision: 'none' });
    }

    // Execute: folders, renames, transfers (bounded parallelism), deletions.
    for (const key of [...new Set(mkcols)].sort()) {
      await this.client.mkcol(this.client.hrefOf(key, true));
      this.record({ path: key, kind: 'folder', size: 0, mtimeMs: null, hash: null, etag: null, remoteModified: null, local: true, state: 'synced', error: null });
    }
    for (const key of [...new Set(mkdirs)].sort()) {
      fs.mkdirSync(this.abs(key), { recursive: true });
      this.record({ path: key, kind: 'folder', size: 0, mtimeMs: null, hash: null, etag: remote.items.get(key)?.etag ?? null, remoteModified: null, local: true, state: 'synced', error: null });
    }
    for (const m of moveRemote) {
      try {
        await this.client.transfer('MOVE', this.client.hrefOf(m.from), this.client.hrefOf(m.to), m.etag);
      } catch (err) {
        if (!(err instanceof OstalError) || err.code !== 'precondition_failed') throw err;
        // Changed on the server meanwhile: the next sync sees a new local file and a changed server one.
        this.options.log.info('files: move refused by If-Match, decided again next sync', { from: m.from });
        continue;
      }
      const l = local.get(m.to)!;
      const st = await this.client.stat(this.client.hrefOf(m.to));
      this.repo.deleteState(this.accountId, m.from);
      this.changed.add(m.from);
      this.record({ path: m.to, kind: 'file', size: l.size, mtimeMs: l.mtimeMs, hash: l.hash, etag: st?.etag ?? m.etag, remoteModified: st?.modified ?? null, local: true, state: 'synced', error: null });
      result.movedRemote++;
    }
    for (const m of moveLocal) {
      const from = this.abs(local.get(m.from)?.actual ?? m.from);
      const to = this.abs(m.to);
      fs.mkdirSync(path.dirname(to), { recursive: true });
      fs.renameSync(from, to);
      const b = base.get(m.from)!;
      const st = fs.statSync(to);
      this.repo.deleteState(this.accountId, m.from);
      this.changed.add(m.from);
      this.record({ path: m.to, kind: 'file', size: st.size, mtimeMs: Math.floor(st.mtimeMs), hash: b.hash, etag: m.remote.etag, remoteModified: m.remote.modified, local: true, state: 'synced', error: null });
      result.movedLocal++;
    }
    for (const r of onlineOnly) {
      const b = base.get(r.key);
      this.record({ path: r.key, kind: r.kind, size: r.size, mtimeMs: null, hash: b?.hash ?? null, etag: r.etag, remoteModified: r.modified, local: false, state: 'online-only', error: null });
    }
    for (const key of forget) {
      this.repo.deleteState(this.accountId, key);
      this.changed.add(key);
    }

    const total = transfers.length;
    let done = 0;
    this.bytesDone = 0;
    const bytesTotal = transfers.reduce((sum, p) => sum + (p.kind === 'upload' ? (local.get(p.key)?.size ?? 0) : p.kind === 'adopt' ? 0 : (remote.items.get(p.key)?.size ?? 0)), 0);
    let current: string | null = null;
    let lastEmit = 0;
    const progress = (force = true) => {
      const now = Date.now();
      if (!force && now - lastEmit < 250) return;
      lastEmit = now;
      this.options.onProgress?.({ label: t('files.progress.transfers', { done, total }), done, total, bytesDone: this.bytesDone, bytesTotal, current });
    };
    this.onBytes = () => progress(false);
    progress();
    const errors: string[] = [];
    await runPool(transfers, PARALLEL, async (plan) => {
      if (this.repo.account(this.accountId).paused) return;
      const r = remote.items.get(plan.key);
      const l = local.get(plan.key);
      current = plan.key;
      try {
        this.repo.setState(this.accountId, plan.key, 'syncing');
        if (plan.kind === 'upload') {
          const b = base.get(plan.key);
          await this.upload(plan.key, l!, r ? (b?.etag ?? r.etag) : null);
          result.uploaded++;
        } else if (plan.kind === 'download') {
          await this.download(plan.key, r!, l ?? null);
          result.downloaded++;
        } else if (plan.kind === 'adopt') {
          this.record({ path: plan.key, kind: 'file', size: l!.size, mtimeMs: l!.mtimeMs, hash: l!.hash, etag: r!.etag, remoteModified: r!.modified, local: true, state: 'synced', error: null });
        } else {
          if (await this.conflict(plan.key, l!, r!)) result.conflicts++;
        }
      } catch (err) {
        const e = err instanceof OstalError ? err : new OstalError('internal', t('files.errors.transfer', { path: plan.key }), { cause: err });
        if (e.code === 'precondition_failed') {
          // Changed on the server meanwhile: decided again at the next sync.
          this.repo.setState(this.accountId, plan.key, 'pending');
        } else {
          this.options.log.warn('files: transfer failed', { path: plan.key, kind: plan.kind, err: (err as Error) ?? e });
          this.repo.setState(this.accountId, plan.key, 'error', e.message);
          errors.push(e.message);
          if (['auth_failed', 'connection_refused', 'unreachable', 'timeout', 'tls_untrusted'].includes(e.code)) throw e;
        }
      } finally {
        done++;
        progress();
        this.changed.add(plan.key);
      }
    });

    if (doDeletions) {
      for (const key of finalDelLocal.filter((k) => local.get(k)?.kind === 'file')) {
        await this.toTrash(key, local.get(key)!);
        result.deletedLocal++;
      }
      for (const d of finalDelRemote.filter((x) => x.kind === 'file')) {
        await this.client.delete(this.client.hrefOf(d.key), d.etag);
        this.repo.deleteState(this.accountId, d.key);
        this.changed.add(d.key);
        result.deletedRemote++;
      }
      for (const key of finalDelLocal.filter((k) => local.get(k)?.kind === 'folder').sort().reverse()) {
        try {
          fs.rmdirSync(this.abs(local.get(key)!.actual));
        } catch (err) {
          this.options.log.warn('files: folder not removed (not empty)', { path: key, err: err as Error });
        }
        this.repo.deleteState(this.accountId, key);
        this.changed.add(key);
      }
      for (const d of finalDelRemote.filter((x) => x.kind === 'folder').sort((a, b) => b.key.localeCompare(a.key))) {
        await this.client.delete(this.client.hrefOf(d.key, true));
        this.repo.deleteState(this.accountId, d.key);
        this.changed.add(d.key);
      }
    }

    // Partial downloads not resumed this round are stale.
    for (const p of partials) if (fs.existsSync(p)) fs.rmSync(p, { force: true });

    // Names reported (new ones told to the user once).
    const before = new Set(acc.problems.map((p) => `${p.side}:${p.path}`));
    for (const p of this.problems) if (!before.has(`${p.side}:${p.path}`)) this.notice('name', p.message, p.path);
    this.repo.updateAccount(this.accountId, { problems: this.problems, quota: remote.quota, walks });
    for (const [folder, message] of remote.failed) this.notice('listing', t('files.errors.folderListing', { path: folder, detail: message }), folder);

    if (this.changed.size) this.options.emit('files.changed', { accountId: this.accountId, paths: [...this.changed].sort() });
    if (remote.failed.size) {
      const [folder, message] = [...remote.failed][0];
      throw new OstalError('listing_failed', t('files.errors.folderListing', { path: folder, detail: message }));
    }
    if (errors.length) throw new OstalError('transfer_failed', t('files.errors.someFailed', { count: errors.length, first: errors[0] }));
    return result;
  }

  /**
   * Folder renames: a folder gone on one side whose whole content (same relative names; same hashes locally, same
   * ETags and sizes on the server) appears under a new name on the same side, while the other side still has the
   * old folder unchanged. Applied at once; `base`, `local` and `remote` are updated to the new names.
   */
  private async renameFolders(
    base: Map<string, StateRow>,
    local: Map<string, LocalItem>,
    remote: Map<string, RemoteEntry>,
    skip: (p: string) => boolean,
  ): Promise<{ local: number; remote: number }> {
    const done = { local: 0, remote: 0 };
    const under = <T>(map: Map<string, T>, folder: string) => [...map.entries()].filter(([k]) => k.startsWith(`${folder}/`));
    const signature = (entries: [string, string][], folder: string) =>
      entries
        .map(([k, v]) => `${k.slice(folder.length)}\u0000${v}`)
        .sort()
        .join('\n');
    const moved: string[] = [];
    // Signatures of the folders new on each side, computed once when a candidate needs them.
    let localSigs: Map<string, LocalItem> | undefined;
    let remoteSigs: Map<string, RemoteEntry> | undefined;
    const folders = [...base.values()].filter((b) => b.kind === 'folder' && b.local && !skip(b.path)).sort((x, y) => x.path.length - y.path.length);
    for (const b of folders) {
      if (moved.some((m) => isWithin(b.path, m))) continue;
      const goneHere = !local.has(b.path) && remote.get(b.path)?.kind === 'folder';
      const goneThere = !remote.has(b.path) && local.get(b.path)?.kind === 'folder';
      if (!goneHere && !goneThere) continue;
      const baseFiles = under(base, b.path).filter(([, r]) => r.kind === 'file' && r.local);
      if (!baseFiles.length) continue;
      let targetKey: string;
      if (goneHere) {
        // Every file still unchanged on the server; a new local folder holds exactly the same contents.
        if (!baseFiles.every(([k, r]) => remote.get(k)?.etag === r.etag)) continue;
        const want = signature(baseFiles.map(([k, r]) => [k, `${r.hash}:${r.size}`]), b.path);
        localSigs ??= new Map(
          [...local.values()]
            .filter((l) => l.kind === 'folder' && !base.has(l.key) && !remote.has(l.key) && !skip(l.key))
            .map((l) => [signature(under(local, l.key).filter(([, x]) => x.kind === 'file').map(([k, x]) => [k, `${x.hash}:${x.size}`]), l.key), l] as const),
        );
        const target = localSigs.get(want);
        if (!target) continue;
        localSigs.delete(want);
        targetKey = target.key;
        await this.client.transfer('MOVE', this.client.hrefOf(b.path, true), this.client.hrefOf(targetKey, true));
        for (const [k, r] of [[b.path, remote.get(b.path)!] as const, ...under(remote, b.path)]) {
          remote.delete(k);
          const nk = targetKey + k.slice(b.path.length);
          remote.set(nk, { ...r, key: nk, href: this.client.hrefOf(nk, r.kind === 'folder') });
        }
        done.remote++;
        this.options.log.info('files: folder renamed here, MOVE on the server', { from: b.path, to: target.key });
      } else if (goneThere) {
        if (!baseFiles.every(([k, r]) => local.get(k)?.hash === r.hash)) continue;
        const want = signature(baseFiles.map(([k, r]) => [k, `${r.etag}:${r.size}`]), b.path);
        remoteSigs ??= new Map(
          [...remote.values()]
            .filter((r) => r.kind === 'folder' && !base.has(r.key) && !local.has(r.key) && !skip(r.key))
            .map((r) => [signature(under(remote, r.key).filter(([, x]) => x.kind === 'file').map(([k, x]) => [k, `${x.etag}:${x.size}`]), r.key), r] as const),
        );
        const target = remoteSigs.get(want);
        if (!target) continue;
        remoteSigs.delete(want);
        targetKey = target.key;
        const oldActual = local.get(b.path)!.actual;
        const from = this.abs(oldActual);
        const to = this.abs(targetKey);
        fs.mkdirSync(path.dirname(to), { recursive: true });
        fs.renameSync(from, to);
        for (const [k, l] of [[b.path, local.get(b.path)!] as const, ...under(local, b.path)]) {
          local.delete(k);
          const nk = targetKey + k.slice(b.path.length);
          local.set(nk, { ...l, key: nk, actual: targetKey + l.actual.slice(oldActual.length) });
        }
        done.local++;
        this.options.log.info('files: folder renamed on the server, renamed here', { from: b.path, to: target.key });
      } else continue;
      this.repo.moveState(this.accountId, b.path, targetKey);
      this.changed.add(b.path);
      this.changed.add(targetKey);
      moved.push(b.path);
    }
    if (moved.length) {
      base.clear();
      for (const [k, v] of this.repo.states(this.accountId)) base.set(k, v);
    }
    return done;
  }

  private record(row: StateRow): void {
    this.repo.putState(this.accountId, row);
    this.changed.add(row.path);
  }

  // ------------------------------------------------------------------ transfers

  private throttle(): Transform | null {
    const limit = this.options.speedLimit ?? 0;
    return limit > 0 ? new TokenBucket(limit) : null;
  }

  private async upload(key: string, l: LocalItem, ifMatch: string | null): Promise<void> {
    const abs = this.abs(l.actual);
    const before = await fs.promises.stat(abs);
    let hash = crypto.createHash('sha256');
    const body = () => {
      const h = (hash = crypto.createHash('sha256'));
      const reader = fs.createReadStream(abs);
      const hashing = new Transform({
        transform: (chunk: Buffer, _enc, cb) => {
          h.update(chunk);
          this.bytesDone += chunk.length;
          this.onBytes();
          cb(null, chunk);
        },
      });
      const throttle = this.throttle();
      const source = throttle ? reader.pipe(hashing).pipe(throttle) : reader.pipe(hashing);
      reader.on('error', (err) => source.destroy(err));
      return source;
    };
    this.repo.setPending(this.accountId, key, { kind: 'upload', hash: l.hash, size: before.size, etag: null, modified: null, at: new Date().toISOString() });
    await this.client.put(this.client.hrefOf(key), body, before.size, ifMatch ? { ifMatch } : { create: true });
    const after = await fs.promises.stat(abs);
    const st = await this.client.stat(this.client.hrefOf(key));
    const stable = after.size === before.size && after.mtimeMs === before.mtimeMs;
    this.record({
      path: key,
      kind: 'file',
      size: before.size,
      mtimeMs: Math.floor(before.mtimeMs),
      hash: hash.digest('hex'),
      etag: st?.etag ?? null,
      remoteModified: st?.modified ?? null,
      local: true,
      state: stable ? 'synced' : 'pending',
      error: null,
    });
  }

  /** Download `r` to `key` through a partial file; `l` is the local file as scanned (not replaced if it changed since). */
  async download(key: string, r: RemoteEntry | RemoteItem, l: LocalItem | null, target?: string): Promise<string> {
    const abs = this.abs(target ?? l?.actual ?? key);
    if (l) {
      const st = await fs.promises.stat(abs).catch(() => null);
      if (st && (st.size !== l.size || Math.floor(st.mtimeMs) !== l.mtimeMs)) throw new OstalError('precondition_failed', t('files.errors.changedMeanwhile', { path: key }));
    }
    const dir = path.dirname(abs);
    await fs.promises.mkdir(dir, { recursive: true });
    this.abs(parentOf(key)); // the created folders are still inside
    const partial = path.join(dir, `${PARTIAL_PREFIX}${crypto.createHash('sha1').update(`${key}\0${r.etag ?? ''}`).digest('hex').slice(0, 16)}`);
    const existing = await fs.promises.stat(partial).catch(() => null);
    const offset = existing && r.etag && existing.size > 0 && existing.size < r.size ? existing.size : 0;
    const hash = crypto.createHash('sha256');
    try {
      const got = await this.client.get(
        this.client.hrefOf(key),
        (resumed) => {
          if (resumed && offset) hash.update(fs.readFileSync(partial));
          return new FileSink(partial, resumed && offset > 0, hash, (n) => {
            this.bytesDone += n;
            this.onBytes();
          });
        },
        { offset, etag: r.etag, throttle: () => this.throttle() },
      );
      const st = await fs.promises.stat(partial);
      if (r.size && st.size !== r.size && got.etag === r.etag) throw new OstalError('transfer_failed', t('files.errors.incomplete', { path: key }));
      const modified = got.modified ?? r.modified;
      if (modified && Number.isFinite(Date.parse(modified))) await fs.promises.utimes(partial, new Date(), new Date(Date.parse(modified)));
      const digest = hash.digest('hex');
      this.repo.setPending(this.accountId, key, { kind: 'download', hash: digest, size: st.size, etag: got.etag ?? r.etag, modified, at: new Date().toISOString() });
      await fs.promises.rename(partial, abs);
      const final = await fs.promises.stat(abs);
      this.record({ path: key, kind: 'file', size: final.size, mtimeMs: Math.floor(final.mtimeMs), hash: digest, etag: got.etag ?? r.etag, remoteModified: modified, local: true, state: 'synced', error: null });
      return abs;
    } catch (err) {
      // A network cut keeps the partial file for a resume; anything else starts over next time.
      if (!(err instanceof OstalError) || !['unreachable', 'timeout', 'connection_refused'].includes(err.code)) await fs.promises.rm(partial, { force: true });
      throw err;
    }
  }

  /** Both sides changed: keep the local version under a conflict name, download the server's. False when they were equal. */
  private async conflict(key: string, l: LocalItem, r: RemoteEntry): Promise<boolean> {
    const copyKey = conflictName(key, new Date(), (c) => fs.existsSync(this.abs(c)));
    const from = this.abs(l.actual);
    const copyAbs = this.abs(copyKey);
    await fs.promises.rename(from, copyAbs);
    try {
      await this.download(key, r, null);
    } catch (err) {
      // Put the local version back where it was: nothing changes until the next attempt.
      if (!fs.existsSync(from)) await fs.promises.rename(copyAbs, from);
      throw err;
    }
    const downloaded = this.repo.state(this.accountId, key);
    if (downloaded?.hash === l.hash) {
      await fs.promises.rm(copyAbs, { force: true });
      return false;
    }
    const c = this.repo.addConflict(this.accountId, key, copyKey);
    this.record({ path: copyKey, kind: 'file', size: l.size, mtimeMs: l.mtimeMs, hash: l.hash, etag: null, remoteModified: null, local: true, state: 'conflict', error: t('files.notices.conflict', { name: baseName(key), copy: baseName(copyKey) }) });
    this.repo.setState(this.accountId, key, 'conflict', t('files.notices.conflict', { name: baseName(key), copy: baseName(copyKey) }));
    this.notice('conflict', t('files.notices.conflict', { name: baseName(key), copy: baseName(copyKey) }), key);
    this.options.log.info('files: conflict kept both versions', { path: key, copy: copyKey, conflict: c.id });
    return true;
  }

  /** Move a local file into Ostal's Corbeille (restorable for TRASH_DAYS days). */
  async toTrash(key: string, l: { actual: string; size: number }): Promise<void> {
    const abs = this.abs(l.actual);
    fs.mkdirSync(this.trashDir, { recursive: true, mode: 0o700 });
    const storedAs = path.join(this.trashDir, `${crypto.randomUUID()}-${baseName(key)}`);
    try {
      await fs.promises.rename(abs, storedAs);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
      await fs.promises.copyFile(abs, storedAs);
      await fs.promises.rm(abs);
    }
    const now = new Date();
    this.repo.addTrash({ accountId: this.accountId, path: key, size: l.size, storedAs, deletedAt: now.toISOString(), expiresAt: new Date(now.getTime() + TRASH_DAYS * 86_400_000).toISOString() });
    this.repo.deleteState(this.accountId, key);
    this.changed.add(key);
  }

  private purgeTrash(): void {
    const now = new Date().toISOString();
    for (const entry of this.repo.trash(this.accountId)) {
      if (entry.expiresAt > now) continue;
      fs.rmSync(entry.storedAs, { force: true });
      this.repo.removeTrash(entry.id);
    }
  }
}

/**
 * The state of an item whose transfer was interrupted after it landed but before it was recorded: a download
 * renamed into place (the local content is the downloaded one), an upload stored by the server (same size, newer).
 */
function landed(b: StateRow, l: LocalItem | undefined, r: RemoteEntry | undefined): StateRow {
  const p = b.pending!;
  if (p.kind === 'download' && l?.kind === 'file' && l.hash === p.hash) {
    return { ...b, hash: p.hash, size: p.size, etag: p.etag, remoteModified: p.modified, local: true, mtimeMs: l.mtimeMs };
  }
  if (p.kind === 'upload' && r?.kind === 'file' && r.size === p.size && r.etag !== b.etag && (!r.modified || Date.parse(r.modified) >= Date.parse(p.at) - 2_000)) {
    return { ...b, hash: p.hash, size: p.size, etag: r.etag, remoteModified: r.modified, local: true, mtimeMs: l?.mtimeMs ?? b.mtimeMs };
  }
  return b;
}

/** Writes a download into its partial file while hashing it; fsync before the end. */
class FileSink extends Writable {
  private handle: fs.promises.FileHandle | null = null;
  constructor(
    private readonly file: string,
    private readonly append: boolean,
    private readonly hash: crypto.Hash,
    private readonly onWritten: (bytes: number) => void,
  ) {
    super();
  }

  override _construct(cb: (err?: Error | null) => void): void {
    fs.promises.open(this.file, this.append ? 'a' : 'w').then(
      (h) => {
        this.handle = h;
        cb();
      },
      (err: Error) => cb(err),
    );
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.hash.update(chunk);
    this.handle!.write(chunk).then(
      () => {
        this.onWritten(chunk.length);
        cb();
      },
      (err: Error) => cb(err),
    );
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.handle!.sync().then(
      () => cb(),
      (err: Error) => cb(err),
    );
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    const h = this.handle;
    this.handle = null;
    if (!h) return cb(err);
    h.close().then(
      () => cb(err),
      () => cb(err),
    );
  }
}

/** Token bucket: at most `bytesPerSecond` through this stream. */
class TokenBucket extends Transform {
  private tokens: number;
  private last = Date.now();
  /** At most a tenth of a second of burst. */
  private readonly burst: number;
  constructor(private readonly rate: number) {
    super();
    this.burst = Math.max(16 * 1024, rate / 10);
    this.tokens = this.burst;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    const now = Date.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    this.tokens -= chunk.length;
    const wait = this.tokens < 0 ? (-this.tokens / this.rate) * 1000 : 0;
    setTimeout(() => cb(null, chunk), wait);
  }
}

async function runPool<T>(items: T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: unknown = null;
  const worker = async () => {
    while (next < items.length && failure === null) {
      const item = items[next++];
      try {
        await fn(item);
      } catch (err) {
        failure = err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
  if (failure !== null) throw failure;
}
