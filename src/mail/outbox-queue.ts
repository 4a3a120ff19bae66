/**
 * The Boîte d'envoi as a durable queue (SQL in outbox-store.ts): a message is written durably (raw blob, then
 * row) before any send attempt; its Message-ID never changes. What each send outcome does to the row:
 *  - the row becomes 'sending' (claim, committed) BEFORE the SMTP connection opens;
 *  - a row found in 'sending' by a new process (the previous one died during a send) becomes 'uncertain'
 *    and is never resent on its own;
 *  - 'retry' (connectivity, 4xx): back to 'queued' with back-off, the other messages of the account wait too;
 *  - 'failed' and 'uncertain' keep their French message for the user.
 * « Envoyer plus tard »: a queued row with `scheduled_at` in the future is not due (see OutboxStore.due); it is
 * written durably at once like any other message, and the others of the account do not wait for it.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { OutboxEntry, OutgoingAttachment, OutgoingMessage } from '../shared/contract.js';
import { OstalError } from '../errors.js';
import type { CoreContext } from '../context.js';
import { t } from '../i18n/index.js';
import { getAccountRow } from '../accounts/account-rows.js';
import { buildRawMessage, newMessageId, parseRecipients, type RawAttachment } from './compose.js';
import { OutboxStore, toEntry, type OutboxRecord } from './outbox-store.js';
import { checkSendAt, withDateHeader } from './schedule.js';
import type { SendOutcome } from './smtp-session.js';

export interface BackoffOptions {
  /** First back-off after a connectivity error; doubles up to maxBackoffMs. */
  backoffMs: number;
  maxBackoffMs: number;
}

/** Write a file so that it is either absent or complete: tmp file, fsync, rename, fsync of the folder. */
export function writeFileDurably(file: string, data: Buffer): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    fs.writeSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  try {
    const dir = fs.openSync(path.dirname(file), 'r');
    fs.fsyncSync(dir);
    fs.closeSync(dir);
  } catch {
    /* some file systems refuse fsync on a folder */
  }
}

/** The time of « Envoyer plus tard » as stored (ISO UTC), or a French refusal. */
function scheduledTime(sendAt: string): string {
  const check = checkSendAt(sendAt, new Date());
  if (check.ok) return check.at.toISOString();
  const key =
    check.reason === 'past'
      ? 'mail.outbox.sendAtPast'
      : check.reason === 'tooFar'
        ? 'mail.outbox.sendAtTooFar'
        : 'mail.outbox.sendAtInvalid';
  throw new OstalError('invalid_input', t(key));
}

/** Records grouped by account, in their order. */
function byAccount(records: OutboxRecord[]): Map<string, OutboxRecord[]> {
  const out = new Map<string, OutboxRecord[]>();
  for (const rec of records) out.set(rec.accountId, [...(out.get(rec.accountId) ?? []), rec]);
  return out;
}

/** The durable states of the Boîte d'envoi of one Core, and its raw messages in the blob folder. */
export class OutboxQueue {
  readonly store: OutboxStore;

  constructor(
    private readonly ctx: CoreContext,
    private readonly backoff: BackoffOptions,
  ) {
    this.store = new OutboxStore(ctx.db);
  }

  /** First use in this process: a row still 'sending' was interrupted by the death of the previous one. */
  recoverInterrupted(): void {
    const interrupted = this.store.recoverInterrupted(t('mail.outbox.uncertain'));
    if (interrupted.length)
      this.ctx.log.warn('outbox: sends interrupted by the last exit are now uncertain', { count: interrupted.length });
  }

  // ------------------------------------------------------------------ entering the queue

