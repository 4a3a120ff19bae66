import type { EndpointKind } from '../shared/contract.js';
import { OstalError } from '../errors.js';
import { t } from '../i18n/index.js';

/**
 * A server address as the user, IT policy and the CLI write it:
 * - `imap://host[:143]`  IMAP with STARTTLS (mandatory), `imaps://host[:993]` IMAP over TLS;
 * - `smtp://host[:587]`  submission with STARTTLS (mandatory), `smtps://host[:465]` submission over TLS;
 * - `https://host[:443]/path/` CalDAV, CardDAV, WebDAV (`http://` only for 127.0.0.1/localhost).
 * Plain-text connections are never used for mail: STARTTLS is required.
 */
export interface MailEndpoint {
  protocol: 'imap' | 'smtp';
  host: string;
  port: number;
  /** true: TLS from the first byte; false: STARTTLS upgrade, required. */
  implicitTls: boolean;
  /** Normalized URL, e.g. imaps://mail.example.fr:993 */
  url: string;
}

export interface DavEndpoint {
  protocol: 'dav';
  host: string;
  port: number;
  implicitTls: boolean;
  /** Absolute URL ending with the collection path. */
  url: string;
}

export type Endpoint = MailEndpoint | DavEndpoint;

const DEFAULT_PORTS: Record<string, number> = { 'imap:': 143, 'imaps:': 993, 'smtp:': 587, 'smtps:': 465, 'https:': 443, 'http:': 80 };
const EXAMPLES: Record<EndpointKind, string> = {
  imap: 'imaps://imap.exemple.fr:993, imap://imap.exemple.fr:143',
  smtp: 'smtp://smtp.exemple.fr:587, smtps://smtp.exemple.fr:465',
  caldav: 'https://dav.exemple.fr/',
  carddav: 'https://dav.exemple.fr/',
  webdav: 'https://fichiers.exemple.fr/dav/',
};

function invalid(url: string, kind: EndpointKind): OstalError {
  return new OstalError(
    'invalid_input',
    t('errors.invalidEndpoint', { url, server: t(`accounts.endpoints.${kind}`), examples: EXAMPLES[kind] }),
  );
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '127.0.0.1' || host === '[::1]' || host === '::1';
}

/** Parse an endpoint URL for a given role; throws `invalid_input` (French) when it does not fit. */
export function parseEndpoint(raw: string, kind: 'imap' | 'smtp'): MailEndpoint;
export function parseEndpoint(raw: string, kind: 'caldav' | 'carddav' | 'webdav'): DavEndpoint;
export function parseEndpoint(raw: string, kind: EndpointKind): Endpoint;
export function parseEndpoint(raw: string, kind: EndpointKind): Endpoint {
  const text = raw.trim();
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw invalid(raw, kind);
  }
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (!host || u.username || u.password) throw invalid(raw, kind);
  const port = u.port ? Number(u.port) : DEFAULT_PORTS[u.protocol];
  if (kind === 'imap' || kind === 'smtp') {
    const allowed = kind === 'imap' ? ['imap:', 'imaps:'] : ['smtp:', 'smtps:'];
    if (!allowed.includes(u.protocol) || (u.pathname && u.pathname !== '/') || u.search) throw invalid(raw, kind);
    const implicitTls = u.protocol.endsWith('s:');
    return { protocol: kind, host, port, implicitTls, url: `${u.protocol}//${u.hostname.toLowerCase()}:${port}` };
  }
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && isLoopback(host))) throw invalid(raw, kind);
  u.hash = '';
  const url = u.toString();
  return { protocol: 'dav', host, port, implicitTls: u.protocol === 'https:', url: url.endsWith('/') || u.search ? url : url + '/' };
}

/** `host:port` as shown in messages. */
export function hostPort(e: { host: string; port: number }): string {
  return e.host.includes(':') ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`;
}

/** `xmpp://host[:5222]`: XMPP client connection, STARTTLS required (RFC 6120). */
export function parseXmppEndpoint(raw: string): { host: string; port: number; url: string } {
  const text = raw.trim();
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new OstalError('invalid_input', t('errors.invalidXmppEndpoint', { url: text }));
  }
  if (u.protocol !== 'xmpp:' || !u.hostname || u.username || u.password || (u.pathname && u.pathname !== '/')) {
    throw new OstalError('invalid_input', t('errors.invalidXmppEndpoint', { url: text }));
  }
  const port = u.port ? Number(u.port) : 5222;
  return { host: u.hostname, port, url: `xmpp://${u.hostname}:${port}` };
}
