/**
 * The mail scope of the sync scheduler, for one Core: before each mail sync the Boîte d'envoi is drained and the
 * user's actions waiting in the journal are replayed, then the folders are synced (headers, flags, bodies for
 * offline reading); while the background loop runs, an IMAP IDLE connection watches each reachable account's Boîte
 * de réception. The scheduler (src/sync/) calls it through the functions core.ts registers; mail never imports it.
 *
 * Bodies for offline reading (every message of every folder by default, setting 'mail.offlineWindow'): a one-shot
 * sync (the CLI: `ostal sync`) downloads them all before it returns. With the background loop (the app), a sync
 * downloads the headers of every folder and the bodies of the Boîte de réception only, then returns — so that the next
 * syncs (a new message seen by IDLE, the minute's sync) and the other scopes never wait behind a first download of
 * 48 000 messages —, and the rest continues as a background task of this syncer, one per account, on a connection of
 * its own, with its progress in the status area (« Téléchargement pour la lecture hors ligne : 3 420 / 48 000 »),
 * « Suspendre » / « Reprendre » (kept across restarts), and the speed limit. Each message is stored as it arrives: a kill loses nothing but
 * the message being handed over (see MailSyncEngine.downloadBodies), and the next run resumes where it stopped.
 *
 * The Boîte d'envoi has one owner: this syncer starts and stops its sender with the background loop and drains it
 * before each mail sync; the sender runs every drain (its retry timer, a new message, this sync) one after the other.
 */
import type { MailDownloadState, SyncProgress } from '../shared/contract.js';
import type { CoreContext } from '../context.js';
import { OstalError } from '../errors.js';
import type { Account } from '../store/account-repository.js';
import { OperationsJournal } from '../store/operations-journal.js';
import { loadMailAccount } from '../accounts/account-rows.js';
import { readSetting, readState, writeState } from '../store/settings-repository.js';
import { imapErrorToOstal } from './errors.js';
import { parseImapUrl, probeImap, type MailAccount } from './imap-client.js';
import { InboxWatcher } from './inbox-watcher.js';
import { MailOperationReplayer } from './operations-replayer.js';
import type { OutboxSender } from './outbox.js';
import { MailRepository } from './repository.js';
import { MailSyncEngine, type BodyDownloadOptions } from './sync-engine.js';

/** What the mail sync hands to another domain: a message source fetched into the Boîte de réception (iMIP answers). */
export type InboxSourceListener = (accountId: string, source: Buffer, where: { folder: string; uid: number }) => Promise<void>;

export class MailSyncer {
  private readonly engine: MailSyncEngine;
  /** Sends the user's mail actions waiting in the journal, before each mail sync. */
  private readonly replayer: MailOperationReplayer;
  /** IDLE watchers of the Boîte de réception, only while the background loop runs. */
  private readonly watchers = new Map<string, InboxWatcher>();
  private background = false;
  /** Background downloads of bodies, by account. */
  private readonly downloads = new Map<string, Promise<void>>();
  private readonly downloadProgress = new Map<string, SyncProgress>();
  /** « Suspendre », read from the store once and written there at each change: kept across restarts. */
  private paused: boolean;
  private stopping = false;

  constructor(
    private readonly ctx: CoreContext,
    private readonly outbox: () => OutboxSender,
    private readonly onInboxSource: InboxSourceListener,
  ) {
    this.engine = new MailSyncEngine(new MailRepository(ctx.db), ctx.blobsDir);
    this.paused = readState(ctx.db, 'state.mail.downloadPaused') === true;
    this.replayer = new MailOperationReplayer(new MailRepository(ctx.db), new OperationsJournal(ctx.db), ctx.log);
  }

  /** One mail sync of an account. Throws an OstalError (French) when the server cannot be used. */
  async sync(row: Account, progress: (p: SyncProgress) => void): Promise<void> {
    const ctx = this.ctx;
    // Boîte d'envoi first (it never throws): the copies it files in Envoyés come down with this sync.
    await this.outbox()
      .drain({ accountId: row.id })
      .catch((err: unknown) => ctx.log.warn('outbox drain failed', { account: row.id, err: err as Error }));
    try {
      const account = await loadMailAccount(ctx, row);
      // The user's actions first, so that the folder sync sees the server as the user left it.
      const replayed = await this.replayer.replay(account);
      if (replayed.changedFolders.length) ctx.emit('mail.changed', { accountId: row.id, folders: replayed.changedFolders });
      const background = this.background;
      const result = await this.engine.syncAccount(account, {
        ...this.bodyOptions(row),
        bodies: background ? 'inbox' : 'all',
        onProgress: progress,
        onHeaders: (folders) => ctx.emit('mail.changed', { accountId: row.id, folders }),
      });
      if (result.changedFolders.length) ctx.emit('mail.changed', { accountId: row.id, folders: result.changedFolders });
      if (background) {
        this.watchInbox(row, account);
        if (result.bodiesRemaining > 0) this.startDownload(row, account);
      }
    } catch (err) {
      const e = err instanceof OstalError ? err : imapErrorToOstal(err, endpointOf(row).host, endpointOf(row).port);
      ctx.log.warn('mail sync failed', { account: row.id, code: e.code, err: (e.cause as Error) ?? e });
      throw e;
    }
  }

  /** Cheap connect and greeting of the account's IMAP server; an OstalError when it fails. */
  async probe(row: Account, timeoutMs: number): Promise<void> {
    const endpoint = parseImapUrl(row.settings.imap); // an address that cannot be read is not a probe outcome
    try {
      await probeImap(endpoint, { pinnedCertificates: row.pinnedCertificates, timeoutMs });
    } catch (err) {
      throw err instanceof OstalError ? err : imapErrorToOstal(err, endpoint.host, endpoint.port);
    }
  }

