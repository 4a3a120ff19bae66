import { OstalError } from '../api/errors.js';
import { t } from '../i18n/index.js';

/** Node TLS error codes that mean "this certificate chain is not trusted". */
const UNTRUSTED_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_SIGNATURE_FAILURE',
]);

const TIMEOUT_CODES = new Set(['CONNECT_TIMEOUT', 'GREETING_TIMEOUT', 'UPGRADE_TIMEOUT', 'ETIMEOUT', 'ETIMEDOUT', 'ESOCKETTIMEDOUT']);
const UNREACHABLE_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'EHOSTDOWN', 'ECONNRESET', 'EPIPE', 'NoConnection', 'EConnectionClosed', 'ClosedAfterConnectText', 'ClosedAfterConnectTLS']);

interface ErrorLike {
  code?: unknown;
  authenticationFailed?: unknown;
  serverResponseCode?: unknown;
  _err?: unknown;
  cause?: unknown;
}

/** Every `code` found on the error and the errors it wraps (imapflow keeps the socket error in `_err`). */
function codesOf(err: unknown): string[] {
  const codes: string[] = [];
  let current: unknown = err;
  for (let depth = 0; current && typeof current === 'object' && depth < 5; depth++) {
    const e = current as ErrorLike;
    if (typeof e.code === 'string') codes.push(e.code);
    current = e._err ?? e.cause;
  }
  return codes;
}

/**
 * Map an error from imapflow (or the socket under it) to an OstalError with a French message.
 * `offline`-like codes (unreachable, connection_refused, timeout) mean "try again later";
 * auth_failed and tls_* need the user.
 */
export function imapErrorToOstal(err: unknown, host: string, port: number): OstalError {
  if (err instanceof OstalError) return err;
  const e = (err ?? {}) as ErrorLike;
  const codes = codesOf(err);
  const vars = { host, port };
  if (e.authenticationFailed === true || e.serverResponseCode === 'AUTHENTICATIONFAILED') {
    return new OstalError('auth_failed', t('mail.errors.authFailed', vars), { cause: err });
  }
  if (codes.includes('ERR_TLS_CERT_ALTNAME_INVALID')) {
    return new OstalError('tls_hostname', t('mail.errors.tlsHostname', vars), { cause: err });
  }
  if (codes.some((c) => UNTRUSTED_CODES.has(c))) {
    return new OstalError('tls_untrusted', t('mail.errors.tlsUntrusted', vars), { cause: err });
  }
  if (codes.includes('ECONNREFUSED')) {
    return new OstalError('connection_refused', t('mail.errors.connectionRefused', vars), { cause: err });
  }
  if (codes.some((c) => TIMEOUT_CODES.has(c))) {
    return new OstalError('timeout', t('mail.errors.timeout', vars), { cause: err });
  }
  if (codes.some((c) => UNREACHABLE_CODES.has(c))) {
    return new OstalError('unreachable', t('mail.errors.unreachable', vars), { cause: err });
  }
  return new OstalError('server_error', t('mail.errors.serverError', vars), { cause: err });
}

/** Errors after which the account counts as offline (the server could not be reached at all). */
export function isConnectivityError(err: OstalError): boolean {
  return err.code === 'unreachable' || err.code === 'connection_refused' || err.code === 'timeout' || err.code === 'offline';
}
