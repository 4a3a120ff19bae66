import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Core } from '../../src/core.js';
import { silentLogger } from '../../src/log.js';
import { startBrowserHost, type BrowserHost } from '../../src/host/api-server.js';
import { contentSecurityPolicy } from '../../src/host/security.js';

/** Browser-mode host over real sockets: every refusal of issue 3 point 3 is proven here. */

let profileDir: string;
let rendererDir: string;
let core: Core;
let host: BrowserHost;
let origin: string;

type Outcome = { open: WebSocket } | { status: number } | { error: string };

function connect(
  options: { query?: string; origin?: string | null; headers?: Record<string, string>; path?: string } = {},
): Promise<Outcome> {
  const q = options.query ?? `token=${host.token}`;
  const url = `ws://127.0.0.1:${host.port}${options.path ?? '/api'}${q ? `?${q}` : ''}`;
  const wsOptions: WebSocket.ClientOptions = { headers: options.headers ?? {} };
  if (options.origin !== null) wsOptions.origin = options.origin ?? origin;
  return new Promise((resolve) => {
    const ws = new WebSocket(url, wsOptions);
    ws.once('open', () => resolve({ open: ws }));
    ws.once('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0 });
      ws.terminate();
    });
    ws.once('error', (err) => resolve({ error: (err as NodeJS.ErrnoException).code ?? err.message }));
  });
}

async function openSocket(): Promise<WebSocket> {
  const outcome = await connect();
  if (!('open' in outcome)) throw new Error(`expected an open socket, got ${JSON.stringify(outcome)}`);
  return outcome.open;
}

function nextMessage(ws: WebSocket): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    ws.once('message', (data) => resolve(JSON.parse(String(data)) as Record<string, unknown>));
    ws.once('close', (code) => reject(new Error(`closed ${code}`)));
  });
}

/** A raw HTTP GET that keeps the path exactly as written (no client-side normalisation of `..`). */
function rawGet(
  pathAndQuery: string,
  hostHeader = `127.0.0.1:${host.port}`,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: host.port, path: pathAndQuery, method: 'GET', headers: { Host: hostHeader }, setHost: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const FRENCH = /[’éèàêç]|n’est|demande/;
const INVALID_PARAMS =
  'Cette demande contient des informations manquantes ou mal formées\u00a0; elle n’a pas été traitée. Le détail est dans le journal d’Ostal.';

beforeAll(async () => {
  profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-host-'));
  rendererDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-renderer-'));
  fs.writeFileSync(
    path.join(rendererDir, 'index.html'),
    '<!doctype html><html lang="fr"><title>Ostal</title><script type="module" src="/assets/app.js"></script></html>',
  );
  fs.mkdirSync(path.join(rendererDir, 'assets'));
  fs.writeFileSync(path.join(rendererDir, 'assets', 'app.js'), 'console.log(1);');
  // A secret next to the renderer folder: traversal must never reach it.
  fs.writeFileSync(path.join(path.dirname(rendererDir), 'ostal-secret.txt'), 'secret');
  core = await Core.open({ profileDir, mode: 'browser', policyPath: null, logger: silentLogger });
  host = await startBrowserHost({ core, rendererDir, port: 0, maxMessageBytes: 64 * 1024 });
  origin = `http://127.0.0.1:${host.port}`;
});

afterAll(async () => {
  await host?.close();
  await core?.close();
  fs.rmSync(profileDir, { recursive: true, force: true });
  fs.rmSync(rendererDir, { recursive: true, force: true });
});

describe('browser host: address and URL', () => {
  it('binds 127.0.0.1 only and prints the page URL with the token in the fragment', () => {
    expect(host.address).toBe('127.0.0.1');
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/#token=${host.token}`);
    expect(host.token).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 bytes, base64url
  });

  it('refuses to bind a non-loopback address', async () => {
    for (const bad of ['0.0.0.0', '::', '192.168.1.10', 'localhost']) {
      await expect(startBrowserHost({ core, rendererDir, host: bad })).rejects.toMatchObject({
        code: 'invalid_input',
        message: expect.stringContaining('127.0.0.1'),
      });
    }
  });

  it('cannot be reached through a non-loopback address of this machine', async () => {
    const external = Object.values(os.networkInterfaces())
      .flat()
      .filter((i): i is os.NetworkInterfaceInfo => !!i && !i.internal && i.family === 'IPv4')
      .map((i) => i.address);
    // Whatever the machine has, the bound address itself is loopback.
    expect(host.address).toBe('127.0.0.1');
    for (const ip of external) {
      const code = await new Promise<string>((resolve) => {
        const s = net.connect({ host: ip, port: host.port });
        s.setTimeout(3000, () => {
          s.destroy();
          resolve('TIMEOUT');
        });
        s.once('connect', () => {
          s.destroy();
          resolve('CONNECTED');
        });
        s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'ERROR'));
      });
      expect(code, `connection to ${ip}:${host.port}`).not.toBe('CONNECTED');
    }
  });

  it('gives every start a different token', async () => {
    const other = await startBrowserHost({ core, rendererDir });
    try {
      expect(other.token).not.toBe(host.token);
      expect(other.port).not.toBe(host.port);
    } finally {
      await other.close();
    }
  });
});

