import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Core } from '../core.js';
import { createDispatcher, MAX_MESSAGE_BYTES } from '../api/dispatch.js';
import { OstalError } from '../errors.js';
import { t } from '../i18n/index.js';
import type { Logger } from '../log.js';
import { watchMeetingServer } from './meeting-server.js';
import type { PageDesktopShell } from './page-desktop-shell.js';
import { contentTypeFor, isLoopbackAddress, LOOPBACK_HOST, resolveRendererPath, securityHeaders } from './security.js';

/** Path of the API WebSocket. */
export const API_PATH = '/api';

export interface BrowserHostOptions {
  core: Pick<Core, 'handle' | 'onEvent'> & { ctx?: { log: Logger } };
  /** Folder of the built renderer (renderer/dist): index.html and assets/. */
  rendererDir: string;
  /** 0 (default) = any free port. */
  port?: number;
  /** Only '127.0.0.1' is accepted: the host never listens beyond this machine. */
  host?: string;
  /** Largest API message accepted, in bytes. */
  maxMessageBytes?: number;
  logger?: Logger;
  /** The desktop channel a page may play (src/host/page-desktop-shell.ts); its messages never reach the dispatcher. */
  desktop?: PageDesktopShell;
}

export interface BrowserHost {
  /** Page to open, with the token in the fragment (never sent to the server by the browser). */
  url: string;
  token: string;
  port: number;
  /** The address actually bound (always 127.0.0.1). */
  address: string;
  close(): Promise<void>;
}

/** A fresh per-start secret: 32 random bytes, base64url. */
export function createHostToken(): string {
  return crypto.randomBytes(32).toString('base64url');
}

/** Constant-time comparison of a presented token with the expected one. */
export function tokenMatches(presented: string | null | undefined, expected: string): boolean {
  if (typeof presented !== 'string') return false;
  const a = crypto.createHash('sha256').update(presented).digest();
  const b = crypto.createHash('sha256').update(expected).digest();
  return crypto.timingSafeEqual(a, b) && presented.length === expected.length;
}

/** Why an API upgrade request is refused, or null when it may proceed. Pure, for tests and logs. */
export function upgradeRefusal(
  req: { url?: string; headers: http.IncomingHttpHeaders; remoteAddress?: string | null },
  expected: { token: string; port: number },
): string | null {
  const origin = `http://${LOOPBACK_HOST}:${expected.port}`;
  const hostHeader = `${LOOPBACK_HOST}:${expected.port}`;
  if (!isLoopbackAddress(req.remoteAddress)) return 'remote address is not loopback';
  if (req.headers.host !== hostHeader) return 'unexpected Host header';
  let url: URL;
  try {
    url = new URL(req.url ?? '', origin);
  } catch {
    return 'malformed URL';
  }
  if (url.pathname !== API_PATH) return 'unknown path';
  if (req.headers.origin === undefined) return 'missing Origin';
  if (req.headers.origin !== origin) return 'unexpected Origin';
  const tokens = url.searchParams.getAll('token');
  if (tokens.length !== 1) return 'missing token';
  if (!tokenMatches(tokens[0], expected.token)) return 'wrong token';
  return null;
}

function refuseUpgrade(socket: Duplex): void {
  try {
    socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 0\r\n\r\n');
  } catch {
    /* already gone */
  }
  socket.destroy();
}

/**
 * Browser mode: serve the built renderer and the API (WebSocket at /api) on 127.0.0.1 only.
 * Every API connection must present the per-start token, come from this host's own page (Origin),
 * from a loopback address, with the Host header 127.0.0.1:PORT (DNS-rebinding protection).
 */
