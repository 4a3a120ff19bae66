/**
 * A small WebDAV client (CalDAV, CardDAV) over node:https: Basic auth, TLS verified (system CAs,
 * NODE_EXTRA_CA_CERTS, and the account's pinned certificates), Content-Length always set, timeouts,
 * and French OstalErrors. XML answers are parsed with fast-xml-parser, namespace prefixes removed.
 */
import http from 'node:http';
import https from 'node:https';
import { XMLParser } from 'fast-xml-parser';
import { OstalError } from '../errors.js';
import { t } from '../i18n/index.js';
import { tlsOptionsFor } from '../mail/imap-client.js';

export interface DavCredentials {
  username: string;
  password: string;
  pinnedCertificates: string[];
}

export interface DavResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One `<response>` of a 207 multistatus: its href and the properties found with status 200. */
export interface DavEntry {
  href: string;
  status: number | null;
  props: Record<string, unknown>;
}

/** Requests sent, by kind: tests use it to check that an unchanged resync fetches nothing. */
export const davRequestStats = { total: 0, byKind: {} as Record<string, number> };

const TIMEOUT_MS = 20_000;

const UNTRUSTED_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
]);

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: false,
  isArray: (name) => name === 'response' || name === 'propstat' || name === 'href',
});

function networkError(err: unknown, host: string): OstalError {
  const code = (err as { code?: string })?.code ?? '';
  const vars = { host };
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return new OstalError('tls_hostname', t('dav.errors.tlsHostname', vars), { cause: err });
  if (UNTRUSTED_CODES.has(code)) return new OstalError('tls_untrusted', t('dav.errors.tlsUntrusted', vars), { cause: err });
  if (code === 'ECONNREFUSED') return new OstalError('connection_refused', t('dav.errors.connectionRefused', vars), { cause: err });
  if (code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT') return new OstalError('timeout', t('dav.errors.timeout', vars), { cause: err });
  return new OstalError('unreachable', t('dav.errors.unreachable', vars), { cause: err });
}

/** Text content of a parsed XML node (fast-xml-parser gives a string, or an object with `#text`). */
export function textOf(node: unknown): string | null {
  if (node === undefined || node === null) return null;
  if (typeof node === 'string') return node;
  if (typeof node === 'number') return String(node);
  if (typeof node === 'object' && '#text' in (node as Record<string, unknown>)) return textOf((node as Record<string, unknown>)['#text']);
  return null;
}

/** The first `<href>` inside a property (current-user-principal, calendar-home-set…), decoded. */
export function hrefIn(node: unknown): string | null {
  if (!node || typeof node !== 'object') return null;
  const hrefs = (node as Record<string, unknown>).href;
  const href = Array.isArray(hrefs) ? textOf(hrefs[0])?.trim() : null;
  return href ? decodeHref(href) : null;
}

export class DavClient {
  private readonly base: URL;
  private readonly agent: http.Agent;

  constructor(
    baseUrl: string,
    private readonly credentials: DavCredentials,
  ) {
    this.base = new URL(baseUrl);
    const secure = this.base.protocol === 'https:';
    this.agent = secure
      ? new https.Agent({ keepAlive: true, maxSockets: 2, ...tlsOptionsFor(this.base.hostname, credentials.pinnedCertificates) })
      : new http.Agent({ keepAlive: true, maxSockets: 2 });
  }

  /** Absolute URL of an href (path or URL) relative to the server. */
  resolve(href: string): URL {
    return new URL(href, this.base);
  }

  close(): void {
    this.agent.destroy();
  }

  async request(method: string, href: string, options: { body?: string; depth?: '0' | '1'; contentType?: string; headers?: Record<string, string>; kind?: string } = {}): Promise<DavResponse> {
    const url = this.resolve(href.startsWith('/') ? encodeHref(href) : href);
    const body = options.body === undefined ? undefined : Buffer.from(options.body, 'utf8');
    const headers: Record<string, string> = {
      Authorization: `Basic ${Buffer.from(`${this.credentials.username}:${this.credentials.password}`, 'utf8').toString('base64')}`,
      'Content-Length': String(body?.length ?? 0),
      'User-Agent': 'Ostal',
      ...options.headers,
    };
    if (options.depth) headers.Depth = options.depth;
    if (body) headers['Content-Type'] = options.contentType ?? 'application/xml; charset=utf-8';
    const kind = options.kind ?? method;
    davRequestStats.total++;
    davRequestStats.byKind[kind] = (davRequestStats.byKind[kind] ?? 0) + 1;
    const lib = url.protocol === 'https:' ? https : http;
    const response = await new Promise<DavResponse>((resolve, reject) => {
      const req = lib.request(url, { method, headers, agent: this.agent, timeout: TIMEOUT_MS }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (err) => reject(networkError(err, url.hostname)));
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
      req.on('error', (err) => reject(networkError(err, url.hostname)));
      req.end(body);
    });
    if (response.status === 401 || response.status === 403) {
      throw new OstalError('auth_failed', t('dav.errors.authFailed', { host: url.hostname }));
    }
    if (response.status >= 500) {
      throw new OstalError('server_error', t('dav.errors.serverError', { host: url.hostname, status: response.status }));
    }
    return response;
  }

  /** PROPFIND or REPORT answering 207: the parsed `<response>` entries. */
  async multistatus(method: 'PROPFIND' | 'REPORT', href: string, body: string, depth: '0' | '1', kind?: string): Promise<DavEntry[]> {
    return (await this.multistatusWithToken(method, href, body, depth, kind)).entries;
  }

  /** Same, with the multistatus-level `<sync-token>` of a sync-collection REPORT (RFC 6578), null when absent. */
  async multistatusWithToken(method: 'PROPFIND' | 'REPORT', href: string, body: string, depth: '0' | '1', kind?: string): Promise<{ entries: DavEntry[]; syncToken: string | null }> {
    const res = await this.request(method, href, { body, depth, kind });
    if (res.status !== 207) {
      throw new OstalError('server_error', t('dav.errors.unexpectedAnswer', { host: this.base.hostname, status: res.status }));
    }
    return parseMultistatusWithToken(res.body);
  }
}

/** Parse a 207 multistatus body. Throws a French OstalError on malformed XML. */
export function parseMultistatus(xml: string): DavEntry[] {
  return parseMultistatusWithToken(xml).entries;
}

/** Parse a 207 multistatus body and its `<sync-token>`. Throws a French OstalError on malformed XML. */
export function parseMultistatusWithToken(xml: string): { entries: DavEntry[]; syncToken: string | null } {
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(xml) as Record<string, unknown>;
  } catch (err) {
    throw new OstalError('server_error', t('dav.errors.malformedAnswer'), { cause: err });
  }
  const ms = doc.multistatus as Record<string, unknown> | undefined;
  const responses = (ms?.response ?? []) as Record<string, unknown>[];
  const entries: DavEntry[] = [];
  for (const r of responses) {
    const href = textOf((r.href as unknown[] | undefined)?.[0])?.trim();
    if (!href) continue;
    const props: Record<string, unknown> = {};
    for (const ps of (r.propstat ?? []) as Record<string, unknown>[]) {
      const status = statusCode(textOf(ps.status));
      if (status !== null && status !== 200) continue;
      Object.assign(props, (ps.prop ?? {}) as Record<string, unknown>);
    }
    entries.push({ href: decodeHref(href), status: statusCode(textOf(r.status)), props });
  }
  return { entries, syncToken: textOf(ms?.['sync-token'])?.trim() || null };
}

function statusCode(line: string | null): number | null {
  const m = /HTTP\/\d(?:\.\d)?\s+(\d{3})/.exec(line ?? '');
  return m ? Number(m[1]) : null;
}

/** Hrefs compared as decoded paths (servers differ in percent-encoding). */
export function decodeHref(href: string): string {
  let path = href;
  try {
    if (/^https?:\/\//i.test(href)) path = new URL(href).pathname;
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** Encode a decoded path for the request line. */
export function encodeHref(path: string): string {
  return path
    .split('/')
    .map((s) => encodeURIComponent(s))
    .join('/');
}
