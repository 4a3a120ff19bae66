/**
 * TLS of every connection the core makes (IMAP, SMTP, ManageSieve, CalDAV, CardDAV, WebDAV, discovery, the meeting
 * sign-in): verification always on, TLS 1.2 at least, and one trust list built once per process, here and nowhere
 * else: the Mozilla roots Node ships, the authorities of the operating system's store (./system-ca.ts: the
 * Debian/Ubuntu bundle, Windows' and macOS' stores, where IT installs its own authority) and the NODE_EXTRA_CA_CERTS
 * file. Without pinned certificates, every connection shares one secure context made from that list (built once:
 * parsing a few hundred roots per connection would cost milliseconds each time). With certificates pinned for the
 * account, they are added to the list for that connection; a pinned certificate (a leaf included) is a trust anchor
 * of its own (allowPartialTrustChain).
 */
import fs from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { readSystemAuthorities, type SystemStoreReader } from './system-ca.js';

interface TrustList {
  certificates: readonly string[];
  /** The system's authorities Node does not ship. */
  added: readonly string[];
  /** The NODE_EXTRA_CA_CERTS file's text ('' without it). */
  extra: string;
  /** Where the system's authorities were read, or null when none were found. */
  systemSource: string | null;
  systemCount: number;
  context?: tls.SecureContext;
}

let trust: TrustList | undefined;
let systemReader: SystemStoreReader | undefined;

const MIN_VERSION: tls.SecureVersion = 'TLSv1.2';

/** Same certificate written with other line breaks: compared on the base64 body alone. */
const bodyOf = (pem: string) => pem.replace(/-----[A-Z ]+-----|\s+/g, '');

function buildTrust(): TrustList {
  const extra: string[] = [];
  const file = process.env.NODE_EXTRA_CA_CERTS;
  if (file) {
    try {
      extra.push(fs.readFileSync(file, 'utf8'));
    } catch {
      /* Node itself warns at start-up about an unreadable NODE_EXTRA_CA_CERTS */
    }
  }
  const system = readSystemAuthorities(systemReader);
  const known = new Set(tls.rootCertificates.map(bodyOf));
  const added = system.certificates.filter((pem) => {
    const body = bodyOf(pem);
    if (known.has(body)) return false;
    known.add(body);
    return true;
  });
  return {
    certificates: [...tls.rootCertificates, ...added, ...extra],
    added,
    extra: extra.join('\n'),
    systemSource: system.source,
    systemCount: system.certificates.length,
  };
}

function trustList(): TrustList {
  return (trust ??= buildTrust());
}

/** Read the system's store again at the next connection, from `reader` (tests) or the machine. */
export function resetTrust(reader?: SystemStoreReader): void {
  trust = undefined;
  systemReader = reader;
}

/** For the log: where the system's authorities come from and how many there are. */
export function trustSummary(): { systemSource: string | null; systemCertificates: number; total: number } {
  const list = trustList();
  return { systemSource: list.systemSource, systemCertificates: list.systemCount, total: list.certificates.length };
}

/** The whole CA list for a connection: Mozilla roots, the system's store, NODE_EXTRA_CA_CERTS, then the pinned PEMs. */
export function trustedCertificates(pinned: readonly string[] | undefined): string[] {
  return [...trustList().certificates, ...(pinned ?? [])];
}

/** The native side of a SecureContext: addCACert adds to a copy of Node's store of Mozilla roots. */
interface NativeContext {
  addCACert?: (pem: string) => void;
}

/**
 * The secure context of every unpinned connection: Node's own store plus the system's authorities it lacks (and
 * NODE_EXTRA_CA_CERTS). Node's parsed roots are reused and only the few added certificates are parsed (a few ms); an
 * explicit `ca` list would parse every root again (100 to 400 ms on a loaded machine). Without the native method, the
 * explicit list.
 */
function sharedContext(): tls.SecureContext {
  const list = trustList();
  if (list.context) return list.context;
  const context = tls.createSecureContext({ minVersion: MIN_VERSION });
  const native = (context as unknown as { context?: NativeContext }).context;
  if (list.added.length === 0) list.context = context;
  else if (typeof native?.addCACert === 'function') {
    // The copy of Node's store holds the Mozilla roots only: NODE_EXTRA_CA_CERTS is added again with the system's.
    for (const pem of list.extra ? [...list.added, list.extra] : list.added) native.addCACert(pem);
    list.context = context;
  } else list.context = tls.createSecureContext({ ca: [...list.certificates], minVersion: MIN_VERSION });
  return list.context;
}

/** TLS options to reach `host` (its name is checked against the certificate; IP literals send no SNI). */
export function tlsOptionsFor(host: string, pinnedCertificates: readonly string[] | undefined): tls.ConnectionOptions {
  const options: tls.ConnectionOptions = { rejectUnauthorized: true, minVersion: MIN_VERSION };
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  if (bare && !net.isIP(bare)) options.servername = bare;
  if (pinnedCertificates && pinnedCertificates.length > 0) {
    options.ca = trustedCertificates(pinnedCertificates);
    options.allowPartialTrustChain = true;
  } else options.secureContext = sharedContext();
  return options;
}
