/**
 * The decisions of a Fichiers sync, without any I/O: given the local snapshot, the server listing and the state
 * recorded after the last sync (files_state), `planSync` says what to do — folder renames, uploads, downloads,
 * conflicts, moves, deletions, online-only entries, state rows to record — and `resolveDeletions` applies the
 * big-deletion safety (wait for the user, go ahead, or bring the files back). The engine (engine.ts) takes the
 * snapshot, calls these two and executes the result.
 *
 * Pure: no disk, no network, no database, no clock. The inputs are never modified.
 */
import type { FileNameProblem } from '../shared/contract.js';
import { t } from '../i18n/index.js';
import { offlineFrom, type AccountFilesRow, type StateRow } from './repository.js';
import { baseName, caseClashProblem, isHostileName, isWithin, join, keyOf, nameProblem } from './names.js';

/** Prefix of the files a download is written to before it is renamed over its target. */
export const PARTIAL_PREFIX = '.ostal-partial-';

/** More file deletions than this in one sync wait for the user's confirmation. */
export const BIG_DELETION = 50;
/** …and so does more than this share of the synced files, from BIG_DELETION_FLOOR files on. */
export const BIG_DELETION_SHARE = 0.3;
export const BIG_DELETION_FLOOR = 10;

/** A local file or folder as scanned; `hash` is known for every file when planning. */
export interface LocalItem {
  key: string;
  /** Relative path as on the disk (may be NFD). */
  actual: string;
  kind: 'file' | 'folder';
  size: number;
  mtimeMs: number;
  hash: string | null;
}

/** A server file or folder as listed (key: NFC sync path). */
export interface RemoteSnapshotItem {
  key: string;
  kind: 'file' | 'folder';
  size: number;
  etag: string | null;
  modified: string | null;
}

export type NameProblem = Omit<FileNameProblem, 'accountId'>;

export interface PlanInput {
  local: ReadonlyMap<string, LocalItem>;
  remote: ReadonlyMap<string, RemoteSnapshotItem>;
  /** files_state: the last synced state of each path. */
  base: ReadonlyMap<string, StateRow>;
  /** Local conflict copies waiting for the user's choice (never synced). */
  conflictCopies: ReadonlySet<string>;
  /** Offline pins (files_pins): path → keep a local copy. */
  pins: ReadonlyMap<string, boolean>;
  /** Paths refused by the snapshot (name problems): nothing at or below them is decided. */
  refused: readonly NameProblem[];
  /** Server folders whose listing failed and unreadable local folders: nothing below them is decided. */
  unavailable: readonly string[];
}

export type FolderMove =
  /** Renamed here: one MOVE on the server. */
  | { side: 'remote'; from: string; to: string }
  /** Renamed on the server: one rename here (`fromActual` as on the disk). */
  | { side: 'local'; from: string; fromActual: string; to: string };

export type Transfer =
  | { kind: 'upload'; key: string; local: LocalItem; ifMatch: string | null; size: number; restore?: true }
  | { kind: 'download'; key: string; remote: RemoteSnapshotItem; local: LocalItem | null; size: number; restore?: true }
  /** Same content on both sides, not recorded yet: recorded as synced, nothing transferred. */
  | { kind: 'adopt'; key: string; local: LocalItem; remote: RemoteSnapshotItem; size: 0 }
  /** Changed on both sides: both versions kept. */
  | { kind: 'conflict'; key: string; local: LocalItem; remote: RemoteSnapshotItem; size: number };

export interface LocalDeletion {
  key: string;
  kind: 'file' | 'folder';
  local: LocalItem;
}

export interface RemoteDeletion {
  key: string;
  kind: 'file' | 'folder';
  /** If-Match of the DELETE (null for folders). */
  etag: string | null;
  /** The server item, still listed (the local one is gone). */
  remote: RemoteSnapshotItem;
}

export interface DeletionCounts {
  local: number;
  server: number;
}

