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
 *  - the decisions are taken by the pure planner (sync-planner.ts) from a snapshot of both sides and the stored
 *    state; this file takes the snapshot and executes the plan;
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
import { FilesRepository, type StateRow } from './repository.js';
import { markFromServer } from './mark-of-the-web.js';
import { baseName, conflictName, keyOf, parentOf, safeLocalPath } from './names.js';
import {
  misnamed,
  PARTIAL_PREFIX,
  planSync,
  resolveDeletions,
  screenLocalEntries,
  screenRemoteChildren,
  type LocalItem,
  type RemoteSnapshotItem,
  type SyncPlan,
  type Transfer,
} from './sync-planner.js';
import type { WebDavClient, RemoteItem } from './webdav.js';

export { PARTIAL_PREFIX };
const PARALLEL = 4;
const LIST_PARALLEL = 8;
/** Rounds of one sync at most (one more only when the user answered a big deletion question meanwhile). */
const MAX_ROUNDS = 3;
const FULL_WALK_EVERY = 20;
export const TRASH_DAYS = 30;

interface RemoteEntry extends RemoteItem {
  key: string;
}

/** What a sync round starts from: both sides as they are now, and the state recorded after the last sync. */
interface Snapshot {
  base: Map<string, StateRow>;
  local: Map<string, LocalItem>;
  remote: Map<string, RemoteEntry>;
  conflictCopies: Set<string>;
  pins: Map<string, boolean>;
  /** Stale `.ostal-partial-*` files found by the scan (absolute paths). */
  partials: string[];
  /** Server folders whose listing failed and unreadable local folders. */
  unavailable: string[];
  failed: Map<string, string>;
  listed: number;
  skipped: number;
  quota: { used: number; available: number | null } | null;
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

