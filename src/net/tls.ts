/**
 * TLS of every connection Ostal makes (IMAP, SMTP, CalDAV, CardDAV, WebDAV, discovery): verification always on,
 * TLS 1.2 at least. With nothing pinned, Node's default store is used as is (the Mozilla roots Node ships plus
 * NODE_EXTRA_CA_CERTS). With certificates pinned for the account, an explicit CA list is needed, and an explicit
 * list replaces Node's store: it is then the Mozilla roots, the NODE_EXTRA_CA_CERTS file and the pinned PEMs.
 * A pinned certificate (a leaf included) is a trust anchor of its own (allowPartialTrustChain).
 */
import fs from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';

let baseAuthorities: readonly string[] | undefined;

/** Mozilla roots + the NODE_EXTRA_CA_CERTS file, read once per process. */
function defaultAuthorities(): readonly string[] {
  if (baseAuthorities) return baseAuthorities;
  const extra: string[] = [];
  const file = process.env.NODE_EXTRA_CA_CERTS;
  if (file) {
    try {
      extra.push(fs.readFileSync(file, 'utf8'));
    } catch {
      /* Node itself warns at start-up about an unreadable NODE_EXTRA_CA_CERTS */
    }
  }
  baseAuthorities = [...tls.rootCertificates, ...extra];
  return baseAuthorities;
}

/** CA list for a connection: undefined (Node's defaults) when nothing is pinned, else defaults + pinned PEMs. */
export function trustedCertificates(pinned: readonly string[] | undefined): string[] | undefined {
  if (!pinned || pinned.length === 0) return undefined;
  return [...defaultAuthorities(), ...pinned];
}

/** TLS options to reach `host` (its name is checked against the certificate; IP literals send no SNI). */
export function tlsOptionsFor(host: string, pinnedCertificates: readonly string[] | undefined): tls.ConnectionOptions {
  const options: tls.ConnectionOptions = { rejectUnauthorized: true, minVersion: 'TLSv1.2' };
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  if (bare && !net.isIP(bare)) options.servername = bare;
  const ca = trustedCertificates(pinnedCertificates);
  if (ca) {
    options.ca = ca;
    options.allowPartialTrustChain = true;
  }
  return options;
}