export interface SyncPlan {
  /** Folder renames, applied first (the rest of the plan uses the new names). */
  folderMoves: FolderMove[];
  /** Interrupted transfers that did land: recorded as synced (see `landed`). */
  landed: StateRow[];
  /** State rows to record as they are (folders on both sides, touched but unchanged files). */
  records: StateRow[];
  /** New problems found while planning (a file here and a folder there with one name). */
  problems: NameProblem[];
  /** Folders to create on the server, sorted. */
  mkcols: string[];
  /** Folders to create here, sorted. */
  mkdirs: { key: string; etag: string | null }[];
  /** A file renamed here: MOVE on the server. */
  moveRemote: { from: string; to: string; etag: string | null; local: LocalItem }[];
  /** A file renamed on the server: rename here. */
  moveLocal: { from: string; fromActual: string; to: string; hash: string | null; remote: RemoteSnapshotItem }[];
  /** Entries kept on the server only (rows to record as 'online-only'). */
  onlineOnly: StateRow[];
  /** Rows of paths gone from both sides. */
  forget: string[];
  transfers: Transfer[];
  /** Deletions here (the files go to Ostal's Corbeille). */
  deleteLocal: LocalDeletion[];
  deleteRemote: RemoteDeletion[];
  /** Files deletions of this plan and whether they are many enough to need the user's confirmation. */
  deletions: DeletionCounts & { big: boolean };
}

/** What the big-deletion safety decided, with the account fields to write (pendingDeletion, deletionDecision). */
export type DeletionOutcome =
  | { kind: 'none'; account: Pick<AccountFilesRow, 'pendingDeletion' | 'deletionDecision'> | null }
  | { kind: 'confirmed'; account: Pick<AccountFilesRow, 'pendingDeletion' | 'deletionDecision'> }
  /** Waiting for the user: nothing deleted; `notify` when the counts are new to the user. */
  | { kind: 'waiting'; pending: DeletionCounts; notify: boolean; account: Pick<AccountFilesRow, 'pendingDeletion'> }
  /** The user chose to keep the files: they come back on the side that lost them (`forget`: rows to drop first). */
  | { kind: 'restored'; forget: string[]; account: Pick<AccountFilesRow, 'pendingDeletion' | 'deletionDecision'> };

// ------------------------------------------------------------------ names

/**
 * The children of one server folder as listed: hostile names (never written anywhere) and names clashing by case
 * with an earlier one are refused; the others are accepted (they go to the listing cache), and those that cannot
 * be synced as they are (`nameProblem`) are reported after them. Problems in the order they were found.
 */
export function screenRemoteChildren<T extends { href: string }>(
  folderKey: string,
  children: readonly T[],
): { accepted: (T & { key: string })[]; problems: NameProblem[] } {
  const accepted: (T & { key: string })[] = [];
  const problems: NameProblem[] = [];
  const byLower = new Map<string, string>();
  for (const c of children) {
    const name = c.href.replace(/\/$/, '').split('/').pop() ?? '';
    if (isHostileName(name)) {
      problems.push({
        path: join(folderKey, name.replace(/[/\\\0]/g, '_')),
        side: 'server',
        message: t('files.names.hostile', { name: JSON.stringify(name) }),
      });
      continue;
    }
    const key = keyOf(join(folderKey, name));
    const lower = key.toLocaleLowerCase('fr');
    const other = byLower.get(lower);
    if (other !== undefined) {
      problems.push({ path: key, side: 'server', message: caseClashProblem(baseName(key), baseName(other)) });
      continue;
    }
    byLower.set(lower, key);
    accepted.push({ ...c, key });
  }
  problems.push(...misnamed(accepted.map((c) => c.key)));
  return { accepted, problems };
}

/** Server paths that cannot be synced as they are (Windows names, too long…), with the proposed fix. */
export function misnamed(keys: readonly string[]): NameProblem[] {
  const out: NameProblem[] = [];
  for (const key of keys) {
    const message = nameProblem(key);
    if (message) out.push({ path: key, side: 'server', message });
  }
  return out;
}

export type LocalEntryVerdict =
  /** A download in progress (`.ostal-partial-*`): not synced, removed when not resumed. */
  | { kind: 'partial' }
  /** Not synced and not reported: links, sockets…, and conflict copies waiting for the user. */
  | { kind: 'skip' }
  | { kind: 'refused'; problem: NameProblem }
  | { kind: 'accept'; key: string; actual: string };

