/**
 * Boîte d'envoi: the OutboxSender of a Core queues messages, sends what is due with SMTP submission and files a
 * copy in Envoyés. Each step lives in its own module:
 *  - outbox-queue.ts (with outbox-store.ts): the durable states draft → queued → sending → sent | failed |
 *    uncertain, back-off and retries;
 *  - smtp-session.ts: the SMTP session, sending one message and classifying the outcome (incl. 'uncertain');
 *  - sent-filing.ts: the copy in Envoyés, and the search of an uncertain message by its Message-ID;
 *  - drafts.ts: local drafts.
 * A row found in 'sending' by a new process is 'uncertain' and never resent on its own: the user decides, and
 * « Renvoyer » first looks for the Message-ID in Envoyés (found = sent, nothing resent).
 * « Envoyer plus tard »: a scheduled message waits in the queue (not due before its time, see OutboxStore.due); a
 * timer armed for the earliest scheduled time drains at that moment (re-armed after each drain, and at start: a time
 * that passed while Ostal was closed leaves with the first drain). Sending it twice is prevented by the same claim.
 */
import type { ComposeDraft, OutboxEntry, OutgoingMessage } from '../shared/contract.js';
import type { CoreContext } from '../context.js';
import { getAccountRow, loadMailAccount } from '../accounts/account-rows.js';
import { adoptServerDraft, reopenQueued, saveDraft, type DraftInput } from './drafts.js';
import type { MailAccount } from './imap-client.js';
import { OutboxQueue } from './outbox-queue.js';
import type { OutboxRecord, OutboxStore } from './outbox-store.js';
import { fileSentCopies, isInSent } from './sent-filing.js';
import { syncServerDrafts } from './server-drafts.js';
import { SmtpSubmitter } from './smtp-session.js';

export { classifySmtpError } from './smtp-session.js';
export { writeFileDurably } from './outbox-queue.js';

export interface OutboxSenderOptions {
  /** Period of the background drain; default 5 s (OSTAL_OUTBOX_INTERVAL_MS). */
  intervalMs?: number;
  /** First back-off after a connectivity error; doubles up to maxBackoffMs. Default 5 s (OSTAL_OUTBOX_BACKOFF_MS). */
  backoffMs?: number;
  maxBackoffMs?: number;
}

function envNumber(name: string): number | undefined {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : undefined;
}

/** Sends the Boîte d'envoi of one Core. One per Core (Services.outbox, created on first use). */
export class OutboxSender {
  private readonly outbox: OutboxQueue;
  private chain: Promise<unknown> = Promise.resolve();
  private pending: { promise: Promise<void>; accountId?: string; ignoreBackoff: boolean } | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** Fires at the earliest scheduled time (« Envoyer plus tard »); re-armed after every drain. */
  private scheduleTimer: NodeJS.Timeout | null = null;
  private started = false;
  private stopped = false;
  private readonly intervalMs: number;
  private readonly draftBackoff = new Map<string, { nextAt: number; delayMs: number }>();

  constructor(
    private readonly ctx: CoreContext,
    options: OutboxSenderOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? envNumber('OSTAL_OUTBOX_INTERVAL_MS') ?? 5_000;
    this.outbox = new OutboxQueue(ctx, {
      backoffMs: options.backoffMs ?? envNumber('OSTAL_OUTBOX_BACKOFF_MS') ?? 5_000,
      maxBackoffMs: options.maxBackoffMs ?? 5 * 60_000,
    });
    // First use in this process: a row still 'sending' was interrupted by the death of the previous one.
    this.outbox.recoverInterrupted();
  }

  get store(): OutboxStore {
    return this.outbox.store;
  }

  // ------------------------------------------------------------------ queueing

  /** Build the message, write it durably, queue it. Returns at once (state 'queued'). */
  async queue(params: OutgoingMessage & { draftId?: string }): Promise<OutboxEntry> {
    const entry = await this.outbox.enqueue(params);
    this.kick();
    return entry;
  }

  /** Keep a draft (locally at once, in the server's Brouillons at the next drain); returns its id. */
  async saveDraft(params: DraftInput): Promise<{ id: string; savedAt: string }> {
    const saved = await saveDraft(this.ctx, this.outbox, params);
    this.kick();
    return saved;
  }

  /** The local draft that stands for a draft reopened from the server's Brouillons (see drafts.ts). */
  adoptServerDraft(params: Parameters<typeof adoptServerDraft>[2]): string {
    return adoptServerDraft(this.ctx, this.outbox, params);
  }

  list(params: { accountId?: string; includeDrafts?: boolean; includeSent?: boolean } = {}): OutboxEntry[] {
    return this.outbox.list(params);
  }

  /** Remove a message that was not sent (never one being sent right now). */
  discard(id: string): { removed: true } {
    const removed = this.outbox.discard(id);
    this.kick();
    return removed;
  }

  /**
   * « Renvoyer »: a failed message goes back to the queue. An uncertain one is first looked for in
   * Envoyés by its Message-ID: found means it left, so it is marked sent and NOT sent again.
   */
  async retry(id: string): Promise<OutboxEntry> {
    const entry = await this.outbox.retry(id, (rec) => isInSent(this.ctx, rec.accountId, rec.messageId));
    this.kick();
    return entry;
  }

  /** « Envoyer maintenant »: a scheduled message leaves at once. */
  sendNow(id: string): OutboxEntry {
    const entry = this.outbox.sendNow(id);
    this.kick();
    return entry;
  }

  /** « Modifier »: a scheduled (or failed) message back to a local draft, its fields for the composer. */
  async edit(id: string): Promise<ComposeDraft> {
    const draft = await reopenQueued(this.ctx, this.outbox, id);
    this.kick();
    return draft;
  }

