/**
 * Mail actions of the user (read, suivi, move, archive, delete, indésirable…): applied to the local
 * store at once and enqueued in the operations journal in the same transaction; the
 * MailOperationReplayer (operations-replayer.ts) sends them to the server later.
 */
import crypto from 'node:crypto';
import type { MailAction, MailActionResult, SpecialUse } from '../shared/contract.js';
import { OstalError } from '../errors.js';
import type { CoreContext } from '../context.js';
import { t } from '../i18n/index.js';
import { OperationsJournal } from '../store/operations-journal.js';
import { MailRepository, type FolderRecord } from './repository.js';

/** Journal kinds of the mail actions (the outbox uses its own table). */
export const MAIL_ACTION_PREFIX = 'mail.act.';
export const MAIL_FLAGS_KIND = 'mail.act.flags';
export const MAIL_MOVE_KIND = 'mail.act.move';
export const MAIL_COPY_KIND = 'mail.act.copy';
export const MAIL_EXPUNGE_KIND = 'mail.act.expunge';

/** One message an operation is about. A negative `uid` is provisional: the replayer finds the message by Message-ID. */
export interface OperationItem {
  uid: number;
  messageId: string | null;
}

export interface FlagsPayload {
  folder: string;
  items: OperationItem[];
  add: string[];
  remove: string[];
}

export interface MovePayload {
  folder: string;
  target: string;
  /** `provisionalUid`: the UID the row has in the target until the server tells the real one. */
  items: (OperationItem & { provisionalUid: number })[];
}

export interface ExpungePayload {
  folder: string;
  items: OperationItem[];
}

const FLAG_OF: Partial<Record<MailAction, { flag: string; set: boolean }>> = {
  read: { flag: '\\Seen', set: true },
  unread: { flag: '\\Seen', set: false },
  flag: { flag: '\\Flagged', set: true },
  unflag: { flag: '\\Flagged', set: false },
};

const TARGET_USE: Partial<Record<MailAction, SpecialUse>> = { archive: '\\Archive', delete: '\\Trash', junk: '\\Junk' };

/** What « Annuler » has to do, kept in memory for the last actions of this Core. */
type UndoRecord =
  | { accountId: string; kind: 'flags'; folder: string; flag: string; set: boolean; rowIds: number[] }
  | { accountId: string; kind: 'move'; from: string; to: string; rowIds: number[] }
  | { accountId: string; kind: 'copy'; folder: string; rowIds: number[] };

const UNDO_KEEP = 20;

/** The last actions of one Core that « Annuler » can reverse, by token (in memory). */
export class UndoHistory {
  readonly records = new Map<string, UndoRecord>();
}

function remember(history: UndoHistory, record: UndoRecord): string {
  const store = history.records;
  const token = crypto.randomUUID();
  store.set(token, record);
  while (store.size > UNDO_KEEP) store.delete(store.keys().next().value as string);
  return token;
}

/** Local effect of a change of one flag, and the journal entry that carries it to the server. */
function applyFlag(
  repo: MailRepository,
  journal: OperationsJournal,
  accountId: string,
  folder: FolderRecord,
  uids: number[],
  flag: string,
  set: boolean,
): number[] {
  const rows = repo.messagesByUids(folder.id, uids);
  if (rows.length === 0) return [];
  /** Row ids of the messages whose flag changed. */
  const changed: number[] = [];
  let unreadDelta = 0;
  for (const row of rows) {
    const has = row.flags.includes(flag);
    if (has === set) continue;
    repo.setLocalFlags(row.id, set ? [...row.flags, flag] : row.flags.filter((f) => f !== flag));
    changed.push(row.id);
    if (flag === '\\Seen') unreadDelta += set ? -1 : 1;
  }
  if (unreadDelta) repo.adjustFolderCounts(folder.id, 0, unreadDelta);
  // Every selected message goes to the server (STORE is idempotent): the server may differ from what we show.
  const payload: FlagsPayload = {
    folder: folder.path,
    items: rows.map((r) => ({ uid: r.uid, messageId: r.messageId })),
    add: set ? [flag] : [],
    remove: set ? [] : [flag],
  };
  journal.enqueue(accountId, MAIL_FLAGS_KIND, payload);
  return changed;
}