/**
 * The entries of one local folder, in the order of the disk: names that cannot be synced and names clashing by
 * case (or by NFC/NFD spelling) with an earlier one are refused with the proposed fix.
 */
export function screenLocalEntries(
  relDir: string,
  entries: readonly { name: string; kind: 'file' | 'folder' | 'other' }[],
  conflictCopies: ReadonlySet<string>,
): LocalEntryVerdict[] {
  const byLower = new Map<string, string>();
  return entries.map((e): LocalEntryVerdict => {
    if (e.name.startsWith(PARTIAL_PREFIX)) return { kind: 'partial' };
    if (e.kind === 'other') return { kind: 'skip' }; // symbolic links, sockets…: not synced
    const actual = join(relDir, e.name);
    const key = keyOf(actual);
    if (conflictCopies.has(key)) return { kind: 'skip' };
    const problem = nameProblem(key);
    if (problem) return { kind: 'refused', problem: { path: key, side: 'local', message: problem } };
    const lower = key.toLocaleLowerCase('fr');
    const other = byLower.get(lower);
    if (other !== undefined)
      return { kind: 'refused', problem: { path: key, side: 'local', message: caseClashProblem(e.name, baseName(other)) } };
    byLower.set(lower, key);
    return { kind: 'accept', key, actual };
  });
}

// ------------------------------------------------------------------ plan

/**
 * A folder gone on one side whose whole content (same relative names; same hashes locally, same ETags and sizes
 * on the server) appears under a new name on the same side, while the other side still has the old folder
 * unchanged. Returns the renames and the snapshot and state maps with the new names applied.
 */
export function planFolderMoves(
  base: ReadonlyMap<string, StateRow>,
  localIn: ReadonlyMap<string, LocalItem>,
  remoteIn: ReadonlyMap<string, RemoteSnapshotItem>,
  skip: (p: string) => boolean,
): { moves: FolderMove[]; base: Map<string, StateRow>; local: Map<string, LocalItem>; remote: Map<string, RemoteSnapshotItem> } {
  const local = new Map(localIn);
  const remote = new Map(remoteIn);
  const moves: FolderMove[] = [];
  const under = <T>(map: ReadonlyMap<string, T>, folder: string) => [...map.entries()].filter(([k]) => k.startsWith(`${folder}/`));
  const signature = (entries: [string, string][], folder: string) =>
    entries
      .map(([k, v]) => `${k.slice(folder.length)}\u0000${v}`)
      .sort()
      .join('\n');
  // Signatures of the folders new on each side, computed once when a candidate needs them.
  let localSigs: Map<string, LocalItem> | undefined;
  let remoteSigs: Map<string, RemoteSnapshotItem> | undefined;
  const folders = [...base.values()]
    .filter((b) => b.kind === 'folder' && b.local && !skip(b.path))
    .sort((x, y) => x.path.length - y.path.length);
  for (const b of folders) {
    if (moves.some((m) => isWithin(b.path, m.from))) continue;
    const goneHere = !local.has(b.path) && remote.get(b.path)?.kind === 'folder';
    const goneThere = !remote.has(b.path) && local.get(b.path)?.kind === 'folder';
    if (!goneHere && !goneThere) continue;
    const baseFiles = under(base, b.path).filter(([, r]) => r.kind === 'file' && r.local);
    if (!baseFiles.length) continue;
    if (goneHere) {
      // Every file still unchanged on the server; a new local folder holds exactly the same contents.
      if (!baseFiles.every(([k, r]) => remote.get(k)?.etag === r.etag)) continue;
      const want = signature(
        baseFiles.map(([k, r]) => [k, `${r.hash}:${r.size}`]),
        b.path,
      );
      localSigs ??= new Map(
        [...local.values()]
          .filter((l) => l.kind === 'folder' && !base.has(l.key) && !remote.has(l.key) && !skip(l.key))
          .map(
            (l) =>
              [
                signature(
                  under(local, l.key)
                    .filter(([, x]) => x.kind === 'file')
                    .map(([k, x]) => [k, `${x.hash}:${x.size}`]),
                  l.key,
                ),
                l,
              ] as const,
          ),
      );
      const target = localSigs.get(want);
      if (!target) continue;
      localSigs.delete(want);
      for (const [k, r] of [[b.path, remote.get(b.path)!] as const, ...under(remote, b.path)]) {
        remote.delete(k);
        const nk = target.key + k.slice(b.path.length);
        remote.set(nk, { ...r, key: nk });
      }
      moves.push({ side: 'remote', from: b.path, to: target.key });
    } else {
      if (!baseFiles.every(([k, r]) => local.get(k)?.hash === r.hash)) continue;
      const want = signature(
        baseFiles.map(([k, r]) => [k, `${r.etag}:${r.size}`]),
        b.path,
      );
      remoteSigs ??= new Map(
        [...remote.values()]
          .filter((r) => r.kind === 'folder' && !base.has(r.key) && !local.has(r.key) && !skip(r.key))
          .map(
            (r) =>
              [
                signature(
                  under(remote, r.key)
                    .filter(([, x]) => x.kind === 'file')
                    .map(([k, x]) => [k, `${x.etag}:${x.size}`]),
                  r.key,
                ),
                r,
              ] as const,
          ),
      );
      const target = remoteSigs.get(want);
      if (!target) continue;
      remoteSigs.delete(want);
      const oldActual = local.get(b.path)!.actual;
      for (const [k, l] of [[b.path, local.get(b.path)!] as const, ...under(local, b.path)]) {
        local.delete(k);
        const nk = target.key + k.slice(b.path.length);
        local.set(nk, { ...l, key: nk, actual: target.key + l.actual.slice(oldActual.length) });
      }
      moves.push({ side: 'local', from: b.path, fromActual: oldActual, to: target.key });
    }
  }
  return { moves, base: moves.length ? movedStates(base, moves) : new Map(base), local, remote };
}

