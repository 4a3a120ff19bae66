/**
 * The one HTTP(S) client of the core, over node:http/node:https: TLS from ./tls.ts, an idle timeout (and an overall
 * deadline for one-shot requests), request bodies from a buffer or a stream factory (streamed uploads), responses
 * handed back unread (streamed downloads) or read up to a size limit, a kept-alive connection the server closed
 * meanwhile retried once on a new one, redirects followed for one-shot requests. Errors are the sockets' own: the
 * caller turns them into French messages with ./errors.ts (classifyNetworkError) or its own wording.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Duplex, Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tls from 'node:tls';
import type { LookupFunction } from './dns.js';
import { DIRECT, routesFor, type ProxyResolver, type ProxyRoute } from './proxy.js';
import { tlsOptionsFor } from './tls.js';

let proxyResolver: ProxyResolver = DIRECT;

/** The proxy choice of every HTTP(S) request of the process from now on (set at start-up: src/net/network-setup.ts). */
export function setProxyResolver(resolver: ProxyResolver): void {
  proxyResolver = resolver;
}

export function currentProxyResolver(): ProxyResolver {
  return proxyResolver;
}

/**
 * A proxy failure: `PROXY_AUTH_REQUIRED` (407), `PROXY_REFUSED` (any other answer to CONNECT), `PROXY_UNREACHABLE`
 * (the proxy itself cannot be reached; the socket's error is the cause), `PROXY_PAC_FAILED` (the PAC script failed).
 * Classified by ./errors.ts into one French message each.
 */
export class ProxyError extends Error {
  override readonly name = 'ProxyError';
  constructor(
    readonly code: 'PROXY_AUTH_REQUIRED' | 'PROXY_REFUSED' | 'PROXY_UNREACHABLE' | 'PROXY_PAC_FAILED',
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A CONNECT tunnel to host:port through an HTTP proxy: the socket once the proxy answered 200. */
export function openTunnel(route: Extract<ProxyRoute, { kind: 'http' }>, host: string, port: number, timeoutMs = 20_000): Promise<Duplex> {
  const authority = `${net.isIPv6(host) ? `[${host}]` : host}:${port}`;
  const headers: Record<string, string> = { Host: authority, 'User-Agent': 'Ostal' };
  if (route.auth) headers['Proxy-Authorization'] = `Basic ${Buffer.from(route.auth, 'utf8').toString('base64')}`;
  const proxy = `${route.host}:${route.port}`;
  return new Promise<Duplex>((resolve, reject) => {
    const req = http.request({
      host: route.host,
      port: route.port,
      method: 'CONNECT',
      path: authority,
      headers,
      agent: false,
      timeout: timeoutMs,
    });
    const refused = (status: number) =>
      new ProxyError(
        status === 407 ? 'PROXY_AUTH_REQUIRED' : 'PROXY_REFUSED',
        `Proxy ${proxy} answered ${status} to CONNECT ${authority}`,
        status,
      );
    req.once('connect', (res, socket, head) => {
      const status = res.statusCode ?? 0;
      if (status !== 200) {
        socket.destroy();
        return reject(refused(status));
      }
      if (head.length) socket.unshift(head);
      resolve(socket);
    });
    req.once('response', (res) => {
      res.resume();
      reject(refused(res.statusCode ?? 0));
    });
    req.once('timeout', () => req.destroy(Object.assign(new Error(`Proxy ${proxy} silent for ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    req.once('error', (err) =>
      reject(new ProxyError('PROXY_UNREACHABLE', `Proxy ${proxy} unreachable: ${err.message}`, undefined, { cause: err })),
    );
    req.end();
  });
}

type ConnectionCallback = (err: Error | null, socket?: Duplex) => void;
type AgentOptions = http.ClientRequestArgs & tls.ConnectionOptions;

/**
 * Open the connection of an agent's request: straight when the proxy resolver says DIRECT (the agent's own
 * createConnection, synchronous as before), else through a CONNECT tunnel (TLS on top for https).
 */
function connectThroughProxy(
  secure: boolean,
  options: AgentOptions,
  direct: () => Duplex,
  callback: ConnectionCallback,
  alwaysDirect: boolean,
): Duplex | undefined {
  const resolver = proxyResolver;
  if (resolver === DIRECT || alwaysDirect) return direct();
  const host = String(options.host ?? options.hostname ?? 'localhost');
  const port = Number(options.port ?? (secure ? 443 : 80));
  const target = new URL(`${secure ? 'https' : 'http'}://${net.isIPv6(host) ? `[${host}]` : host}:${port}/`);
  routesFor(resolver, target)
    .then(
      async ([route]) => {
        if (!route || route.kind === 'direct') return callback(null, direct());
        const socket = await openTunnel(route, host, port, options.timeout);
        callback(null, secure ? tls.connect({ ...options, socket }) : socket);
      },
      (err: unknown) =>
        callback(new ProxyError('PROXY_PAC_FAILED', `Proxy choice for ${target.host} failed: ${String(err)}`, undefined, { cause: err })),
    )
    .catch((err: unknown) => callback(err as Error));
  return undefined;
}

class ProxiedHttpsAgent extends https.Agent {
  constructor(
    options: https.AgentOptions,
    private readonly alwaysDirect: boolean,
  ) {
    super(options);
  }

  override createConnection(options: AgentOptions, callback: ConnectionCallback): Duplex | undefined {
    return connectThroughProxy(true, options, () => super.createConnection(options) as Duplex, callback, this.alwaysDirect);
  }
}

class ProxiedHttpAgent extends http.Agent {
  constructor(
    options: http.AgentOptions,
    private readonly alwaysDirect: boolean,
  ) {
    super(options);
  }

  override createConnection(options: AgentOptions, callback: ConnectionCallback): Duplex | undefined {
    return connectThroughProxy(false, options, () => super.createConnection(options) as Duplex, callback, this.alwaysDirect);
  }
}

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
  /** Never through a proxy (fetching the PAC file itself). */
  direct?: boolean;
}

/** A kept-alive connection closed by the server before it answered: the request is sent again once. */
class StaleSocket extends Error {}

const timeoutError = (message: string) => Object.assign(new Error(message), { code: 'ETIMEDOUT' });

/**
 * An agent for one server (its TLS options built once: system CAs, NODE_EXTRA_CA_CERTS, pinned PEMs), kept alive unless
 * `keepAlive` is false; its connections follow the proxy choice (setProxyResolver).
 */
export function createAgent(
  url: URL,
  options: { pinnedCertificates?: readonly string[]; maxSockets?: number; keepAlive?: boolean; direct?: boolean } = {},
): http.Agent {
  const common = { keepAlive: options.keepAlive ?? true, maxSockets: options.maxSockets ?? 2 };
  const direct = options.direct ?? false;
  return url.protocol === 'https:'
    ? new ProxiedHttpsAgent({ ...common, ...tlsOptionsFor(url.hostname, options.pinnedCertificates) }, direct)
    : new ProxiedHttpAgent(common, direct);
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
  // Without an agent, one of its own for this request (not kept alive): the proxy choice applies to it too.
  const ownAgent = options.agent
    ? null
    : createAgent(url, { pinnedCertificates: options.pinnedCertificates, keepAlive: false, maxSockets: 1, direct: options.direct });
  const connection = { agent: options.agent ?? ownAgent ?? undefined };
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
  /** Never through a proxy. */
  direct?: boolean;
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
    direct: options.direct,
  });
  const content = await readBody(res, options.maxBytes ?? 1024 * 1024);
  return { status: res.statusCode ?? 0, headers: res.headers, body: content.toString('utf8'), url: url.toString() };
}
