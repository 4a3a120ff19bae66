/**
 * The one mapping of connection errors (IMAP, SMTP, DAV: sockets, TLS, DNS, authentication) to an
 * OstalError with a French message. Used by the account checks of the assistant (`src/accounts/
 * checks.ts`, context 'check': names the server, asks the user to act) and by everything that talks
 * to the mail server in the background (context 'mail': says the messages stay readable offline).
 * Both contexts share the classification and the error codes; only the wording differs.
 */
import type { CertificateInfo, ErrorCode } from '../shared/contract.js';
import { OstalError } from '../errors.js';
import { t } from '../i18n/index.js';

/** What went wrong, whatever the library that reported it. */
export type ConnectionFailure = 'auth' | 'tls_hostname' | 'tls_expired' | 'tls_untrusted' | 'refused' | 'not_found' | 'unreachable' | 'timeout' | 'tls_failed' | 'closed' | 'other';

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
const REFUSED = new Set(['ECONNREFUSED', 'ECONNRESET']);
const UNREACHABLE = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'EADDRNOTAVAIL']);
const NOT_FOUND = new Set(['ENOTFOUND', 'ENODATA', 'EAI_NONAME', 'EAI_AGAIN', 'ESERVFAIL', 'ENONAME']);
const TIMEOUT = new Set(['ETIMEDOUT', 'ETIMEOUT', 'CONNECT_TIMEOUT', 'GREETING_TIMEOUT', 'UPGRADE_TIMEOUT', 'SOCKET_TIMEOUT', 'ESOCKETTIMEDOUT', 'GreetingTimeout']);
/** The connection went away under a running session (imapflow's and the socket's words for it). */
const CLOSED = new Set(['NoConnection', 'EPIPE', 'EConnectionClosed', 'ClosedAfterConnectText', 'ClosedAfterConnectTLS']);
const TLS_FAILED = /wrong version number|ERR_SSL|packet length too long|unknown protocol|EPROTO|ETLS/i;

interface ErrorLike {
  code?: unknown;
  originalCode?: unknown;
  serverResponseCode?: unknown;
  authenticationFailed?: unknown;
  message?: unknown;
  cause?: unknown;
  /** imapflow keeps the socket error here. */
  _err?: unknown;
}

/** Every code an error and the errors it wraps carry (`cause`, imapflow's `_err`), the most specific first. */
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

function isAuthFailure(err: unknown): boolean {
  const o = err as ErrorLike | null;
  return !!o && (o.authenticationFailed === true || o.code === 'EAUTH' || o.serverResponseCode === 'AUTHENTICATIONFAILED');
}

export function classifyConnectionError(err: unknown): ConnectionFailure {
  if (isAuthFailure(err)) return 'auth';
  const codes = errorCodes(err);
  const has = (set: Set<string>) => codes.some((c) => set.has(c));
  const message = String((err as Error | null)?.message);
  if (has(HOSTNAME)) return 'tls_hostname';
  if (has(EXPIRED)) return 'tls_expired';
  if (has(UNTRUSTED)) return 'tls_untrusted';
  if (has(REFUSED)) return 'refused';
  if (has(NOT_FOUND)) return 'not_found';
  if (has(UNREACHABLE)) return 'unreachable';
  if (has(TIMEOUT) || /timed? ?out/i.test(message)) return 'timeout';
  if (codes.some((c) => TLS_FAILED.test(c)) || TLS_FAILED.test(message)) return 'tls_failed';
  if (has(CLOSED)) return 'closed';
  return 'other';
}

/** Per failure: the error code, and the French message of each context (keys of src/i18n/fr.json). */
const FAILURES: Record<ConnectionFailure, { code: ErrorCode; check: string; mail: string }> = {
  auth: { code: 'auth_failed', check: 'errors.authFailed', mail: 'mail.errors.authFailed' },
  tls_hostname: { code: 'tls_hostname', check: 'errors.tlsHostname', mail: 'mail.errors.tlsHostname' },
  tls_expired: { code: 'tls_untrusted', check: 'errors.tlsExpired', mail: 'mail.errors.tlsUntrusted' },
  tls_untrusted: { code: 'tls_untrusted', check: 'errors.tlsUntrustedNoCert', mail: 'mail.errors.tlsUntrusted' },
  refused: { code: 'connection_refused', check: 'errors.connectionRefused', mail: 'mail.errors.connectionRefused' },
  not_found: { code: 'unreachable', check: 'errors.hostNotFound', mail: 'mail.errors.unreachable' },
  unreachable: { code: 'unreachable', check: 'errors.unreachable', mail: 'mail.errors.unreachable' },
  closed: { code: 'unreachable', check: 'errors.unreachable', mail: 'mail.errors.unreachable' },
  timeout: { code: 'timeout', check: 'errors.timeout', mail: 'mail.errors.timeout' },
  tls_failed: { code: 'server_error', check: 'errors.tlsFailed', mail: 'mail.errors.serverError' },
  other: { code: 'server_error', check: 'errors.serverError', mail: 'mail.errors.serverError' },
};

/**
 * Map a connection error to an OstalError with a French message. `vars` fill the message: `host`
 * (and `port`) for 'mail'; `server` and `host` ("host:port") for 'check'. With the certificate the
 * server showed, TLS errors carry it (the assistant offers to trust it after checking its fingerprint).
 */
export function connectionErrorToOstal(
  err: unknown,
  context: 'check' | 'mail',
  vars: Record<string, string | number>,
  certificate?: CertificateInfo | null,
): OstalError {
  if (err instanceof OstalError) return err;
  const failure = classifyConnectionError(err);
  const { code, check, mail } = FAILURES[failure];
  if (context === 'mail') return new OstalError(code, t(mail, vars), { cause: err });
  const tls = failure === 'tls_hostname' || failure === 'tls_expired' || failure === 'tls_untrusted';
  if (failure === 'tls_untrusted' && certificate) {
    return new OstalError(code, t('errors.tlsUntrusted', { ...vars, fingerprint: certificate.fingerprint256 }), { cause: err, details: { certificate } });
  }
  return new OstalError(code, t(check, vars), { cause: err, details: tls && certificate ? { certificate } : undefined });
}

/**
 * An error from imapflow or nodemailer (or the socket under them) in the background, as the user
 * reads it. Connectivity codes (unreachable, connection_refused, timeout) mean "try again later";
 * auth_failed and tls_* need the user.
 */
export function imapErrorToOstal(err: unknown, host: string, port: number): OstalError {
  return connectionErrorToOstal(err, 'mail', { host, port });
}

/** Errors after which the account counts as offline (the server could not be reached at all). */
export function isConnectivityError(err: OstalError): boolean {
  return err.code === 'unreachable' || err.code === 'connection_refused' || err.code === 'timeout' || err.code === 'offline';
}
