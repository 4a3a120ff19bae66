/**
 * What Fichiers asks of its WebDAV (RFC 4918) server, over the one DAV client (src/dav/client.ts: connections, TLS,
 * network errors): PROPFIND Depth 1 only (never infinity), streamed GET (resumable with Range + If-Range) and PUT,
 * MKCOL, MOVE, COPY, DELETE with If-Match / If-None-Match, RFC 4331 quota; the server's answers in Fichiers' words.
 *
 * Atomicity of PUT: Apache mod_dav_fs writes the body to a temporary file beside the target and renames it
 * over the target only when the whole body arrived, so a PUT to the final name never leaves a half file
 * (checked by tests/integration/files-crash.test.ts). Servers without that guarantee would need
 * PUT-to-temporary + MOVE; Ostal targets standard servers that behave like Apache, Nextcloud and SabreDAV.
 */
import type http from 'node:http';
import type { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DavClient, type DavCredentials } from '../dav/client.js';
import { decodeHref, encodeHref, parseMultistatus, textOf, type DavEntry } from '../dav/multistatus.js';
import { OstalError } from '../errors.js';
import { t } from '../i18n/index.js';

export type WebDavCredentials = DavCredentials;

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

const PROPFIND_BODY =
  '<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:prop><D:resourcetype/><D:getetag/><D:getlastmodified/><D:getcontentlength/><D:quota-used-bytes/><D:quota-available-bytes/></D:prop></D:propfind>';

/**
 * ETags without the weak marker: Apache marks an ETag weak during the second after a change (and collection
 * ETags always), then strong with the same value; comparing and If-Match use the value.
 */
function normEtag(raw: string | null | undefined): string | null {
  const v = raw?.trim().replace(/^W\//, '');
  return v ? v : null;
}

export class WebDavClient {
  readonly root: URL;
  private readonly dav: DavClient;

  constructor(rootUrl: string, credentials: WebDavCredentials) {
    this.root = new URL(rootUrl.endsWith('/') ? rootUrl : `${rootUrl}/`);
    this.dav = new DavClient(this.root.toString(), credentials, {
      maxSockets: 8,
      timeoutMs: 30_000,
      messages: {
        authFailed: 'files.errors.authFailed',
        serverError: 'files.errors.serverError',
        unexpectedAnswer: 'files.errors.unexpected',
      },
    });
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
    this.dav.close();
  }

  /** A request whose body is small: read it whole. 5xx throws a French server_error. */
  private simple(
    method: string,
    href: string,
    headers: Record<string, string> = {},
    body?: string,
  ): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
    return this.dav.request(method, href, { headers, body });
  }

  /** PROPFIND Depth 1 of a collection (decoded href ending with '/'). Anything but 207 throws. */
  async list(href: string): Promise<Listing> {
    const res = await this.simple('PROPFIND', href, { Depth: '1' }, PROPFIND_BODY);
    if (res.status === 404) throw new OstalError('not_found', t('files.errors.folderMissing', { path: href }));
    if (res.status !== 207) throw this.dav.statusError(res.status);
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
        if (Number.isFinite(used) && textOf(e.props['quota-used-bytes']) !== null)
          listing.quota = { used, available: Number.isFinite(avail) && textOf(e.props['quota-available-bytes']) !== null ? avail : null };
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
    if (res.status !== 207) throw this.dav.statusError(res.status);
    const [e] = parseMultistatus(res.body);
    return e ? toItem(e) : null;
  }

  /**
   * Streamed GET into `out`. With `offset` > 0 asks for the rest only (Range + If-Range on the ETag):
   * `resumed` tells whether the server sent the rest (206) or the whole file again (200).
   */
  async get(
    href: string,
    out: (resumed: boolean) => Writable,
    options: { offset?: number; etag?: string | null; throttle?: () => Transform | null } = {},
  ): Promise<{ etag: string | null; modified: string | null; resumed: boolean }> {
    const headers: Record<string, string> = {};
    if (options.offset && options.etag) {
      headers.Range = `bytes=${options.offset}-`;
      headers['If-Range'] = options.etag;
    }
    const res = await this.dav.send('GET', href, { headers });
    const status = res.statusCode ?? 0;
    if (status !== 200 && status !== 206) {
      res.resume();
      if (status === 404) throw new OstalError('not_found', t('files.errors.gone', { path: href }));
      throw this.dav.statusError(status, 'serverError');
    }
    const resumed = status === 206;
    const throttle = options.throttle?.();
    try {
      if (throttle) await pipeline(res, throttle, out(resumed));
      else await pipeline(res, out(resumed));
    } catch (err) {
      throw this.dav.networkError(err);
    }
    return {
      etag: normEtag(res.headers.etag as string | undefined),
      modified: (res.headers['last-modified'] as string | undefined) ?? null,
      resumed,
    };
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
      const res = await this.dav.send('PUT', href, { headers, body });
      res.resume();
      await new Promise<void>((resolve) => res.on('end', resolve).on('error', () => resolve()));
      return res.statusCode ?? 0;
    });
    if (status === 412) throw new OstalError('precondition_failed', t('files.errors.changedMeanwhile', { path: href }));
    if (status === 409) throw new OstalError('not_found', t('files.errors.folderMissing', { path: href }));
    if (status === 507) throw new OstalError('quota_exceeded', t('files.errors.quota', { host: this.host }));
    if (status >= 300) throw this.dav.statusError(status, 'serverError');
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
    throw this.dav.statusError(res.status);
  }

  /** MOVE or COPY to a decoded href, never overwriting. */
  async transfer(method: 'MOVE' | 'COPY', from: string, to: string, ifMatch?: string | null): Promise<void> {
    const headers: Record<string, string> = { Destination: new URL(encodeHref(to), this.root).toString(), Overwrite: 'F' };
    if (ifMatch) headers['If-Match'] = ifMatch;
    const res = { status: await this.withWeakRetry(from, ifMatch, async () => (await this.simple(method, from, headers)).status) };
    if (res.status === 201 || res.status === 204) return;
    if (res.status === 412) throw new OstalError('precondition_failed', t('files.errors.changedMeanwhile', { path: from }));
    throw this.dav.statusError(res.status);
  }

  /** DELETE with If-Match; an already absent resource (404) is fine. */
  async delete(href: string, ifMatch?: string | null): Promise<void> {
    const res = {
      status: await this.withWeakRetry(
        href,
        ifMatch,
        async () => (await this.simple('DELETE', href, ifMatch ? { 'If-Match': ifMatch } : {})).status,
      ),
    };
    if (res.status === 204 || res.status === 200 || res.status === 404) return;
    if (res.status === 412) throw new OstalError('precondition_failed', t('files.errors.changedMeanwhile', { path: href }));
    throw this.dav.statusError(res.status);
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
