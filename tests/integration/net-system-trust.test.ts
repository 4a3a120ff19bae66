/**
 * The core trusts the operating system's certificate store: a certificate authority made here is added **only** to
 * this machine's system bundle (as IT would install its own authority on a Debian or Ubuntu computer:
 * /usr/local/share/ca-certificates/ + update-ca-certificates), and a core started in a child process, without
 * NODE_EXTRA_CA_CERTS, reaches a DAV server whose certificate that authority signed. Before the authority is added
 * (and after it is removed), the same request is refused with the French message of an unknown certificate.
 *
 * This modifies the machine (tests and CI run as root): the file has a unique name, the hooks of
 * update-ca-certificates (Java's keystore) are not run, and the authority is removed at the end, even after a
 * failure. Its key lives in a temporary folder and the authority expires in two days.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { t } from '../../src/i18n/index.js';
import { makeAuthority, type TestAuthority } from './net-fixtures/certificates.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..', '..');
const SYSTEM_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
const LOCAL_CAS = '/usr/local/share/ca-certificates';
const CERTS_DIR = '/etc/ssl/certs';

let dir: string;
let authority: TestAuthority;
let server: https.Server;
let port = 0;
let installed: string | null = null;
let noHooks: string;

/** The core's DAV request from a child process with no NODE_EXTRA_CA_CERTS and no proxy. */
async function probe(url: string): Promise<{ ok: boolean; status?: number; code?: string; message?: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, OSTAL_POLICIES: path.join(dir, 'aucune-regle.json') };
  for (const name of ['NODE_EXTRA_CA_CERTS', 'HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy'])
    delete env[name];
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'tests/integration/net-fixtures/dav-probe.ts', url], {
    cwd: root,
    env,
    timeout: 60_000,
  });
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as { ok: boolean; status?: number; code?: string; message?: string };
}

const bodyOf = (pem: string) => pem.replace(/-----[A-Z ]+-----|\s+/g, '');
const inSystemBundle = (pem: string) =>
  fs
    .readFileSync(SYSTEM_BUNDLE, 'utf8')
    .replace(/-----[A-Z ]+-----|\s+/g, '')
    .includes(bodyOf(pem));

async function updateSystemStore(): Promise<void> {
  await run('update-ca-certificates', ['--hooksdir', noHooks], { timeout: 120_000 });
}

/** Remove the authority, then the links update-ca-certificates made for it (it leaves them dangling). */
async function removeAuthority(): Promise<void> {
  if (!installed) return;
  const link = path.join(CERTS_DIR, path.basename(installed).replace(/\.crt$/, '.pem'));
  fs.rmSync(installed, { force: true });
  installed = null;
  await updateSystemStore();
  for (const f of fs.readdirSync(CERTS_DIR)) {
    const file = path.join(CERTS_DIR, f);
    if (file === link || (fs.lstatSync(file).isSymbolicLink() && path.resolve(CERTS_DIR, fs.readlinkSync(file)) === link))
      fs.rmSync(file, { force: true });
  }
}

beforeAll(async () => {
  expect(process.getuid?.(), 'this test installs an authority in the system store: run it as root (as CI does)').toBe(0);
  expect(fs.existsSync(SYSTEM_BUNDLE), `${SYSTEM_BUNDLE} (paquet ca-certificates)`).toBe(true);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-systrust-'));
  noHooks = path.join(dir, 'aucun-crochet');
  fs.mkdirSync(noHooks);
  authority = makeAuthority(dir, `systeme-${process.pid}`);
  server = https.createServer({ key: authority.key, cert: authority.cert }, (req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(207, { 'Content-Type': 'application/xml; charset=utf-8' });
      res.end('<?xml version="1.0"?><d:multistatus xmlns:d="DAV:"><d:response><d:href>/dav/</d:href></d:response></d:multistatus>');
    });
  });
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as net.AddressInfo).port;
  // A leftover of an interrupted run of this file (older than an hour) is removed first.
  for (const f of fs.readdirSync(LOCAL_CAS).filter((f) => /^ostal-test-.*\.crt$/.test(f))) {
    const file = path.join(LOCAL_CAS, f);
    if (Date.now() - fs.statSync(file).mtimeMs > 3_600_000) fs.rmSync(file);
  }
});

afterAll(async () => {
  await removeAuthority();
  await new Promise((resolve) => server?.close(resolve));
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('system certificate store', () => {
  it('refuses the server in French while its authority is in no store', async () => {
    expect(inSystemBundle(authority.ca)).toBe(false);
    const answer = await probe(`https://127.0.0.1:${port}/dav/`);
    expect(answer).toEqual({ ok: false, code: 'tls_untrusted', message: t('net.errors.tlsUntrusted', { host: '127.0.0.1', port }) });
    expect(answer.message).toContain('n’est pas reconnu comme sûr');
  });

  it('trusts it once the authority is in the system bundle only, then refuses it again once removed', async () => {
    installed = path.join(LOCAL_CAS, `ostal-test-${process.pid}-${Date.now()}.crt`);
    fs.writeFileSync(installed, authority.ca, { mode: 0o644 });
    await updateSystemStore();
    expect(inSystemBundle(authority.ca)).toBe(true);
    // The child has no NODE_EXTRA_CA_CERTS and Node alone does not read the system bundle: the core's trust list does.
    expect(await probe(`https://127.0.0.1:${port}/dav/`)).toEqual({ ok: true, status: 207 });

    await removeAuthority();
    expect(inSystemBundle(authority.ca)).toBe(false);
    expect((await probe(`https://127.0.0.1:${port}/dav/`)).code).toBe('tls_untrusted');
  });
});
