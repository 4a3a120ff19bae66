/**
 * The certificate authorities the operating system trusts, read once for the core's trust list (./tls.ts): a
 * commune's own authority, installed on every computer by IT (GPO, a Debian package, update-ca-certificates), is then
 * trusted by Ostal without NODE_EXTRA_CA_CERTS. Node 20 has no tls.getCACertificates('system'), so:
 * - Linux and the BSDs: the first readable PEM bundle among the usual places (Debian/Ubuntu first);
 * - Windows: the « Autorités de certification racines de confiance » of the machine and of the user, through PowerShell's
 *   certificate drive (no npm package needed; the command is run once, its output parsed here);
 * - macOS: the system keychains, through `security find-certificate -a -p`.
 * Every command runs behind `SystemStoreReader.run`, so tests give fake outputs. Nothing here throws: a store that
 * cannot be read gives no certificate and a reason for the log.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

/** PEM bundles of the usual Linux distributions, in the order they are tried (the first readable one is used). */
export const LINUX_CA_BUNDLES: readonly string[] = [
  '/etc/ssl/certs/ca-certificates.crt', // Debian, Ubuntu, Gentoo, Arch
  '/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem', // Fedora, RHEL 7+
  '/etc/pki/tls/certs/ca-bundle.crt', // Fedora, RHEL (older)
  '/etc/ssl/ca-bundle.pem', // openSUSE
  '/etc/pki/tls/cacert.pem', // OpenELEC
  '/etc/ssl/cert.pem', // Alpine, FreeBSD
];

/** PowerShell: every root certificate of the machine's and the user's stores, one base64 DER per line. */
export const WINDOWS_ROOTS_SCRIPT =
  "$ErrorActionPreference='SilentlyContinue'; Get-ChildItem -Path Cert:\\LocalMachine\\Root, Cert:\\CurrentUser\\Root, " +
  'Cert:\\LocalMachine\\CA | ForEach-Object { [Convert]::ToBase64String($_.RawData) }';

export const MACOS_KEYCHAINS: readonly string[] = [
  '/Library/Keychains/System.keychain',
  '/System/Library/Keychains/SystemRootCertificates.keychain',
];

/** What reading the system store needs from the machine (the real one by default, fakes in tests). */
export interface SystemStoreReader {
  platform: NodeJS.Platform;
  /** Text of a file, or null when it cannot be read. */
  readFile(path: string): string | null;
  /** Standard output of a command, or null when it failed. */
  run(command: string, args: readonly string[]): string | null;
  /** Bundles to try on Linux; default LINUX_CA_BUNDLES. */
  bundlePaths?: readonly string[];
}

export interface SystemAuthorities {
  /** PEM certificates, one per entry. */
  certificates: string[];
  /** Where they came from (a file, a command), for the log; null when none was found. */
  source: string | null;
}

export const realSystemStoreReader = (): SystemStoreReader => ({
  platform: process.platform,
  readFile: (path) => {
    try {
      return fs.readFileSync(path, 'utf8');
    } catch {
      return null;
    }
  },
  run: (command, args) => {
    try {
      return execFileSync(command, [...args], { encoding: 'utf8', timeout: 15_000, windowsHide: true, maxBuffer: 64 * 1024 * 1024 });
    } catch {
      return null;
    }
  },
});

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** The certificates of a PEM bundle (comments and other blocks dropped). */
export function splitPemBundle(text: string): string[] {
  return (text.match(PEM_BLOCK) ?? []).map((block) => block.replace(/\r\n/g, '\n') + '\n');
}

/** A base64 DER certificate as PEM. */
export function derBase64ToPem(base64: string): string {
  const body = base64.replace(/\s+/g, '');
  const lines = body.match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/** The output of WINDOWS_ROOTS_SCRIPT: one base64 certificate per line; duplicates (same root in two stores) once. */
export function parseWindowsRoots(output: string): string[] {
  const seen = new Set<string>();
  for (const line of output.split(/\r?\n/)) {
    const b64 = line.trim();
    if (/^[A-Za-z0-9+/]+={0,2}$/.test(b64) && b64.length > 100) seen.add(b64);
  }
  return [...seen].map(derBase64ToPem);
}

/** The certificates the operating system trusts. */
export function readSystemAuthorities(reader: SystemStoreReader = realSystemStoreReader()): SystemAuthorities {
  if (reader.platform === 'win32') {
    const out = reader.run('powershell.exe', ['-NoProfile', '-NonInteractive', '-Command', WINDOWS_ROOTS_SCRIPT]);
    const certificates = out === null ? [] : parseWindowsRoots(out);
    return { certificates, source: certificates.length ? 'Cert:\\LocalMachine\\Root' : null };
  }
  if (reader.platform === 'darwin') {
    const out = reader.run('/usr/bin/security', ['find-certificate', '-a', '-p', ...MACOS_KEYCHAINS]);
    const certificates = out === null ? [] : [...new Set(splitPemBundle(out))];
    return { certificates, source: certificates.length ? MACOS_KEYCHAINS.join(', ') : null };
  }
  for (const path of reader.bundlePaths ?? LINUX_CA_BUNDLES) {
    const text = reader.readFile(path);
    if (text === null) continue;
    const certificates = splitPemBundle(text);
    if (certificates.length) return { certificates, source: path };
  }
  return { certificates: [], source: null };
}