  /** Build the message, write it durably, queue it (state 'queued'). */
  async enqueue(params: OutgoingMessage & { draftId?: string }): Promise<OutboxEntry> {
    const row = getAccountRow(this.ctx, params.accountId);
    if (!row) throw new OstalError('not_found', t('errors.accountNotFound'));
    const to = parseRecipients(params.to ?? []);
    const cc = parseRecipients(params.cc ?? []);
    const bcc = parseRecipients(params.bcc ?? []);
    const invalid = [...to.invalid, ...cc.invalid, ...bcc.invalid];
    if (invalid.length)
      throw new OstalError('invalid_input', t('mail.compose.invalidRecipients', { list: invalid.join(', ') }), { details: { invalid } });
    if (to.addresses.length + cc.addresses.length + bcc.addresses.length === 0)
      throw new OstalError('invalid_input', t('mail.compose.noRecipient'));
    const scheduledAt = params.sendAt === undefined ? null : scheduledTime(params.sendAt);

    let id: string = crypto.randomUUID();
    let messageId = newMessageId(row.email);
    if (params.draftId) {
      const existing = this.store.get(params.draftId);
      if (existing && existing.accountId === row.id) {
        // A second « Envoyer » on the same draft: the message is already in the Boîte d'envoi.
        if (existing.state !== 'draft') return toEntry(existing);
        id = existing.id;
        messageId = existing.messageId;
      }
    }
    const attachments = await this.readAttachments(params.attachments ?? []);
    const built = await buildRawMessage({
      from: { name: row.name, address: row.email },
      to: to.addresses,
      cc: cc.addresses,
      bcc: bcc.addresses,
      subject: params.subject,
      text: params.text,
      html: params.html,
      attachments,
      messageId,
      inReplyTo: params.inReplyTo ?? null,
      references: params.references ?? [],
    });
    const rawPath = path.join('outbox', `${id}-${crypto.randomBytes(4).toString('hex')}.eml`);
    writeFileDurably(path.join(this.ctx.blobsDir, rawPath), built.raw);
    const before = this.store.get(id);
    this.store.insertQueued({
      id,
      accountId: row.id,
      messageId,
      subject: params.subject,
      to: to.addresses.map((a) => (a.name ? `${a.name} <${a.address}>` : a.address)),
      cc: cc.addresses.map((a) => (a.name ? `${a.name} <${a.address}>` : a.address)),
      bcc: bcc.addresses.map((a) => (a.name ? `${a.name} <${a.address}>` : a.address)),
      envelope: built.envelope,
      draft: {
        text: params.text ?? '',
        html: params.html ?? null,
        inReplyTo: params.inReplyTo ?? null,
        references: params.references ?? [],
        attachments: attachments.map((a) => ({ filename: a.filename, size: a.content.length, contentType: a.contentType ?? null })),
      },
      rawPath,
      size: built.raw.length,
      scheduledAt,
    });
    const after = this.store.get(id)!;
    if (after.rawPath !== rawPath) {
      // Raced with another send of the same draft: keep the first.
      fs.rmSync(path.join(this.ctx.blobsDir, rawPath), { force: true });
    } else if (before?.rawPath && before.rawPath !== rawPath) {
      fs.rmSync(path.join(this.ctx.blobsDir, before.rawPath), { force: true });
    }
    this.changed(row.id, [id]);
    return toEntry(after);
  }

  private async readAttachments(list: OutgoingAttachment[]): Promise<RawAttachment[]> {
    const out: RawAttachment[] = [];
    for (const a of list) {
      const filename = a.filename.trim() || 'piece-jointe';
      let content: Buffer;
      if (a.contentBase64 !== undefined) {
        content = Buffer.from(a.contentBase64, 'base64');
      } else if (a.path !== undefined) {
        // A path reads a local file: only the command line (run by the user on their files) may ask for that.
        if (this.ctx.mode !== 'cli') throw new OstalError('invalid_input', t('mail.compose.attachmentPathRefused'));
        try {
          content = await fs.promises.readFile(a.path);
        } catch (err) {
          throw new OstalError('invalid_input', t('mail.compose.attachmentUnreadable', { name: filename }), { cause: err });
        }
      } else {
        throw new OstalError('invalid_input', t('mail.compose.attachmentUnreadable', { name: filename }));
      }
      out.push({ filename, content, contentType: a.contentType || undefined });
    }
    return out;
  }

  // ------------------------------------------------------------------ what the user sees and does

  list(params: { accountId?: string; includeDrafts?: boolean; includeSent?: boolean } = {}): OutboxEntry[] {
    const states: OutboxEntry['state'][] = ['queued', 'sending', 'failed', 'uncertain'];
    if (params.includeDrafts) states.push('draft');
    if (params.includeSent) states.push('sent');
    return this.store
      .list({ accountId: params.accountId, states })
      .filter((r) => !(r.state === 'draft' && r.draft.discarded === true))
      .map(toEntry);
  }

