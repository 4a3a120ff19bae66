import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WS from 'ws';
import { Core } from '../../src/core';
import { startBrowserHost, type BrowserHost } from '../../src/host/api-server';
import { ApiCallError, OstalClient, type ConnectionStatus } from '../../renderer/src/api/client';
import { apiSocketUrl, webSocketTransport, type WebSocketConstructor } from '../../renderer/src/api/transports';

/**
 * The renderer's API client over a real WebSocket to the real browser-mode host and core
 * (temporary profile, loopback only). The `ws` package plays the browser's WebSocket, sending
 * the Origin a page served by the host would send.
 */

const messages = { connectionLost: 'La connexion au cœur d’Ostal est perdue.', invalidResponse: 'Réponse illisible.' };

let profileDir: string;
let core: Core;
let host: BrowserHost;

function socketFor(port: number): WebSocketConstructor {
  return class extends WS {
    constructor(url: string) {
      super(url, { origin: `http://127.0.0.1:${port}` });
    }
  } as unknown as WebSocketConstructor;
}

function urlOf(h: BrowserHost): string {
  const token = new URL(h.url).hash.replace('#token=', '');
  expect(token).toBe(h.token);
  return apiSocketUrl({ protocol: 'http:', host: `127.0.0.1:${h.port}` }, token);
}

async function waitFor(check: () => boolean, ms = 5000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-renderer-client-'));
  core = await Core.open({ profileDir, mode: 'browser', policyPath: null });
  const rendererDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-renderer-dist-'));
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>Ostal</title>');
  host = await startBrowserHost({ core, rendererDir });
});

afterAll(async () => {
  await host?.close();
  await core?.close();
  fs.rmSync(profileDir, { recursive: true, force: true });
});

describe('OstalClient over the browser-mode WebSocket', () => {
  it('calls methods and receives typed results', async () => {
    const client = new OstalClient({ connect: webSocketTransport(urlOf(host), socketFor(host.port)), messages });
    await client.start();
    expect(client.connectionStatus).toBe('open');
    const info = await client.call('app.info', {});
    expect(info).toMatchObject({ mode: 'browser', locale: 'fr', profileDir: path.resolve(profileDir) });
    expect(await client.call('accounts.list', {})).toEqual([]);
    client.close();
  });

  it('rejects with the core’s French error', async () => {
    const client = new OstalClient({ connect: webSocketTransport(urlOf(host), socketFor(host.port)), messages });
    await client.start();
    const error = await client.call('accounts.remove', { id: 'inexistant' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiCallError);
    expect((error as ApiCallError).code).toBe('not_found');
    expect((error as ApiCallError).message).toMatch(/compte/);
    client.close();
  });

  it('delivers events of the core to listeners', async () => {
    const client = new OstalClient({ connect: webSocketTransport(urlOf(host), socketFor(host.port)), messages });
    await client.start();
    const seen: unknown[] = [];
    const off = client.on('settings.changed', (data) => seen.push(data));
    await client.call('settings.set', { key: 'mail.speedLimitKbps', value: 12 });
    await waitFor(() => seen.length > 0);
    expect(seen[0]).toEqual({ keys: ['mail.speedLimitKbps'] });
    off();
    await client.call('settings.set', { key: 'mail.speedLimitKbps', value: 13 });
    await new Promise((r) => setTimeout(r, 100));
    expect(seen).toHaveLength(1);
    client.close();
  });

  it('says the connection is lost when the host goes away, then reconnects with back-off', async () => {
    let current = host;
    const connect = () => webSocketTransport(urlOf(current), socketFor(current.port))();
    const client = new OstalClient({ connect, messages, reconnectDelays: [50, 100, 200] });
    const states: ConnectionStatus[] = [];
    client.onConnection((s) => states.push(s));
    await client.start();
    expect(client.connectionStatus).toBe('open');

    await host.close();
    await waitFor(() => client.connectionStatus === 'lost');
    const offline = await client.call('app.info', {}).catch((e: unknown) => e);
    expect(offline).toBeInstanceOf(ApiCallError);
    expect((offline as ApiCallError).code).toBe('offline');
    expect((offline as ApiCallError).message).toBe(messages.connectionLost);

    // The host comes back (browser mode restarts it on a new port with a new token).
    const rendererDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-renderer-dist-'));
    fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>Ostal</title>');
    host = await startBrowserHost({ core, rendererDir });
    current = host;
    await waitFor(() => client.connectionStatus === 'open');
    expect((await client.call('app.info', {})).mode).toBe('browser');
    expect(states).toEqual(['connecting', 'open', 'lost', 'open']);
    client.close();
  });

  it('is refused without the right token and keeps saying so', async () => {
    const bad = apiSocketUrl({ protocol: 'http:', host: `127.0.0.1:${host.port}` }, 'mauvais-jeton');
    const client = new OstalClient({ connect: webSocketTransport(bad, socketFor(host.port)), messages, reconnectDelays: [30] });
    await client.start();
    expect(client.connectionStatus).toBe('lost');
    const error = await client.call('app.info', {}).catch((e: unknown) => e);
    expect((error as ApiCallError).code).toBe('offline');
    client.close();
  });
});
