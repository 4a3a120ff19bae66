/**
 * Boîte d'envoi: a message is written durably (raw blob, then row) before any send attempt; its
 * Message-ID never changes. The OutboxSender sends with SMTP submission and files a copy in Envoyés.
 *
 * States: draft → queued → sending → sent | failed | uncertain.
 *  - The row becomes 'sending' (committed) BEFORE the SMTP connection opens.
 *  - A row found in 'sending' by a new process (the previous one died during a send) becomes
 *    'uncertain' and is never resent on its own: the user decides, and « Renvoyer » first looks for
 *    the Message-ID in Envoyés (found = sent, nothing resent).
 *  - Connectivity and 4xx errors: back to 'queued' with back-off (one attempt per account per back-off).
 *  - 5xx, refused password, untrusted certificate: 'failed' with a French message.
 *  - The connection lost after the message data left without the final reply: 'uncertain'.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import type { ImapFlow } from 'imapflow';
import type { OutboxEntry, OutgoingAttachment, OutgoingMessage } from '../shared/contract.js';
import { OstalError } from '../errors.js';
import type { CoreContext } from '../context.js';
import { t } from '../i18n/index.js';
import { parseEndpoint } from '../accounts/endpoints.js';
import { getAccountRow, loadMailAccount } from '../accounts/account-rows.js';
import { buildRawMessage, newMessageId, parseRecipients, type RawAttachment } from './compose.js';
import { imapErrorToOstal, isConnectivityError } from './errors.js';
import { connectImap, type MailAccount } from './imap-client.js';
import { tlsOptionsFor } from '../net/tls.js';
import { OutboxStore, toEntry, type OutboxRecord } from './outbox-store.js';
import { MailRepository } from './repository.js';

const SMTP_TIMEOUT_MS = 15_000;

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

type Outcome =
  { kind: 'sent'; note: { code: string; message: string } | null } | { kind: 'retry' | 'failed' | 'uncertain'; error: OstalError };

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

function smtpHost(account: MailAccount): { host: string; port: number } {
  try {
    const e = parseEndpoint(account.settings.smtp, 'smtp');
    return { host: e.host, port: e.port };
  } catch {
    return { host: account.settings.smtp, port: 0 };
  }
}

interface SmtpErrorLike {
  code?: string;
  responseCode?: number;
  permanent?: boolean;
  response?: string;
  command?: string;
  rejected?: string[];
  originalCode?: string;
}

/**
 * What an SMTP error means for the message. `phase` 'session' = connect/STARTTLS/login (nothing was
 * sent yet); 'transaction' = MAIL/RCPT/DATA (a lost connection here may have delivered it).
 */
export function classifySmtpError(err: unknown, phase: 'session' | 'transaction', host: string, port: number): Outcome {
  const e = (err ?? {}) as SmtpErrorLike;
  const vars = { host, port };
  if (e.code === 'EAUTH' || e.code === 'ENOAUTH') {
    return { kind: 'failed', error: new OstalError('auth_failed', t('mail.outbox.authFailed', vars), { cause: err }) };
  }
  if (typeof e.responseCode === 'number') {
    const reply = (e.response ?? String(e.responseCode)).replace(/\s+/g, ' ').trim().slice(0, 200);
    if (e.permanent === true || (e.responseCode >= 500 && e.responseCode !== 503)) {
      if (e.rejected?.length) {
        return {
          kind: 'failed',
          error: new OstalError('server_error', t('mail.outbox.rejectedRecipients', { recipients: e.rejected.join(', ') }), { cause: err }),
        };
      }
      return { kind: 'failed', error: new OstalError('server_error', t('mail.outbox.rejected', { reply }), { cause: err }) };
    }
    // 4xx: the server did not take the message; it may later.
    return { kind: 'retry', error: new OstalError('server_error', t('mail.outbox.temporary', vars), { cause: err }) };
  }
  if (e.code === 'ETLS' && !/certificate|self.signed|altname|hostname/i.test(String((err as Error)?.message))) {
    return { kind: 'failed', error: new OstalError('tls_untrusted', t('mail.outbox.tlsRequired', vars), { cause: err }) };
  }
  const mapped = imapErrorToOstal(
    e.originalCode ? Object.assign(new Error(String((err as Error)?.message)), { code: e.originalCode, cause: err }) : err,
    host,
    port,
  );
  if (mapped.code === 'tls_untrusted' || mapped.code === 'tls_hostname') return { kind: 'failed', error: mapped };
  const offline = new OstalError('offline', t('mail.outbox.waitingNetwork', vars), { cause: err });
  if (phase === 'transaction') {
    // The data may have reached the server before the line dropped: only the user can tell.
    return { kind: 'uncertain', error: new OstalError('server_error', t('mail.outbox.uncertain'), { cause: err }) };
  }
  if (isConnectivityError(mapped) || ['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNREFUSED', 'EPROTOCOL'].includes(e.code ?? '')) {
    return { kind: 'retry', error: offline };
  }
  return { kind: 'retry', error: offline };
}