  /** Remove a message that was not sent (never one being sent right now). */
  discard(id: string): { removed: true } {
    const rec = this.store.get(id);
    if (!rec) throw new OstalError('not_found', t('mail.outbox.notFound'));
    if (rec.state === 'sending') throw new OstalError('invalid_input', t('mail.outbox.notRetryable'));
    // A draft that has a copy in the server's Brouillons stays (hidden) until server-drafts.ts removes that copy.
    if (rec.state === 'draft' && typeof rec.draft.uploadedRev === 'number') this.store.markDraftDiscarded(id);
    else this.store.delete(id);
    if (rec.rawPath) fs.rmSync(path.join(this.ctx.blobsDir, rec.rawPath), { force: true });
    this.changed(rec.accountId, [id]);
    return { removed: true };
  }

  /**
   * « Renvoyer »: a failed message goes back to the queue. An uncertain one is first looked for in Envoyés
   * (`inSent`, by its Message-ID): found means it left, so it is marked sent and filed, and NOT sent again.
   */
  async retry(id: string, inSent: (rec: OutboxRecord) => Promise<boolean>): Promise<OutboxEntry> {
    const rec = this.store.get(id);
    if (!rec) throw new OstalError('not_found', t('mail.outbox.notFound'));
    if (rec.state === 'queued') {
      this.store.requeue(id, null, null);
    } else if (rec.state === 'failed') {
      this.store.requeue(id, null, null);
    } else if (rec.state === 'uncertain') {
      if (await inSent(rec)) {
        this.store.markSent(id);
        this.store.markFiled(id);
        this.removeBlob(rec);
        this.ctx.log.info('outbox: uncertain message found in Sent, marked sent', { id });
      } else {
        this.store.requeue(id, null, null);
      }
    } else {
      throw new OstalError('invalid_input', t('mail.outbox.notRetryable'));
    }
    this.changed(rec.accountId, [id]);
    return toEntry(this.store.get(id)!);
  }

  /** « Envoyer maintenant »: a scheduled message becomes due at once. */
  sendNow(id: string): OutboxEntry {
    const rec = this.store.get(id);
    if (!rec) throw new OstalError('not_found', t('mail.outbox.notFound'));
    if (!this.store.sendNow(id)) throw new OstalError('invalid_input', t('mail.outbox.notScheduled'));
    this.changed(rec.accountId, [id]);
    return toEntry(this.store.get(id)!);
  }

  /**
   * « Modifier »: a scheduled (or failed) message becomes a local draft again, atomically (a drain that claims it
   * first sends it, and then this refuses). Returns the record as it was, for the composer's fields.
   */
  backToDraft(id: string): OutboxRecord {
    const rec = this.store.get(id);
    if (!rec) throw new OstalError('not_found', t('mail.outbox.notFound'));
    // Asked twice (a second window, React's double effects in development): it is a draft already, nothing to undo.
    if (rec.state === 'draft' && rec.draft.discarded !== true) return rec;
    if (!this.store.backToDraft(id)) throw new OstalError('invalid_input', t('mail.outbox.notEditable'));
    this.changed(rec.accountId, [id]);
    return rec;
  }

  // ------------------------------------------------------------------ sending

  /** Due messages (oldest first), by account. */
  dueByAccount(accountId: string | undefined, ignoreBackoff: boolean): Map<string, OutboxRecord[]> {
    return byAccount(this.store.due(new Date().toISOString(), accountId, ignoreBackoff));
  }

  /** Drafts whose server copy must be written or removed, by account. */
  draftsForServerByAccount(accountId: string | undefined): Map<string, OutboxRecord[]> {
    return byAccount(this.store.draftsForServer(accountId));
  }

  /** Sent messages whose copy is not in Envoyés yet, by account. */
  unfiledByAccount(accountId: string | undefined): Map<string, OutboxRecord[]> {
    return byAccount(this.store.unfiled(accountId));
  }

  /** The raw message of a row, null when it is missing. */
  async readRaw(rec: OutboxRecord): Promise<Buffer | null> {
    return rec.rawPath ? await fs.promises.readFile(path.join(this.ctx.blobsDir, rec.rawPath)).catch(() => null) : null;
  }

