/** The system's certificate store read on fake Linux, Windows and macOS machines, and added to the core's trust list. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import tls from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import { LINUX_CA_BUNDLES, parseWindowsRoots, readSystemAuthorities, type SystemStoreReader } from '../../src/net/system-ca.js';
import { resetTrust, tlsOptionsFor, trustedCertificates, trustSummary } from '../../src/net/tls.js';
import { makeAuthority } from '../integration/net-fixtures/certificates.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-sysca-'));
const authority = makeAuthority(dir, 'unitaire');
const other = makeAuthority(dir, 'autre');
afterAll(() => {
  resetTrust();
  fs.rmSync(dir, { recursive: true, force: true });
});

const der64 = (pem: string) => pem.replace(/-----[A-Z ]+-----|\s+/g, '');

function reader(
  platform: NodeJS.Platform,
  files: Record<string, string>,
  commands: Record<string, string> = {},
): SystemStoreReader & { ran: string[] } {
  const ran: string[] = [];
  return {
    platform,
    ran,
    readFile: (p) => files[p] ?? null,
    run: (command, args) => {
      ran.push([command, ...args].join(' '));
      return commands[command] ?? null;
    },
  };
}

describe('system certificate store', () => {
  it('reads the first bundle found on Linux (Debian/Ubuntu first), comments dropped', () => {
    const bundle = `# Ostal\n${authority.ca}\n${other.ca}`;
    const debian = readSystemAuthorities(reader('linux', { '/etc/ssl/certs/ca-certificates.crt': bundle, '/etc/ssl/cert.pem': other.ca }));
    expect(debian.source).toBe('/etc/ssl/certs/ca-certificates.crt');
    expect(debian.certificates.map(der64)).toEqual([der64(authority.ca), der64(other.ca)]);
    const fedora = readSystemAuthorities(reader('linux', { '/etc/pki/tls/certs/ca-bundle.crt': authority.ca }));
    expect(fedora.source).toBe('/etc/pki/tls/certs/ca-bundle.crt');
    expect(readSystemAuthorities(reader('linux', {}))).toEqual({ certificates: [], source: null });
    expect(LINUX_CA_BUNDLES[0]).toBe('/etc/ssl/certs/ca-certificates.crt');
  });

  it('reads Windows’ root stores through PowerShell, each certificate once', () => {
    const b64 = der64(authority.ca);
    const r = reader('win32', {}, { 'powershell.exe': `${b64}\r\n${b64}\r\n${der64(other.ca)}\r\n` });
    const store = readSystemAuthorities(r);
    expect(r.ran[0]).toMatch(/^powershell\.exe -NoProfile -NonInteractive -Command .*Cert:\\LocalMachine\\Root/);
    expect(store.certificates.map(der64)).toEqual([b64, der64(other.ca)]);
    expect(new crypto.X509Certificate(store.certificates[0]).subject).toContain('Ostal unitaire CA');
    expect(parseWindowsRoots('Get-ChildItem : erreur\r\n')).toEqual([]);
    expect(readSystemAuthorities(reader('win32', {}))).toEqual({ certificates: [], source: null });
  });

  it('reads macOS’ system keychains through security', () => {
    const r = reader('darwin', {}, { '/usr/bin/security': authority.ca + authority.ca });
    expect(readSystemAuthorities(r).certificates).toHaveLength(1);
    expect(r.ran[0]).toContain('find-certificate -a -p /Library/Keychains/System.keychain');
  });

  it('adds the system’s authorities to the trust list of every connection', () => {
    resetTrust(reader('linux', { '/etc/ssl/certs/ca-certificates.crt': `${tls.rootCertificates[0]}\n${authority.ca}` }));
    const list = trustedCertificates(undefined).map(der64);
    expect(list).toContain(der64(authority.ca));
    expect(list).not.toContain(der64(other.ca));
    // A Mozilla root the bundle repeats is not counted twice.
    expect(list.filter((c) => c === der64(tls.rootCertificates[0]))).toHaveLength(1);
    expect(trustSummary()).toMatchObject({ systemSource: '/etc/ssl/certs/ca-certificates.crt', systemCertificates: 2 });
    expect(tlsOptionsFor('dav.mairie.fr', undefined).secureContext).toBeDefined();
    const pinned = tlsOptionsFor('dav.mairie.fr', [other.ca]);
    expect((pinned.ca as string[]).map(der64)).toEqual(expect.arrayContaining([der64(authority.ca), der64(other.ca)]));
  });
});