  /** What the body download needs from the settings in force (read at each run: a change applies to the next one). */
  private bodyOptions(row: Account): BodyDownloadOptions {
    // OSTAL_MAIL_SPEED_LIMIT_KBPS overrides the setting for scripts and tests (as OSTAL_FILES_SPEED_LIMIT_KBPS for Fichiers).
    const fromEnv = process.env.OSTAL_MAIL_SPEED_LIMIT_KBPS;
    const kbps = fromEnv !== undefined && fromEnv !== '' ? Number(fromEnv) : Number(readSetting(this.ctx, 'mail.speedLimitKbps'));
    return {
      offlineWindow: readSetting(this.ctx, 'mail.offlineWindow'),
      speedLimit: Number.isFinite(kbps) && kbps > 0 ? kbps * 1024 : 0,
      // « Suspendre » is about the app's download: a one-shot `ostal sync` still brings every body down.
      shouldStop: () => (this.background && this.paused) || this.stopping,
      fetchLog: process.env.OSTAL_MAIL_FETCH_LOG || null,
      sourcesChecked: this.ctx.mailSourcesChecked,
      onInboxSource: (source, where) => this.onInboxSource(row.id, source, where),
      log: this.ctx.log,
    };
  }

  // ------------------------------------------------------------------ background download of bodies

  /** The rest of the bodies, after a sync, as a task of its own (one per account; a running one is kept). */
  private startDownload(row: Account, account: MailAccount): void {
    if (this.downloads.has(row.id) || this.paused || this.stopping) return;
    const ctx = this.ctx;
    const task = (async () => {
      try {
        const result = await this.engine.downloadAccount(account, {
          ...this.bodyOptions(row),
          onProgress: (p) => {
            this.downloadProgress.set(row.id, p);
            ctx.sync.reportProgress(`mail-download|${row.id}`, p);
          },
          // Each folder as soon as its bodies are local (not at the end of a download of hours).
          onFolderBodies: (folder) => ctx.emit('mail.changed', { accountId: row.id, folders: [folder] }),
        });
        // Every folder touched (bodies indexed again from disk after a kill included), once more at the end.
        if (result.changedFolders.length) ctx.emit('mail.changed', { accountId: row.id, folders: result.changedFolders });
      } catch (err) {
        // The next sync starts it again; the connection state is the sync's business.
        ctx.log.warn('mail: background download of bodies stopped', { account: row.id, err: err as Error });
      } finally {
        this.downloads.delete(row.id);
        this.downloadProgress.delete(row.id);
        ctx.sync.reportProgress(`mail-download|${row.id}`, null);
      }
    })();
    this.downloads.set(row.id, task);
  }

  downloadState(): MailDownloadState {
    let done = 0;
    let total = 0;
    for (const p of this.downloadProgress.values()) {
      done += p.done;
      total += p.total;
    }
    return { running: this.downloads.size > 0, paused: this.paused, done, total };
  }

  /** « Suspendre »: the downloads stop after the message being stored; opening a message still fetches it. */
  async pause(): Promise<MailDownloadState> {
    this.paused = true;
    writeState(this.ctx.db, 'state.mail.downloadPaused', true);
    await Promise.allSettled([...this.downloads.values()]);
    return this.downloadState();
  }

  /** « Reprendre »: a mail sync starts the downloads again where they stopped. */
  resume(): MailDownloadState {
    this.paused = false;
    writeState(this.ctx.db, 'state.mail.downloadPaused', false);
    if (this.background) void this.ctx.sync.run({ only: 'mail' }).catch(() => undefined);
    return this.downloadState();
  }

  // ------------------------------------------------------------------ background loop

  start(): void {
    this.background = true;
    this.stopping = false;
    this.outbox().start();
  }

  async stop(): Promise<void> {
    if (!this.background) return;
    this.background = false;
    this.stopping = true;
    const watchers = [...this.watchers.values()];
    this.watchers.clear();
    await Promise.allSettled([...watchers.map((w) => w.stop()), this.outbox().stop(), ...this.downloads.values()]);
  }

  onConnection(row: Account, online: boolean): void {
    if (!online) this.unwatchInbox(row.id);
  }

  onAccounts(rows: Account[]): void {
    for (const id of this.watchers.keys()) if (!rows.some((r) => r.id === id)) this.unwatchInbox(id);
  }

  /** Keep an IDLE connection on the account's Boîte de réception; a change there triggers a mail sync. */
  private watchInbox(row: Account, account: MailAccount): void {
    if (this.watchers.has(row.id)) return;
    const watcher = new InboxWatcher(
      account,
      () => void this.ctx.sync.run({ accountId: row.id, only: 'mail' }).catch(() => undefined),
      () => {
        if (this.watchers.get(row.id) === watcher) this.watchers.delete(row.id);
      },
      this.ctx.log,
    );
    this.watchers.set(row.id, watcher);
    watcher.start().catch((err: unknown) => {
      if (this.watchers.get(row.id) === watcher) this.watchers.delete(row.id);
      this.ctx.log.warn('mail: IDLE watcher could not start', { account: row.id, err: err as Error });
    });
  }

  private unwatchInbox(accountId: string): void {
    const watcher = this.watchers.get(accountId);
    if (!watcher) return;
    this.watchers.delete(accountId);
    void watcher.stop();
  }
}

function endpointOf(row: Account): { host: string; port: number } {
  try {
    return parseImapUrl(row.settings.imap);
  } catch {
    return { host: row.settings.imap, port: 0 };
  }
}