/** Local move (or copy) of rows to another folder under provisional UIDs, and its journal entry. Returns the row ids in the target. */
function applyMove(
  repo: MailRepository,
  journal: OperationsJournal,
  accountId: string,
  from: FolderRecord,
  to: FolderRecord,
  uids: number[],
  copy: boolean,
): number[] {
  const rows = repo.messagesByUids(from.id, uids);
  if (rows.length === 0) return [];
  const items: MovePayload['items'] = [];
  const rowIds: number[] = [];
  let unread = 0;
  for (const row of rows) {
    const provisionalUid = repo.nextProvisionalUid(to.id);
    if (copy) rowIds.push(repo.copyRow(row.id, to.id, provisionalUid));
    else {
      repo.moveRow(row.id, to.id, provisionalUid);
      rowIds.push(row.id);
    }
    if (!row.flags.includes('\\Seen')) unread++;
    items.push({ uid: row.uid, messageId: row.messageId, provisionalUid });
  }
  if (!copy) repo.adjustFolderCounts(from.id, -rows.length, -unread);
  repo.adjustFolderCounts(to.id, rows.length, unread);
  const payload: MovePayload = { folder: from.path, target: to.path, items };
  journal.enqueue(accountId, copy ? MAIL_COPY_KIND : MAIL_MOVE_KIND, payload);
  return rowIds;
}

/** Local removal for good (\Deleted + EXPUNGE on the server). */
function applyExpunge(repo: MailRepository, journal: OperationsJournal, accountId: string, folder: FolderRecord, uids: number[]): number {
  const rows = repo.messagesByUids(folder.id, uids);
  if (rows.length === 0) return 0;
  const unread = rows.filter((r) => !r.flags.includes('\\Seen')).length;
  for (const row of rows) repo.deleteRow(row.id);
  repo.adjustFolderCounts(folder.id, -rows.length, -unread);
  const payload: ExpungePayload = { folder: folder.path, items: rows.map((r) => ({ uid: r.uid, messageId: r.messageId })) };
  journal.enqueue(accountId, MAIL_EXPUNGE_KIND, payload);
  return rows.length;
}

function folderOrThrow(repo: MailRepository, accountId: string, path: string): FolderRecord {
  const folder = repo.getFolder(accountId, path);
  if (!folder) throw new OstalError('not_found', t('mail.errors.folderNotFound'));
  return folder;
}

function specialFolder(repo: MailRepository, accountId: string, use: SpecialUse): FolderRecord {
  const folder = repo.listFolders(accountId).find((f) => f.specialUse === use);
  if (!folder)
    throw new OstalError(
      'not_found',
      t('mail.actions.noSpecialFolder', { folder: t(`mail.actions.specialFolder.${String(use).slice(1).toLowerCase()}`) }),
    );
  return folder;
}

/**
 * Apply an action to the local store and enqueue it, in one transaction; emits `mail.changed`.
 * Returns the undo token (null when nothing can be undone).
 */
export function applyMailAction(
  ctx: CoreContext,
  history: UndoHistory,
  params: { accountId: string; folder: string; uids: number[]; action: MailAction; target?: string },
): MailActionResult {
  const { accountId, action } = params;
  const uids = [...new Set(params.uids)].filter((u) => u !== 0);
  if (uids.length === 0) throw new OstalError('invalid_input', t('errors.invalidRequest'));
  const repo = new MailRepository(ctx.db);
  const journal = new OperationsJournal(ctx.db);

  const outcome = ctx.db
    .transaction((): { result: MailActionResult; folders: string[] } => {
      const folder = folderOrThrow(repo, accountId, params.folder);
      const flag = FLAG_OF[action];
      if (flag) {
        const changed = applyFlag(repo, journal, accountId, folder, uids, flag.flag, flag.set);
        const token = changed.length
          ? remember(history, { accountId, kind: 'flags', folder: folder.path, flag: flag.flag, set: flag.set, rowIds: changed })
          : null;
        return { result: { applied: changed.length, target: null, undoToken: token }, folders: changed.length ? [folder.path] : [] };
      }
      let target: FolderRecord;
      if (action === 'move' || action === 'copy') {
        if (!params.target) throw new OstalError('invalid_input', t('errors.invalidRequest'));
        target = folderOrThrow(repo, accountId, params.target);
      } else {
        target = specialFolder(repo, accountId, TARGET_USE[action]!);
      }
      if (action === 'delete' && folder.id === target.id) {
        const n = applyExpunge(repo, journal, accountId, folder, uids);
        return { result: { applied: n, target: null, undoToken: null }, folders: n ? [folder.path] : [] };
      }
      if (folder.id === target.id) return { result: { applied: 0, target: target.path, undoToken: null }, folders: [] };
      const copy = action === 'copy';
      const rowIds = applyMove(repo, journal, accountId, folder, target, uids, copy);
      if (rowIds.length === 0) return { result: { applied: 0, target: target.path, undoToken: null }, folders: [] };
      const token = copy
        ? remember(history, { accountId, kind: 'copy', folder: target.path, rowIds })
        : remember(history, { accountId, kind: 'move', from: target.path, to: folder.path, rowIds });
      return { result: { applied: rowIds.length, target: target.path, undoToken: token }, folders: [folder.path, target.path] };
    })
    .immediate();

  if (outcome.folders.length) ctx.emit('mail.changed', { accountId, folders: outcome.folders });
  return outcome.result;
}