  // ------------------------------------------------------------------ sending

  /**
   * Send what is due (oldest first) and file sent copies in Envoyés. Calls are serialised; a call
   * made while one waits to start joins it.
   */
  drain(params: { accountId?: string; ignoreBackoff?: boolean } = {}): Promise<void> {
    const ignoreBackoff = params.ignoreBackoff === true;
    if (this.pending && this.pending.accountId === params.accountId && this.pending.ignoreBackoff === ignoreBackoff)
      return this.pending.promise;
    const entry: { promise: Promise<void>; accountId?: string; ignoreBackoff: boolean } = {
      promise: Promise.resolve(),
      accountId: params.accountId,
      ignoreBackoff,
    };
    entry.promise = this.chain
      .catch(() => undefined)
      .then(() => {
        if (this.pending === entry) this.pending = null;
        return this.doDrain(params.accountId, ignoreBackoff);
      });
    this.pending = entry;
    this.chain = entry.promise.catch(() => undefined);
    return entry.promise;
  }

  private async doDrain(accountId: string | undefined, ignoreBackoff: boolean): Promise<void> {
    if (this.stopped) return;
    try {
      for (const [id, records] of this.outbox.dueByAccount(accountId, ignoreBackoff)) await this.sendAccount(id, records);
      for (const [id, records] of this.outbox.unfiledByAccount(accountId)) await fileSentCopies(this.ctx, this.outbox, id, records);
      for (const [id, records] of this.outbox.draftsForServerByAccount(accountId)) await this.syncDrafts(id, records, ignoreBackoff);
    } finally {
      this.armSchedule();
    }
  }

  /** Arm the timer for the earliest scheduled message (background loop only). */
  private armSchedule(): void {
    if (!this.started || this.stopped) return;
    if (this.scheduleTimer) clearTimeout(this.scheduleTimer);
    this.scheduleTimer = null;
    let next: string | null;
    try {
      next = this.outbox.store.nextScheduledAt();
    } catch {
      return; // closing: the database is gone
    }
    if (!next) return;
    // setTimeout holds at most ~24.8 days; a later time is reached by re-arming. A little after the time, not before.
    const delay = Math.min(Math.max(0, Date.parse(next) - Date.now()) + 50, 24 * 3600_000);
    this.scheduleTimer = setTimeout(() => {
      this.scheduleTimer = null;
      void this.drain().catch((err: unknown) => this.ctx.log.warn('outbox drain failed', { err: err as Error }));
    }, delay);
    this.scheduleTimer.unref();
  }

  /** Server copies of the drafts of one account, with a growing wait after errors (5 s, doubling up to 5 min). */
  private async syncDrafts(accountId: string, records: OutboxRecord[], ignoreBackoff: boolean): Promise<void> {
    const wait = this.draftBackoff.get(accountId);
    if (wait && !ignoreBackoff && Date.now() < wait.nextAt) return;
    try {
      await syncServerDrafts(this.ctx, this.outbox, accountId, records);
      this.draftBackoff.delete(accountId);
    } catch (err) {
      const delayMs = Math.min((wait?.delayMs ?? 2_500) * 2, 5 * 60_000);
      this.draftBackoff.set(accountId, { nextAt: Date.now() + delayMs, delayMs });
      this.ctx.log.warn('drafts: server copy not written, will retry', { account: accountId, delayMs, err: err as Error });
    }
  }

  /** Send the due messages of one account over one SMTP session, in order, until one says the others must wait. */
  private async sendAccount(accountId: string, records: OutboxRecord[]): Promise<void> {
    const row = getAccountRow(this.ctx, accountId);
    if (!row) return;
    let account: MailAccount;
    try {
      account = await loadMailAccount(this.ctx, row);
    } catch (err) {
      this.outbox.failAll(accountId, records, err);
      return;
    }
    const smtp = new SmtpSubmitter(account);
    try {
      for (const rec of records) {
        if (this.stopped) return;
        let raw = await this.outbox.readRaw(rec);
        if (!raw || !rec.envelope) {
          this.outbox.failBroken(rec);
          continue;
        }
        // Committed before any byte leaves: a crash from here on makes the message 'uncertain', never resent silently.
        if (!this.outbox.claim(rec)) continue;
        // A scheduled message is dated when it really leaves (Date header patched in the stored raw; Message-ID kept).
        if (rec.scheduledAt) raw = this.outbox.redate(rec, raw, new Date());
        const { outcome, phase, err } = await smtp.submit(rec.envelope, raw);
        if (outcome.kind !== 'sent')
          this.ctx.log.warn('outbox: send failed', { id: rec.id, outcome: outcome.kind, phase, err: err as Error });
        if (this.outbox.settle(rec, outcome, raw.length) === 'stop') return;
      }
    } finally {
      smtp.close();
    }
  }

  // ------------------------------------------------------------------ background

  /** Drain soon (background loop only; the CLI and sync.run drain explicitly). */
  kick(): void {
    if (!this.started || this.stopped) return;
    setImmediate(() => void this.drain().catch((err: unknown) => this.ctx.log.warn('outbox drain failed', { err: err as Error })));
  }

  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.timer = setInterval(
      () => void this.drain().catch((err: unknown) => this.ctx.log.warn('outbox drain failed', { err: err as Error })),
      this.intervalMs,
    );
    this.timer.unref();
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.scheduleTimer) clearTimeout(this.scheduleTimer);
    this.scheduleTimer = null;
    await this.chain.catch(() => undefined);
  }
}