  /**
   * A scheduled message about to leave: its raw message (the blob, so the copy filed in Envoyés is the same) now
   * dated `at`, the moment it really leaves, as Outlook and Thunderbird do; the Message-ID and everything else stay.
   * Called once the message is claimed ('sending'): a crash before the SMTP session makes it 'uncertain' as always.
   */
  redate(rec: OutboxRecord, raw: Buffer, at: Date): Buffer {
    if (!rec.rawPath) return raw;
    const patched = withDateHeader(raw, at);
    try {
      writeFileDurably(path.join(this.ctx.blobsDir, rec.rawPath), patched);
    } catch (err) {
      // The disk refused (full?): the message leaves dated when it was written rather than stay claimed.
      this.ctx.log.warn('outbox: scheduled message not redated', { id: rec.id, err: err as Error });
      return raw;
    }
    return patched;
  }

  /** The account cannot send at all (e.g. its password is missing): its messages fail with that error. */
  failAll(accountId: string, records: OutboxRecord[], err: unknown): void {
    const e = err instanceof OstalError ? err : new OstalError('internal', t('errors.internal'), { cause: err });
    for (const rec of records) if (this.store.claim(rec.id)) this.store.markFailed(rec.id, { code: e.code, message: e.message });
    this.changed(
      accountId,
      records.map((r) => r.id),
    );
  }

  /** A row that cannot be sent (raw message or envelope missing). */
  failBroken(rec: OutboxRecord): void {
    this.store.markFailed(rec.id, { code: 'internal', message: t('errors.internal') });
    this.changed(rec.accountId, [rec.id]);
  }

  /** 'sending', committed before any byte leaves: a crash from then on makes the message 'uncertain'. False when another drain has it. */
  claim(rec: OutboxRecord): boolean {
    if (!this.store.claim(rec.id)) return false;
    this.changed(rec.accountId, [rec.id]);
    return true;
  }

  /**
   * Record what became of a claimed message. 'stop' when the account's next messages must wait (server not
   * reachable: back-off for all of them) or would fail the same way (refused password, certificate).
   */
  settle(rec: OutboxRecord, outcome: SendOutcome, size: number): 'next' | 'stop' {
    const accountId = rec.accountId;
    switch (outcome.kind) {
      case 'sent':
        this.store.markSent(rec.id, outcome.note);
        this.ctx.log.info('outbox: message sent', { id: rec.id, size });
        break;
      case 'retry': {
        const next = this.backoffFor(rec.attempts + 1);
        const error = { code: outcome.error.code, message: outcome.error.message };
        this.store.requeue(rec.id, next, error);
        // The server is not reachable: the other messages of the account wait as well (no error storm).
        this.store.postpone(accountId, next, error);
        this.changed(
          accountId,
          this.store.list({ accountId, states: ['queued'] }).map((r) => r.id),
        );
        return 'stop';
      }
      case 'failed':
        this.store.markFailed(rec.id, { code: outcome.error.code, message: outcome.error.message });
        if (outcome.error.code === 'auth_failed' || outcome.error.code.startsWith('tls_')) {
          this.changed(accountId, [rec.id]);
          return 'stop'; // the next ones would fail the same way
        }
        break;
      case 'uncertain':
        this.store.markUncertain(rec.id, t('mail.outbox.uncertain'));
        break;
    }
    this.changed(accountId, [rec.id]);
    return 'next';
  }

  private backoffFor(attempts: number): string {
    const delay = Math.min(this.backoff.maxBackoffMs, this.backoff.backoffMs * 2 ** Math.max(0, attempts - 1));
    return new Date(Date.now() + delay * (0.9 + Math.random() * 0.2)).toISOString();
  }

  // ------------------------------------------------------------------ after sending

  /** The copy is in Envoyés (or there is no Envoyés): the raw message is no longer needed. */
  removeBlob(rec: OutboxRecord): void {
    if (!rec.rawPath) return;
    fs.rmSync(path.join(this.ctx.blobsDir, rec.rawPath), { force: true });
    this.store.clearRawPath(rec.id);
  }

  /** Tell the views (event 'outbox.changed'). */
  changed(accountId: string, ids: string[]): void {
    try {
      this.ctx.emit('outbox.changed', { accountId, ids });
    } catch {
      /* closing */
    }
  }
}
