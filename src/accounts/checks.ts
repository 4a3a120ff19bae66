import { X509Certificate } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import type { ImapFlow } from 'imapflow';
import type { Transporter } from 'nodemailer';
import type { CertificateInfo, EndpointCheck, EndpointKind, ErrorCode, ServerSettings } from '../shared/contract.js';
import { OstalError } from '../errors.js';
import { t } from '../i18n/index.js';
import type { Logger } from '../log.js';
import { silentLogger } from '../log.js';
import { isAuthFailure } from '../mail/errors.js';
import { createResolver, lookupFor, networkEnv, resolveHost } from '../net/dns.js';
import { NETWORK_FAILURES, networkFailure, type NetworkFailure } from '../net/errors.js';
import { httpRequest } from '../net/http.js';
import { tlsOptionsFor } from '../net/tls.js';
import { hostPort, parseEndpoint, type DavEndpoint, type Endpoint, type MailEndpoint } from './endpoints.js';

export interface CheckOptions {
  /** PEM certificates the user chose to trust for this account, on top of the system's. */
  pinnedCertificates?: readonly string[];
  log?: Logger;
  env?: NodeJS.ProcessEnv;
  /** Connection and greeting timeout per endpoint, ms. */
  timeoutMs?: number;
}

/**
 * How the assistant opens a TLS connection to an endpoint: the TLS options of every connection
 * (src/net/tls.ts: verified always, pinned certificates added to the trusted ones). With
 * OSTAL_DNS_SERVERS, the host is resolved through those servers and the connection goes to
 * the address while the certificate is checked against the name.
 */
export interface TlsTarget {
  /** Address or name to connect to. */
  connectHost: string;
  port: number;
  tls: tls.ConnectionOptions;
}

export async function tlsTargetFor(endpoint: Endpoint, options: Pick<CheckOptions, 'pinnedCertificates' | 'env'> = {}): Promise<TlsTarget> {
  const netEnv = networkEnv(options.env);
  const tlsOptions = tlsOptionsFor(endpoint.host, options.pinnedCertificates);
  let connectHost = endpoint.host;
  if (netEnv.dnsServers && !net.isIP(endpoint.host)) {
    const [first] = await resolveHost(endpoint.host, createResolver(netEnv));
    connectHost = first.address;
  }
  return { connectHost, port: endpoint.port, tls: tlsOptions };
}

/**
 * The assistant's wording of each network cause (classified by src/net/errors.ts, with the same error codes):
 * while the user is setting an account up, the message names which of its servers failed, and says nothing
 * was saved.
 */
const CHECK_MESSAGES: Record<NetworkFailure | 'auth' | 'other', string> = {
  auth: 'errors.authFailed',
  tls_hostname: 'errors.tlsHostname',
  tls_expired: 'errors.tlsExpired',
  tls_untrusted: 'errors.tlsUntrustedNoCert',
  refused: 'errors.connectionRefused',
  not_found: 'errors.hostNotFound',
  unreachable: 'errors.unreachable',
  interrupted: 'errors.unreachable',
  timeout: 'errors.timeout',
  tls_failed: 'errors.tlsFailed',
  proxy_auth: 'net.errors.proxyAuth',
  proxy_refused: 'net.errors.proxyRefused',
  proxy_unreachable: 'net.errors.proxyUnreachable',
  proxy_pac: 'net.errors.proxyPac',
  other: 'errors.serverError',
};

/**
 * Turn a connection failure into a French OstalError naming the server and host:port. With the certificate the
 * server showed, TLS errors carry it (the assistant offers to trust it after checking its fingerprint).
 */
export function describeConnectionError(
  err: unknown,
  kind: EndpointKind,
  endpoint: Endpoint,
  certificate?: CertificateInfo | null,
): OstalError {
  if (err instanceof OstalError) return err;
  const vars = { server: t(`accounts.endpoints.${kind}`), host: hostPort(endpoint) };
  const failure = isAuthFailure(err) ? 'auth' : (networkFailure(err) ?? 'other');
  const code: ErrorCode = failure === 'auth' ? 'auth_failed' : failure === 'other' ? 'server_error' : NETWORK_FAILURES[failure].code;
  if (failure === 'tls_untrusted' && certificate) {
    return new OstalError(code, t('errors.tlsUntrusted', { ...vars, fingerprint: certificate.fingerprint256 }), {
      cause: err,
      details: { certificate },
    });
  }
  const tlsFailure = failure === 'tls_hostname' || failure === 'tls_expired' || failure === 'tls_untrusted';
  return new OstalError(code, t(CHECK_MESSAGES[failure], vars), {
    cause: err,
    details: tlsFailure && certificate ? { certificate } : undefined,
  });
}

