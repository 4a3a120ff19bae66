import net from 'node:net';
import tls from 'node:tls';
import type { ImapFlow, Logger as ImapLogger } from 'imapflow';
import type { ServerSettings } from '../shared/contract.js';
import { OstalError } from '../errors.js';
import { t } from '../i18n/index.js';
import type { Logger } from '../log.js';
import { tlsOptionsFor } from '../net/tls.js';
import { imapErrorToOstal } from './errors.js';

/** What the mail engine needs to reach an account's IMAP server. */
export interface MailAccount {
  id: string;
  email: string;
  name: string;
  settings: ServerSettings;
  /** PEM certificates the user chose to trust for this account (in addition to the system store). */
  pinnedCertificates: string[];
  password: string;
}

export interface ImapEndpoint {
  host: string;
  port: number;
  /** true = implicit TLS (imaps://), false = STARTTLS required (imap://). */
  secure: boolean;
}

export const IMAP_TIMEOUT_MS = 10_000;

/** `imap://host[:143]` (STARTTLS, required) or `imaps://host[:993]` (implicit TLS). */
export function parseImapUrl(url: string): ImapEndpoint {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new OstalError('invalid_input', t('errors.invalidRequest'));
  }
  const secure = parsed.protocol === 'imaps:';
  if (!secure && parsed.protocol !== 'imap:') throw new OstalError('invalid_input', t('errors.invalidRequest'));
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = parsed.port ? Number(parsed.port) : secure ? 993 : 143;
  return { host, port, secure };
}

/** imapflow's logger, with the method imapflow asks before building a costly line (its types omit it). */
type ImapLevelLogger = ImapLogger & { isLevelEnabled(level: string): boolean };

/**
 * imapflow's logger routed to ours: only warnings and errors, and only when OSTAL_DEBUG_IMAP=1 everything at info.
 * `isLevelEnabled` says so to imapflow: without it, imapflow turns every command and response back into text for a
 * debug line that is then dropped (~40 ms of a no-change resync of ten folders).
 */
function imapLogger(log: Logger | undefined): ImapLevelLogger | false {
  if (!log) return false;
  const verbose = process.env.OSTAL_DEBUG_IMAP === '1';
  const pick = (obj: { msg?: string; err?: unknown; cid?: string }) => ({ cid: obj?.cid, err: obj?.err });
  return {
    debug: (obj) => (verbose ? log.info(`imap: ${String(obj?.msg ?? '')}`, pick(obj)) : undefined),
    info: (obj) => (verbose ? log.info(`imap: ${String(obj?.msg ?? '')}`, pick(obj)) : undefined),
    warn: (obj) => log.warn(`imap: ${String(obj?.msg ?? '')}`, pick(obj)),
    error: (obj) => log.error(`imap: ${String(obj?.msg ?? '')}`, pick(obj)),
    // trace (each FETCH response, bodies included) has no method here: never taken.
    isLevelEnabled: (level) =>
      level === 'warn' || level === 'error' || level === 'fatal' || (verbose && (level === 'debug' || level === 'info')),
  };
}

/** Open and authenticate an IMAP connection for an account. Throws OstalError with a French message. */
/** `idle: true` keeps the connection for IDLE (restarted every minute, below the socket timeout). */
export async function connectImap(
  account: MailAccount,
  options: { log?: Logger; timeoutMs?: number; idle?: boolean; qresync?: boolean } = {},
): Promise<ImapFlow> {
  const endpoint = parseImapUrl(account.settings.imap);
  const timeout = options.timeoutMs ?? IMAP_TIMEOUT_MS;
  // Loaded on first use (about 100 ms): commands and views that never talk IMAP do not pay for it.
  const { ImapFlow } = await import('imapflow');
  const client = new ImapFlow({
    host: endpoint.host,
    port: endpoint.port,
    secure: endpoint.secure,
    doSTARTTLS: endpoint.secure ? undefined : true,
    tls: tlsOptionsFor(endpoint.host, account.pinnedCertificates),
    auth: { user: account.settings.username || account.email, pass: account.password },
    logger: imapLogger(options.log),
    clientInfo: { name: 'Ostal' },
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: 120_000,
    disableAutoIdle: !options.idle,
    maxIdleTime: options.idle ? 60_000 : undefined,
    // ENABLE QRESYNC where the server offers it (the folder sync only: its EXAMINE then brings flags and VANISHED).
    qresync: options.qresync ?? false,
  });
  // An error event without listener would crash the process; the failing command rejects anyway.
  client.on('error', (err: unknown) => options.log?.warn('imap connection error', { err: err as Error, account: account.id }));
  try {
    await client.connect();
  } catch (err) {
    client.close();
    throw imapErrorToOstal(err, endpoint.host, endpoint.port);
  }
  return client;
}

/**
 * Cheap reachability check of an IMAP server: TCP (imap://) or verified TLS (imaps://) connect and
 * wait for the server greeting, then hang up. No login. Throws OstalError on failure.
 */
export function probeImap(endpoint: ImapEndpoint, options: { pinnedCertificates?: string[]; timeoutMs?: number } = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 4000;
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const socket: net.Socket = endpoint.secure
      ? tls.connect({ host: endpoint.host, port: endpoint.port, ...tlsOptionsFor(endpoint.host, options.pinnedCertificates ?? []) })
      : net.connect({ host: endpoint.host, port: endpoint.port });
    const finish = (err?: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.removeAllListeners('data');
      socket.on('error', () => {});
      socket.destroy();
      if (err) reject(imapErrorToOstal(err, endpoint.host, endpoint.port));
      else resolve();
    };
    const timer = setTimeout(() => finish(Object.assign(new Error('probe timeout'), { code: 'ETIMEDOUT' })), timeoutMs);
    socket.setNoDelay(true);
    socket.once('error', finish);
    socket.once('close', () => finish(Object.assign(new Error('closed before greeting'), { code: 'EConnectionClosed' })));
    let buffer = '';
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('latin1');
      if (buffer.includes('\n')) {
        if (/^\* (OK|PREAUTH)/i.test(buffer)) finish();
        else finish(Object.assign(new Error(`unexpected greeting: ${buffer.slice(0, 80)}`), { code: 'InvalidResponse' }));
      }
    });
  });
}
