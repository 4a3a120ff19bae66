/**
 * Replays the mail actions of the operations journal to the IMAP server, oldest first, when the
 * server answers. Every step is idempotent: STORE of flags, MOVE/COPY/EXPUNGE by UID after
 * checking which UIDs still exist (a message deleted meanwhile is done, not retried), provisional
 * UIDs resolved by Message-ID.
 */
import type { ImapFlow } from 'imapflow';
import { OstalError } from '../errors.js';
import { t } from '../i18n/index.js';
import type { Logger } from '../log.js';
import type { Operation, OperationsJournal } from '../store/operations-journal.js';
import { imapErrorToOstal, isConnectivityError } from './errors.js';
import { connectImap, parseImapUrl, type MailAccount } from './imap-client.js';
import {
  MAIL_ACTION_PREFIX,
  MAIL_COPY_KIND,
  MAIL_EXPUNGE_KIND,
  MAIL_FLAGS_KIND,
  MAIL_MOVE_KIND,
  type ExpungePayload,
  type FlagsPayload,
  type MovePayload,
  type OperationItem,
} from './operations.js';
import type { MailRepository } from './repository.js';
import {
  MAIL_FOLDER_CREATE_KIND,
  MAIL_FOLDER_DELETE_KIND,
  MAIL_FOLDER_RENAME_KIND,
  type FolderCreatePayload,
  type FolderDeletePayload,
  type FolderRenamePayload,
} from './folders.js';
import { uidSet } from './sync-engine.js';

export interface ReplayOptions {
  /** Attempts before a server refusal (not a network problem) ends the operation as failed. Default 3. */
  maxServerAttempts?: number;
  /** Use MOVE when the server has it (default); false forces COPY + \Deleted + UID EXPUNGE. */
  useMove?: boolean;
}

export interface ReplayOutcome {
  done: number;
  /** Operations that ended failed for good in this run. */
  failed: number;
  /** Operations still waiting (back-off or not reached). */
  remaining: number;
  /** Folders whose rows changed (provisional UIDs resolved). */
  changedFolders: string[];
}

/** The server refused the operation (not a network problem). */
class ServerRefusal extends Error {}

export class MailOperationReplayer {
  private readonly maxServerAttempts: number;
  private readonly useMove: boolean;

  constructor(
    private readonly repo: MailRepository,
    private readonly journal: OperationsJournal,
    private readonly log: Logger,
    options: ReplayOptions = {},
  ) {
    this.maxServerAttempts = options.maxServerAttempts ?? 3;
    this.useMove = options.useMove ?? true;
  }

  /** True when the oldest waiting action of the account is due (the queue keeps its order: a later one never overtakes it). */
  hasDue(accountId: string, now: number = Date.now()): boolean {
    const [head] = this.journal.due({ accountId, kindPrefix: MAIL_ACTION_PREFIX, now: Number.MAX_SAFE_INTEGER, limit: 1 });
    return head !== undefined && head.nextAttemptAt <= now;
  }

  /**
   * Drain the account's due mail actions. Connects only when there is something to do. A network
   * problem stops the run and is thrown (OstalError, French); nothing is claimed when the
   * connection cannot even be opened, so being offline costs no attempt.
   */
  async replay(account: MailAccount, options: { client?: ImapFlow } = {}): Promise<ReplayOutcome> {
    const outcome: ReplayOutcome = { done: 0, failed: 0, remaining: 0, changedFolders: [] };
    if (!this.hasDue(account.id)) {
      outcome.remaining = this.journal.due({ accountId: account.id, kindPrefix: MAIL_ACTION_PREFIX, now: Number.MAX_SAFE_INTEGER }).length;
      return outcome;
    }
    const endpoint = parseImapUrl(account.settings.imap);
    const client = options.client ?? (await connectImap(account, { log: this.log }));
    const changed = new Set<string>();
    try {
      for (;;) {
        if (!this.hasDue(account.id)) break;
        const op = this.journal.claimNext({ accountId: account.id, kindPrefix: MAIL_ACTION_PREFIX });
        if (!op) break;
        try {
          for (const f of await this.replayOne(client, account.id, op)) changed.add(f);
          this.journal.markDone(op.id);
          outcome.done++;
        } catch (err) {
          const networkDown =
            !client.usable || (!(err instanceof ServerRefusal) && isConnectivityError(imapErrorToOstal(err, endpoint.host, endpoint.port)));
          if (networkDown) {
            const e =
              err instanceof OstalError
                ? err
                : imapErrorToOstal(
                    err instanceof ServerRefusal ? Object.assign(err, { code: 'NoConnection' }) : err,
                    endpoint.host,
                    endpoint.port,
                  );
            this.journal.markFailed(op.id, e.message, { retry: true });
            this.log.warn('mail: replay interrupted by the network', { account: account.id, op: op.id, kind: op.kind });
            throw isConnectivityError(e)
              ? e
              : new OstalError('unreachable', t('net.errors.unreachable', { host: endpoint.host, port: endpoint.port }), { cause: err });
          }
          const final = op.attempts >= this.maxServerAttempts;
          const message = t('mail.actions.replayFailed', { action: t(`mail.actions.kind.${op.kind.slice(MAIL_ACTION_PREFIX.length)}`) });
          this.journal.markFailed(op.id, message, { retry: !final });
          this.log.warn('mail: server refused a replayed action', {
            account: account.id,
            op: op.id,
            kind: op.kind,
            attempts: op.attempts,
            final,
            err: err as Error,
          });
          if (final) outcome.failed++;
          // Keep the order: the next actions wait for this one (its back-off, or its end as failed).
          if (!final) break;
        }
      }
    } finally {
      if (!options.client) await client.logout().catch(() => client.close());
      outcome.remaining = this.journal.due({ accountId: account.id, kindPrefix: MAIL_ACTION_PREFIX, now: Number.MAX_SAFE_INTEGER }).length;
      outcome.changedFolders = [...changed];
    }
    return outcome;
  }