/** The state rows after the folder renames (as FilesRepository.moveState does it). */
function movedStates(base: ReadonlyMap<string, StateRow>, moves: FolderMove[]): Map<string, StateRow> {
  let rows = new Map(base);
  for (const m of moves) {
    const next = new Map<string, StateRow>();
    for (const [k, row] of rows) {
      if (k === m.to) continue;
      const nk = k === m.from || k.startsWith(`${m.from}/`) ? m.to + k.slice(m.from.length) : k;
      next.set(nk, nk === k ? row : { ...row, path: nk });
    }
    rows = next;
  }
  return rows;
}

/**
 * The state of an item whose transfer was interrupted after it landed but before it was recorded: a download
 * renamed into place (the local content is the downloaded one), an upload stored by the server (same size, newer).
 */
export function landed(b: StateRow, l: LocalItem | undefined, r: RemoteSnapshotItem | undefined): StateRow {
  const p = b.pending!;
  if (p.kind === 'download' && l?.kind === 'file' && l.hash === p.hash) {
    return { ...b, hash: p.hash, size: p.size, etag: p.etag, remoteModified: p.modified, local: true, mtimeMs: l.mtimeMs };
  }
  if (
    p.kind === 'upload' &&
    r?.kind === 'file' &&
    r.size === p.size &&
    r.etag !== b.etag &&
    (!r.modified || Date.parse(r.modified) >= Date.parse(p.at) - 2_000)
  ) {
    return { ...b, hash: p.hash, size: p.size, etag: r.etag, remoteModified: r.modified, local: true, mtimeMs: l?.mtimeMs ?? b.mtimeMs };
  }
  return b;
}

/** True when this many file deletions out of `baseFiles` synced files need the user's confirmation. */
export function isBigDeletion(fileDeletions: number, baseFiles: number): boolean {
  return fileDeletions > BIG_DELETION || (fileDeletions >= BIG_DELETION_FLOOR && fileDeletions > baseFiles * BIG_DELETION_SHARE);
}

