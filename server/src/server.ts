/**
 * HTTP + WebSocket front of the meeting server: `GET /health` (JSON), `GET /salle/<roomId>` (the guest page:
 * renderer/salle.html as built, from `guestPageDir`, its files under `/salle/assets/`; a French page telling to
 * open the link in Ostal when the page is not installed), `POST /api/connexion` (agent sign-in, agent-auth.ts),
 * WebSocket signaling on `/ws` (any path ending in /ws, so a reverse proxy may keep a prefix) behind the limits of
 * limits.ts (Origin, connections per address, message size, rate and shape). Starts the mediasoup workers and
 * shuts everything down cleanly.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type * as ms from 'mediasoup/node/lib/types.js';
import type { MeetHealth, MeetNotification } from '../../src/shared/meet-protocol.js';
import { workerCount, type ServerConfig } from './config.js';
import { errorText, log } from './log.js';
import { MeetFailure, Peer, RoomManager, Signaling } from './rooms.js';
import { createAgentSignIn, SIGN_IN_MESSAGES } from './agent-auth.js';
import { AddressCounter, MessageBucket, originAllowed, remoteAddressOf } from './limits.js';

const WS_PATH = /\/ws\/?$/;
const SIGN_IN_PATH = /\/api\/connexion\/?$/;
/** WebSocket close codes: policy violation (too fast, malformed), message too big. */
const CLOSE_POLICY = 1008;
const ROOM_PAGE_PATH = /^(?:.*)\/salle\/([A-Za-z0-9_-]{22,64})\/?$/;
/** Files of the guest page: `<prefix>/salle/assets/<name>` (hashed names from the build) and its icon. */
const GUEST_ASSET_PATH = /^(?:.*)\/salle\/(assets\/[A-Za-z0-9_-][A-Za-z0-9._-]*|favicon\.svg)$/;
const GUEST_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  // « Flouter l’arrière-plan »: the segmentation wasm, its graph and model.
  '.wasm': 'application/wasm',
  '.binarypb': 'application/octet-stream',
  '.tflite': 'application/octet-stream',
};
/** Host header as put in the page's connect-src (anything else: 'self' only). */
const HOST_HEADER = /^[A-Za-z0-9.-]+(?::\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](?::\d{1,5})?$/;
const CLOSE_SHUTDOWN = 4002;

const ROOM_PAGE = `<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Réunion Ostal</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 36rem; margin: 4rem auto; padding: 0 1rem; color: #1b1b35; line-height: 1.5; }
h1 { font-size: 1.5rem; color: #000091; }
code { background: #f0f0f7; padding: 0.1rem 0.3rem; border-radius: 0.2rem; word-break: break-all; }
</style>
</head>
<body>
<h1>Réunion en visio</h1>
<p>Cette adresse est une invitation à une réunion. Pour y participer, ouvrez Ostal, allez dans Visio et collez ce lien dans «\u00a0Rejoindre une réunion\u00a0».</p>
<p>Lien de la réunion\u00a0: <code id="lien"></code></p>
<p>Vous n’avez pas Ostal\u00a0? Demandez-le au service informatique de votre organisation.</p>
<script>document.getElementById('lien').textContent = location.href;</script>
</body>
</html>
`;

/**
 * Content-Security-Policy of the guest page: its own scripts and styles only (no inline script), media from the
 * camera, WebSocket to this server only.
 */
