/**
 * Errors of the mail protocols (imapflow, nodemailer, the sockets under them) as the user reads them in Courrier:
 * a refused password and the server's own failures are said here in mail's words; network and TLS causes get the
 * one message per cause of src/net/errors.ts, the same as in Agenda, Contacts and Fichiers.
 */
import { OstalError } from '../errors.js';
import { t } from '../i18n/index.js';
import { networkErrorOf, networkFailure } from '../net/errors.js';

export { isConnectivityError } from '../net/errors.js';

interface AuthErrorLike {
  code?: unknown;
  serverResponseCode?: unknown;
  authenticationFailed?: unknown;
}

/** imapflow's and nodemailer's ways of saying the server refused the login or password. */
export function isAuthFailure(err: unknown): boolean {
  const o = err as AuthErrorLike | null;
  return (
    !!o &&
    typeof o === 'object' &&
    (o.authenticationFailed === true || o.code === 'EAUTH' || o.serverResponseCode === 'AUTHENTICATIONFAILED')
  );
}

/**
 * An error from imapflow or nodemailer (or the socket under them) in the background, as the user reads it.
 * Connectivity codes (unreachable, connection_refused, timeout) mean "try again later"; auth_failed and tls_*
 * need the user; anything else is the server's failure (an IMAP NO or BAD, an SMTP refusal…).
 */
export function imapErrorToOstal(err: unknown, host: string, port: number): OstalError {
  if (err instanceof OstalError) return err;
  if (isAuthFailure(err)) return new OstalError('auth_failed', t('mail.errors.authFailed', { host, port }), { cause: err });
  const failure = networkFailure(err);
  if (failure) return networkErrorOf(failure, { host, port }, err);
  return new OstalError('server_error', t('mail.errors.serverError', { host, port }), { cause: err });
}
