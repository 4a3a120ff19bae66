/**
 * A fake signaling server for the MeetingSession unit tests (no mediasoup, no media): each test file calls
 * `fakeSignalingHooks()` once; `fakeServer` answers requests with a function, `meeting` opens a session on it.
 */
import type { AddressInfo } from 'node:net';
import { afterEach, beforeAll } from 'vitest';
import { WebSocket as NodeWebSocket, WebSocketServer } from 'ws';
import type { MeetingState } from '../../renderer/src/views/visio/session.js';
import type { MeetingOptions } from '../../renderer/src/views/visio/meeting-state.js';
import { MeetingSession } from '../../renderer/src/views/visio/session.js';

export type Request = { id: number; method: string; params: Record<string, unknown> };
export type Answer = (request: Request, socket: NodeWebSocket) => void;

export const servers: WebSocketServer[] = [];
export const sessions: MeetingSession[] = [];

/** Registers the hooks: a WebSocket global for Node 20, and every server and session closed after each test. */
export function fakeSignalingHooks(): void {
  beforeAll(() => {
    // Node 20 has no WebSocket global; the renderer uses the browser's, which `ws` mirrors.
    (globalThis as { WebSocket?: unknown }).WebSocket ??= NodeWebSocket;
  });

  afterEach(async () => {
    for (const s of sessions) await s.leave();
    for (const server of servers) {
      for (const client of server.clients) client.terminate();
      await new Promise((resolve) => server.close(resolve));
    }
    servers.length = 0;
    sessions.length = 0;
  });
}

/** A signaling server answering each request with `answer`; returns its URL and what it received. */
export async function fakeServer(answer: Answer): Promise<{ url: string; requests: Request[]; sockets: NodeWebSocket[] }> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  const requests: Request[] = [];
  const sockets: NodeWebSocket[] = [];
  server.on('connection', (socket) => {
    sockets.push(socket);
    socket.on('message', (data) => {
      const request = JSON.parse(String(data)) as Request;
      requests.push(request);
      answer(request, socket);
    });
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, sockets };
}

export const reply = (socket: NodeWebSocket, id: number, result: unknown) => socket.send(JSON.stringify({ id, result }));
export const notify = (socket: NodeWebSocket, notification: string, data: unknown) => socket.send(JSON.stringify({ notification, data }));

export function meeting(serverUrl: string, token: string | null = null, options: Partial<MeetingOptions> = {}): MeetingSession {
  const session = new MeetingSession({
    serverUrl,
    roomId: 'q3Jd0wqV8m1X9pLh2kTzAw',
    displayName: 'Agent',
    token,
    audioTrack: null,
    videoTrack: null,
    startMuted: false,
    ...options,
  });
  sessions.push(session);
  return session;
}

export function until(session: MeetingSession, test: (state: MeetingState) => boolean, timeoutMs = 5000): Promise<MeetingState> {
  if (test(session.snapshot)) return Promise.resolve(session.snapshot);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`state not reached: ${JSON.stringify({ phase: session.snapshot.phase, failure: session.snapshot.failure })}`));
    }, timeoutMs);
    const stop = session.subscribe((state) => {
      if (!test(state)) return;
      clearTimeout(timer);
      stop();
      resolve(state);
    });
  });
}

export const waitingRoom: Answer = (request, socket) => {
  if (request.method !== 'join') return reply(socket, request.id, {});
  // The server may announce something before our own join result: it applies after it, in order.
  notify(socket, 'chat', { peerId: 'p0', name: 'Organisatrice', text: 'Bienvenue', at: 1 });
  reply(socket, request.id, { status: 'waiting', peerId: 'p1' });
};
