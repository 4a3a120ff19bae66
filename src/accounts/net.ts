import dns from 'node:dns';
import fs from 'node:fs';
import https from 'node:https';
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';

/**
 * Network settings of discovery and endpoint checks, from the environment:
 * - `OSTAL_DNS_SERVERS`: comma-separated `ip[:port]` list. When set, every host name lookup
 *   (SRV, TXT and the A/AAAA lookups of the hosts Ostal connects to during discovery and
 *   checks) goes to these servers instead of the system resolver. IT may force a resolver;
 *   the tests point it at their local DNS server.
 * - `OSTAL_DISCOVERY_HTTPS_PORT`: port used instead of 443 for the autoconfig and
 *   `/.well-known/` probes on the mail domain (tests, or deployments on a non-standard port).
 */
export interface NetworkEnv {
  dnsServers: string[] | null;
  discoveryHttpsPort: number;
}

export function networkEnv(env: NodeJS.ProcessEnv = process.env): NetworkEnv {
  const servers = (env.OSTAL_DNS_SERVERS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const port = Number(env.OSTAL_DISCOVERY_HTTPS_PORT);
  return { dnsServers: servers.length ? servers : null, discoveryHttpsPort: Number.isInteger(port) && port > 0 && port < 65536 ? port : 443 };
}

/** A resolver that honours OSTAL_DNS_SERVERS, with a short timeout. */
export function createResolver(netEnv: NetworkEnv): dns.promises.Resolver {
  const resolver = new dns.promises.Resolver({ timeout: 2000, tries: 2 });
  if (netEnv.dnsServers) resolver.setServers(netEnv.dnsServers);
  return resolver;
}

export type LookupFunction = net.LookupFunction;

const LOOPBACK_NAMES = new Set(['localhost', 'localhost.localdomain', 'ip6-localhost']);

/**
 * Resolve a host name to addresses: IP literals as they are, `localhost` to loopback, other
 * names through the given resolver (A then AAAA).
 */
export async function resolveHost(host: string, resolver: dns.promises.Resolver | null): Promise<{ address: string; family: 4 | 6 }[]> {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  const family = net.isIP(bare);
  if (family) return [{ address: bare, family: family as 4 | 6 }];
  if (LOOPBACK_NAMES.has(bare.toLowerCase())) return [{ address: '127.0.0.1', family: 4 }];
  if (!resolver) {
    const all = await dns.promises.lookup(bare, { all: true });
    return all.map((a) => ({ address: a.address, family: a.family as 4 | 6 }));
  }
  const out: { address: string; family: 4 | 6 }[] = [];
  const errors: unknown[] = [];
  try {
    for (const a of await resolver.resolve4(bare)) out.push({ address: a, family: 4 });
  } catch (err) {
    errors.push(err);
  }
  if (!out.length) {
    try {
      for (const a of await resolver.resolve6(bare)) out.push({ address: a, family: 6 });
    } catch (err) {
      errors.push(err);
    }
  }
  if (!out.length) {
    const err = new Error(`getaddrinfo ENOTFOUND ${bare}`) as NodeJS.ErrnoException;
    err.code = 'ENOTFOUND';
    (err as NodeJS.ErrnoException & { hostname?: string }).hostname = bare;
    throw err;
  }
  return out;
}

/** A `lookup` for net/tls/http that uses the custom resolver; null when the system resolver applies. */
export function lookupFor(resolver: dns.promises.Resolver | null): LookupFunction | undefined {
  if (!resolver) return undefined;
  return ((hostname: string, options: dns.LookupOptions, callback: (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void) => {
    resolveHost(hostname, resolver).then(
      (addresses) => {
        if (options?.all) callback(null, addresses);
        else callback(null, addresses[0].address, addresses[0].family);
      },
      (err: NodeJS.ErrnoException) => callback(err, ''),
    );
  }) as LookupFunction;
}

/**
 * CA list for a connection: Node's defaults when nothing is pinned; otherwise the Mozilla
 * roots, the NODE_EXTRA_CA_CERTS file (an explicit `ca` would drop it) and the pinned PEMs.
 */
export function trustedCertificates(pinned: readonly string[] | undefined): string[] | undefined {
  if (!pinned || pinned.length === 0) return undefined;
  const extra: string[] = [];
  const extraFile = process.env.NODE_EXTRA_CA_CERTS;
  if (extraFile) {
    try {
      extra.push(fs.readFileSync(extraFile, 'utf8'));
    } catch {
      /* Node itself warns about an unreadable NODE_EXTRA_CA_CERTS */
    }
  }
  return [...tls.rootCertificates, ...extra, ...pinned];
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
  ca?: string[];
  /** Follow up to this many redirects (same method for 307/308, GET after 303). */
  maxRedirects?: number;
  /** Largest body kept, in bytes. */
  maxBytes?: number;
  /** Basic credentials; sent only to the origin of the first URL. */
  basicAuth?: { user: string; pass: string };
}

/** One HTTPS request with TLS verified, a hard timeout, and redirects followed. */
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

function requestOnce(url: URL, method: string, body: string | undefined, options: HttpRequestOptions, sameOrigin: boolean): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'User-Agent': 'Ostal', Accept: '*/*', ...(options.headers ?? {}) };
    if (body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(body));
    if (options.basicAuth && sameOrigin) headers.Authorization = 'Basic ' + Buffer.from(`${options.basicAuth.user}:${options.basicAuth.pass}`).toString('base64');
    const mod = url.protocol === 'https:' ? https : http;
    const timeoutMs = options.timeoutMs ?? 3000;
    const req = mod.request(
      url,
      {
        method,
        headers,
        lookup: options.lookup,
        ca: options.ca,
        // Pinned certificates (a leaf included) are trust anchors of their own.
        ...(options.ca ? { allowPartialTrustChain: true } : {}),
        rejectUnauthorized: true,
        agent: false,
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const max = options.maxBytes ?? 1024 * 1024;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size <= max) chunks.push(c);
        });
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), url: url.toString() });
        });
        res.on('error', (err) => {
          clearTimeout(timer);
          reject(err);
        });
      },
    );
    const timer = setTimeout(() => {
      const err = new Error(`Request to ${url.host} timed out after ${timeoutMs} ms`) as NodeJS.ErrnoException;
      err.code = 'ETIMEDOUT';
      req.destroy(err);
    }, timeoutMs);
    req.on('timeout', () => {
      const err = new Error(`Socket to ${url.host} idle for ${timeoutMs} ms`) as NodeJS.ErrnoException;
      err.code = 'ETIMEDOUT';
      req.destroy(err);
    });
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end(body);
  });
}
