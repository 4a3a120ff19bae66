/**
 * Which proxy the core's HTTP(S) requests (CalDAV, CardDAV, WebDAV, discovery, the meeting sign-in) go through, decided
 * here for each URL, as a browser does:
 * - IT's policy (`proxy` key of the policy file or of the Windows registry) forces a proxy (`fixed`), a PAC file
 *   (`pac`), no proxy (`direct`), or leaves it to the system (`system`, the default);
 * - the system: on Windows the « Paramètres Internet » of the user (ProxyEnable/ProxyServer/ProxyOverride/
 *   AutoConfigURL, read with `reg query`), in the Electron app Chromium's own choice (session.resolveProxy, given by
 *   main/ behind the same ProxyResolver interface), else the HTTPS_PROXY/HTTP_PROXY/ALL_PROXY/NO_PROXY variables.
 * A PAC script runs in QuickJS compiled to WebAssembly (pac-resolver): it cannot reach Node, the files or the network
 * (only the DNS functions the PAC standard defines), with a memory limit and a time limit.
 * Every resolver answers in the PAC format (« PROXY host:port; DIRECT »), parsed by parsePacResult.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';

/** One way to reach a URL: straight, or through an HTTP proxy (CONNECT tunnel). */
export type ProxyRoute = { kind: 'direct' } | { kind: 'http'; host: string; port: number; auth?: string };

/** Gives the PAC-format answer (« PROXY a:3128; DIRECT ») for a URL. */
export interface ProxyResolver {
  /** For the log: what decides (« PAC https://… », « HTTPS_PROXY », « stratégie »…). */
  readonly description: string;
  resolve(url: URL): Promise<string>;
}

export const DIRECT: ProxyResolver = { description: 'direct', resolve: () => Promise.resolve('DIRECT') };

/**
 * Parse a PAC answer into routes, in order. PROXY and HTTP(S) entries become HTTP proxies, DIRECT stays; SOCKS
 * entries are skipped (not supported); an empty or unusable answer means DIRECT.
 */
export function parsePacResult(result: string): ProxyRoute[] {
  const routes: ProxyRoute[] = [];
  for (const part of result.split(';')) {
    const [kind = '', target = ''] = part.trim().split(/\s+/);
    const k = kind.toUpperCase();
    if (k === 'DIRECT') routes.push({ kind: 'direct' });
    else if ((k === 'PROXY' || k === 'HTTP' || k === 'HTTPS') && target) {
      const route = routeOfHostPort(target, 80);
      if (route) routes.push(route);
    }
  }
  return routes.length ? routes : [{ kind: 'direct' }];
}