describe('browser host: API WebSocket admission', () => {
  it('accepts the right token and Origin, and app.info answers', async () => {
    const ws = await openSocket();
    try {
      ws.send(JSON.stringify({ id: 1, method: 'app.info', params: {} }));
      const response = await nextMessage(ws);
      expect(response.id).toBe(1);
      expect(response.error).toBeUndefined();
      expect(response.result).toMatchObject({ mode: 'browser', locale: 'fr' });
    } finally {
      ws.close();
    }
  });

  it('refuses a connection without token', async () => {
    expect(await connect({ query: '' })).toEqual({ status: 403 });
  });

  it('refuses a wrong token, an empty token and a doubled token', async () => {
    const wrong = host.token.slice(0, -1) + (host.token.endsWith('A') ? 'B' : 'A');
    expect(await connect({ query: `token=${wrong}` })).toEqual({ status: 403 });
    expect(await connect({ query: 'token=' })).toEqual({ status: 403 });
    expect(await connect({ query: `token=${host.token}x` })).toEqual({ status: 403 });
    expect(await connect({ query: `token=${wrong}&token=${host.token}` })).toEqual({ status: 403 });
  });

  it('refuses a wrong Origin', async () => {
    expect(await connect({ origin: 'http://evil.example' })).toEqual({ status: 403 });
    expect(await connect({ origin: `http://localhost:${host.port}` })).toEqual({ status: 403 });
    expect(await connect({ origin: `https://127.0.0.1:${host.port}` })).toEqual({ status: 403 });
    expect(await connect({ origin: 'null' })).toEqual({ status: 403 });
  });

  it('refuses a connection without Origin', async () => {
    expect(await connect({ origin: null })).toEqual({ status: 403 });
  });

  it('refuses a wrong Host header (DNS rebinding)', async () => {
    expect(await connect({ headers: { Host: `evil.example:${host.port}` } })).toEqual({ status: 403 });
    expect(await connect({ headers: { Host: `localhost:${host.port}` } })).toEqual({ status: 403 });
  });

  it('refuses other paths', async () => {
    expect(await connect({ path: '/other' })).toEqual({ status: 403 });
  });
});