/** Three-way decisions of one sync (before the big-deletion safety: see `resolveDeletions`). */
export function planSync(input: PlanInput): SyncPlan {
  const { conflictCopies, pins, unavailable } = input;
  const ignored = new Set(input.refused.map((p) => p.path));
  const problems: NameProblem[] = [];
  const underFailed = (p: string) => unavailable.some((f) => isWithin(p, f));
  const isIgnored = (p: string) => {
    for (const i of ignored) if (isWithin(p, i)) return true;
    return false;
  };

  // A folder renamed on one side is renamed on the other in one step (one MOVE, or one local rename).
  const moved = planFolderMoves(input.base, input.local, input.remote, (p) => underFailed(p) || isIgnored(p));
  const { base, local, remote } = moved;

  const landedRows: StateRow[] = [];
  const records: StateRow[] = [];
  const transfers: Transfer[] = [];
  const mkcols: string[] = [];
  const mkdirs: string[] = [];
  const moveRemote: SyncPlan['moveRemote'] = [];
  const moveLocal: SyncPlan['moveLocal'] = [];
  const delLocal: string[] = [];
  const delRemote: Omit<RemoteDeletion, 'remote'>[] = [];
  const onlineOnly: RemoteSnapshotItem[] = [];
  const forget: string[] = [];
  const upload = (key: string, restore = false): Transfer => {
    const l = local.get(key)!;
    const r = remote.get(key);
    return {
      kind: 'upload',
      key,
      local: l,
      ifMatch: r ? (base.get(key)?.etag ?? r.etag) : null,
      size: l.size,
      ...(restore ? { restore: true as const } : {}),
    };
  };
  const download = (key: string, restore = false): Transfer => {
    const r = remote.get(key)!;
    return {
      kind: 'download',
      key,
      remote: r,
      local: local.get(key) ?? null,
      size: r.size,
      ...(restore ? { restore: true as const } : {}),
    };
  };

  const newLocal: LocalItem[] = [];
  const goneLocal: StateRow[] = [];
  const newRemote: RemoteSnapshotItem[] = [];
  const goneRemote: StateRow[] = [];

  const keys = new Set<string>([...local.keys(), ...remote.keys(), ...base.keys()]);
  for (const key of [...keys].sort()) {
    if (key === '/' || conflictCopies.has(key) || isIgnored(key) || underFailed(key)) continue;
    const l = local.get(key);
    const r = remote.get(key);
    let b = base.get(key) ?? null;
    if (b?.pending) {
      // Record what landed now: a new transfer of this item replaces the pending note.
      const resolved = landed(b, l, r);
      if (resolved !== b) landedRows.push({ ...resolved, state: 'synced', error: null });
      b = resolved;
    }
    if (b && b.kind === 'file' && b.local && b.hash === null && b.etag === null) b = null; // placeholder of a transfer that never landed
    if (b && ((l && l.kind !== b.kind) || (r && r.kind !== b.kind))) b = null;
    if (l && r && l.kind !== r.kind) {
      problems.push({ path: key, side: 'local', message: t('files.names.kindClash', { name: baseName(key) }) });
      ignored.add(key);
      continue;
    }
    const offline = offlineFrom(pins as Map<string, boolean>, key);
    const kind = (l ?? r ?? b)!.kind;
    const bLocal = b?.local ? b : null;
    if (kind === 'folder') {
      if (l && r)
        records.push({
          path: key,
          kind,
          size: 0,
          mtimeMs: null,
          hash: null,
          etag: r.etag,
          remoteModified: r.modified,
          local: true,
          state: 'synced',
          error: null,
        });
      else if (l && !r && !b) mkcols.push(key);
      else if (l && !r && b) delLocal.push(key);
      else if (!l && r && !b) {
        if (offline) mkdirs.push(key);
        else onlineOnly.push(r);
      } else if (!l && r && b) {
        if (b.local && offline) delRemote.push({ key, etag: null, kind });
        else onlineOnly.push(r);
      } else if (!l && !r && b) forget.push(key);
      continue;
    }
    const lChanged = l ? !bLocal || bLocal.hash !== l.hash : false;
    const rChanged = r ? !b || b.etag !== r.etag : false;
    if (l && r) {
      if (!lChanged && !rChanged) {
        if (b && (b.mtimeMs !== l.mtimeMs || b.state !== 'synced'))
          records.push({ ...b, mtimeMs: l.mtimeMs, size: l.size, local: true, state: 'synced', error: null });
        continue;
      }
      if (lChanged && !rChanged && bLocal) transfers.push(upload(key));
      else if (rChanged && !lChanged) transfers.push(download(key));
      // Same size and date is taken as the same file only when it is new on both sides (a folder copied by hand to both):
      // a file known before and changed on both sides goes through the conflict path, which compares the contents.
      else if (!b && r.size === l.size && r.modified && Math.abs(Date.parse(r.modified) - l.mtimeMs) < 1000)
        transfers.push({ kind: 'adopt', key, local: l, remote: r, size: 0 });
      else transfers.push({ kind: 'conflict', key, local: l, remote: r, size: r.size });
    } else if (l && !r) {
      if (!b) newLocal.push(l);
      else if (lChanged)
        transfers.push(upload(key)); // changed here, deleted there: the change wins
      else goneRemote.push(b);
    } else if (!l && r) {
      if (!b || !b.local) {
        if (offline) newRemote.push(r);
        else onlineOnly.push(r);
      } else if (rChanged)
        transfers.push(download(key)); // deleted here, changed there: the change wins
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
      moveRemote.push({ from: gone[0].path, to: arrived[0].key, etag: gone[0].etag, local: arrived[0] });
      movedFrom.add(gone[0].path);
      movedTo.add(arrived[0].key);
    }
  }
  // Remote rename: a file gone on the server whose ETag and size appear under a new name there → local rename.
  const newRemoteBySig = new Map<string, RemoteSnapshotItem[]>();
  for (const r of newRemote)
    if (r.etag) newRemoteBySig.set(`${r.etag}:${r.size}`, [...(newRemoteBySig.get(`${r.etag}:${r.size}`) ?? []), r]);
  const goneRemoteBySig = new Map<string, StateRow[]>();
  for (const g of goneRemote)
    if (g.etag) goneRemoteBySig.set(`${g.etag}:${g.size}`, [...(goneRemoteBySig.get(`${g.etag}:${g.size}`) ?? []), g]);
  for (const [sig, gone] of goneRemoteBySig) {
    const arrived = newRemoteBySig.get(sig);
    if (gone.length === 1 && arrived?.length === 1 && !local.has(arrived[0].key)) {
      moveLocal.push({
        from: gone[0].path,
        fromActual: local.get(gone[0].path)?.actual ?? gone[0].path,
        to: arrived[0].key,
        hash: base.get(gone[0].path)!.hash,
        remote: arrived[0],
      });
      movedFrom.add(gone[0].path);
      movedTo.add(arrived[0].key);
    }
  }
  for (const l of newLocal) if (!movedTo.has(l.key)) transfers.push(upload(l.key));
  for (const r of newRemote) if (!movedTo.has(r.key)) transfers.push(download(r.key));
  for (const g of goneLocal) if (!movedFrom.has(g.path)) delRemote.push({ key: g.path, etag: g.etag, kind: 'file' });
  for (const g of goneRemote) if (!movedFrom.has(g.path)) delLocal.push(g.path);

  // A folder is deleted only when nothing below it is being created or kept.
  const creating = [...transfers.filter((p) => p.kind !== 'adopt').map((p) => p.key), ...mkcols, ...mkdirs, ...movedTo];
  const keepsBelow = (folder: string) =>
    creating.some((c) => c !== folder && isWithin(c, folder)) ||
    [...ignored].some((i) => isWithin(i, folder)) ||
    unavailable.some((f) => isWithin(f, folder));
  const deleteLocal: LocalDeletion[] = [];
  for (const key of delLocal) {
    const l = local.get(key)!;
    if (l.kind === 'folder' && keepsBelow(key)) mkcols.push(key);
    else deleteLocal.push({ key, kind: l.kind, local: l });
  }
  const deleteRemote: RemoteDeletion[] = [];
  for (const d of delRemote) {
    if (d.kind === 'folder' && keepsBelow(d.key)) mkdirs.push(d.key);
    else deleteRemote.push({ ...d, remote: remote.get(d.key)! });
  }

  const counts = {
    local: deleteLocal.filter((d) => d.kind === 'file').length,
    server: deleteRemote.filter((d) => d.kind === 'file').length,
  };
  const baseFiles = [...base.values()].filter((b) => b.kind === 'file').length;
  return {
    folderMoves: moved.moves,
    landed: landedRows,
    records,
    problems,
    mkcols: [...new Set(mkcols)].sort(),
    mkdirs: [...new Set(mkdirs)].sort().map((key) => ({ key, etag: remote.get(key)?.etag ?? null })),
    moveRemote,
    moveLocal,
    onlineOnly: onlineOnly.map((r) => ({
      path: r.key,
      kind: r.kind,
      size: r.size,
      mtimeMs: null,
      hash: base.get(r.key)?.hash ?? null,
      etag: r.etag,
      remoteModified: r.modified,
      local: false,
      state: 'online-only',
      error: null,
    })),
    forget,
    transfers,
    deleteLocal,
    deleteRemote,
    deletions: { ...counts, big: isBigDeletion(counts.local + counts.server, baseFiles) },
  };
}