function routeOfHostPort(value: string, defaultPort: number): ProxyRoute | null {
  try {
    const u = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`);
    if (!u.hostname) return null;
    const port = u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : defaultPort;
    const route: ProxyRoute = { kind: 'http', host: u.hostname.replace(/^\[(.*)\]$/, '$1'), port };
    if (u.username) route.auth = `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`;
    return route;
  } catch {
    return null;
  }
}

/** The PAC line of a proxy URL (« http://user:pw@proxy:3128 » → « PROXY user:pw@proxy:3128 »). */
function pacOfProxyUrl(value: string): string {
  const route = routeOfHostPort(value.trim(), 80);
  if (!route || route.kind !== 'http') return 'DIRECT';
  const host = net.isIPv6(route.host) ? `[${route.host}]` : route.host;
  const auth = route.auth ? `${route.auth.split(':').map(encodeURIComponent).join(':')}@` : '';
  return `PROXY ${auth}${host}:${route.port}`;
}

const isLoopback = (host: string) => host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127\./.test(host);

/**
 * Whether `url` bypasses the proxy, after NO_PROXY or Windows' ProxyOverride: entries separated by commas, semicolons
 * or spaces; `*` (everything), `.domaine.fr`/`*.domaine.fr`/`domaine.fr` (the domain and its subdomains), `hôte:port`,
 * an address or a CIDR range (`10.0.0.0/8`), `<local>` (names without a dot, as Windows). `<-loopback>` removes the
 * implicit bypass of localhost and 127.0.0.0/8 (as Chromium); `implicitLoopback` false does the same.
 */
export function bypassesProxy(url: URL, list: readonly string[], implicitLoopback = true): boolean {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const entries = list.map((e) => e.trim().toLowerCase()).filter(Boolean);
  if (implicitLoopback && !entries.includes('<-loopback>') && isLoopback(host)) return true;
  for (const entry of entries) {
    if (entry === '*') return true;
    if (entry === '<local>') {
      if (!host.includes('.') && !net.isIP(host)) return true;
      continue;
    }
    if (entry === '<-loopback>') continue;
    const cidr = entry.match(/^([0-9a-f.:]+)\/(\d{1,3})$/);
    if (cidr && net.isIP(host)) {
      try {
        const family = net.isIPv6(cidr[1]) ? 'ipv6' : 'ipv4';
        const blocks = new net.BlockList();
        blocks.addSubnet(cidr[1], Number(cidr[2]), family);
        if (blocks.check(host, net.isIPv6(host) ? 'ipv6' : 'ipv4')) return true;
      } catch {
        /* a malformed range matches nothing */
      }
      continue;
    }
    let name = entry;
    const withPort = entry.match(/^(.*):(\d+)$/);
    if (withPort && !net.isIPv6(entry)) {
      if (withPort[2] !== port) continue;
      name = withPort[1];
    }
    name = name.replace(/^\*\./, '.').replace(/^\*/, '');
    if (name.startsWith('.')) {
      if (host.endsWith(name) || host === name.slice(1)) return true;
    } else if (host === name || host.endsWith(`.${name}`)) return true;
  }
  return false;
}

/** A fixed proxy (a URL or host:port) with its bypass list. */
export function fixedProxyResolver(proxy: string, bypass: readonly string[] = [], description = proxy): ProxyResolver {
  const pac = pacOfProxyUrl(proxy);
  return { description, resolve: (url) => Promise.resolve(bypassesProxy(url, bypass) ? 'DIRECT' : pac) };
}

/**
 * The conventional variables (as curl, Python, Go): HTTPS_PROXY for https URLs, HTTP_PROXY for http ones, ALL_PROXY for
 * both, lower-case names first; NO_PROXY lists the hosts reached directly. Null when none is set.
 */
export function envProxyResolver(env: NodeJS.ProcessEnv): ProxyResolver | null {
  const get = (name: string) => env[name.toLowerCase()] ?? env[name];
  const https = get('HTTPS_PROXY') || get('ALL_PROXY');
  const http = get('HTTP_PROXY') || get('ALL_PROXY');
  if (!https && !http) return null;
  const bypass = (get('NO_PROXY') ?? '').split(/[,\s]+/);
  return {
    description: 'HTTPS_PROXY/HTTP_PROXY',
    resolve: (url) => {
      const proxy = url.protocol === 'https:' || url.protocol === 'wss:' ? https : http;
      return Promise.resolve(!proxy || bypassesProxy(url, bypass) ? 'DIRECT' : pacOfProxyUrl(proxy));
    },
  };
}

/** Windows' « Paramètres Internet » of the user (HKCU\…\Internet Settings), as `reg query` gives them. */
export interface WindowsInternetSettings {
  ProxyEnable?: number;
  /** « proxy:3128 », or per scheme « http=p:3128;https=p:3129 ». */
  ProxyServer?: string;
  /** Bypass list, « ; »-separated, `<local>` included. */
  ProxyOverride?: string;
  AutoConfigURL?: string;
}

/** The resolver of Windows' settings without PAC (AutoConfigURL is fetched by the caller: pacProxyResolver). */
export function windowsProxyResolver(settings: WindowsInternetSettings): ProxyResolver | null {
  if (settings.ProxyEnable !== 1 || !settings.ProxyServer) return null;
  const perScheme = new Map<string, string>();
  let common: string | undefined;
  for (const part of settings.ProxyServer.split(';')) {
    const m = part.trim().match(/^([a-z]+)=(.+)$/i);
    if (m) perScheme.set(m[1].toLowerCase(), m[2]);
    else if (part.trim()) common = part.trim();
  }
  const bypass = (settings.ProxyOverride ?? '').split(';');
  return {
    description: 'Paramètres Internet de Windows',
    resolve: (url) => {
      const scheme = url.protocol.replace(/:$/, '').replace(/^wss$/, 'https').replace(/^ws$/, 'http');
      const proxy = perScheme.get(scheme) ?? common;
      return Promise.resolve(!proxy || bypassesProxy(url, bypass) ? 'DIRECT' : pacOfProxyUrl(proxy));
    },
  };
}

/** Longest run of FindProxyForURL, ms, and the memory the PAC script may use. */
const PAC_TIME_LIMIT_MS = 2000;
const PAC_MEMORY_LIMIT = 32 * 1024 * 1024;

/**
 * A PAC script (its text, already fetched) evaluated in a QuickJS sandbox. Throws when the script does not compile or
 * defines no FindProxyForURL; a run that fails or runs too long rejects (never a silent DIRECT: a PAC file that fails
 * must not send everything around the proxy), and the HTTP layer reports it in French (net.errors.proxyPac).
 */
export async function pacProxyResolver(script: string, description = 'PAC'): Promise<ProxyResolver> {
  const [{ QuickJS }, { createPacResolver }] = await Promise.all([import('quickjs-wasi'), import('pac-resolver')]);
  let deadline = Infinity;
  // The WebAssembly file, found from the package (also inside the Electron bundle); else the package finds it itself.
  let wasm: Buffer | undefined;
  try {
    const require = createRequire(import.meta.url);
    wasm = fs.readFileSync(path.join(path.dirname(require.resolve('quickjs-wasi')), '..', 'quickjs.wasm'));
  } catch {
    wasm = undefined;
  }
  const vm = await QuickJS.create({ wasm, memoryLimit: PAC_MEMORY_LIMIT, interruptHandler: () => Date.now() > deadline });
  const find = createPacResolver(vm, script);
  let queue: Promise<unknown> = Promise.resolve();
  return {
    description,
    // One run at a time: the time limit belongs to the run in progress.
    resolve: (url) => {
      const run = queue.then(async () => {
        deadline = Date.now() + PAC_TIME_LIMIT_MS;
        try {
          return String(await find(url.href, url.hostname));
        } finally {
          deadline = Infinity;
        }
      });
      queue = run.catch(() => undefined);
      return run;
    },
  };
}

/** The routes for a URL, in order (the first is tried; the HTTP layer does not fall back to the next ones). */
export async function routesFor(resolver: ProxyResolver, url: URL): Promise<ProxyRoute[]> {
  return parsePacResult(await resolver.resolve(url));
}
