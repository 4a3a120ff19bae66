/**
 * The one HTTP(S) client of the core, over node:http/node:https: TLS from ./tls.ts, an idle timeout (and an overall
 * deadline for one-shot requests), request bodies from a buffer or a stream factory (streamed uploads), responses
 * handed back unread (streamed downloads) or read up to a size limit, a kept-alive connection the server closed
 * meanwhile retried once on a new one, redirects followed for one-shot requests. Errors are the sockets' own: the
 * caller turns them into French messages with ./errors.ts (classifyNetworkError) or its own wording.
 */
import http from 'node:http';
import https from 'node:https';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { LookupFunction } from './dns.js';
import { tlsOptionsFor } from './tls.js';

/** A request body: text, bytes, or a factory of a fresh stream (called again when the request is sent again). */
export type RequestBody = string | Buffer | (() => Readable);

export interface SendOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: RequestBody;
  /** A kept-alive agent (createAgent); without it, one connection for this request with `pinnedCertificates`. */
  agent?: http.Agent;
  pinnedCertificates?: readonly string[];
  lookup?: LookupFunction;
  /** Longest silence of the socket, ms. */
  timeoutMs?: number;
  /** Longest time for the whole exchange, response body included, ms. */
  deadlineMs?: number;
}

/** A kept-alive connection closed by the server before it answered: the request is sent again once. */
class StaleSocket extends Error {}

const timeoutError = (message: string) => Object.assign(new Error(message), { code: 'ETIMEDOUT' });

/** A kept-alive agent for one server (its TLS options built once: system CAs, NODE_EXTRA_CA_CERTS, pinned PEMs). */
export function createAgent(url: URL, options: { pinnedCertificates?: readonly string[]; maxSockets?: number } = {}): http.Agent {
  const common = { keepAlive: true, maxSockets: options.maxSockets ?? 2 };
  return url.protocol === 'https:'
    ? new https.Agent({ ...common, ...tlsOptionsFor(url.hostname, options.pinnedCertificates) })
    : new http.Agent(common);
}

/** Send a request and resolve with the response, its body not read. Sockets' errors reject as they are. */
export async function sendRequest(url: URL, options: SendOptions = {}): Promise<http.IncomingMessage> {
  try {
    return await sendOnce(url, options, false);
  } catch (err) {
    if (!(err instanceof StaleSocket)) throw err;
    return sendOnce(url, options, true);
  }
}

function sendOnce(url: URL, options: SendOptions, retried: boolean): Promise<http.IncomingMessage> {
  const secure = url.protocol === 'https:';
  const lib = secure ? https : http;
  const headers: Record<string, string> = { 'User-Agent': 'Ostal', ...(options.headers ?? {}) };
  const body = typeof options.body === 'string' ? Buffer.from(options.body, 'utf8') : options.body;
  if (Buffer.isBuffer(body) && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-length'))
    headers['Content-Length'] = String(body.length);
  const connection = options.agent
    ? { agent: options.agent }
    : { agent: false as const, ...(secure ? tlsOptionsFor(url.hostname, options.pinnedCertificates) : {}) };
  return new Promise<http.IncomingMessage>((resolve, reject) => {
    let response: http.IncomingMessage | undefined;
    let deadline: NodeJS.Timeout | undefined;
    const req = lib.request(
      url,
      { method: options.method ?? 'GET', headers, lookup: options.lookup, timeout: options.timeoutMs, ...connection },
      (res) => {
        response = res;
        if (deadline) res.once('close', () => clearTimeout(deadline));
        resolve(res);
      },
    );
    if (options.deadlineMs !== undefined) {
      const ms = options.deadlineMs;
      deadline = setTimeout(() => {
        const err = timeoutError(`Request to ${url.host} timed out after ${ms} ms`);
        response?.destroy(err);
        req.destroy(err);
      }, ms);
    }
    req.on('timeout', () => req.destroy(timeoutError(`Socket to ${url.host} idle for ${options.timeoutMs} ms`)));
    req.on('error', (err) => {
      clearTimeout(deadline);
      const code = (err as NodeJS.ErrnoException).code;
      if (!response && !retried && req.reusedSocket && (code === 'ECONNRESET' || code === 'EPIPE')) reject(new StaleSocket());
      else reject(err);
    });
    if (body === undefined) req.end();
    else if (Buffer.isBuffer(body)) req.end(body);
    else pipeline(body(), req as unknown as Writable).catch((err: unknown) => req.destroy(err as Error));
  });
}

/** A response body longer than the reader accepts (see readBodyAtMost). */
export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
  constructor(readonly limit: number) {
    super(`response body over ${limit} bytes`);
  }
}

/** Read a response body whole, refusing it past `maxBytes`: the transfer is stopped, nothing more is kept in memory. */
export async function readBodyAtMost(res: http.IncomingMessage, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res) {
    const c = chunk as Buffer;
    size += c.length;
    if (size > maxBytes) {
      res.destroy();
      throw new BodyTooLargeError(maxBytes);
    }
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}

/** Read a response body whole; past `maxBytes` the rest is read and dropped. */
export async function readBody(res: http.IncomingMessage, maxBytes = Infinity): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res) {
    const c = chunk as Buffer;
    if (size < maxBytes) chunks.push(size + c.length <= maxBytes ? c : c.subarray(0, maxBytes - size));
    size += c.length;
  }
  return Buffer.concat(chunks);
}

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** URL of the last request after redirects. */
  url: string;
}

export interface HttpRequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs?: number;
  lookup?: LookupFunction;
  pinnedCertificates?: readonly string[];
  /** Follow up to this many redirects (same method for 307/308, GET after 303). */
  maxRedirects?: number;
  /** Largest body kept, in bytes. */
  maxBytes?: number;
  /** Basic credentials; sent only to the origin of the first URL. */
  basicAuth?: { user: string; pass: string };
}

/** One request with TLS verified, a hard timeout, redirects followed (never from https to http), the body read. */
export async function httpRequest(url: string, options: HttpRequestOptions = {}): Promise<HttpResponse> {
  let current = new URL(url);
  let method = options.method ?? 'GET';
  let body = options.body;
  const origin = current.origin;
  for (let redirects = 0; ; redirects++) {
    const res = await requestOnce(current, method, body, options, current.origin === origin);
    const location = res.headers.location;
    if ([301, 302, 303, 307, 308].includes(res.status) && location && redirects < (options.maxRedirects ?? 5)) {
      const next = new URL(location, current);
      if (next.protocol !== 'https:' && current.protocol === 'https:') return res; // never downgrade
      if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
      }
      current = next;
      continue;
    }
    return res;
  }
}

async function requestOnce(
  url: URL,
  method: string,
  body: string | undefined,
  options: HttpRequestOptions,
  sameOrigin: boolean,
): Promise<HttpResponse> {
  const headers: Record<string, string> = { Accept: '*/*', ...(options.headers ?? {}) };
  if (body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(body));
  if (options.basicAuth && sameOrigin)
    headers.Authorization = 'Basic ' + Buffer.from(`${options.basicAuth.user}:${options.basicAuth.pass}`).toString('base64');
  const timeoutMs = options.timeoutMs ?? 3000;
  const res = await sendRequest(url, {
    method,
    headers,
    body,
    lookup: options.lookup,
    pinnedCertificates: options.pinnedCertificates,
    timeoutMs,
    deadlineMs: timeoutMs,
  });
  const content = await readBody(res, options.maxBytes ?? 1024 * 1024);
  return { status: res.statusCode ?? 0, headers: res.headers, body: content.toString('utf8'), url: url.toString() };
}