  private async walkRemote(full: boolean): Promise<{
    items: Map<string, RemoteEntry>;
    failed: Map<string, string>;
    listed: number;
    skipped: number;
    quota: { used: number; available: number | null } | null;
  }> {
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
        children = cached
          .filter((r) => r.path !== folder.key)
          .map((r) => ({
            key: r.path,
            href: this.client.hrefOf(r.path, r.kind === 'folder'),
            kind: r.kind,
            size: r.size,
            etag: r.etag,
            modified: r.modified,
          }));
        // The cache holds only accepted names (problems were reported when they were listed).
        for (const p of misnamed(children.map((c) => c.key))) this.problem(p.path, p.side, p.message);
      } else {
        let listing;
        try {
          listing = await this.client.list(folder.href);
        } catch (err) {
          if (err instanceof OstalError && err.code === 'auth_failed') throw err;
          // The server itself is unreachable: say so (nothing is decided, nothing deleted).
          if (
            folder.key === '/' &&
            err instanceof OstalError &&
            ['unreachable', 'connection_refused', 'timeout', 'tls_untrusted', 'tls_hostname'].includes(err.code)
          )
            throw err;
          const message = err instanceof OstalError ? err.message : String(err);
          this.options.log.warn('files: folder listing failed, nothing decided below it', { folder: folder.key, err: err as Error });
          failed.set(folder.key, message);
          return;
        }
        listed++;
        if (folder.key === '/' && listing.quota) quota = listing.quota;
        for (const s of listing.strangers) this.problem(`${folder.key}#${s}`, 'server', t('files.names.outside', { href: s }));
        const screened = screenRemoteChildren(folder.key, listing.children);
        children = screened.accepted;
        this.repo.replaceRemoteChildren(this.accountId, folder.key, [
          {
            parent: folder.key,
            path: folder.key,
            kind: 'folder',
            size: 0,
            etag: listing.self?.etag ?? null,
            modified: listing.self?.modified ?? null,
          },
          ...children.map((c) => ({ parent: folder.key, path: c.key, kind: c.kind, size: c.size, etag: c.etag, modified: c.modified })),
        ]);
        for (const p of screened.problems) this.problem(p.path, p.side, p.message);
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

  private async scanLocal(
    base: Map<string, StateRow>,
    conflictCopies: Set<string>,
  ): Promise<{ items: Map<string, LocalItem>; partials: string[] }> {
    const items = new Map<string, LocalItem>();
    const partials: string[] = [];
    const walk = async (relDir: string) => {
      const absDir = relDir === '/' ? this.localRoot : this.abs(relDir);
      let entries: fs.Dirent[];
      try {
        entries = await fs.promises.readdir(absDir, { withFileTypes: true });
      } catch (err) {
        if (relDir === '/')
          throw new OstalError('local_unavailable', t('files.errors.localRoot', { path: this.localRoot }), { cause: err });
        // An unreadable local folder is not an empty one: nothing is decided below it this round.
        this.options.log.warn('files: local folder unreadable, nothing decided below it', { folder: relDir, err: err as Error });
        this.unreadable.add(keyOf(relDir));
        this.problem(keyOf(relDir), 'local', t('files.errors.localFolder', { path: keyOf(relDir) }));
        return;
      }
      const verdicts = screenLocalEntries(
        relDir,
        entries.map((e) => ({ name: e.name, kind: e.isDirectory() ? 'folder' : e.isFile() ? 'file' : 'other' })),
        conflictCopies,
      );
      for (const [i, v] of verdicts.entries()) {
        const e = entries[i];
        if (v.kind === 'partial') partials.push(path.join(absDir, e.name));
        if (v.kind === 'refused') this.problem(v.problem.path, v.problem.side, v.problem.message);
        if (v.kind !== 'accept') continue;
        const { key, actual } = v;
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

  /**
   * snapshot → plan → big-deletion check → execute. A decision on a waiting big deletion given while a round
   * runs (files.confirmDeletion joins the running sync instead of starting one) is taken by one more round.
   */
  async sync(): Promise<FilesSyncResult> {
    const result: FilesSyncResult = {
      uploaded: 0,
      downloaded: 0,
      movedRemote: 0,
      movedLocal: 0,
      deletedLocal: 0,
      deletedRemote: 0,
      conflicts: 0,
      listed: 0,
      skippedFolders: 0,
    };
    for (let round = 1; ; round++) {
      let again: boolean;
      try {
        again = await this.round(result);
      } catch (err) {
        // A failed round (a folder that could not be listed…) still raised or took the question: an answer given
        // meanwhile gets one more round too; that round's outcome is the sync's.
        if (round >= MAX_ROUNDS || !this.answerWaiting()) throw err;
        again = true;
      }
      if (!again || round >= MAX_ROUNDS) return result;
      this.options.log.info('files: the user answered the big deletion question during the sync, one more round', { round });
    }
  }

  /** The user answered the big deletion question and no round took the answer yet. */
  private answerWaiting(): boolean {
    const acc = this.repo.account(this.accountId);
    return !acc.paused && acc.pendingDeletion !== null && acc.deletionDecision !== 'none';
  }

  /** One sync round. True when a decision on a big deletion is waiting that this round did not take. */
  private async round(result: FilesSyncResult): Promise<boolean> {
    const acc = this.repo.account(this.accountId);
    if (acc.paused) return false;
    const snap = await this.snapshot(acc.walks + 1);
    result.listed += snap.listed;
    result.skippedFolders += snap.skipped;

    // Plan, then the big-deletion check with the user's answer as it is now. Nothing is awaited between reading
    // the answer and recording what became of it, so an answer given meanwhile is never lost nor overwritten.
    const planned = planSync({
      local: snap.local,
      remote: snap.remote,
      base: snap.base,
      conflictCopies: snap.conflictCopies,
      pins: snap.pins,
      refused: this.problems,
      unavailable: snap.unavailable,
    });
    const current = this.repo.account(this.accountId);
    const { plan, outcome } = resolveDeletions(planned, current);
    if (outcome.account) this.repo.updateAccount(this.accountId, outcome.account);
    if (outcome.kind === 'waiting' && outcome.notify)
      this.notice('confirmation', t('files.notices.bigDeletion', { local: outcome.pending.local, server: outcome.pending.server }), null);
    for (const p of plan.problems) this.problem(p.path, p.side, p.message);

    const errors = await this.execute(plan, outcome.kind === 'restored' ? outcome.forget : [], result);

    // Partial downloads not resumed this round are stale.
    for (const p of snap.partials) if (fs.existsSync(p)) fs.rmSync(p, { force: true });

    // Names reported (new ones told to the user once).
    const before = new Set(acc.problems.map((p) => `${p.side}:${p.path}`));
    for (const p of this.problems) if (!before.has(`${p.side}:${p.path}`)) this.notice('name', p.message, p.path);
    this.repo.updateAccount(this.accountId, { problems: this.problems, quota: snap.quota, walks: acc.walks + 1 });
    for (const [folder, message] of snap.failed)
      this.notice('listing', t('files.errors.folderListing', { path: folder, detail: message }), folder);

    if (this.changed.size) this.options.emit('files.changed', { accountId: this.accountId, paths: [...this.changed].sort() });
    if (snap.failed.size) {
      const [folder, message] = [...snap.failed][0];
      throw new OstalError('listing_failed', t('files.errors.folderListing', { path: folder, detail: message }));
    }
    if (errors.length) throw new OstalError('transfer_failed', t('files.errors.someFailed', { count: errors.length, first: errors[0] }));
    // Checked after the last await of the round: from here to the coordinator dropping this run nothing waits for
    // I/O, so an answer given from now on finds the sync over and starts a new one instead of joining this one.
    return this.answerWaiting();
  }

  /** Local scan and server walk (with the hashes of new and changed local files), and the stored state. */
  private async snapshot(walks: number): Promise<Snapshot> {
    this.purgeTrash();
    this.problems = [];
    this.ignored = new Set();
    this.changed = new Set();
    this.unreadable = new Set();
    const base = this.repo.states(this.accountId);
    if (!fs.existsSync(this.localRoot)) {
      // A sync folder that held files and is gone is an unmounted disk or a moved folder, not « delete everything ».
      if ([...base.values()].some((b) => b.local && b.kind === 'file'))
        throw new OstalError('local_unavailable', t('files.errors.localRoot', { path: this.localRoot }));
      fs.mkdirSync(this.localRoot, { recursive: true });
    }
    const conflictCopies = this.repo.conflictPaths(this.accountId);
    this.options.onProgress?.({ label: t('files.progress.listing'), done: 0, total: 0, bytesDone: 0, bytesTotal: 0, current: null });
    const remote = await this.walkRemote(walks % FULL_WALK_EVERY === 1 || process.env.OSTAL_FILES_FULL_WALK === '1');
    const { items: local, partials } = await this.scanLocal(base, conflictCopies);
    const pins = this.repo.pins(this.accountId);
    // Hashes of new and changed local files (needed for renames and to tell real changes from touches).
    for (const l of local.values()) if (l.kind === 'file' && !l.hash) await this.hashOf(l);
    return {
      base,
      local,
      remote: remote.items,
      conflictCopies,
      pins,
      partials,
      unavailable: [...remote.failed.keys(), ...this.unreadable],
      failed: remote.failed,
      listed: remote.listed,
      skipped: remote.skipped,
      quota: remote.quota,
    };
  }

  // ------------------------------------------------------------------ executor

  /**
   * Carry out a plan: folder renames, recorded states, folders, file renames, transfers (bounded parallelism),
   * deletions. `forget`: rows dropped before the transfers that bring deleted files back. Returns the messages of
   * the transfers that failed (a network failure throws at once: nothing is deleted after it).
   */
  private async execute(plan: SyncPlan, forget: string[], result: FilesSyncResult): Promise<string[]> {
    for (const m of plan.folderMoves) {
      if (m.side === 'remote') {
        await this.client.transfer('MOVE', this.client.hrefOf(m.from, true), this.client.hrefOf(m.to, true));
        result.movedRemote++;
        this.options.log.info('files: folder renamed here, MOVE on the server', { from: m.from, to: m.to });
      } else {
        const from = this.abs(m.fromActual);
        const to = this.abs(m.to);
        fs.mkdirSync(path.dirname(to), { recursive: true });
        fs.renameSync(from, to);
        result.movedLocal++;
        this.options.log.info('files: folder renamed on the server, renamed here', { from: m.from, to: m.to });
      }
      this.repo.moveState(this.accountId, m.from, m.to);
      this.changed.add(m.from);
      this.changed.add(m.to);
    }
    for (const row of plan.landed) this.repo.putState(this.accountId, row);
    for (const row of plan.records) this.record(row);
    for (const key of forget) this.repo.deleteState(this.accountId, key);

    for (const key of plan.mkcols) {
      await this.client.mkcol(this.client.hrefOf(key, true));
      this.record({
        path: key,
        kind: 'folder',
        size: 0,
        mtimeMs: null,
        hash: null,
        etag: null,
        remoteModified: null,
        local: true,
        state: 'synced',
        error: null,
      });
    }
    for (const { key, etag } of plan.mkdirs) {
      fs.mkdirSync(this.abs(key), { recursive: true });
      this.record({
        path: key,
        kind: 'folder',
        size: 0,
        mtimeMs: null,
        hash: null,
        etag,
        remoteModified: null,
        local: true,
        state: 'synced',
        error: null,
      });
    }
    for (const m of plan.moveRemote) {
      try {
        await this.client.transfer('MOVE', this.client.hrefOf(m.from), this.client.hrefOf(m.to), m.etag);
      } catch (err) {
        if (!(err instanceof OstalError) || err.code !== 'precondition_failed') throw err;
        // Changed on the server meanwhile: the next sync sees a new local file and a changed server one.
        this.options.log.info('files: move refused by If-Match, decided again next sync', { from: m.from });
        continue;
      }
      const l = m.local;
      const st = await this.client.stat(this.client.hrefOf(m.to));
      this.repo.deleteState(this.accountId, m.from);
      this.changed.add(m.from);
      this.record({
        path: m.to,
        kind: 'file',
        size: l.size,
        mtimeMs: l.mtimeMs,
        hash: l.hash,
        etag: st?.etag ?? m.etag,
        remoteModified: st?.modified ?? null,
        local: true,
        state: 'synced',
        error: null,
      });
      result.movedRemote++;
    }
    for (const m of plan.moveLocal) {
      const from = this.abs(m.fromActual);
      const to = this.abs(m.to);
      fs.mkdirSync(path.dirname(to), { recursive: true });
      fs.renameSync(from, to);
      const st = fs.statSync(to);
      this.repo.deleteState(this.accountId, m.from);
      this.changed.add(m.from);
      this.record({
        path: m.to,
        kind: 'file',
        size: st.size,
        mtimeMs: Math.floor(st.mtimeMs),
        hash: m.hash,
        etag: m.remote.etag,
        remoteModified: m.remote.modified,
        local: true,
        state: 'synced',
        error: null,
      });
      result.movedLocal++;
    }
    for (const row of plan.onlineOnly) {
      // Downloaded since this round's snapshot (« Ouvrir » on an online-only file): on the disk and known as such, not
      // online-only; recording the snapshot's view made the next round take the file for a conflict (CI run 7).
      if (row.kind === 'file' && this.repo.state(this.accountId, row.path)?.local && fs.existsSync(this.abs(row.path))) continue;
      this.record(row);
    }
    for (const key of plan.forget) {
      this.repo.deleteState(this.accountId, key);
      this.changed.add(key);
    }

    const errors = await this.transfers(plan.transfers, result);

    for (const d of plan.deleteLocal.filter((x) => x.kind === 'file')) {
      await this.toTrash(d.key, d.local);
      result.deletedLocal++;
    }
    for (const d of plan.deleteRemote.filter((x) => x.kind === 'file')) {
      await this.client.delete(this.client.hrefOf(d.key), d.etag);
      this.repo.deleteState(this.accountId, d.key);
      this.changed.add(d.key);
      result.deletedRemote++;
    }
    for (const d of plan.deleteLocal
      .filter((x) => x.kind === 'folder')
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      .reverse()) {
      try {
        fs.rmdirSync(this.abs(d.local.actual));
      } catch (err) {
        this.options.log.warn('files: folder not removed (not empty)', { path: d.key, err: err as Error });
      }
      this.repo.deleteState(this.accountId, d.key);
      this.changed.add(d.key);
    }
    for (const d of plan.deleteRemote.filter((x) => x.kind === 'folder').sort((a, b) => b.key.localeCompare(a.key))) {
      await this.client.delete(this.client.hrefOf(d.key, true));
      this.repo.deleteState(this.accountId, d.key);
      this.changed.add(d.key);
    }
    return errors;
  }

  /** Uploads, downloads, conflicts (PARALLEL at a time), with progress events; stops when the user pauses. */
  private async transfers(transfers: Transfer[], result: FilesSyncResult): Promise<string[]> {
    const total = transfers.length;
    let done = 0;
    this.bytesDone = 0;
    const bytesTotal = transfers.reduce((sum, p) => sum + p.size, 0);
    let current: string | null = null;
    let lastEmit = 0;
    const progress = (force = true) => {
      const now = Date.now();
      if (!force && now - lastEmit < 250) return;
      lastEmit = now;
      this.options.onProgress?.({
        label: t('files.progress.transfers', { done, total }),
        done,
        total,
        bytesDone: this.bytesDone,
        bytesTotal,
        current,
      });
    };
    this.onBytes = () => progress(false);
    progress();
    const errors: string[] = [];
    await runPool(transfers, PARALLEL, async (plan) => {
      if (this.repo.account(this.accountId).paused) return;
      current = plan.key;
      try {
        this.repo.setState(this.accountId, plan.key, 'syncing');
        if (plan.kind === 'upload') {
          await this.upload(plan.key, plan.local, plan.ifMatch);
          result.uploaded++;
        } else if (plan.kind === 'download') {
          await this.download(plan.key, plan.remote, plan.local);
          result.downloaded++;
        } else if (plan.kind === 'adopt') {
          const { local: l, remote: r } = plan;
          this.record({
            path: plan.key,
            kind: 'file',
            size: l.size,
            mtimeMs: l.mtimeMs,
            hash: l.hash,
            etag: r.etag,
            remoteModified: r.modified,
            local: true,
            state: 'synced',
            error: null,
          });
        } else {
          if (await this.conflict(plan.key, plan.local, plan.remote)) result.conflicts++;
        }
      } catch (err) {
        const e =
          err instanceof OstalError ? err : new OstalError('internal', t('files.errors.transfer', { path: plan.key }), { cause: err });
        if (e.code === 'precondition_failed') {
          // Changed on the server meanwhile: decided again at the next sync.
          this.repo.setState(this.accountId, plan.key, 'pending');
        } else {
          this.options.log.warn('files: transfer failed', { path: plan.key, kind: plan.kind, err: (err as Error) ?? e });
          this.repo.setState(this.accountId, plan.key, 'error', e.message);
          errors.push(e.message);
          if (['auth_failed', 'connection_refused', 'unreachable', 'timeout', 'tls_untrusted', 'tls_hostname'].includes(e.code)) throw e;
        }
      } finally {
        done++;
        progress();
        this.changed.add(plan.key);
      }
    });
    return errors;
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
    this.repo.setPending(this.accountId, key, {
      kind: 'upload',
      hash: l.hash,
      size: before.size,
      etag: null,
      modified: null,
      at: new Date().toISOString(),
    });
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
  /**
   * `beforeReplace`, once the server's version is whole beside the file (a conflict): 'same' keeps the local file (same
   * content, nothing replaced), 'replace' lets the download take its place (the callback moved the local one aside).
   */
  async download(
    key: string,
    r: Pick<RemoteItem, 'size' | 'etag' | 'modified'>,
    l: LocalItem | null,
    target?: string,
    beforeReplace?: (digest: string) => Promise<'same' | 'replace'>,
  ): Promise<string> {
    const abs = this.abs(target ?? l?.actual ?? key);
    if (l) {
      const st = await fs.promises.stat(abs).catch(() => null);
      if (st && (st.size !== l.size || Math.floor(st.mtimeMs) !== l.mtimeMs))
        throw new OstalError('precondition_failed', t('files.errors.changedMeanwhile', { path: key }));
    }
    const dir = path.dirname(abs);
    await fs.promises.mkdir(dir, { recursive: true });
    this.abs(parentOf(key)); // the created folders are still inside
    const partial = path.join(
      dir,
      `${PARTIAL_PREFIX}${crypto
        .createHash('sha1')
        .update(`${key}\0${r.etag ?? ''}`)
        .digest('hex')
        .slice(0, 16)}`,
    );
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
      if (r.size && st.size !== r.size && got.etag === r.etag)
        throw new OstalError('transfer_failed', t('files.errors.incomplete', { path: key }));
      const modified = got.modified ?? r.modified;
      await markFromServer(partial, this.client.root.href); // Mark-of-the-Web on Windows, kept through the rename
      if (modified && Number.isFinite(Date.parse(modified))) await fs.promises.utimes(partial, new Date(), new Date(Date.parse(modified)));
      const digest = hash.digest('hex');
      // A conflict whose two versions are the same: the local file stays as it is, nothing replaced.
      if (beforeReplace && (await beforeReplace(digest)) === 'same') await fs.promises.rm(partial, { force: true });
      else {
        this.repo.setPending(this.accountId, key, {
          kind: 'download',
          hash: digest,
          size: st.size,
          etag: got.etag ?? r.etag,
          modified,
          at: new Date().toISOString(),
        });
        await fs.promises.rename(partial, abs);
      }
      const final = await fs.promises.stat(abs);
      this.record({
        path: key,
        kind: 'file',
        size: final.size,
        mtimeMs: Math.floor(final.mtimeMs),
        hash: digest,
        etag: got.etag ?? r.etag,
        remoteModified: modified,
        local: true,
        state: 'synced',
        error: null,
      });
      return abs;
    } catch (err) {
      // A network cut keeps the partial file for a resume; anything else starts over next time.
      if (!(err instanceof OstalError) || !['unreachable', 'timeout', 'connection_refused'].includes(err.code))
        await fs.promises.rm(partial, { force: true });
      throw err;
    }
  }

  /** Both sides changed: keep the local version under a conflict name, download the server's. False when they were equal. */
  private async conflict(key: string, l: LocalItem, r: RemoteSnapshotItem): Promise<boolean> {
    const from = this.abs(l.actual);
    let copyKey: string | null = null;
    // The server's version is downloaded beside the file; the agent's file stays in its place, untouched, until that
    // version is whole (a long download on a slow link, or one cut: nothing moved). Only then, and only when the two
    // differ, the local version goes aside under the conflict name and the server's takes its place.
    try {
      await this.download(key, r, null, l.actual, async (digest) => {
        if (digest === l.hash) return 'same';
        const now = await fs.promises.stat(from).catch(() => null);
        if (now && (now.size !== l.size || Math.floor(now.mtimeMs) !== l.mtimeMs))
          throw new OstalError('precondition_failed', t('files.errors.changedMeanwhile', { path: key }));
        copyKey = conflictName(key, new Date(), (c) => fs.existsSync(this.abs(c)));
        const copyAbs = this.abs(copyKey);
        // A second name for the local version (a hard link; a copy where the disk has none), then the server's
        // version replaces the file in one rename: the file is never missing from its place.
        if (now)
          await fs.promises.link(from, copyAbs).catch(async () => {
            await fs.promises.copyFile(from, copyAbs, fs.constants.COPYFILE_EXCL);
            await fs.promises.utimes(copyAbs, new Date(), new Date(l.mtimeMs));
          });
        return 'replace';
      });
    } catch (err) {
      // Failed once the local version had its second name: while the file in its place is still that version, the
      // second name goes (nothing changes until next time); a file gone from its place gets it back.
      const aside: string | null = copyKey;
      if (aside !== null) {
        const now = await fs.promises.stat(from).catch(() => null);
        if (!now) await fs.promises.rename(this.abs(aside), from).catch(() => undefined);
        else if (now.size === l.size && Math.floor(now.mtimeMs) === l.mtimeMs) await fs.promises.rm(this.abs(aside), { force: true });
      }
      throw err;
    }
    if (copyKey === null) return false;
    const c = this.repo.addConflict(this.accountId, key, copyKey);
    this.record({
      path: copyKey,
      kind: 'file',
      size: l.size,
      mtimeMs: l.mtimeMs,
      hash: l.hash,
      etag: null,
      remoteModified: null,
      local: true,
      state: 'conflict',
      error: t('files.notices.conflict', { name: baseName(key), copy: baseName(copyKey) }),
    });
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
    this.repo.addTrash({
      accountId: this.accountId,
      path: key,
      size: l.size,
      storedAs,
      deletedAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + TRASH_DAYS * 86_400_000).toISOString(),
    });
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