/** « Annuler »: apply (and enqueue) the inverse of a remembered action. A token works once. */
export function undoMailAction(ctx: CoreContext, history: UndoHistory, token: string): MailActionResult & { accountId: string } {
  const store = history.records;
  const record = typeof token === 'string' ? store.get(token) : undefined;
  if (!record) throw new OstalError('not_found', t('mail.actions.undoExpired'));
  store.delete(token);
  const repo = new MailRepository(ctx.db);
  const journal = new OperationsJournal(ctx.db);
  const accountId = record.accountId;

  const outcome = ctx.db
    .transaction((): { result: MailActionResult; folders: string[] } => {
      // Rows keep their id when they move or get their real UID: find their current UID in the folder.
      const uidsIn = (folder: FolderRecord) => repo.uidsOfRows(folder.id, record.rowIds);
      if (record.kind === 'flags') {
        const folder = folderOrThrow(repo, accountId, record.folder);
        const changed = applyFlag(repo, journal, accountId, folder, uidsIn(folder), record.flag, !record.set);
        return { result: { applied: changed.length, target: null, undoToken: null }, folders: [folder.path] };
      }
      if (record.kind === 'copy') {
        const folder = folderOrThrow(repo, accountId, record.folder);
        const n = applyExpunge(repo, journal, accountId, folder, uidsIn(folder));
        return { result: { applied: n, target: null, undoToken: null }, folders: [folder.path] };
      }
      const from = folderOrThrow(repo, accountId, record.from);
      const to = folderOrThrow(repo, accountId, record.to);
      const moved = applyMove(repo, journal, accountId, from, to, uidsIn(from), false);
      return { result: { applied: moved.length, target: to.path, undoToken: null }, folders: [from.path, to.path] };
    })
    .immediate();

  ctx.emit('mail.changed', { accountId, folders: outcome.folders });
  return { ...outcome.result, accountId };
}

/** What the folder sync must not undo while actions wait for the server. */
export interface PendingLocalChanges {
  /** Server UIDs moved away or deleted locally: the sync must not bring them back. */
  hidden: Set<number>;
  /** Flags changed locally, by server UID: applied over what the server says. */
  flags: Map<number, { add: Set<string>; remove: Set<string> }>;
  /** Some waiting action concerns this folder (as source or target). */
  any: boolean;
}

/** The waiting actions (pending or running in the journal) that concern one folder. */
export function pendingLocalChanges(repo: MailRepository, accountId: string, folderPath: string): PendingLocalChanges {
  const result: PendingLocalChanges = { hidden: new Set(), flags: new Map(), any: false };
  for (const { kind, payload } of repo.pendingActionPayloads(accountId, MAIL_ACTION_PREFIX)) {
    const p = payload as Partial<FlagsPayload & MovePayload>;
    if (p.target === folderPath) result.any = true;
    if (p.folder !== folderPath || !Array.isArray(p.items)) continue;
    result.any = true;
    if (kind === MAIL_FLAGS_KIND) {
      for (const item of p.items) {
        if (item.uid <= 0) continue;
        const change = result.flags.get(item.uid) ?? { add: new Set<string>(), remove: new Set<string>() };
        for (const f of p.add ?? []) {
          change.add.add(f);
          change.remove.delete(f);
        }
        for (const f of p.remove ?? []) {
          change.remove.add(f);
          change.add.delete(f);
        }
        result.flags.set(item.uid, change);
      }
    } else if (kind === MAIL_MOVE_KIND || kind === MAIL_EXPUNGE_KIND) {
      for (const item of p.items) if (item.uid > 0) result.hidden.add(item.uid);
    }
  }
  return result;
}

/** Server flags with the local changes still waiting applied over them. */
export function withPendingFlags(pending: PendingLocalChanges, uid: number, flags: string[]): string[] {
  const change = pending.flags.get(uid);
  if (!change) return flags;
  const out = new Set(flags.filter((f) => !change.remove.has(f)));
  for (const f of change.add) out.add(f);
  return [...out].sort();
}