  /** Replay one operation. Returns the folders whose local rows changed. */
  private async replayOne(client: ImapFlow, accountId: string, op: Operation): Promise<string[]> {
    switch (op.kind) {
      case MAIL_FLAGS_KIND:
        return this.replayFlags(client, accountId, op as Operation<FlagsPayload>);
      case MAIL_MOVE_KIND:
      case MAIL_COPY_KIND:
        return this.replayMove(client, accountId, op as Operation<MovePayload>, op.kind === MAIL_COPY_KIND);
      case MAIL_EXPUNGE_KIND:
        return this.replayExpunge(client, accountId, op as Operation<ExpungePayload>);
      case MAIL_FOLDER_CREATE_KIND:
        return this.replayFolderCreate(client, op as Operation<FolderCreatePayload>);
      case MAIL_FOLDER_RENAME_KIND:
        return this.replayFolderRename(client, op as Operation<FolderRenamePayload>);
      case MAIL_FOLDER_DELETE_KIND:
        return this.replayFolderDelete(client, op as Operation<FolderDeletePayload>);
      default:
        this.log.warn('mail: unknown action in the journal, dropped', { op: op.id, kind: op.kind });
        return [];
    }
  }

  /** Select a folder read-write; null when it no longer exists on the server. */
  private async lock(client: ImapFlow, path: string): Promise<{ release(): void } | null> {
    try {
      return await client.getMailboxLock(path);
    } catch (err) {
      if (!client.usable) throw err;
      const code = (err as { serverResponseCode?: string }).serverResponseCode;
      if (
        code === 'NONEXISTENT' ||
        /doesn.t exist|not exist|unknown mailbox/i.test(String((err as { responseText?: string }).responseText ?? (err as Error).message))
      )
        return null;
      throw new ServerRefusal(`select ${path} failed: ${(err as Error).message}`, { cause: err });
    }
  }

  /**
   * Server UIDs of the items that still exist in the selected folder: known UIDs are checked with
   * UID SEARCH, provisional ones are looked up by Message-ID. Map: server UID → item.
   */
  private async resolve<I extends OperationItem>(client: ImapFlow, items: I[]): Promise<Map<number, I>> {
    const found = new Map<number, I>();
    const known = items.filter((i) => i.uid > 0);
    if (known.length) {
      const existing = await client.search({ uid: uidSet(known.map((i) => i.uid)) }, { uid: true });
      if (existing === false && !client.usable) throw new Error('connection lost');
      const set = new Set(Array.isArray(existing) ? existing : []);
      for (const item of known) if (set.has(item.uid)) found.set(item.uid, item);
    }
    for (const item of items.filter((i) => i.uid <= 0)) {
      if (!item.messageId) continue;
      const hits = await client.search({ header: { 'message-id': item.messageId } }, { uid: true });
      if (hits === false && !client.usable) throw new Error('connection lost');
      const uids = Array.isArray(hits) ? hits.filter((u) => !found.has(u)) : [];
      if (uids.length) found.set(Math.max(...uids), item);
    }
    const missing = items.length - found.size;
    if (missing > 0) this.log.info('mail: replayed action skips messages no longer on the server', { missing });
    return found;
  }

  private checked(result: unknown, client: ImapFlow, what: string): void {
    if (result !== false) return;
    if (!client.usable) throw new Error('connection lost');
    throw new ServerRefusal(`${what} refused`);
  }

  private async replayFlags(client: ImapFlow, accountId: string, op: Operation<FlagsPayload>): Promise<string[]> {
    const p = op.payload;
    const lock = await this.lock(client, p.folder);
    if (!lock) return [];
    try {
      const found = await this.resolve(client, p.items);
      if (found.size === 0) return [];
      const set = uidSet([...found.keys()]);
      if (p.add.length) this.checked(await client.messageFlagsAdd(set, p.add, { uid: true }), client, 'STORE +FLAGS');
      if (p.remove.length) this.checked(await client.messageFlagsRemove(set, p.remove, { uid: true }), client, 'STORE -FLAGS');
      return [];
    } finally {
      lock.release();
    }
  }

