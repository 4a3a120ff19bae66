/**
 * The system's proxy choice in the desktop app: Chromium knows it best (Windows' Internet settings and WPAD, GNOME and
 * KDE settings, PAC files), so the core, in its utility process, asks the main process, which answers with
 * session.resolveProxy — behind the core's own ProxyResolver interface (src/net/proxy.ts), in the PAC format. Used
 * only when IT's policy leaves the proxy to the system (src/policy/network.ts).
 */
import type { ProxyResolver } from '../net/proxy.js';
import { createPortCaller, servePort, type PortEndpoint } from './sealed-secrets.js';

/** Core side. */
export function createSystemProxyClient(port: PortEndpoint, options: { timeoutMs?: number } = {}): ProxyResolver {
  const call = createPortCaller(port, 'proxy', options.timeoutMs ?? 10_000);
  return { description: 'réglages du système (Chromium)', resolve: (url) => call('resolveProxy', url.href) };
}

/** Main side: `resolve` is Electron's session.resolveProxy. Only http(s) and ws(s) addresses are answered. */
export function serveSystemProxy(port: PortEndpoint, resolve: (url: string) => Promise<string>): void {
  servePort(port, {
    resolveProxy: (value) => {
      const url = new URL(value);
      if (!['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol)) throw new Error('not an http(s) address');
      return resolve(url.href);
    },
  });
}
