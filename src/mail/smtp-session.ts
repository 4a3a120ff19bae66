/**
 * SMTP submission for the Boîte d'envoi: one session per account (nodemailer's SMTPConnection, STARTTLS required
 * unless smtps://), sending one message, and what the outcome means for it:
 *  - connectivity and 4xx errors: 'retry' (the queue backs off);
 *  - 5xx, refused password, untrusted certificate: 'failed' with a French message;
 *  - the connection lost after the message data left without the final reply: 'uncertain'.
 */
import type SMTPConnection from 'nodemailer/lib/smtp-connection';
import { OstalError } from '../errors.js';
import { t } from '../i18n/index.js';
import { parseEndpoint } from '../accounts/endpoints.js';
import { imapErrorToOstal, isConnectivityError } from './errors.js';
import type { MailAccount } from './imap-client.js';
import { tlsOptionsFor } from '../net/tls.js';

const SMTP_TIMEOUT_MS = 15_000;

/** What became of one message handed to the SMTP server. */
export type SendOutcome =
  { kind: 'sent'; note: { code: string; message: string } | null } | { kind: 'retry' | 'failed' | 'uncertain'; error: OstalError };

/** 'session' = connect/STARTTLS/login (nothing was sent yet); 'transaction' = MAIL/RCPT/DATA. */
export type SmtpPhase = 'session' | 'transaction';

export function smtpHost(account: MailAccount): { host: string; port: number } {
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
export function classifySmtpError(err: unknown, phase: SmtpPhase, host: string, port: number): SendOutcome {
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
export class SmtpSession {
  private conn: SMTPConnection | null = null;
  private lastError: unknown = null;

  constructor(private readonly account: MailAccount) {}

  async open(): Promise<void> {
    const endpoint = parseEndpoint(this.account.settings.smtp, 'smtp');
    const { default: SMTPConnection } = await import('nodemailer/lib/smtp-connection'); // loaded on first use
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

/** The result of handing one message to the server; `err` is the error behind a non-'sent' outcome (for the log). */
export interface SubmitResult {
  outcome: SendOutcome;
  phase: SmtpPhase;
  err?: unknown;
}

/**
 * Sends the messages of one account over one session: opened at the first message, closed after an error
 * (the next message opens a new one), and by close().
 */
export class SmtpSubmitter {
  private session: SmtpSession | null = null;
  private readonly host: string;
  private readonly port: number;

  constructor(private readonly account: MailAccount) {
    ({ host: this.host, port: this.port } = smtpHost(account));
  }

  /** Send one message and say what became of it (never throws). */
  async submit(envelope: { from: string; to: string[] }, raw: Buffer): Promise<SubmitResult> {
    let phase: SmtpPhase = 'session';
    try {
      if (!this.session) {
        this.session = new SmtpSession(this.account);
        await this.session.open();
      }
      phase = 'transaction';
      const { rejected } = await this.session.send(envelope, raw);
      return {
        phase,
        outcome: {
          kind: 'sent',
          note: rejected.length
            ? { code: 'partially_rejected', message: t('mail.outbox.rejectedRecipients', { recipients: rejected.join(', ') }) }
            : null,
        },
      };
    } catch (err) {
      const outcome = classifySmtpError(err, phase, this.host, this.port);
      this.close();
      return { outcome, phase, err };
    }
  }

  close(): void {
    this.session?.close();
    this.session = null;
  }
}