/** One SMTP submission session (connect, STARTTLS required unless smtps://, login). */
class SmtpSession {
  private conn: SMTPConnection | null = null;
  private lastError: unknown = null;

  constructor(private readonly account: MailAccount) {}

  async open(): Promise<void> {
    const endpoint = parseEndpoint(this.account.settings.smtp, 'smtp');
    const conn = new SMTPConnection({
      host: endpoint.host,
      port: endpoint.port,
      secure: endpoint.implicitTls,
      requireTLS: !endpoint.implicitTls,
      tls: tlsOptionsFor(endpoint.host, this.account.pinnedCertificates),
      connectionTimeout: SMTP_TIMEOUT_MS,
      greetingTimeout: SMTP_TIMEOUT_MS,
      socketTimeout: 60_000,
      logger: false,
      debug: false,
    });
    this.conn = conn;
    conn.on('error', (err: unknown) => {
      this.lastError = err;
    });
    await new Promise<void>((resolve, reject) => {
      const onError = (err: unknown) => reject(err);
      conn.once('error', onError);
      conn.connect((err) => {
        conn.removeListener('error', onError);
        if (err) reject(err);
        else resolve();
      });
    });
    await new Promise<void>((resolve, reject) => {
      conn.login({ user: this.account.settings.username || this.account.email, pass: this.account.password }, (err) =>
        err ? reject(err) : resolve(),
      );
    });
  }

  /** Resolves with the rejected recipients (some may be refused while the others get the message). */
  send(envelope: { from: string; to: string[] }, raw: Buffer): Promise<{ rejected: string[] }> {
    const conn = this.conn;
    if (!conn) return Promise.reject(new Error('SMTP session not open'));
    return new Promise((resolve, reject) => {
      let settled = false;
      const onClose = () => {
        if (settled) return;
        settled = true;
        reject(this.lastError ?? Object.assign(new Error('connection closed during the transaction'), { code: 'ECONNECTION' }));
      };
      conn.once('end', onClose);
      conn.send(envelope, raw, (err, info) => {
        conn.removeListener('end', onClose);
        if (settled) return;
        settled = true;
        if (err) reject(err);
        else resolve({ rejected: (info?.rejected ?? []).map(String) });
      });
    });
  }

  close(): void {
    try {
      this.conn?.quit();
    } catch {
      /* already closed */
    }
    this.conn?.close();
    this.conn = null;
  }
}

/** Find the account's Envoyés: from the mail store, else from the server's LIST (special-use, then usual names). */
async function sentFolderPath(ctx: CoreContext, accountId: string, client: ImapFlow): Promise<string | null> {
  const stored = new MailRepository(ctx.db).listFolders(accountId).find((f) => f.specialUse === '\\Sent');
  if (stored) return stored.path;
  const list = await client.list();
  const bySpecialUse = list.find((f) => f.specialUse === '\\Sent');
  if (bySpecialUse) return bySpecialUse.path;
  const byName = list.find((f) => /^(sent|sent items|sent messages|envoy[ée]s|[ée]l[ée]ments envoy[ée]s)$/i.test(f.name));
  return byName?.path ?? null;
}

/** UIDs in a folder of the messages with this Message-ID. */
async function findByMessageId(client: ImapFlow, folder: string, messageId: string): Promise<number[]> {
  const lock = await client.getMailboxLock(folder, { readOnly: true });
  try {
    const found = await client.search({ header: { 'message-id': messageId } }, { uid: true });
    return Array.isArray(found) ? found : [];
  } finally {
    lock.release();
  }
}

/** Sends the Boîte d'envoi of one Core. One per Core (Services.outbox, created on first use). */
export class OutboxSender {
  readonly store: OutboxStore;
  private chain: Promise<unknown> = Promise.resolve();
  private pending: { promise: Promise<void>; accountId?: string; ignoreBackoff: boolean } | null = null;
  private timer: NodeJS.Timeout | null = null;
  private started = false;
  private stopped = false;
  private readonly intervalMs: number;
  private readonly backoffMs: number;
  private readonly maxBackoffMs: number;

