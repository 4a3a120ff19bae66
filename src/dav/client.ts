/**
 * The one WebDAV client of Ostal (RFC 4918, CalDAV RFC 4791, CardDAV RFC 6352, sync-collection RFC 6578), used by
 * Agenda and Contacts (src/calendar/dav-sync.ts, dav-writes.ts) and Fichiers (src/files/webdav.ts): Basic auth,
 * kept-alive connections with TLS from src/net/ (system CAs, NODE_EXTRA_CA_CERTS, the account's pinned
 * certificates), Content-Length always set on small bodies, streamed bodies both ways, timeouts, and French
 * OstalErrors — network and TLS causes from the one classifier (src/net/errors.ts), HTTP answers (401/403, 5xx,
 * unexpected status) in the words the domain chose (`messages`, keys of src/i18n/fr.json).
 */
import type http from 'node:http';
import type { Readable } from 'node:stream';
import { OstalError } from '../errors.js';
import { t } from '../i18n/index.js';
import { classifyNetworkError } from '../net/errors.js';
import { BodyTooLargeError, createAgent, readBodyAtMost, sendRequest } from '../net/http.js';
import { encodeHref, parseMultistatusWithToken, type DavEntry } from './multistatus.js';

/**
 * Largest DAV answer read into memory (a PROPFIND, a REPORT with the objects of a collection): far above a large
 * agenda (10 000 Outlook events are about 15 MB), far below what would exhaust the core. Past it the request fails
 * with a French message and nothing is changed. Downloads of Fichiers are streamed to disk, not read here.
 */
export const MAX_DAV_RESPONSE_BYTES = 64 * 1024 * 1024;

export interface DavCredentials {
  username: string;
  password: string;
  pinnedCertificates: string[];
}

/** Keys of src/i18n/fr.json for the server's HTTP answers (vars: `host`, and `status` for the last two). */
export interface DavMessages {
  authFailed: string;
  serverError: string;
  unexpectedAnswer: string;
}

export interface DavClientOptions {
  /** Parallel connections to the server. */
  maxSockets?: number;
  /** Longest silence of a connection, ms. */
  timeoutMs?: number;
  messages?: Partial<DavMessages>;
}

export interface DavResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Requests sent, by kind and by method: tests check that an unchanged resync fetches nothing, that a rename is a MOVE. */
export const davRequestStats = { total: 0, byKind: {} as Record<string, number>, byMethod: {} as Record<string, number> };

const DEFAULT_MESSAGES: DavMessages = {
  authFailed: 'dav.errors.authFailed',
  serverError: 'dav.errors.serverError',
  unexpectedAnswer: 'dav.errors.unexpectedAnswer',
};

export class DavClient {
  readonly base: URL;
  private readonly agent: http.Agent;
  private readonly auth: string;
  private readonly timeoutMs: number;
  private readonly messages: DavMessages;

  constructor(baseUrl: string, credentials: DavCredentials, options: DavClientOptions = {}) {
    this.base = new URL(baseUrl);
    this.agent = createAgent(this.base, { pinnedCertificates: credentials.pinnedCertificates, maxSockets: options.maxSockets ?? 2 });
    this.auth = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`, 'utf8').toString('base64')}`;
    this.timeoutMs = options.timeoutMs ?? 20_000;
    this.messages = { ...DEFAULT_MESSAGES, ...options.messages };
  }

  get host(): string {
    return this.base.hostname;
  }

  /** The server's port, explicit or the scheme's. */
  get port(): number {
    return this.base.port ? Number(this.base.port) : this.base.protocol === 'https:' ? 443 : 80;
  }

  /** Absolute URL of an href (path or URL) relative to the server. */
  resolve(href: string): URL {
    return new URL(href, this.base);
  }

  close(): void {
    this.agent.destroy();
  }

  /** The French OstalError of a network or TLS failure talking to this server. */
  networkError(err: unknown): OstalError {
    return classifyNetworkError(err, { host: this.host, port: this.port });
  }