function needsCertificate(err: unknown): boolean {
  if (isAuthFailure(err)) return false;
  const failure = networkFailure(err);
  return failure === 'tls_untrusted' || failure === 'tls_expired' || failure === 'tls_hostname';
}

function toPem(raw: Buffer): string {
  const b64 = raw.toString('base64').replace(/(.{64})/g, '$1\n');
  return `-----BEGIN CERTIFICATE-----\n${b64.replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
}

export function certificateInfo(raw: Buffer): CertificateInfo {
  const x = new X509Certificate(raw);
  return {
    subject: x.subject,
    issuer: x.issuer,
    validFrom: x.validFrom,
    validTo: x.validTo,
    fingerprint256: x.fingerprint256,
    pem: toPem(raw),
  };
}

/** Read lines from a plain socket until `done(line)` says so. */
function readUntil(socket: net.Socket, done: (line: string) => boolean, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => finish(new Error('timed out waiting for the server')), timeoutMs);
    const onData = (chunk: Buffer) => {
      buf += chunk.toString('latin1');
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i).replace(/\r$/, '');
        buf = buf.slice(i + 1);
        if (done(line)) return finish();
      }
    };
    const onEnd = () => finish(new Error('connection closed'));
    const finish = (err?: Error) => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('error', finish);
      socket.off('end', onEnd);
      if (err) reject(err);
      else resolve();
    };
    socket.on('data', onData);
    socket.on('error', finish);
    socket.on('end', onEnd);
  });
}

/**
 * Read the certificate a server presents, WITHOUT trusting it: only to show the user its
 * fingerprint after a verified connection failed. Nothing is sent but the protocol's
 * STARTTLS preamble; the connection is closed right after the handshake.
 */
export async function fetchPeerCertificate(
  endpoint: Endpoint,
  options: Pick<CheckOptions, 'env' | 'timeoutMs'> = {},
): Promise<CertificateInfo | null> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const target = await tlsTargetFor(endpoint, { env: options.env });
  const servername = target.tls.servername;
  let plain: net.Socket | undefined;
  try {
    if (!endpoint.implicitTls && endpoint.protocol !== 'dav') {
      plain = net.connect({ host: target.connectHost, port: endpoint.port });
      await new Promise<void>((resolve, reject) => {
        plain!.once('connect', resolve);
        plain!.once('error', reject);
      });
      if (endpoint.protocol === 'imap') {
        const greeting = readUntil(plain, (l) => l.startsWith('* '), timeoutMs);
        await greeting;
        const ok = readUntil(plain, (l) => l.startsWith('A1 '), timeoutMs);
        plain.write('A1 STARTTLS\r\n');
        await ok;
      } else {
        await readUntil(plain, (l) => /^220 /.test(l), timeoutMs);
        const ehlo = readUntil(plain, (l) => /^\d{3} /.test(l), timeoutMs);
        plain.write('EHLO ostal.invalid\r\n');
        await ehlo;
        const ready = readUntil(plain, (l) => /^\d{3} /.test(l), timeoutMs);
        plain.write('STARTTLS\r\n');
        await ready;
      }
    }
    const socket = await new Promise<tls.TLSSocket>((resolve, reject) => {
      const s = tls.connect({
        ...(plain ? { socket: plain } : { host: target.connectHost, port: endpoint.port }),
        servername,
        rejectUnauthorized: false,
      });
      const timer = setTimeout(() => {
        s.destroy();
        reject(new Error('TLS handshake timed out'));
      }, timeoutMs);
      s.once('secureConnect', () => {
        clearTimeout(timer);
        resolve(s);
      });
      s.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
    const cert = socket.getPeerCertificate();
    socket.destroy();
    return cert?.raw ? certificateInfo(cert.raw) : null;
  } catch {
    plain?.destroy();
    return null;
  }
}

async function fail(err: unknown, kind: EndpointKind, endpoint: Endpoint, options: CheckOptions): Promise<OstalError> {
  const cert = needsCertificate(err) ? await fetchPeerCertificate(endpoint, options) : null;
  const error = describeConnectionError(err, kind, endpoint, cert);
  (options.log ?? silentLogger).warn('endpoint check failed', { kind, endpoint: endpoint.url, code: error.code, err: err as Error });
  return error;
}

export async function checkImap(endpoint: MailEndpoint, user: string, password: string, options: CheckOptions = {}): Promise<void> {
  let client: ImapFlow | undefined;
  try {
    const target = await tlsTargetFor(endpoint, options);
    const timeout = options.timeoutMs ?? 8000;
    const { ImapFlow } = await import('imapflow'); // loaded on first use, as in mail/imap-client.ts
    client = new ImapFlow({
      host: target.connectHost,
      port: endpoint.port,
      secure: endpoint.implicitTls,
      doSTARTTLS: endpoint.implicitTls ? undefined : true,
      servername: target.tls.servername,
      tls: target.tls,
      auth: { user, pass: password },
      logger: false,
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout * 2,
      verifyOnly: true,
    });
    client.on('error', () => {
      /* reported by connect() */
    });
    await client.connect();
  } catch (err) {
    throw await fail(err, 'imap', endpoint, options);
  } finally {
    client?.close();
  }
}

export async function checkSmtp(endpoint: MailEndpoint, user: string, password: string, options: CheckOptions = {}): Promise<void> {
  let transport: Transporter | undefined;
  try {
    const target = await tlsTargetFor(endpoint, options);
    const timeout = options.timeoutMs ?? 8000;
    const { default: nodemailer } = await import('nodemailer'); // loaded on first use
    transport = nodemailer.createTransport({
      host: target.connectHost,
      port: endpoint.port,
      secure: endpoint.implicitTls,
      requireTLS: !endpoint.implicitTls,
      tls: target.tls,
      auth: { user, pass: password },
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout * 2,
      logger: false,
      debug: false,
    });
    await transport.verify();
  } catch (err) {
    throw await fail(err, 'smtp', endpoint, options);
  } finally {
    transport?.close();
  }
}

export async function checkDav(
  kind: 'caldav' | 'carddav' | 'webdav',
  endpoint: DavEndpoint,
  user: string,
  password: string,
  options: CheckOptions = {},
): Promise<void> {
  const server = t(`accounts.endpoints.${kind}`);
  const host = hostPort(endpoint);
  let status: number;
  try {
    const netEnv = networkEnv(options.env);
    const res = await httpRequest(endpoint.url, {
      method: 'PROPFIND',
      headers: { Depth: '0', 'Content-Type': 'application/xml; charset=utf-8' },
      body: '<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:"><d:prop><d:resourcetype/></d:prop></d:propfind>',
      basicAuth: { user, pass: password },
      lookup: lookupFor(netEnv.dnsServers ? createResolver(netEnv) : null),
      pinnedCertificates: options.pinnedCertificates,
      timeoutMs: options.timeoutMs ?? 8000,
      maxBytes: 64 * 1024,
    });
    status = res.status;
  } catch (err) {
    throw await fail(err, kind, endpoint, options);
  }
  if (status === 401 || status === 403) throw new OstalError('auth_failed', t('errors.authFailed', { server, host }));
  if (status === 404) throw new OstalError('server_error', t('errors.davNotFound', { server, host, url: endpoint.url }));
  if (status !== 207 && (status < 200 || status >= 300)) {
    (options.log ?? silentLogger).warn('DAV check: unexpected status', { kind, url: endpoint.url, status });
    throw new OstalError('server_error', t('errors.serverError', { server, host }));
  }
}

/** The login name: the explicit username, else the address. */
export function loginName(email: string, settings: ServerSettings): string {
  return settings.username?.trim() || email.trim();
}

/**
 * Test every configured endpoint with these credentials, in parallel. Each result says ok or
 * carries the French error (with the certificate to show for `tls_untrusted`).
 * Malformed URLs give an `invalid_input` result for that endpoint.
 */
export async function checkEndpoints(
  email: string,
  password: string,
  settings: ServerSettings,
  options: CheckOptions = {},
): Promise<EndpointCheck[]> {
  const user = loginName(email, settings);
  const kinds: EndpointKind[] = ['imap', 'smtp', 'caldav', 'carddav', 'webdav'];
  const checks = kinds
    .filter((kind) => kind === 'imap' || kind === 'smtp' || !!settings[kind])
    .map(async (kind): Promise<EndpointCheck> => {
      try {
        const url = settings[kind] ?? '';
        if (kind === 'imap') await checkImap(parseEndpoint(url, 'imap'), user, password, options);
        else if (kind === 'smtp') await checkSmtp(parseEndpoint(url, 'smtp'), user, password, options);
        else await checkDav(kind, parseEndpoint(url, kind), user, password, options);
        return { kind, ok: true };
      } catch (err) {
        const e = err instanceof OstalError ? err : new OstalError('internal', t('errors.internal'), { cause: err });
        if (!(err instanceof OstalError)) (options.log ?? silentLogger).error('endpoint check crashed', { kind, err: err as Error });
        return { kind, ok: false, error: e.toApiError() };
      }
    });
  return Promise.all(checks);
}
