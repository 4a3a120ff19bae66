/**
 * Host name resolution of Ostal's connections: the OSTAL_DNS_SERVERS resolver (IT may force one; the tests point
 * it at their local DNS server) and the `lookup` function that routes net/tls/http through it.
 */
import dns from 'node:dns';
import net from 'node:net';

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
  return {
    dnsServers: servers.length ? servers : null,
    discoveryHttpsPort: Number.isInteger(port) && port > 0 && port < 65536 ? port : 443,
  };
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
  return ((
    hostname: string,
    options: dns.LookupOptions,
    callback: (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void,
  ) => {
    resolveHost(hostname, resolver).then(
      (addresses) => {
        if (options?.all) callback(null, addresses);
        else callback(null, addresses[0].address, addresses[0].family);
      },
      (err: NodeJS.ErrnoException) => callback(err, ''),
    );
  }) as LookupFunction;
}