  /** A French server_error for an unexpected status (worded as `serverError` for 5xx, else `unexpectedAnswer`). */
  statusError(
    status: number,
    wording: 'serverError' | 'unexpectedAnswer' = status >= 500 ? 'serverError' : 'unexpectedAnswer',
  ): OstalError {
    return new OstalError('server_error', t(this.messages[wording], { host: this.host, status }));
  }

  /**
   * Send a request whose `href` is a decoded path ('/…', encoded here) or a URL; `body` may be a stream factory
   * (its Content-Length in `headers`). Resolves with the response, body not read; 401/403 reject as auth_failed.
   */
  async send(
    method: string,
    href: string,
    options: { headers?: Record<string, string>; body?: Buffer | (() => Readable); kind?: string } = {},
  ): Promise<http.IncomingMessage> {
    const url = this.resolve(href.startsWith('/') ? encodeHref(href) : href);
    const kind = options.kind ?? method;
    davRequestStats.total++;
    davRequestStats.byKind[kind] = (davRequestStats.byKind[kind] ?? 0) + 1;
    davRequestStats.byMethod[method] = (davRequestStats.byMethod[method] ?? 0) + 1;
    let res: http.IncomingMessage;
    try {
      res = await sendRequest(url, {
        method,
        agent: this.agent,
        timeoutMs: this.timeoutMs,
        headers: { Authorization: this.auth, ...options.headers },
        body: options.body,
      });
    } catch (err) {
      throw this.networkError(err);
    }
    if (res.statusCode === 401 || res.statusCode === 403) {
      res.resume();
      throw new OstalError('auth_failed', t(this.messages.authFailed, { host: this.host }));
    }
    return res;
  }

  /** A request with a small body (text), its answer read whole. 5xx throws a French server_error. */
  async request(
    method: string,
    href: string,
    options: {
      body?: string;
      depth?: '0' | '1';
      contentType?: string;
      headers?: Record<string, string>;
      kind?: string;
      maxBytes?: number;
    } = {},
  ): Promise<DavResponse> {
    const body = options.body === undefined ? undefined : Buffer.from(options.body, 'utf8');
    const headers: Record<string, string> = { 'Content-Length': String(body?.length ?? 0), ...options.headers };
    if (options.depth) headers.Depth = options.depth;
    if (body) headers['Content-Type'] = options.contentType ?? 'application/xml; charset=utf-8';
    const res = await this.send(method, href, { headers, body, kind: options.kind });
    let content: Buffer;
    try {
      content = await readBodyAtMost(res, options.maxBytes ?? MAX_DAV_RESPONSE_BYTES);
    } catch (err) {
      if (err instanceof BodyTooLargeError)
        throw new OstalError(
          'server_error',
          t('dav.errors.responseTooLarge', { host: this.host, megabytes: Math.round(err.limit / 1048576) }),
          { cause: err },
        );
      throw this.networkError(err);
    }
    const status = res.statusCode ?? 0;
    if (status >= 500) throw this.statusError(status);
    return { status, headers: res.headers, body: content.toString('utf8') };
  }

  /** PROPFIND or REPORT answering 207: the parsed `<response>` entries. */
  async multistatus(method: 'PROPFIND' | 'REPORT', href: string, body: string, depth: '0' | '1', kind?: string): Promise<DavEntry[]> {
    return (await this.multistatusWithToken(method, href, body, depth, kind)).entries;
  }

  /** Same, with the multistatus-level `<sync-token>` of a sync-collection REPORT (RFC 6578), null when absent. */
  async multistatusWithToken(
    method: 'PROPFIND' | 'REPORT',
    href: string,
    body: string,
    depth: '0' | '1',
    kind?: string,
  ): Promise<{ entries: DavEntry[]; syncToken: string | null }> {
    const res = await this.request(method, href, { body, depth, kind });
    if (res.status !== 207) throw this.statusError(res.status);
    return parseMultistatusWithToken(res.body);
  }
}