function guestPageCsp(req: http.IncomingMessage, tls: boolean): string {
  const host = req.headers.host ?? '';
  // Behind a TLS reverse proxy the page is https and its WebSocket wss.
  const forwardedTls = req.headers['x-forwarded-proto'] === 'https';
  const ws = HOST_HEADER.test(host) ? ` ${tls || forwardedTls ? 'wss' : 'ws'}://${host}` : '';
  return [
    "default-src 'none'",
    // wasm-unsafe-eval: compiling WebAssembly (the background blur model, served from here); no eval.
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob: mediastream:",
    "font-src 'self'",
    `connect-src 'self'${ws}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** sha256 of the inline script of ROOM_PAGE, for its Content-Security-Policy. */
const ROOM_SCRIPT_HASH = createHash('sha256')
  .update(/<script>([\s\S]*?)<\/script>/.exec(ROOM_PAGE)?.[1] ?? '')
  .digest('base64');

const NOT_FOUND_PAGE = `<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Page introuvable</title></head>
<body><p>Cette adresse ne correspond à aucune réunion. Vérifiez le lien reçu.</p></body></html>
`;

export interface RunningServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

async function startWorkers(config: ServerConfig, isStopping: () => boolean): Promise<ms.Worker[]> {
  // mediasoup 3.12 reads MEDIASOUP_WORKER_BIN when its module loads: set it before the dynamic import.
  if (config.workerBin) process.env.MEDIASOUP_WORKER_BIN = config.workerBin;
  const mediasoup = await import('mediasoup');
  const count = workerCount(config);
  const span = Math.floor((config.rtcMaxPort - config.rtcMinPort + 1) / count);
  if (span < 10) throw new Error('port range too small for the number of workers');
  const workers: ms.Worker[] = [];
  for (let i = 0; i < count; i++) {
    // Each worker gets its own slice of the port range, so they never compete for a port.
    const rtcMinPort = config.rtcMinPort + i * span;
    const rtcMaxPort = i === count - 1 ? config.rtcMaxPort : rtcMinPort + span - 1;
    const worker = await mediasoup.createWorker({ logLevel: config.mediasoupLogLevel, rtcMinPort, rtcMaxPort });
    worker.on('died', (error) => {
      // During shutdown the service manager may signal the whole process group, so workers can exit a moment
      // before our own SIGTERM handler runs: decide a second later.
      setTimeout(() => {
        if (isStopping()) return;
        log('error', 'worker_died', { worker: worker.pid, error: errorText(error) });
        // Rooms on it are gone; let the service manager restart the whole server.
        process.exit(1);
      }, 1000);
    });
    workers.push(worker);
  }
  log('info', 'workers_started', { count, mediasoup: mediasoup.version });
  return workers;
}

export async function startServer(given: ServerConfig): Promise<RunningServer> {
  let stopping = false;
  // Agent tokens are signed with tokenSecret, or a random secret of this process (clients sign in again after a restart).
  const signIn = createAgentSignIn(given.auth, given.tokenSecret);
  const config: ServerConfig = given.auth ? { ...given, tokenSecret: signIn.secret } : given;
  const connections = new AddressCounter(config.maxConnectionsPerAddress);
  const workers = await startWorkers(config, () => stopping);
  const mediasoup = await import('mediasoup');
  const manager = new RoomManager(config, workers);
  const signaling = new Signaling(manager);
  const startedAt = Date.now();
  const guestPage = config.guestPageDir;
  let guestPageMissingLogged = false;

  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const urlPath = new URL(req.url ?? '/', 'http://x').pathname;
    const headers = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' };
    if (SIGN_IN_PATH.test(urlPath)) {
      if (req.method !== 'POST') {
        res.writeHead(405, { ...headers, allow: 'POST' }).end();
        return;
      }
      // The core (no Origin header) signs agents in; a page of another site may not.
      if (req.headers.origin !== undefined && !originAllowed(req.headers.origin, req.headers.host, config.allowedOrigins)) {
        res
          .writeHead(403, { ...headers, 'content-type': 'application/json' })
          .end(JSON.stringify({ error: 'forbidden', message: SIGN_IN_MESSAGES.origin }));
        return;
      }
      signIn.handle(req, res, remoteAddressOf(req, config.trustedProxies));
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...headers, allow: 'GET, HEAD' }).end();
      return;
    }
    if (urlPath === '/health' || urlPath.endsWith('/health')) {
      const health: MeetHealth = {
        status: stopping ? 'stopping' : 'ok',
        protocolVersion: 1,
        mediasoupVersion: mediasoup.version,
        workers: workers.length,
        rooms: manager.rooms.size,
        peers: manager.peerCount,
        uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
      };
      res.writeHead(stopping ? 503 : 200, { ...headers, 'content-type': 'application/json' }).end(JSON.stringify(health));
      return;
    }
    const roomPage = ROOM_PAGE_PATH.exec(urlPath);
    if (roomPage && urlPath.endsWith('/')) {
      // The page's files are relative to /salle/: drop the trailing slash (keeps any reverse-proxy prefix).
      res.writeHead(301, { ...headers, location: `../${roomPage[1]}` }).end();
      return;
    }
    if (roomPage && guestPage) {
      let html: Buffer;
      try {
        html = fs.readFileSync(path.join(guestPage, 'salle.html'));
      } catch (error) {
        if (!guestPageMissingLogged) log('warn', 'guest_page_missing', { dir: guestPage, error: errorText(error) });
        guestPageMissingLogged = true;
        html = Buffer.alloc(0);
      }
      if (html.length > 0) {
        res
          .writeHead(200, {
            ...headers,
            'content-type': 'text/html; charset=utf-8',
            'content-security-policy': guestPageCsp(req, config.tls !== null),
            'permissions-policy': 'camera=(self), microphone=(self), display-capture=(self)',
            'x-frame-options': 'DENY',
          })
          .end(req.method === 'HEAD' ? undefined : html);
        return;
      }
    }
    const asset = GUEST_ASSET_PATH.exec(urlPath);
    if (asset && guestPage) {
      const type = GUEST_TYPES[path.extname(asset[1]!)];
      const file = path.join(guestPage, asset[1]!);
      let body: Buffer | null = null;
      try {
        if (type) body = fs.readFileSync(file);
      } catch {
        body = null;
      }
      if (body && type) {
        const immutable = asset[1]!.startsWith('assets/');
        res
          .writeHead(200, {
            ...headers,
            'content-type': type,
            'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'public, max-age=3600',
          })
          .end(req.method === 'HEAD' ? undefined : body);
        return;
      }
    }
    if (roomPage) {
      res
        .writeHead(200, {
          ...headers,
          'content-type': 'text/html; charset=utf-8',
          'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-" + ROOM_SCRIPT_HASH + "'",
        })
        .end(ROOM_PAGE);
      return;
    }
    res.writeHead(404, { ...headers, 'content-type': 'text/html; charset=utf-8' }).end(NOT_FOUND_PAGE);
  };

  const httpServer = config.tls
    ? https.createServer({ cert: fs.readFileSync(config.tls.certFile), key: fs.readFileSync(config.tls.keyFile) }, onRequest)
    : http.createServer(onRequest);

  const wss = new WebSocketServer({ noServer: true, maxPayload: config.maxMessageBytes });
  const sockets = new Map<WebSocket, Peer>();
  const alive = new WeakSet<WebSocket>();
  let limitLogged = 0;

  const cutSockets = new WeakSet<WebSocket>();
  /** Close a connection that broke a rule; what it sends meanwhile is ignored. */
  const cut = (ws: WebSocket, reason: string) => {
    cutSockets.add(ws);
    ws.close(CLOSE_POLICY, reason);
    setTimeout(() => ws.terminate(), 2000).unref();
  };

  httpServer.on('upgrade', (req, socket, head) => {
    const wsPath = new URL(req.url ?? '/', 'http://x').pathname;
    if (!WS_PATH.test(wsPath) || stopping) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    if (!originAllowed(req.headers.origin, req.headers.host, config.allowedOrigins)) {
      log('info', 'origin_refused');
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    const address = remoteAddressOf(req, config.trustedProxies);
    if (!connections.take(address)) {
      limitLogged++;
      if (limitLogged === 1 || limitLogged % 100 === 0) log('warn', 'connections_per_address_limit', { refused: limitLogged });
      socket.end('HTTP/1.1 429 Too Many Requests\r\nConnection: close\r\n\r\n');
      return;
    }
    socket.once('close', () => connections.release(address));
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  wss.on('connection', (ws: WebSocket) => {
    const bucket = new MessageBucket(config.maxMessagesPerSecond, config.maxMessageBurst);
    const peer = new Peer({
      send: (message: MeetNotification) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
      },
      close: (code, reason) => ws.close(code, reason),
    });
    sockets.set(ws, peer);
    alive.add(ws);
    ws.on('pong', () => alive.add(ws));
    ws.on('message', (data, isBinary) => {
      if (cutSockets.has(ws)) return;
      if (!bucket.take()) {
        log('warn', 'message_rate_exceeded', { peer: peer.id });
        cut(ws, 'too many messages');
        return;
      }
      // A frame that is not a JSON request object closes its own connection (a real client never sends one).
      let parsed: unknown = null;
      if (!isBinary) {
        try {
          parsed = JSON.parse(data.toString());
        } catch {
          parsed = null;
        }
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        log('info', 'malformed_message', { peer: peer.id, binary: isBinary });
        cut(ws, 'malformed message');
        return;
      }
      void (async () => {
        let id: unknown = null;
        let method: string | null = null;
        try {
          const m = parsed as { id?: unknown; method?: unknown; params?: unknown };
          id = m.id;
          if (typeof m.method === 'string') method = m.method.slice(0, 40);
          if (typeof m.id !== 'number' || !Number.isInteger(m.id)) throw new MeetFailure('bad_request', 'id must be an integer');
          if (typeof m.method !== 'string') throw new MeetFailure('bad_request', 'method must be a string');
          if (stopping) throw new MeetFailure('shutting_down');
          const result = await signaling.handle(peer, m.method, m.params);
          if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ id: m.id, result }));
          if (m.method === 'leave') ws.close(1000, 'left');
        } catch (error) {
          const failure = error instanceof MeetFailure ? error : new MeetFailure('server_error', 'internal error');
          if (!(error instanceof MeetFailure)) log('error', 'request_failed', { peer: peer.id, method, error: errorText(error) });
          // A refusal the protocol foresees (unknown producer, not allowed…): one line, to explain a client that
          // shows nothing (which request was refused, why), never the parameters.
          else log('info', 'request_refused', { peer: peer.id, method, code: failure.code, reason: failure.message });
          if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ id: typeof id === 'number' ? id : null, error: failure.toJSON() }));
        }
      })();
    });
    ws.on('close', () => {
      sockets.delete(ws);
      signaling.disconnected(peer);
    });
    ws.on('error', (error) => log('warn', 'socket_error', { peer: peer.id, error: errorText(error) }));
  });

  // Drop sockets that stopped answering pings (laptop lid closed, network gone).
  const heartbeat = setInterval(() => {
    for (const ws of sockets.keys()) {
      if (!alive.has(ws)) {
        ws.terminate();
        continue;
      }
      alive.delete(ws);
      ws.ping();
    }
  }, 30_000);
  heartbeat.unref();

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, () => resolve());
  });
  const port = (httpServer.address() as AddressInfo).port;
  const hostForUrl = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `${config.tls ? 'https' : 'http'}://${hostForUrl}:${port}`;
  log('info', 'listening', { port, tls: config.tls !== null, requireToken: config.requireToken, workers: workers.length });

  const stop = async () => {
    if (stopping) return;
    stopping = true;
    clearInterval(heartbeat);
    log('info', 'stopping', { rooms: manager.rooms.size, peers: manager.peerCount });
    for (const [ws, peer] of sockets) {
      peer.notify('serverShutdown', {} as Record<string, never>);
      ws.close(CLOSE_SHUTDOWN, 'server shutdown');
    }
    // Let the close frames go out, then cut what remains.
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const ws of sockets.keys()) ws.terminate();
    wss.close();
    for (const worker of workers) worker.close();
    await new Promise<void>((resolve) => {
      httpServer.close(() => resolve());
      httpServer.closeAllConnections();
    });
    log('info', 'stopped');
  };

  return { url, port, stop };
}
