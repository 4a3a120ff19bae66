/**
 * WebDAV (RFC 4918) client of Fichiers over node:https: PROPFIND Depth 1 only (never infinity), streamed GET
 * (resumable with Range + If-Range) and PUT, MKCOL, MOVE, COPY, DELETE with If-Match / If-None-Match, RFC 4331
 * quota. TLS as everywhere in Ostal (system CAs, NODE_EXTRA_CA_CERTS, the account's pinned certificates).
 * Multistatus parsing and href coding are shared with CalDAV/CardDAV (src/calendar/dav-client.ts).
 *
 * Atomicity of PUT: Apache mod_dav_fs writes the body to a temporary file beside the target and renames it
 * over the target only when the whole body arrived, so a PUT to the final name never leaves a half file
 * (checked by tests/integration/files-crash.test.ts). Servers without that guarantee would need
 * PUT-to-temporary + MOVE; Ostal targets standard servers that behave like Apache, Nextcloud and SabreDAV.
 */
import http from 'node:http';
import https from 'node:https';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { OstalError } from '../errors.js';
import { t } from '../i18n/index.js';
import { tlsOptionsFor } from '../mail/imap-client.js';
import { decodeHref, encodeHref, parseMultistatus, textOf, type DavEntry } from '../calendar/dav-client.js';

export interface WebDavCredentials {
  username: string;
  password: string;
  pinnedCertificates: string[];
}

/** One child (or the collection itself) from a Depth 1 PROPFIND. `href` is decoded. */
export interface RemoteItem {
  href: string;
  kind: 'file' | 'folder';
  size: number;
  etag: string | null;
  modified: string | null;
}

export interface Listing {
  self: RemoteItem | null;
  children: RemoteItem[];
  /** Hrefs of the answer that are not direct children of the listed collection (hostile or broken server). */
  strangers: string[];
  quota: { used: number; available: number | null } | null;
}

/** Requests sent by method: tests check that a rename is a MOVE and not a PUT. */
export const webdavStats = { byMethod: {} as Record<string, number> };

const TIMEOUT_MS = 30_000;

const PROPFIND_BODY =
  '<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:prop><D:resourcetype/><D:getetag/><D:getlastmodified/><D:getcontentlength/><D:quota-used-bytes/><D:quota-available-bytes/></D:prop></D:propfind>';

function networkError(err: unknown, host: string): OstalError {
  if (err instanceof OstalError) return err;
  const code = (err as { code?: string })?.code ?? '';
  const vars = { host };
  if (code === 'ECONNREFUSED') return new OstalError('connection_refused', t('files.errors.connectionRefused', vars), { cause: err });
  if (code === 'ETIMEDOUT') return new OstalError('timeout', t('files.errors.timeout', vars), { cause: err });
  if (/CERT|SELF_SIGNED|UNABLE_TO/.test(code)) return new OstalError('tls_untrusted', t('files.errors.tlsUntrusted', vars), { cause: err });
  return new OstalError('unreachable', t('files.errors.unreachable', vars), { cause: err });
}

/**
 * ETags without the weak marker: Apache marks an ETag weak during the second after a change (and collection
 * ETags always), then strong with the same value; comparing and If-Match use the value.
 */