describe('browser host: API envelope', () => {
  it('answers invalid JSON with a French error and keeps the connection', async () => {
    const ws = await openSocket();
    try {
      ws.send('{ceci n’est pas du JSON');
      const response = await nextMessage(ws);
      expect(response).toMatchObject({ id: null, error: { code: 'invalid_input' } });
      expect((response.error as { message: string }).message).toMatch(FRENCH);
      ws.send(JSON.stringify({ id: 2, method: 'app.info', params: {} }));
      expect(await nextMessage(ws)).toMatchObject({ id: 2 });
    } finally {
      ws.close();
    }
  });

  it('answers an unknown method with a French error', async () => {
    const ws = await openSocket();
    try {
      ws.send(JSON.stringify({ id: 7, method: 'app.formatHardDisk', params: {} }));
      const response = await nextMessage(ws);
      expect(response).toMatchObject({
        id: 7,
        error: { code: 'invalid_input', message: 'Cette action n’existe pas dans cette version d’Ostal.' },
      });
      expect((response.error as { message: string }).message).toMatch(FRENCH);
    } finally {
      ws.close();
    }
  });

  it('answers a request without id, or with non-object params, with a French error', async () => {
    const ws = await openSocket();
    try {
      ws.send(JSON.stringify({ method: 'app.info' }));
      expect(await nextMessage(ws)).toMatchObject({ id: null, error: { code: 'invalid_input' } });
      ws.send(JSON.stringify({ id: 3, method: 'app.info', params: [1] }));
      expect(await nextMessage(ws)).toMatchObject({ id: 3, error: { code: 'invalid_input', message: INVALID_PARAMS } });
    } finally {
      ws.close();
    }
  });

  it('refuses parameters that do not fit the method (validated by the core) with the one French message, and strips extra keys', async () => {
    const ws = await openSocket();
    try {
      ws.send(JSON.stringify({ id: 4, method: 'mail.list', params: { accountId: 'a1', folder: 42 } }));
      expect(await nextMessage(ws)).toEqual({ id: 4, error: { code: 'invalid_input', message: INVALID_PARAMS } });
      ws.send(JSON.stringify({ id: 5, method: 'calendar.deleteEvent', params: { uid: 'u1', scope: 'tout' } }));
      expect(await nextMessage(ws)).toEqual({ id: 5, error: { code: 'invalid_input', message: INVALID_PARAMS } });
      ws.send(JSON.stringify({ id: 6, method: 'app.info', params: { ajoutéParUnClientPlusRécent: true } }));
      expect(await nextMessage(ws)).toMatchObject({ id: 6, result: { mode: 'browser' } });
    } finally {
      ws.close();
    }
  });

  it('closes the connection on a message over the size limit (1009) without crashing', async () => {
    const ws = await openSocket();
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.on('error', () => {});
    ws.send('x'.repeat(65 * 1024));
    expect(await closed).toBe(1009);
    const again = await openSocket();
    again.send(JSON.stringify({ id: 4, method: 'app.info', params: {} }));
    expect(await nextMessage(again)).toMatchObject({ id: 4 });
    again.close();
  });

  it('pushes core events as {event, data}', async () => {
    const ws = await openSocket();
    try {
      const message = nextMessage(ws);
      core.ctx.emit('accounts.changed', { accountIds: ['a1'] });
      expect(await message).toEqual({ event: 'accounts.changed', data: { accountIds: ['a1'] } });
    } finally {
      ws.close();
    }
  });
});

describe('browser host: static files', () => {
  it('serves index.html with the strict CSP and security headers', async () => {
    const res = await rawGet('/');
    expect(res.status).toBe(200);
    expect(res.body).toContain('<title>Ostal</title>');
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toBe(contentSecurityPolicy(host.port));
    expect(res.headers['content-security-policy']).toContain(`connect-src 'self' ws://127.0.0.1:${host.port}`);
    expect(res.headers['content-security-policy']).toContain("script-src 'self' 'wasm-unsafe-eval';");
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('lets the page reach the meeting server set in Réglages, and no other', async () => {
    await core.handle('settings.set', { key: 'visio.serverUrl', value: 'https://visio.exemple.fr' });
    await expect.poll(async () => (await rawGet('/')).headers['content-security-policy']).toContain('wss://visio.exemple.fr');
    const csp = (await rawGet('/')).headers['content-security-policy'];
    expect(csp).toBe(contentSecurityPolicy(host.port, 'https://visio.exemple.fr'));
    expect(csp).not.toContain('wss://*');
    await core.handle('settings.set', { key: 'visio.serverUrl', value: '' });
    await expect.poll(async () => (await rawGet('/')).headers['content-security-policy']).toBe(contentSecurityPolicy(host.port));
  });

  it('serves assets with their content type', async () => {
    const res = await rawGet('/assets/app.js');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(res.body).toBe('console.log(1);');
  });

  it('never serves a file outside the renderer folder', async () => {
    const secret = `${path.basename(rendererDir)}/../ostal-secret.txt`;
    for (const p of [
      '/../package.json',
      '/..%2fpackage.json',
      '/%2e%2e/package.json',
      '/assets/../../ostal-secret.txt',
      `/../${secret}`,
      '/..\\ostal-secret.txt',
      '/%00index.html',
      '//etc/passwd',
    ]) {
      const res = await rawGet(p);
      expect(res.status, p).toBe(404);
      expect(res.body, p).not.toContain('secret');
    }
    expect((await rawGet('/nothing-here.js')).status).toBe(404);
  });

  it('answers the browser’s own favicon request with 204 when the renderer has none', async () => {
    const res = await rawGet('/favicon.ico');
    expect(res.status).toBe(204);
    expect(res.body).toBe('');
  });

  it('refuses HTTP requests with a foreign Host header', async () => {
    expect((await rawGet('/', `evil.example:${host.port}`)).status).toBe(403);
  });
});
