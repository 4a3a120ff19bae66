/**
 * The renderer's MeetingSession against a fake signaling server (no mediasoup, no media): joining the salle
 * d'attente, notifications sent before the join result applied after it, refusal, join errors, an unreachable
 * server, reconnection to the same room after a lost socket, and « Quitter ».
 */
import { describe, expect, it } from 'vitest';
import { REACTION_SHOWN_MS, SignInError, unreadChat } from '../../renderer/src/views/visio/meeting-state.js';
import { MeetingSession } from '../../renderer/src/views/visio/session.js';
import { fakeServer, fakeSignalingHooks, meeting, notify, reply, servers, sessions, until, waitingRoom } from './visio-fake-signaling.js';

fakeSignalingHooks();

describe('MeetingSession (fake signaling server)', () => {
  it('waits in the salle d’attente with what was announced before the join result, then is refused', async () => {
    const server = await fakeServer(waitingRoom);
    const session = meeting(server.url, 'jeton');
    expect(session.snapshot).toMatchObject({ phase: 'connecting', micOn: false, camOn: false });
    await session.start();
    const waiting = await until(session, (s) => s.phase === 'waiting');
    expect(waiting).toMatchObject({ selfPeerId: 'p1', reconnectAttempt: 0 });
    expect(waiting.chat).toMatchObject([{ key: '1', peerId: 'p0', text: 'Bienvenue', mine: false }]);
    expect(server.requests[0]).toMatchObject({
      method: 'join',
      params: { roomId: 'q3Jd0wqV8m1X9pLh2kTzAw', displayName: 'Agent', token: 'jeton' },
    });
    notify(server.sockets[0]!, 'refused', {});
    expect(await until(session, (s) => s.phase === 'failed')).toMatchObject({ failure: 'refused' });
  });

  it('chats, raises a hand, and « Quitter » tells the server', async () => {
    const server = await fakeServer(waitingRoom);
    const session = meeting(server.url);
    await session.start();
    await until(session, (s) => s.phase === 'waiting');
    expect(await session.sendChat('  Bonjour  ')).toBe(true);
    expect(await session.sendChat('   ')).toBe(false);
    expect(session.snapshot.chat.map((l) => [l.text, l.mine])).toEqual([
      ['Bienvenue', false],
      ['Bonjour', true],
    ]);
    await session.setHand(true);
    expect(session.snapshot.hand).toBe(true);
    await session.leave();
    expect(session.snapshot.phase).toBe('left');
    expect(server.requests.map((r) => r.method)).toEqual(['join', 'chat', 'setHand', 'leave']);
  });

  it('shows a reaction on its sender (ours marked as ours) for a few seconds, then drops it', async () => {
    const server = await fakeServer(waitingRoom);
    const session = meeting(server.url);
    await session.start();
    await until(session, (s) => s.phase === 'waiting');
    const socket = server.sockets[0]!;
    await session.react('applause');
    expect(server.requests.at(-1)).toMatchObject({ method: 'react', params: { reaction: 'applause' } });
    const shownAt = Date.now();
    notify(socket, 'reaction', { peerId: 'p0', name: 'Organisatrice', reaction: 'heart', at: 1 });
    notify(socket, 'reaction', { peerId: 'p1', name: 'Agent', reaction: 'applause', at: 2 });
    const shown = await until(session, (s) => s.reactions.length === 2);
    expect(shown.reactions.map((r) => [r.peerId, r.reaction, r.mine])).toEqual([
      ['p0', 'heart', false],
      ['p1', 'applause', true],
    ]);
    await until(session, (s) => s.reactions.length === 0);
    expect(Date.now() - shownAt).toBeGreaterThanOrEqual(REACTION_SHOWN_MS - 50);
    await session.leave();
  });

  it('counts the discussion lines others wrote since the last one seen, also once the session drops its oldest lines', async () => {
    const server = await fakeServer(waitingRoom);
    const session = meeting(server.url);
    await session.start();
    await until(session, (s) => s.phase === 'waiting');
    const socket = server.sockets[0]!;
    for (let i = 1; i < 500; i++) notify(socket, 'chat', { peerId: 'p0', name: 'Organisatrice', text: `Ligne ${i}`, at: i + 1 });
    const full = await until(session, (s) => s.chat.at(-1)?.text === 'Ligne 499');
    expect(full.chat).toHaveLength(500);
    const seen = Number(full.chat.at(-1)!.key);
    expect(unreadChat(full.chat, seen)).toBe(0);
    expect(await session.sendChat('Merci')).toBe(true);
    for (const text of ['Une', 'Deux', 'Trois']) notify(socket, 'chat', { peerId: 'p0', name: 'Organisatrice', text, at: 900 });
    const later = await until(session, (s) => s.chat.at(-1)?.text === 'Trois');
    // Still 500 lines kept (the oldest dropped): a count of lines seen would say nothing is new.
    expect(later.chat).toHaveLength(500);
    expect(unreadChat(later.chat, seen)).toBe(3);
    await session.leave();
  });

  it('a join error is final, with its reason', async () => {
    const server = await fakeServer((request, socket) =>
      socket.send(JSON.stringify({ id: request.id, error: { code: 'token_expired', message: 'expired' } })),
    );
    const session = meeting(server.url, 'vieux');
    await session.start();
    expect(session.snapshot).toMatchObject({ phase: 'failed', failure: 'token_expired' });
  });

  it('an unreachable server fails at once, « Réessayer » connects', async () => {
    const server = await fakeServer(waitingRoom);
    const session = meeting('http://127.0.0.1:1');
    await session.start();
    expect(session.snapshot).toMatchObject({ phase: 'failed', failure: 'unreachable' });
    const retried = meeting(server.url);
    await retried.start();
    expect((await until(retried, (s) => s.phase === 'waiting')).failure).toBeNull();
  });

  it('a lost socket reconnects to the same room on its own', async () => {
    const server = await fakeServer(waitingRoom);
    const session = meeting(server.url);
    await session.start();
    await until(session, (s) => s.phase === 'waiting');
    server.sockets[0]!.close(1011);
    await until(session, (s) => s.phase === 'reconnecting');
    const back = await until(session, (s) => s.phase === 'waiting' && server.requests.filter((r) => r.method === 'join').length === 2);
    expect(back).toMatchObject({ reconnectAttempt: 0, failure: null, selfPeerId: 'p1' });
    expect(server.requests.filter((r) => r.method === 'join').map((r) => r.params.roomId)).toEqual([
      'q3Jd0wqV8m1X9pLh2kTzAw',
      'q3Jd0wqV8m1X9pLh2kTzAw',
    ]);
  });

  it('asks for a fresh token at each (re)connection and sends it in the join message, never in the URL', async () => {
    const server = await fakeServer(waitingRoom);
    const urls: string[] = [];
    servers[servers.length - 1]!.on('connection', (_socket, req) => urls.push(req.url ?? ''));
    let issued = 0;
    const session = meeting(server.url, 'ancien-jeton-partage', { fetchToken: () => Promise.resolve(`jeton-${++issued}`) });
    await session.start();
    await until(session, (s) => s.phase === 'waiting');
    server.sockets[0]!.close(1011);
    await until(session, (s) => s.phase === 'waiting' && server.requests.filter((r) => r.method === 'join').length === 2);
    expect(server.requests.filter((r) => r.method === 'join').map((r) => r.params.token)).toEqual(['jeton-1', 'jeton-2']);
    expect(urls).toEqual(['/ws', '/ws']);
  });

  it('moves to its space’s new room: the old one left, the new one joined with a token for it, the chat kept', async () => {
    const server = await fakeServer(waitingRoom);
    const asked: string[] = [];
    const session = meeting(server.url, null, {
      roomId: 'espace-ancienne-salle-000000',
      fetchToken: (roomId) => {
        asked.push(roomId);
        return Promise.resolve(`jeton-${roomId}`);
      },
    });
    await session.start();
    await until(session, (s) => s.phase === 'waiting');
    expect(await session.sendChat('Avant le retrait')).toBe(true);
    const moving = session.moveTo('espace-nouvelle-salle-0000000');
    expect(session.roomId).toBe('espace-nouvelle-salle-0000000');
    expect(session.snapshot).toMatchObject({ phase: 'reconnecting', roomChanged: true, peers: [] });
    await moving;
    const there = await until(session, (s) => s.phase === 'waiting');
    expect(there).toMatchObject({ roomChanged: true, failure: null });
    expect(there.chat.map((l) => l.text)).toEqual(['Bienvenue', 'Avant le retrait', 'Bienvenue']);
    expect(server.requests.map((r) => [r.method, r.params.roomId ?? null, r.params.token ?? null])).toEqual([
      ['join', 'espace-ancienne-salle-000000', 'jeton-espace-ancienne-salle-000000'],
      ['chat', null, null],
      ['leave', null, null],
      ['join', 'espace-nouvelle-salle-0000000', 'jeton-espace-nouvelle-salle-0000000'],
    ]);
    expect(asked).toEqual(['espace-ancienne-salle-000000', 'espace-nouvelle-salle-0000000']);
    // The old socket closing afterwards is not a lost connection of the new room.
    server.sockets[0]!.close(1011);
    await new Promise((r) => setTimeout(r, 200));
    expect(session.snapshot.phase).toBe('waiting');
    // Moving to the room it is in does nothing; « Fermer » hides the notice.
    await session.moveTo('espace-nouvelle-salle-0000000');
    expect(server.requests).toHaveLength(4);
    session.dismissRoomChanged();
    expect(session.snapshot.roomChanged).toBe(false);
  });

  it('leaves the meeting of a space it was removed from: the server told, the space named, no reconnection', async () => {
    const server = await fakeServer(waitingRoom);
    const session = meeting(server.url);
    await session.start();
    await until(session, (s) => s.phase === 'waiting');
    await session.leaveSpace('Projet médiathèque');
    expect(session.snapshot).toMatchObject({ phase: 'failed', failure: 'space_left', failureDetail: 'Projet médiathèque' });
    expect(server.requests.map((r) => r.method)).toEqual(['join', 'leave']);
    await session.start();
    await new Promise((r) => setTimeout(r, 200));
    expect(server.requests.map((r) => r.method)).toEqual(['join', 'leave']);
    expect(session.snapshot.failure).toBe('space_left');
  });

  it('a failed sign-in without any other token knocks as a guest; a server that wants a token gets the core’s French reason shown, retryable', async () => {
    const reason = 'Le mot de passe du compte a été refusé par le serveur de courrier.';
    const sessionFor = (url: string, fetchToken: () => Promise<string | null>) => {
      const session = new MeetingSession({
        serverUrl: url,
        roomId: 'q3Jd0wqV8m1X9pLh2kTzAw',
        displayName: 'Agent',
        token: null,
        fetchToken,
        audioTrack: null,
        videoTrack: null,
        startMuted: false,
      });
      sessions.push(session);
      return session;
    };
    // A server that lets guests knock: the agent waits like a guest, no token sent.
    const open = await fakeServer(waitingRoom);
    const knocking = sessionFor(open.url, () => Promise.reject(new SignInError(reason)));
    await knocking.start();
    await until(knocking, (s) => s.phase === 'waiting');
    expect(open.requests.filter((r) => r.method === 'join').map((r) => r.params.token)).toEqual([undefined]);
    // A server without guests: the sign-in's reason, not a token message.
    let joins = 0;
    const closed = await fakeServer((request, socket) => {
      if (request.method !== 'join') return reply(socket, request.id, {});
      if (++joins === 1 || request.params.token !== 'jeton-frais')
        return socket.send(JSON.stringify({ id: request.id, error: { code: 'token_invalid', message: 'guests not allowed' } }));
      reply(socket, request.id, { status: 'waiting', peerId: 'p1' });
    });
    let attempts = 0;
    const refused = sessionFor(closed.url, () =>
      ++attempts === 1 ? Promise.reject(new SignInError(reason)) : Promise.resolve('jeton-frais'),
    );
    await refused.start();
    expect(refused.snapshot).toMatchObject({ phase: 'failed', failure: 'sign_in', failureDetail: reason });
    // « Réessayer »: a new sign-in, this time accepted.
    await refused.start();
    await until(refused, (s) => s.phase === 'waiting');
    expect(refused.snapshot.failureDetail).toBeNull();
    expect(closed.requests.filter((r) => r.method === 'join').map((r) => r.params.token)).toEqual([undefined, 'jeton-frais']);
  });
});
