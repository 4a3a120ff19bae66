/**
 * The one classifier of network and TLS errors of Ostal (IMAP, SMTP, CalDAV, CardDAV, WebDAV, discovery), whatever
 * the library that reported them (Node sockets, imapflow, nodemailer): one cause, one ErrorCode of the contract and
 * one French message per cause (`net.errors.*` in src/i18n/fr.json), the same in Courrier, Agenda, Contacts and
 * Fichiers. Protocol-specific failures (a refused password, an IMAP NO, an HTTP status) are the callers' business.
 */
import type { ErrorCode } from '../shared/contract.js';
import { OstalError } from '../errors.js';
import { t } from '../i18n/index.js';

/** What went wrong on the network, whatever the library that reported it. */
export type NetworkFailure =
  | 'tls_hostname'
  | 'tls_expired'
  | 'tls_untrusted'
  | 'refused'
  | 'not_found'
  | 'unreachable'
  | 'timeout'
  | 'tls_failed'
  | 'interrupted'
  | 'proxy_auth'
  | 'proxy_refused'
  | 'proxy_unreachable'
  | 'proxy_pac';

/** The server the failed connection was meant for: named in the message. */
export interface NetworkTarget {
  host: string;
  port: number;
}

const UNTRUSTED = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_REJECTED',
  'INVALID_CA',
  'CERT_REVOKED',
]);
const EXPIRED = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);
const HOSTNAME = new Set(['ERR_TLS_CERT_ALTNAME_INVALID', 'HOSTNAME_MISMATCH']);
const REFUSED = new Set(['ECONNREFUSED']);
const UNREACHABLE = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'EADDRNOTAVAIL']);
const NOT_FOUND = new Set(['ENOTFOUND', 'ENODATA', 'EAI_NONAME', 'EAI_AGAIN', 'ESERVFAIL', 'ENONAME']);
const TIMEOUT = new Set([
  'ETIMEDOUT',
  'ETIMEOUT',
  'CONNECT_TIMEOUT',
  'GREETING_TIMEOUT',
  'UPGRADE_TIMEOUT',
  'SOCKET_TIMEOUT',
  'ESOCKETTIMEDOUT',
  'GreetingTimeout',
]);
/** The connection went away under a running exchange (the socket's, imapflow's and nodemailer's words for it). */
const INTERRUPTED = new Set([
  'ECONNRESET',
  'EPIPE',
  'ECONNABORTED',
  'NoConnection',
  'EConnectionClosed',
  'ClosedAfterConnectText',
  'ClosedAfterConnectTLS',
]);
const TLS_FAILED = /wrong version number|ERR_SSL|packet length too long|unknown protocol|EPROTO|ETLS/i;

interface ErrorLike {
  code?: unknown;
  originalCode?: unknown;
  serverResponseCode?: unknown;
  message?: unknown;
  cause?: unknown;
  /** imapflow keeps the socket error here. */
  _err?: unknown;
}

/** Every code an error and the errors it wraps carry (`cause`, imapflow's `_err`), the innermost first. */
export function errorCodes(err: unknown): string[] {
  const codes: string[] = [];
  const seen = new Set<unknown>();
  let e: unknown = err;
  while (e && typeof e === 'object' && !seen.has(e)) {
    seen.add(e);
    const o = e as ErrorLike;
    for (const c of [o.originalCode, o.code, o.serverResponseCode]) if (typeof c === 'string') codes.unshift(c);
    if (typeof o.message === 'string') {
      const m = o.message.match(/\b(E[A-Z]{3,}|[A-Z_]*CERT[A-Z_]*|ERR_[A-Z_]+)\b/g);
      if (m) codes.push(...m);
    }
    e = o._err ?? o.cause;
  }
  return codes;
}

/** The network cause of an error, or null when it is not a network or TLS failure (a protocol answer, a bug…). */
export function networkFailure(err: unknown): NetworkFailure | null {
  const codes = errorCodes(err);
  const has = (set: Set<string>) => codes.some((c) => set.has(c));
  const message = String((err as Error | null)?.message);
  // The proxy's own failures first: an unreachable proxy carries the socket's ECONNREFUSED as its cause.
  if (codes.includes('PROXY_AUTH_REQUIRED')) return 'proxy_auth';
  if (codes.includes('PROXY_REFUSED')) return 'proxy_refused';
  if (codes.includes('PROXY_UNREACHABLE')) return 'proxy_unreachable';
  if (codes.includes('PROXY_PAC_FAILED')) return 'proxy_pac';
  if (has(HOSTNAME)) return 'tls_hostname';
  if (has(EXPIRED)) return 'tls_expired';
  if (has(UNTRUSTED)) return 'tls_untrusted';
  if (has(REFUSED)) return 'refused';
  if (has(NOT_FOUND)) return 'not_found';
  if (has(UNREACHABLE)) return 'unreachable';
  if (has(TIMEOUT) || /timed? ?out/i.test(message)) return 'timeout';
  if (codes.some((c) => TLS_FAILED.test(c)) || TLS_FAILED.test(message)) return 'tls_failed';
  if (has(INTERRUPTED) || /socket hang up/i.test(message)) return 'interrupted';
  return null;
}

/** Per cause: the contract's error code and the French message (key of src/i18n/fr.json, vars `host` and `port`). */
export const NETWORK_FAILURES: Record<NetworkFailure, { code: ErrorCode; message: string }> = {
  tls_hostname: { code: 'tls_hostname', message: 'net.errors.tlsHostname' },
  tls_expired: { code: 'tls_untrusted', message: 'net.errors.tlsExpired' },
  tls_untrusted: { code: 'tls_untrusted', message: 'net.errors.tlsUntrusted' },
  refused: { code: 'connection_refused', message: 'net.errors.connectionRefused' },
  not_found: { code: 'unreachable', message: 'net.errors.hostNotFound' },
  unreachable: { code: 'unreachable', message: 'net.errors.unreachable' },
  timeout: { code: 'timeout', message: 'net.errors.timeout' },
  tls_failed: { code: 'server_error', message: 'net.errors.tlsFailed' },
  interrupted: { code: 'unreachable', message: 'net.errors.interrupted' },
  proxy_auth: { code: 'unreachable', message: 'net.errors.proxyAuth' },
  proxy_refused: { code: 'unreachable', message: 'net.errors.proxyRefused' },
  proxy_unreachable: { code: 'unreachable', message: 'net.errors.proxyUnreachable' },
  proxy_pac: { code: 'unreachable', message: 'net.errors.proxyPac' },
};

/** The French OstalError of a network cause, for the server `target`. */
export function networkErrorOf(failure: NetworkFailure, target: NetworkTarget, cause?: unknown): OstalError {
  const { code, message } = NETWORK_FAILURES[failure];
  return new OstalError(code, t(message, { host: target.host, port: target.port }), { cause });
}

/**
 * Map a network or TLS error to an OstalError with the one French message of its cause. An OstalError is returned
 * as is; an error of no known cause counts as an unreachable server (callers that can tell a protocol failure
 * apart, such as mail/errors.ts, ask networkFailure() first).
 */
export function classifyNetworkError(err: unknown, target: NetworkTarget): OstalError {
  if (err instanceof OstalError) return err;
  return networkErrorOf(networkFailure(err) ?? 'unreachable', target, err);
}

/** Errors after which the account counts as offline (the server could not be reached at all). */
export function isConnectivityError(err: OstalError): boolean {
  return err.code === 'unreachable' || err.code === 'connection_refused' || err.code === 'timeout' || err.code === 'offline';
}
