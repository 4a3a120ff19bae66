/**
 * The renderer's MeetingSession and moderation, against a fake signaling server (no mediasoup, no media): the
 * `moderation` notification becomes a system line of the meeting's messages (and a notice when it is about us),
 * `meetingEnded` / `removed` (or their close codes alone) end the meeting without reconnecting, and `locked` is a
 * join failure of its own that « Réessayer » may retry.
 */
import { describe, expect, it } from 'vitest';
import { fakeServer, fakeSignalingHooks, meeting, notify, until, waitingRoom } from './visio-fake-signaling.js';

fakeSignalingHooks();

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