function normEtag(raw: string | null | undefined): string | null {
  const v = raw?.trim().replace(/^W\//, '');
  return v ? v : null;
}

/** A kept-alive connection closed by the server before it answered: the request is sent again once. */
class StaleSocket extends Error {}

export class WebDavClient {
  readonly root: URL;
  private readonly agent: http.Agent;
  private readonly auth: string;

  constructor(rootUrl: string, credentials: WebDavCredentials) {
    this.root = new URL(rootUrl.endsWith('/') ? rootUrl : `${rootUrl}/`);
    const secure = this.root.protocol === 'https:';
    this.agent = secure
      ? new https.Agent({ keepAlive: true, maxSockets: 8, ...tlsOptionsFor(this.root.hostname, credentials.pinnedCertificates) })
      : new http.Agent({ keepAlive: true, maxSockets: 8 });
    this.auth = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`, 'utf8').toString('base64')}`;
  }

  get host(): string {
    return this.root.hostname;
  }

  /** Decoded href of the root collection, ending with '/'. */
  get rootHref(): string {
    return decodeHref(this.root.pathname);
  }

  /** Decoded href of a sync path ('/a/b.txt' → '/dav/user/a/b.txt'; folders get a trailing '/'). */
  hrefOf(relPath: string, folder = false): string {
    const rel = relPath.replace(/^\/+/, '');
    return `${this.rootHref}${rel}${folder && rel ? '/' : ''}`;
  }

  close(): void {
    this.agent.destroy();
  }

  /**
   * Send a request; `body` may be a stream factory (with its length in the headers). Resolves with the response,
   * body not read. A kept-alive connection the server closed meanwhile is retried once on a new one.
   */
  private async send(method: string, href: string, headers: Record<string, string>, body?: Buffer | (() => Readable)): Promise<http.IncomingMessage> {
    try {
      return await this.sendOnce(method, href, headers, body);
    } catch (err) {
      if (!(err instanceof StaleSocket)) throw err;
      return this.sendOnce(method, href, headers, body, true);
    }
  }

  private sendOnce(method: string, href: string, headers: Record<string, string>, body: Buffer | (() => Readable) | undefined, retried = false): Promise<http.IncomingMessage> {
    const url = new URL(encodeHref(href), this.root);
    webdavStats.byMethod[method] = (webdavStats.byMethod[method] ?? 0) + 1;
    const lib = url.protocol === 'https:' ? https : http;
    return new Promise<http.IncomingMessage>((resolve, reject) => {
      let answered = false;
      const req = lib.request(url, { method, agent: this.agent, timeout: TIMEOUT_MS, headers: { Authorization: this.auth, 'User-Agent': 'Ostal', ...headers } }, (res) => {
        answered = true;
        if (res.statusCode === 401 || res.statusCode === 403) {
          res.resume();
          reject(new OstalError('auth_failed', t('files.errors.authFailed', { host: url.hostname })));
          return;
        }
        resolve(res);
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
      req.on('error', (err) => {
        const code = (err as { code?: string }).code;
        if (!answered && !retried && req.reusedSocket && (code === 'ECONNRESET' || code === 'EPIPE')) reject(new StaleSocket());
        else reject(networkError(err, url.hostname));
      });
      if (body === undefined) req.end();
      else if (Buffer.isBuffer(body)) req.end(body);
      else pipeline(body(), req as unknown as Writable).catch((err: unknown) => req.destroy(err as Error));
    });
  }

  /** A request whose body is small: read it whole. 5xx throws a French server_error. */
  private async simple(method: string, href: string, headers: Record<string, string> = {}, body?: string): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
    const buf = body === undefined ? undefined : Buffer.from(body, 'utf8');
    const res = await this.send(method, href, { 'Content-Length': String(buf?.length ?? 0), ...(buf ? { 'Content-Type': 'application/xml; charset=utf-8' } : {}), ...headers }, buf);
    const chunks: Buffer[] = [];
    try {
      for await (const c of res) chunks.push(c as Buffer);
    } catch (err) {
      throw networkError(err, this.host);
    }
    const status = res.statusCode ?? 0;
    if (status >= 500) throw new OstalError('server_error', t('files.errors.serverError', { host: this.host, status }));
    return { status, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers };
  }

  /** PROPFIND Depth 1 of a collection (decoded href ending with '/'). Anything but 207 throws. */
  async list(href: string): Promise<Listing> {
    const res = await this.simple('PROPFIND', href, { Depth: '1' }, PROPFIND_BODY);
    if (res.status === 404) throw new OstalError('not_found', t('files.errors.folderMissing', { path: href }));
    if (res.status !== 207) throw new OstalError('server_error', t('files.errors.unexpected', { host: this.host, status: res.status }));
    const entries = parseMultistatus(res.body);
    const base = href.endsWith('/') ? href : `${href}/`;
    const listing: Listing = { self: null, children: [], strangers: [], quota: null };
    for (const e of entries) {
      const item = toItem(e);
      const h = e.href.normalize('NFC');
      if (h.replace(/\/$/, '') === base.normalize('NFC').replace(/\/$/, '')) {
        listing.self = item;
        const used = Number(textOf(e.props['quota-used-bytes']));
        const avail = Number(textOf(e.props['quota-available-bytes']));
        if (Number.isFinite(used) && textOf(e.props['quota-used-bytes']) !== null) listing.quota = { used, available: Number.isFinite(avail) && textOf(e.props['quota-available-bytes']) !== null ? avail : null };
        continue;
      }
      const rest = h.startsWith(base.normalize('NFC')) ? h.slice(base.normalize('NFC').length).replace(/\/$/, '') : null;
      if (rest === null || rest === '' || rest.includes('/')) {
        listing.strangers.push(e.href);
        continue;
      }
      listing.children.push(item);
    }
    return listing;
  }

  /** PROPFIND Depth 0: the item, or null when absent. */
  async stat(href: string): Promise<RemoteItem | null> {
    const res = await this.simple('PROPFIND', href, { Depth: '0' }, PROPFIND_BODY);
    if (res.status === 404) return null;
    if (res.status !== 207) throw new OstalError('server_error', t('files.errors.unexpected', { host: this.host, status: res.status }));
    const [e] = parseMultistatus(res.body);
    return e ? toItem(e) : null;
  }

  /**
   * Streamed GET into `out`. With `offset` > 0 asks for the rest only (Range + If-Range on the ETag):
   * `resumed` tells whether the server sent the rest (206) or the whole file again (200).
   */
  async get(href: string, out: (resumed: boolean) => Writable, options: { offset?: number; etag?: string | null; throttle?: () => import('node:stream').Transform | null } = {}): Promise<{ etag: string | null; modified: string | null; resumed: boolean }> {
    const headers: Record<string, string> = {};
    if (options.offset && options.etag) {
      headers.Range = `bytes=${options.offset}-`;
      headers['If-Range'] = options.etag;
    }
    const res = await this.send('GET', href, headers);
    const status = res.statusCode ?? 0;
    if (status !== 200 && status !== 206) {
      res.resume();
      if (status === 404) throw new OstalError('not_found', t('files.errors.gone', { path: href }));
      throw new OstalError('server_error', t('files.errors.serverError', { host: this.host, status }));
    }
    const resumed = status === 206;
    const throttle = options.throttle?.();
    try {
      if (throttle) await pipeline(res, throttle, out(resumed));
      else await pipeline(res, out(resumed));
    } catch (err) {
      throw networkError(err, this.host);
    }
    return { etag: normEtag(res.headers.etag as string | undefined), modified: (res.headers['last-modified'] as string | undefined) ?? null, resumed };
  }

  /**
   * Streamed PUT. `ifMatch` (the ETag the upload replaces) or `ifNoneMatch` (new file): a server copy
   * changed meanwhile answers 412 → 'precondition_failed' (the engine treats it as a conflict).
   */
  async put(href: string, body: () => Readable, size: number, condition: { ifMatch?: string | null; create?: boolean }): Promise<void> {
    const headers: Record<string, string> = { 'Content-Length': String(size), 'Content-Type': 'application/octet-stream' };
    if (condition.ifMatch) headers['If-Match'] = condition.ifMatch;
    else if (condition.create) headers['If-None-Match'] = '*';
    const status = await this.withWeakRetry(href, condition.ifMatch, async () => {
      const res = await this.send('PUT', href, headers, body);
      res.resume();
      await new Promise<void>((resolve) => res.on('end', resolve).on('error', () => resolve()));
      return res.statusCode ?? 0;
    });
    if (status === 412) throw new OstalError('precondition_failed', t('files.errors.changedMeanwhile', { path: href }));
    if (status === 409) throw new OstalError('not_found', t('files.errors.folderMissing', { path: href }));
    if (status === 507) throw new OstalError('quota_exceeded', t('files.errors.quota', { host: this.host }));
    if (status >= 300) throw new OstalError('server_error', t('files.errors.serverError', { host: this.host, status }));
  }

  /**
   * Apache answers 412 to If-Match during the second after a change (its ETag is weak then, and If-Match compares
   * strongly). When the resource still has the expected ETag, wait for that second to pass and try once more.
   */
  private async withWeakRetry(href: string, ifMatch: string | null | undefined, attempt: () => Promise<number>): Promise<number> {
    const status = await attempt();
    if (status !== 412 || !ifMatch) return status;
    const now = await this.stat(href);
    if (!now || now.etag !== ifMatch) return status;
    await new Promise((r) => setTimeout(r, 1_100));
    return attempt();
  }

  /** MKCOL; an existing collection (405) is fine. */
  async mkcol(href: string): Promise<void> {
    const res = await this.simple('MKCOL', href);
    if (res.status === 201 || res.status === 405) return;
    throw new OstalError('server_error', t('files.errors.unexpected', { host: this.host, status: res.status }));
  }

  /** MOVE or COPY to a decoded href, never overwriting. */
  async transfer(method: 'MOVE' | 'COPY', from: string, to: string, ifMatch?: string | null): Promise<void> {
    const headers: Record<string, string> = { Destination: new URL(encodeHref(to), this.root).toString(), Overwrite: 'F' };
    if (ifMatch) headers['If-Match'] = ifMatch;
    const res = { status: await this.withWeakRetry(from, ifMatch, async () => (await this.simple(method, from, headers)).status) };
    if (res.status === 201 || res.status === 204) return;
    if (res.status === 412) throw new OstalError('precondition_failed', t('files.errors.changedMeanwhile', { path: from }));
    throw new OstalError('server_error', t('files.errors.unexpected', { host: this.host, status: res.status }));
  }

  /** DELETE with If-Match; an already absent resource (404) is fine. */
  async delete(href: string, ifMatch?: string | null): Promise<void> {
    const res = { status: await this.withWeakRetry(href, ifMatch, async () => (await this.simple('DELETE', href, ifMatch ? { 'If-Match': ifMatch } : {})).status) };
    if (res.status === 204 || res.status === 200 || res.status === 404) return;
    if (res.status === 412) throw new OstalError('precondition_failed', t('files.errors.changedMeanwhile', { path: href }));
    throw new OstalError('server_error', t('files.errors.unexpected', { host: this.host, status: res.status }));
  }
}

function toItem(e: DavEntry): RemoteItem {
  const rt = e.props.resourcetype;
  const folder = !!rt && typeof rt === 'object' && 'collection' in (rt as Record<string, unknown>);
  const size = Number(textOf(e.props.getcontentlength) ?? 0);
  return {
    href: e.href,
    kind: folder ? 'folder' : 'file',
    size: Number.isFinite(size) && size >= 0 ? size : 0,
    etag: normEtag(textOf(e.props.getetag)),
    modified: textOf(e.props.getlastmodified)?.trim() || null,
  };
}
