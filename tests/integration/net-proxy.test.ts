/**
 * DAV through an HTTP proxy forced by IT's policy (`"proxy": { "mode": "fixed", … }`): a small CONNECT proxy of this
 * test stands between a core (a child process, policy file from OSTAL_POLICIES) and the real Apache WebDAV server.
 * The request goes through the tunnel and Apache answers; with credentials in the proxy's address they are sent; when
 * the proxy refuses (407, 403) or cannot be reached, the core says so in French and names the server it wanted.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { t } from '../../src/i18n/index.js';
import { getServers, testUser } from '../servers/testing.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..', '..');

type Behaviour = 'tunnel' | 'refuse-auth' | 'forbid' | 'tunnel-with-auth';
let behaviour: Behaviour = 'tunnel';
const connects: { authority: string; auth: string | undefined }[] = [];
let proxy: http.Server;
let proxyPort = 0;
let dir: string;
const user = testUser(5);

function startProxy(): Promise<void> {
  proxy = http.createServer((_req, res) => {
    res.writeHead(405).end();
  });
  proxy.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const authority = req.url ?? '';
    const auth = req.headers['proxy-authorization'];
    connects.push({ authority, auth });
    const expected = `Basic ${Buffer.from('agent.proxy:mot de passe', 'utf8').toString('base64')}`;
    if (behaviour === 'refuse-auth' || (behaviour === 'tunnel-with-auth' && auth !== expected)) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="mairie"\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    if (behaviour === 'forbid') {
      client.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const [host, port] = [authority.slice(0, authority.lastIndexOf(':')), Number(authority.slice(authority.lastIndexOf(':') + 1))];
    const upstream = net.connect(port, host === 'localhost' ? '127.0.0.1' : host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  return new Promise((resolve) =>
    proxy.listen(0, '127.0.0.1', () => {
      proxyPort = (proxy.address() as net.AddressInfo).port;
      resolve();
    }),
  );
}

/** The core's PROPFIND on the user's WebDAV folder, from a child process under `policy`. */
async function probe(policy: unknown): Promise<{ ok: boolean; status?: number; code?: string; message?: string }> {
  const file = path.join(dir, `regles-${Date.now()}-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(file, JSON.stringify(policy));
  const env: NodeJS.ProcessEnv = { ...process.env, OSTAL_POLICIES: file };
  for (const name of ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy', 'NO_PROXY', 'no_proxy'])
    delete env[name];
  const url = `https://localhost:${getServers().apache.port}/dav/${user.username}/`;
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', 'tests/integration/net-fixtures/dav-probe.ts', url, user.username, user.password],
    { cwd: root, env, timeout: 60_000 },
  );
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as { ok: boolean; status?: number; code?: string; message?: string };
}

const forced = (url: string) => ({ proxy: { mode: 'fixed', url, bypass: ['<-loopback>'] } });

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-proxy-'));
  await startProxy();
});

afterAll(async () => {
  await new Promise((resolve) => proxy?.close(resolve));
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('DAV through the proxy of the policy', () => {
  const apache = () => `localhost:${getServers().apache.port}`;

  it('goes through the CONNECT tunnel, and Apache answers', async () => {
    behaviour = 'tunnel';
    connects.length = 0;
    expect(await probe(forced(`http://127.0.0.1:${proxyPort}`))).toEqual({ ok: true, status: 207 });
    expect(connects.map((c) => c.authority)).toEqual([apache()]);
    expect(connects[0].auth).toBeUndefined();
  });

  it('sends the credentials written in the proxy address', async () => {
    behaviour = 'tunnel-with-auth';
    connects.length = 0;
    expect(await probe(forced(`http://agent.proxy:mot%20de%20passe@127.0.0.1:${proxyPort}`))).toEqual({ ok: true, status: 207 });
    expect(connects).toHaveLength(1);
  });

  it('says in French that the proxy wants an identification (407)', async () => {
    behaviour = 'refuse-auth';
    const answer = await probe(forced(`http://127.0.0.1:${proxyPort}`));
    expect(answer).toEqual({
      ok: false,
      code: 'unreachable',
      message: t('net.errors.proxyAuth', { host: 'localhost', port: getServers().apache.port }),
    });
    expect(answer.message).toMatch(/^Le serveur mandataire \(proxy\) du réseau demande une identification pour joindre localhost/);
  });

  it('says in French that the proxy refuses the server (403)', async () => {
    behaviour = 'forbid';
    const answer = await probe(forced(`http://127.0.0.1:${proxyPort}`));
    expect(answer.ok).toBe(false);
    expect(answer.message).toBe(t('net.errors.proxyRefused', { host: 'localhost', port: getServers().apache.port }));
  });

  it('says in French that the proxy cannot be reached', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const answer = await probe(forced(`http://127.0.0.1:${port}`));
    expect(answer.message).toBe(t('net.errors.proxyUnreachable', { host: 'localhost', port: getServers().apache.port }));
  });

  it('follows a PAC file of the policy, and says in French when the PAC file fails', async () => {
    behaviour = 'tunnel';
    connects.length = 0;
    const pac = path.join(dir, 'proxy.pac');
    fs.writeFileSync(
      pac,
      `function FindProxyForURL(url, host) { return shExpMatch(host, "local*") ? "PROXY 127.0.0.1:${proxyPort}" : "DIRECT"; }`,
    );
    expect(await probe({ proxy: { mode: 'pac', pacUrl: pathToFileURL(pac).href } })).toEqual({ ok: true, status: 207 });
    expect(connects.map((c) => c.authority)).toEqual([apache()]);

    const broken = path.join(dir, 'casse.pac');
    fs.writeFileSync(broken, 'function FindProxyForURL(url, host) { return inconnue(host); }');
    const answer = await probe({ proxy: { mode: 'pac', pacUrl: pathToFileURL(broken).href } });
    expect(answer.message).toBe(t('net.errors.proxyPac', { host: 'localhost', port: getServers().apache.port }));
  });

  it('reaches loopback servers directly unless the bypass list says <-loopback>, as Chromium', async () => {
    behaviour = 'forbid';
    connects.length = 0;
    expect(await probe({ proxy: { mode: 'fixed', url: `http://127.0.0.1:${proxyPort}` } })).toEqual({ ok: true, status: 207 });
    expect(connects).toEqual([]);
  });
});