  private async replayMove(client: ImapFlow, accountId: string, op: Operation<MovePayload>, copy: boolean): Promise<string[]> {
    const p = op.payload;
    const lock = await this.lock(client, p.folder);
    if (!lock) return [];
    try {
      const found = await this.resolve(client, p.items);
      if (found.size === 0) return [];
      const set = uidSet([...found.keys()]);
      let uidMap: Map<number, number> | undefined;
      if (copy) {
        const res = await client.messageCopy(set, p.target, { uid: true });
        this.checked(res, client, 'COPY');
        uidMap = res ? res.uidMap : undefined;
      } else if (this.useMove && client.capabilities.has('MOVE')) {
        const res = await client.messageMove(set, p.target, { uid: true });
        this.checked(res, client, 'MOVE');
        uidMap = res ? res.uidMap : undefined;
      } else {
        // No MOVE: COPY, then \Deleted + UID EXPUNGE of exactly these UIDs (imapflow uses UID EXPUNGE with UIDPLUS).
        const res = await client.messageCopy(set, p.target, { uid: true });
        this.checked(res, client, 'COPY');
        uidMap = res ? res.uidMap : undefined;
        this.checked(await client.messageDelete(set, { uid: true }), client, 'EXPUNGE');
      }
      // UIDPLUS told the new UIDs: the provisional rows take them now (else the next folder sync adopts them by Message-ID).
      const target = this.repo.getFolder(accountId, p.target);
      if (!target || !uidMap) return [];
      let resolved = 0;
      for (const [uid, item] of found) {
        const real = uidMap.get(uid);
        if (real !== undefined) {
          this.repo.resolveProvisional(target.id, item.provisionalUid, real);
          resolved++;
        }
      }
      return resolved ? [p.target] : [];
    } finally {
      lock.release();
    }
  }

  private async replayExpunge(client: ImapFlow, accountId: string, op: Operation<ExpungePayload>): Promise<string[]> {
    const p = op.payload;
    const lock = await this.lock(client, p.folder);
    if (!lock) return [];
    try {
      const found = await this.resolve(client, p.items);
      if (found.size === 0) return [];
      this.checked(await client.messageDelete(uidSet([...found.keys()]), { uid: true }), client, 'EXPUNGE');
      return [];
    } finally {
      lock.release();
    }
  }

  /** The server's folder paths (LIST), to make folder operations idempotent (a replay after a crash finds them done). */
  private async serverPaths(client: ImapFlow): Promise<Set<string>> {
    return new Set((await client.list()).map((f) => f.path));
  }

  private async replayFolderCreate(client: ImapFlow, op: Operation<FolderCreatePayload>): Promise<string[]> {
    const { path } = op.payload;
    if ((await this.serverPaths(client)).has(path)) return [];
    await client.mailboxCreate(path).catch((err: unknown) => this.refused(client, err, 'CREATE'));
    await client.mailboxSubscribe(path).catch(() => undefined);
    return [];
  }

  private async replayFolderRename(client: ImapFlow, op: Operation<FolderRenamePayload>): Promise<string[]> {
    const { from, to } = op.payload;
    const paths = await this.serverPaths(client);
    if (!paths.has(from) && paths.has(to)) return [];
    await client.mailboxRename(from, to).catch((err: unknown) => this.refused(client, err, 'RENAME'));
    await client.mailboxSubscribe(to).catch(() => undefined);
    return [];
  }

  /** Deletes the folder and its sub-folders (deepest first), each emptied into the Corbeille first. */
  private async replayFolderDelete(client: ImapFlow, op: Operation<FolderDeletePayload>): Promise<string[]> {
    const { path, trash } = op.payload;
    const listed = await client.list();
    const inside = listed
      .filter((f) => f.path === path || (f.delimiter && f.path.startsWith(path + f.delimiter)))
      .map((f) => f.path)
      .sort((a, b) => b.length - a.length);
    const changed: string[] = [];
    for (const folder of inside) {
      if (trash && trash !== folder) {
        const lock = await this.lock(client, folder);
        if (lock) {
          try {
            if (client.mailbox !== false && client.mailbox.exists > 0) {
              const moved = client.capabilities.has('MOVE')
                ? await client.messageMove('1:*', trash)
                : await client.messageCopy('1:*', trash);
              this.checked(moved, client, 'MOVE');
              if (!client.capabilities.has('MOVE')) this.checked(await client.messageDelete('1:*'), client, 'EXPUNGE');
              changed.push(trash);
            }
          } finally {
            lock.release();
          }
        }
      }
      await client.mailboxDelete(folder).catch((err: unknown) => this.refused(client, err, 'DELETE'));
    }
    return [...new Set(changed)];
  }

  private refused(client: ImapFlow, err: unknown, what: string): never {
    if (!client.usable) throw err;
    this.log.warn(`mail: ${what} refused by the server`, { err: err as Error });
    throw new ServerRefusal(`${what} refused`);
  }
}
