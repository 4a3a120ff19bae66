/**
 * The core asks the main process for the system's proxy (Electron's session.resolveProxy, played here by a function)
 * over a port, behind the ProxyResolver interface; the policy's own choice comes first.
 */
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { createSystemProxyClient, serveSystemProxy } from '../../src/host/system-proxy.js';
import { routesFor } from '../../src/net/proxy.js';
import { proxyResolverOf } from '../../src/policy/network.js';

const channels: MessageChannel[] = [];
afterEach(() => {
  for (const c of channels.splice(0)) {
    c.port1.close();
    c.port2.close();
  }
});

const endpoint = (port: MessagePort) => ({
  postMessage: (m: unknown) => port.postMessage(m),
  onMessage: (fn: (m: unknown) => void) => port.on('message', fn),
});

function pair(resolve: (url: string) => Promise<string>) {
  const channel = new MessageChannel();
  channels.push(channel);
  const asked: string[] = [];
  serveSystemProxy(endpoint(channel.port2), (url) => {
    asked.push(url);
    return resolve(url);
  });
  return { client: createSystemProxyClient(endpoint(channel.port1), { timeoutMs: 2000 }), asked };
}

describe('system proxy through the main process', () => {
  it('answers with Chromium’s choice for the URL', async () => {
    const { client, asked } = pair((url) => Promise.resolve(url.includes('mairie') ? 'DIRECT' : 'PROXY proxy.mairie.fr:3128'));
    expect(await routesFor(client, new URL('https://dav.prestataire.fr/agendas/'))).toEqual([
      { kind: 'http', host: 'proxy.mairie.fr', port: 3128 },
    ]);
    expect(await client.resolve(new URL('https://dav.mairie.fr/'))).toBe('DIRECT');
    expect(asked).toEqual(['https://dav.prestataire.fr/agendas/', 'https://dav.mairie.fr/']);
  });

  it('refuses other kinds of address and passes failures on', async () => {
    const { client, asked } = pair(() => Promise.reject(new Error('session fermée')));
    await expect(client.resolve(new URL('file:///etc/passwd'))).rejects.toThrow('proxy: not an http(s) address');
    await expect(client.resolve(new URL('https://dav.mairie.fr/'))).rejects.toThrow('proxy: session fermée');
    expect(asked).toEqual(['https://dav.mairie.fr/']);
  });

  it('is used when the policy leaves the proxy to the system, not when it forces one', async () => {
    const { client } = pair(() => Promise.resolve('PROXY chromium.mairie.fr:8080'));
    const url = new URL('https://dav.prestataire.fr/');
    const options = { log: silentLogger, env: { HTTPS_PROXY: 'http://env:1' }, platform: 'linux' as const, system: client };
    expect(await proxyResolverOf(null, options).resolve(url)).toBe('PROXY chromium.mairie.fr:8080');
    expect(await proxyResolverOf({ mode: 'system', bypass: [] }, options).resolve(url)).toBe('PROXY chromium.mairie.fr:8080');
    expect(await proxyResolverOf({ mode: 'fixed', url: 'http://impose:3128', bypass: [] }, options).resolve(url)).toBe('PROXY impose:3128');
  });
});