  constructor(
    private readonly ctx: CoreContext,
    options: OutboxSenderOptions = {},
  ) {
    this.store = new OutboxStore(ctx.db);
    this.intervalMs = options.intervalMs ?? envNumber('OSTAL_OUTBOX_INTERVAL_MS') ?? 5_000;
    this.backoffMs = options.backoffMs ?? envNumber('OSTAL_OUTBOX_BACKOFF_MS') ?? 5_000;
    this.maxBackoffMs = options.maxBackoffMs ?? 5 * 60_000;
    // First use in this process: a row still 'sending' was interrupted by the death of the previous one.
    const interrupted = this.store.recoverInterrupted(t('mail.outbox.uncertain'));
    if (interrupted.length) ctx.log.warn('outbox: sends interrupted by the last exit are now uncertain', { count: interrupted.length });
  }

  // ------------------------------------------------------------------ queueing

  /** Build the message, write it durably, queue it. Returns at once (state 'queued'). */
  async queue(params: OutgoingMessage & { draftId?: string }): Promise<OutboxEntry> {
    const row = params?.accountId ? getAccountRow(this.ctx, params.accountId) : null;
    if (!row) throw new OstalError('not_found', t('errors.accountNotFound'));
    const to = parseRecipients(params.to ?? []);
    const cc = parseRecipients(params.cc ?? []);
    const bcc = parseRecipients(params.bcc ?? []);
    const invalid = [...to.invalid, ...cc.invalid, ...bcc.invalid];
    if (invalid.length)
      throw new OstalError('invalid_input', t('mail.compose.invalidRecipients', { list: invalid.join(', ') }), { details: { invalid } });
    if (to.addresses.length + cc.addresses.length + bcc.addresses.length === 0)
      throw new OstalError('invalid_input', t('mail.compose.noRecipient'));

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
      subject: String(params.subject ?? ''),
      text: String(params.text ?? ''),
      html: params.html,
      attachments,
      messageId,
      inReplyTo: params.inReplyTo ?? null,
      references: Array.isArray(params.references) ? params.references.filter((r) => typeof r === 'string') : [],
    });
    const rawPath = path.join('outbox', `${id}-${crypto.randomBytes(4).toString('hex')}.eml`);
    writeFileDurably(path.join(this.ctx.blobsDir, rawPath), built.raw);
    const before = this.store.get(id);
    this.store.insertQueued({
      id,
      accountId: row.id,
      messageId,
      subject: String(params.subject ?? ''),
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
    });
    const after = this.store.get(id)!;
    if (after.rawPath !== rawPath) {
      // Raced with another send of the same draft: keep the first.
      fs.rmSync(path.join(this.ctx.blobsDir, rawPath), { force: true });
    } else if (before?.rawPath && before.rawPath !== rawPath) {
      fs.rmSync(path.join(this.ctx.blobsDir, before.rawPath), { force: true });
    }
    this.changed(row.id, [id]);
    this.kick();
    return toEntry(after);
  }

  private async readAttachments(list: OutgoingAttachment[]): Promise<RawAttachment[]> {
    const out: RawAttachment[] = [];
    for (const a of list) {
      const filename = String(a?.filename ?? '').trim() || 'piece-jointe';
      let content: Buffer;
      if (typeof a.contentBase64 === 'string') {
        content = Buffer.from(a.contentBase64, 'base64');
      } else if (typeof a.path === 'string') {
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
      out.push({ filename, content, contentType: typeof a.contentType === 'string' && a.contentType ? a.contentType : undefined });
    }
    return out;
  }

  /** Keep a local draft; returns its id. */
  saveDraft(params: Partial<OutgoingMessage> & { accountId: string; id?: string }): { id: string; savedAt: string } {
    const row = params?.accountId ? getAccountRow(this.ctx, params.accountId) : null;
    if (!row) throw new OstalError('not_found', t('errors.accountNotFound'));
    const existing = params.id ? this.store.get(params.id) : null;
    const id = existing && existing.accountId === row.id ? existing.id : crypto.randomUUID();
    const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : typeof v === 'string' && v ? [v] : []);
    const ok = this.store.saveDraft({
      id,
      accountId: row.id,
      messageId: existing?.messageId ?? newMessageId(row.email),
      subject: String(params.subject ?? ''),
      to: list(params.to),
      cc: list(params.cc),
      bcc: list(params.bcc),
      draft: {
        text: params.text ?? '',
        html: params.html ?? null,
        inReplyTo: params.inReplyTo ?? null,
        references: params.references ?? [],
        attachments: (params.attachments ?? []).map((a) => ({ filename: a.filename })),
      },
    });
    if (!ok) throw new OstalError('invalid_input', t('mail.outbox.notRetryable'));
    this.changed(row.id, [id]);
    return { id, savedAt: new Date().toISOString() };
  }

  list(params: { accountId?: string; includeDrafts?: boolean; includeSent?: boolean } = {}): OutboxEntry[] {
    const states: OutboxEntry['state'][] = ['queued', 'sending', 'failed', 'uncertain'];
    if (params.includeDrafts) states.push('draft');
    if (params.includeSent) states.push('sent');
    return this.store.list({ accountId: params.accountId, states }).map(toEntry);
  }

  /** Remove a message that was not sent (never one being sent right now). */
  discard(id: string): { removed: true } {
    const rec = this.store.get(id);
    if (!rec) throw new OstalError('not_found', t('mail.outbox.notFound'));
    if (rec.state === 'sending') throw new OstalError('invalid_input', t('mail.outbox.notRetryable'));
    this.store.delete(id);
    if (rec.rawPath) fs.rmSync(path.join(this.ctx.blobsDir, rec.rawPath), { force: true });
    this.changed(rec.accountId, [id]);
    return { removed: true };
  }

  /**
   * « Renvoyer »: a failed message goes back to the queue. An uncertain one is first looked for in
   * Envoyés by its Message-ID: found means it left, so it is marked sent and NOT sent again.
   */
  async retry(id: string): Promise<OutboxEntry> {
    const rec = this.store.get(id);
    if (!rec) throw new OstalError('not_found', t('mail.outbox.notFound'));
    if (rec.state === 'queued') {
      this.store.requeue(id, null, null);
    } else if (rec.state === 'failed') {
      this.store.requeue(id, null, null);
    } else if (rec.state === 'uncertain') {
      const row = getAccountRow(this.ctx, rec.accountId);
      if (!row) throw new OstalError('not_found', t('errors.accountNotFound'));
      const account = await loadMailAccount(this.ctx, row);
      const client = await connectImap(account, { log: this.ctx.log });
      try {
        const sent = await sentFolderPath(this.ctx, rec.accountId, client);
        const found = sent ? await findByMessageId(client, sent, rec.messageId) : [];
        if (found.length) {
          this.store.markSent(id);
          this.store.markFiled(id);
          this.removeBlob(rec);
          this.ctx.log.info('outbox: uncertain message found in Sent, marked sent', { id });
        } else {
          this.store.requeue(id, null, null);
        }
      } finally {
        await client.logout().catch(() => client.close());
      }
    } else {
      throw new OstalError('invalid_input', t('mail.outbox.notRetryable'));
    }
    this.changed(rec.accountId, [id]);
    this.kick();
    return toEntry(this.store.get(id)!);
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
    const due = this.store.due(new Date().toISOString(), accountId, ignoreBackoff);
    const byAccount = new Map<string, OutboxRecord[]>();
    for (const rec of due) byAccount.set(rec.accountId, [...(byAccount.get(rec.accountId) ?? []), rec]);
    for (const [id, records] of byAccount) await this.sendAccount(id, records);
    const unfiled = this.store.unfiled(accountId);
    const unfiledByAccount = new Map<string, OutboxRecord[]>();
    for (const rec of unfiled) unfiledByAccount.set(rec.accountId, [...(unfiledByAccount.get(rec.accountId) ?? []), rec]);
    for (const [id, records] of unfiledByAccount) await this.fileAccount(id, records);
  }

  private backoffFor(attempts: number): string {
    const delay = Math.min(this.maxBackoffMs, this.backoffMs * 2 ** Math.max(0, attempts - 1));
    return new Date(Date.now() + delay * (0.9 + Math.random() * 0.2)).toISOString();
  }

  private async sendAccount(accountId: string, records: OutboxRecord[]): Promise<void> {
    const row = getAccountRow(this.ctx, accountId);
    if (!row) return;
    let account: MailAccount;
    try {
      account = await loadMailAccount(this.ctx, row);
    } catch (err) {
      const e = err instanceof OstalError ? err : new OstalError('internal', t('errors.internal'), { cause: err });
      for (const rec of records) if (this.store.claim(rec.id)) this.store.markFailed(rec.id, { code: e.code, message: e.message });
      this.changed(
        accountId,
        records.map((r) => r.id),
      );
      return;
    }
    const { host, port } = smtpHost(account);
    let session: SmtpSession | null = null;
    try {
      for (const rec of records) {
        if (this.stopped) return;
        const raw = rec.rawPath ? await fs.promises.readFile(path.join(this.ctx.blobsDir, rec.rawPath)).catch(() => null) : null;
        if (!raw || !rec.envelope) {
          this.store.markFailed(rec.id, { code: 'internal', message: t('errors.internal') });
          this.changed(accountId, [rec.id]);
          continue;
        }
        // Committed before any byte leaves: a crash from here on makes the message 'uncertain', never resent silently.
        if (!this.store.claim(rec.id)) continue;
        this.changed(accountId, [rec.id]);
        let outcome: Outcome;
        let phase: 'session' | 'transaction' = 'session';
        try {
          if (!session) {
            session = new SmtpSession(account);
            await session.open();
          }
          phase = 'transaction';
          const { rejected } = await session.send(rec.envelope, raw);
          outcome = {
            kind: 'sent',
            note: rejected.length
              ? { code: 'partially_rejected', message: t('mail.outbox.rejectedRecipients', { recipients: rejected.join(', ') }) }
              : null,
          };
        } catch (err) {
          outcome = classifySmtpError(err, phase, host, port);
          session?.close();
          session = null;
          this.ctx.log.warn('outbox: send failed', { id: rec.id, outcome: outcome.kind, phase, err: err as Error });
        }
        const attempts = rec.attempts + 1;
        switch (outcome.kind) {
          case 'sent':
            this.store.markSent(rec.id, outcome.note);
            this.ctx.log.info('outbox: message sent', { id: rec.id, size: raw.length });
            break;
          case 'retry': {
            const next = this.backoffFor(attempts);
            const error = { code: outcome.error.code, message: outcome.error.message };
            this.store.requeue(rec.id, next, error);
            // The server is not reachable: the other messages of the account wait as well (no error storm).
            this.store.postpone(accountId, next, error);
            this.changed(
              accountId,
              this.store.list({ accountId, states: ['queued'] }).map((r) => r.id),
            );
            return;
          }
          case 'failed':
            this.store.markFailed(rec.id, { code: outcome.error.code, message: outcome.error.message });
            if (outcome.error.code === 'auth_failed' || outcome.error.code.startsWith('tls_')) {
              this.changed(accountId, [rec.id]);
              return; // the next ones would fail the same way
            }
            break;
          case 'uncertain':
            this.store.markUncertain(rec.id, t('mail.outbox.uncertain'));
            break;
        }
        this.changed(accountId, [rec.id]);
      }
    } finally {
      session?.close();
    }
  }

  /** Put a copy of each sent message in Envoyés with \Seen, unless a message with its Message-ID is already there. */
  private async fileAccount(accountId: string, records: OutboxRecord[]): Promise<void> {
    const row = getAccountRow(this.ctx, accountId);
    if (!row) return;
    let client: ImapFlow | null = null;
    try {
      const account = await loadMailAccount(this.ctx, row);
      client = await connectImap(account, { log: this.ctx.log });
      const sent = await sentFolderPath(this.ctx, accountId, client);
      let filedAny = false;
      for (const rec of records) {
        if (!sent) {
          this.ctx.log.warn('outbox: no Sent folder on the server, copy not filed', { id: rec.id });
          this.store.markFiled(rec.id);
          continue;
        }
        const already = await findByMessageId(client, sent, rec.messageId);
        if (!already.length) {
          const raw = rec.rawPath ? await fs.promises.readFile(path.join(this.ctx.blobsDir, rec.rawPath)).catch(() => null) : null;
          if (raw) {
            await client.append(sent, raw, ['\\Seen']);
            filedAny = true;
          }
        }
        this.store.markFiled(rec.id);
        this.removeBlob(rec);
        this.changed(accountId, [rec.id]);
      }
      if (filedAny && sent) this.ctx.emit('mail.changed', { accountId, folders: [sent] });
    } catch (err) {
      this.ctx.log.warn('outbox: filing in Sent failed, will retry', { account: accountId, err: err as Error });
    } finally {
      if (client) await client.logout().catch(() => client?.close());
    }
  }

  private removeBlob(rec: OutboxRecord): void {
    if (!rec.rawPath) return;
    fs.rmSync(path.join(this.ctx.blobsDir, rec.rawPath), { force: true });
    this.store.clearRawPath(rec.id);
  }

  private changed(accountId: string, ids: string[]): void {
    try {
      this.ctx.emit('outbox.changed', { accountId, ids });
    } catch {
      /* closing */
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
    await this.chain.catch(() => undefined);
  }
}
