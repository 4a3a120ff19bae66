/**
 * The renderer's MeetingSession and moderation, against a fake signaling server (no mediasoup, no media): the
 * `moderation` notification becomes a system line of the meeting's messages (and a notice when it is about us),
 * `meetingEnded` / `removed` (or their close codes alone) end the meeting without reconnecting, and `locked` is a
 * join failure of its own that « Réessayer » may retry.
 */
import type { AddressInfo } from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket as NodeWebSocket, WebSocketServer } from 'ws';
import type { MeetingState } from '../../renderer/src/views/visio/session.js';
import { MeetingSession } from '../../renderer/src/views/visio/session.js';

type Request = { id: number; method: string; params: Record<string, unknown> };
type Answer = (request: Request, socket: NodeWebSocket) => void;

beforeAll(() => {
  // Node 20 has no WebSocket global; the renderer uses the browser's, which `ws` mirrors.
  (globalThis as { WebSocket?: unknown }).WebSocket ??= NodeWebSocket;
});

let servers: WebSocketServer[] = [];
let sessions: MeetingSession[] = [];

afterEach(async () => {
  for (const s of sessions) await s.leave();
  for (const server of servers) {
    for (const client of server.clients) client.terminate();
    await new Promise((resolve) => server.close(resolve));
  }
  servers = [];
  sessions = [];
});

/** A signaling server answering each request with `answer`; returns its URL and what it received. */
async function fakeServer(answer: Answer): Promise<{ url: string; requests: Request[]; sockets: NodeWebSocket[] }> {
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

const reply = (socket: NodeWebSocket, id: number, result: unknown) => socket.send(JSON.stringify({ id, result }));
const notify = (socket: NodeWebSocket, notification: string, data: unknown) => socket.send(JSON.stringify({ notification, data }));

function meeting(serverUrl: string, token: string | null = null): MeetingSession {
  const session = new MeetingSession({
    serverUrl,
    roomId: 'q3Jd0wqV8m1X9pLh2kTzAw',
    displayName: 'Agent',
    token,
    audioTrack: null,
    videoTrack: null,
    startMuted: false,
  });
  sessions.push(session);
  return session;
}

function until(session: MeetingSession, test: (state: MeetingState) => boolean, timeoutMs = 5000): Promise<MeetingState> {
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

const waitingRoom: Answer = (request, socket) => {
  if (request.method !== 'join') return reply(socket, request.id, {});
  // The server may announce something before our own join result: it applies after it, in order.
  notify(socket, 'chat', { peerId: 'p0', name: 'Organisatrice', text: 'Bienvenue', at: 1 });
  reply(socket, request.id, { status: 'waiting', peerId: 'p1' });
};

describe('MeetingSession moderation (fake signaling server)', () => {
  it('shows who moderated what, a notice when it is about us, then « Terminer pour tous » ends it without reconnecting', async () => {
    const server = await fakeServer(waitingRoom);
    const session = meeting(server.url);
    await session.start();
    await until(session, (s) => s.phase === 'waiting');
    const by = { peerId: 'p0', name: 'Camille Martin' };
    notify(server.sockets[0]!, 'moderation', { action: 'locked', by, at: 5 });
    notify(server.sockets[0]!, 'moderation', { action: 'microMuted', by, target: { peerId: 'p1', name: 'Agent' }, at: 6 });
    const moderated = await until(session, (s) => s.moderationNotice !== null);
    expect(moderated.locked).toBe(true);
    expect(moderated.moderationNotice).toEqual({ action: 'microMuted', by: 'Camille Martin' });
    expect(moderated.chat.filter((l) => l.system).map((l) => [l.system!.action, l.system!.target?.name ?? null])).toEqual([
      ['locked', null],
      ['microMuted', 'Agent'],
    ]);
    session.dismissModerationNotice();
    expect(session.snapshot.moderationNotice).toBeNull();

    notify(server.sockets[0]!, 'meetingEnded', { by });
    server.sockets[0]!.close(4004, 'meeting ended');
    expect(await until(session, (s) => s.phase === 'failed')).toMatchObject({ failure: 'ended', failureBy: 'Camille Martin' });
    await new Promise((r) => setTimeout(r, 800));
    expect(server.requests.filter((r) => r.method === 'join')).toHaveLength(1);
    expect(session.snapshot.phase).toBe('failed');
  });

  it('the close code of a removal alone is enough: « removed », no reconnection', async () => {
    const server = await fakeServer(waitingRoom);
    const session = meeting(server.url);
    await session.start();
    await until(session, (s) => s.phase === 'waiting');
    server.sockets[0]!.close(4003, 'removed');
    expect(await until(session, (s) => s.phase === 'failed')).toMatchObject({ failure: 'removed', failureBy: null });
    await new Promise((r) => setTimeout(r, 800));
    expect(server.requests.filter((r) => r.method === 'join')).toHaveLength(1);
  });

  it('a locked meeting refuses the join with its own reason', async () => {
    const server = await fakeServer((request, socket) =>
      socket.send(JSON.stringify({ id: request.id, error: { code: 'locked', message: 'meeting locked' } })),
    );
    const session = meeting(server.url);
    await session.start();
    expect(session.snapshot).toMatchObject({ phase: 'failed', failure: 'locked' });
  });
});