/**
 * The big-deletion safety, given the user's answer as it is *now* in files_accounts (read right before, with
 * nothing awaited in between, so that an answer given during the sync is never overwritten by a stale one).
 * Returns the plan to execute: without its deletions while waiting, with the files brought back when the user
 * chose to keep them.
 */
export function resolveDeletions(
  plan: SyncPlan,
  account: Pick<AccountFilesRow, 'pendingDeletion' | 'deletionDecision'>,
): { plan: SyncPlan; outcome: DeletionOutcome } {
  const { big } = plan.deletions;
  const pending: DeletionCounts = { local: plan.deletions.local, server: plan.deletions.server };
  if (big && account.deletionDecision === 'restore') {
    // The user refused: bring the files back on the side that lost them.
    const restoreUploads = plan.deleteLocal.filter((d) => d.kind === 'file');
    const restoreDownloads = plan.deleteRemote.filter((d) => d.kind === 'file');
    const transfers: Transfer[] = [...plan.transfers];
    // The local file is still here (gone from the server), the server file still there (gone from here).
    for (const d of restoreUploads)
      transfers.push({ kind: 'upload', key: d.key, local: d.local, ifMatch: null, size: d.local.size, restore: true });
    for (const d of restoreDownloads)
      transfers.push({ kind: 'download', key: d.key, remote: d.remote, local: null, size: d.remote.size, restore: true });
    return {
      plan: {
        ...plan,
        transfers,
        mkcols: [...new Set([...plan.mkcols, ...plan.deleteLocal.filter((d) => d.kind === 'folder').map((d) => d.key)])].sort(),
        mkdirs: dedupe([
          ...plan.mkdirs,
          ...plan.deleteRemote.filter((d) => d.kind === 'folder').map((d) => ({ key: d.key, etag: d.remote.etag })),
        ]),
        deleteLocal: [],
        deleteRemote: [],
      },
      outcome: {
        kind: 'restored',
        forget: [...restoreUploads.map((d) => d.key), ...restoreDownloads.map((d) => d.key)],
        account: { pendingDeletion: null, deletionDecision: 'none' },
      },
    };
  }
  if (big && account.deletionDecision !== 'confirm') {
    const notify = JSON.stringify(account.pendingDeletion) !== JSON.stringify(pending);
    return {
      plan: { ...plan, deleteLocal: [], deleteRemote: [] },
      outcome: { kind: 'waiting', pending, notify, account: { pendingDeletion: pending } },
    };
  }
  // Confirmed (or small): the deletions go ahead and a waiting question is over.
  const reset =
    account.pendingDeletion || account.deletionDecision !== 'none' ? { pendingDeletion: null, deletionDecision: 'none' as const } : null;
  return {
    plan,
    outcome: big ? { kind: 'confirmed', account: { pendingDeletion: null, deletionDecision: 'none' } } : { kind: 'none', account: reset },
  };
}

function dedupe(items: { key: string; etag: string | null }[]): { key: string; etag: string | null }[] {
  const byKey = new Map<string, { key: string; etag: string | null }>();
  for (const i of items) if (!byKey.has(i.key)) byKey.set(i.key, i);
  return [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