export async function startBrowserHost(options: BrowserHostOptions): Promise<BrowserHost> {
  const bindHost = options.host ?? LOOPBACK_HOST;
  if (bindHost !== LOOPBACK_HOST) throw new OstalError('invalid_input', t('host.loopbackOnly', { host: String(bindHost) }));
  const requestedPort = options.port ?? 0;
  if (!Number.isInteger(requestedPort) || requestedPort < 0 || requestedPort > 65535)
    throw new OstalError('invalid_input', t('host.invalidPort', { port: String(requestedPort) }));
  const log: Logger = options.logger ?? options.core.ctx?.log ?? { info() {}, warn() {}, error() {} };
  const maxBytes = options.maxMessageBytes ?? MAX_MESSAGE_BYTES;
  const token = createHostToken();
  const dispatcher = createDispatcher(options.core as Parameters<typeof createDispatcher>[0], {
    maxMessageBytes: maxBytes,
    onError: (err, method) => {
      if (!(err instanceof OstalError)) log.error(`api ${method} failed`, { err: err as Error });
    },
  });
  let port = 0;
  // The page's CSP lets Visio reach the organisation's meeting server: kept current from the settings.
  let meetingServerUrl = '';
  const stopWatchingSettings = watchMeetingServer(options.core, (url) => (meetingServerUrl = url), log);

  const server = http.createServer((req, res) => {
    const headers = securityHeaders(port, meetingServerUrl);
    const deny = (status: number) => {
      res.writeHead(status, { ...headers, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(String(status));
    };
    if (!isLoopbackAddress(req.socket.remoteAddress) || req.headers.host !== `${LOOPBACK_HOST}:${port}`) {
      log.warn('host: HTTP request refused', { host: req.headers.host, remote: req.socket.remoteAddress });
      return deny(403);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return deny(405);
    const file = resolveRendererPath(options.rendererDir, req.url ?? '/');
    if (file === null) return deny(404);
    fs.stat(file, (statErr, stat) => {
      if ((statErr || !stat.isFile()) && (req.url ?? '').split('?')[0] === '/favicon.ico') {
        // Browsers ask for it on their own; without one in the renderer, answer "nothing" rather than an error.
        res.writeHead(204, { ...headers, 'Cache-Control': 'no-cache' });
        return res.end();
      }
      if (statErr || !stat.isFile()) return deny(404);
      const isIndex = file.endsWith('index.html');
      res.writeHead(200, {
        ...headers,
        'Content-Type': contentTypeFor(file),
        'Content-Length': stat.size,
        'Cache-Control': isIndex ? 'no-store' : 'no-cache',
      });
      if (req.method === 'HEAD') return res.end();
      const stream = fs.createReadStream(file);
      stream.on('error', () => res.destroy());
      stream.pipe(res);
    });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: maxBytes, perMessageDeflate: false });
  const clients = new Set<WebSocket>();

  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const refusal = upgradeRefusal({ url: req.url, headers: req.headers, remoteAddress: req.socket.remoteAddress }, { token, port });
    if (refusal !== null) {
      log.warn('host: API connection refused', {
        reason: refusal,
        remote: req.socket.remoteAddress,
        origin: req.headers.origin,
        host: req.headers.host,
      });
      refuseUpgrade(socket);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      clients.add(ws);
      const unsubscribe = dispatcher.subscribe((message) => {
        if (ws.readyState === ws.OPEN) ws.send(message);
      });
      const page = { send: (m: string) => ws.readyState === ws.OPEN && ws.send(m) };
      ws.on('message', (data, isBinary) => {
        const raw = isBinary
          ? null
          : Array.isArray(data)
            ? Buffer.concat(data).toString('utf8')
            : Buffer.from(data as ArrayBuffer).toString('utf8');
        if (raw !== null && options.desktop?.receive(page, raw)) return;
        void (
          raw === null
            ? Promise.resolve(JSON.stringify({ id: null, error: { code: 'invalid_input', message: t('errors.invalidRequest') } }))
            : dispatcher.dispatch(raw)
        ).then((response) => {
          if (ws.readyState === ws.OPEN) ws.send(response);
        });
      });
      ws.on('close', () => {
        options.desktop?.detach(page);
        unsubscribe();
        clients.delete(ws);
      });
      ws.on('error', (err) => log.warn('host: API socket error', { err }));
    });
  });
  server.on('clientError', (_err, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: requestedPort, host: LOOPBACK_HOST, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  port = address.port;
  const url = `http://${LOOPBACK_HOST}:${port}/#token=${token}`;
  log.info('host: browser mode listening', { address: address.address, port });

  let closing: Promise<void> | null = null;
  return {
    url,
    token,
    port,
    address: address.address,
    close(): Promise<void> {
      closing ??= new Promise<void>((resolve) => {
        stopWatchingSettings();
        for (const ws of clients) ws.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
