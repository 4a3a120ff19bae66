/**
 * Moderation on the real meeting server (mediasoup 3.12.16 worker), over real WebSockets: muting pauses the
 * target's producer ON THE SERVER (its consumers get `consumerPaused`, the log says `paused:true`), nobody turns
 * someone else's micro on, removal, lock, co-organisers, « Terminer pour tous », and the forged case: a
 * participant or a guest sending moderation requests is refused with `forbidden`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JoinedResult, MeetHealth } from '../../src/shared/meet-protocol.js';
import { newRoomId } from '../../src/shared/meet-protocol.js';
import { spawnVisioServer, type VisioServerProcess } from '../../server/src/spawn.js';
import { signJoinToken } from '../../server/src/token.js';
import { Client } from './visio-test-client.js';

const SECRET = 'secret-de-test-moderation-0123456789abcdef';

function token(role: 'organiser' | 'participant', sub: string): string {
  const now = Math.floor(Date.now() / 1000);
  return signJoinToken({ sub, role, room: '*', iat: now, exp: now + 3600 }, SECRET);
}

const VP8 = {
  mid: '1',
  codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, parameters: {}, rtcpFeedback: [{ type: 'nack' }] }],
  headerExtensions: [{ uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 1 }],
  encodings: [{ ssrc: 11111111 }],
  rtcp: { cname: 'moderation-test' },
};
const OPUS = {
  mid: '0',
  codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2, parameters: {}, rtcpFeedback: [] }],
  headerExtensions: [{ uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 1 }],
  encodings: [{ ssrc: 44444444 }],
  rtcp: { cname: 'moderation-test' },
};

/**
 * Log lines of the server (JSON objects) with this event. They come through the server's stdout, which may reach the test
 * after the clients' answers: read them with expect.poll.
 */
function logEvents(visio: VisioServerProcess, event: string): Record<string, unknown>[] {
  return visio
    .logs()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((entry) => entry.event === event);
}

describe('visio server: moderation', () => {
  let visio: VisioServerProcess;
  const clients: Client[] = [];
  const open = async () => {
    const c = await Client.open(visio.wsUrl);
    clients.push(c);
    return c;
  };

  /** An organiser (Camille), an agent participant (Jean) producing micro and camera, a guest admitted (Dominique). */
  async function meeting() {
    const roomId = newRoomId();
    const camille = await open();
    const organiser = (await camille.request('join', {
      roomId,
      displayName: 'Camille Martin',
      token: token('organiser', 'camille@ostal.test'),
    })) as JoinedResult;
    const jean = await open();
    const participant = (await jean.request('join', {
      roomId,
      displayName: 'Jean Dupont',
      token: token('participant', 'jean@ostal.test'),
    })) as JoinedResult;
    expect(participant).toMatchObject({ status: 'joined', role: 'participant', locked: false });
    const dominique = await open();
    const waiting = await dominique.request('join', { roomId, displayName: 'Dominique Invitée' });
    await camille.next('waitingRoom', (d) => d.guests.length === 1);
    await camille.request('admit', { peerId: waiting.peerId });
    const guest = await dominique.next('admitted');
    expect(await camille.next('peerJoined', (p) => p.peerId === guest.peerId)).toMatchObject({ guest: true, role: 'participant' });
    return { roomId, camille, organiser, jean, participant, dominique, guest };
  }

  beforeAll(async () => {
    visio = await spawnVisioServer({ requireToken: true, tokenSecret: SECRET, rtcMinPort: 48200, rtcMaxPort: 48399 });
  }, 90_000);

  afterAll(async () => {
    for (const c of clients) c.close();
    if (visio) await visio.stop();
  });

  it('visio moderation: the organiser mutes a participant — the producer is paused on the server; only the participant turns it back on', async () => {
    const { camille, organiser, jean, participant, dominique } = await meeting();
    const send = await jean.request('createTransport', { direction: 'send' });
    const micro = await jean.request('produce', { transportId: send.id, kind: 'audio', rtpParameters: OPUS, source: 'micro' });
    const camera = await jean.request('produce', { transportId: send.id, kind: 'video', rtpParameters: VP8, source: 'camera' });
    // Camille receives Jean's micro: her consumer tells what the server does with Jean's producer.
    await camille.request('setRtpCapabilities', { rtpCapabilities: organiser.routerRtpCapabilities });
    await camille.request('createTransport', { direction: 'recv' });
    const audio = await camille.request('consume', { producerId: micro.producerId });
    expect(audio.producerPaused).toBe(false);

    await camille.request('mutePeer', { peerId: participant.peerId, source: 'micro' });
    await camille.next('consumerPaused', (d) => d.consumerId === audio.consumerId);
    expect(await dominique.next('peerUpdated', (p) => p.peerId === participant.peerId && !p.micro)).toMatchObject({
      micro: false,
      camera: true,
      producers: expect.arrayContaining([{ producerId: micro.producerId, kind: 'audio', source: 'micro', paused: true }]),
    });
    const line = {
      action: 'microMuted',
      by: { peerId: organiser.peerId, name: 'Camille Martin' },
      target: { peerId: participant.peerId, name: 'Jean Dupont' },
    };
    // Everyone — the author, the target, the others — sees who did what.
    for (const c of [camille, jean, dominique]) expect(await c.next('moderation', (m) => m.action === 'microMuted')).toMatchObject(line);
    await expect
      .poll(() => logEvents(visio, 'peer_muted'))
      .toContainEqual(
        expect.objectContaining({
          peer: participant.peerId,
          by: organiser.peerId,
          source: 'micro',
          producer: micro.producerId,
          paused: true,
        }),
      );

    // Nobody turns someone else's micro on: the organiser's resumeProducer knows only her own producers.
    expect(await camille.errorOf('resumeProducer', { producerId: micro.producerId })).toBe('not_found');
    expect(camille.seen('consumerResumed')).toEqual([]);
    // Jean turns it back on himself.
    await jean.request('resumeProducer', { producerId: micro.producerId });
    await camille.next('consumerResumed', (d) => d.consumerId === audio.consumerId);
    await expect
      .poll(() => logEvents(visio, 'producer_resumed'))
      .toContainEqual(expect.objectContaining({ peer: participant.peerId, producer: micro.producerId, source: 'micro', paused: false }));
    expect(await dominique.next('peerUpdated', (p) => p.peerId === participant.peerId && p.micro)).toMatchObject({ micro: true });

    // The camera, same model.
    await camille.request('mutePeer', { peerId: participant.peerId, source: 'camera' });
    expect(await dominique.next('peerUpdated', (p) => p.peerId === participant.peerId && !p.camera)).toMatchObject({
      camera: false,
      micro: true,
    });
    expect(await jean.next('moderation', (m) => m.action === 'cameraStopped')).toMatchObject({ target: { peerId: participant.peerId } });
    await expect
      .poll(() => logEvents(visio, 'peer_muted'))
      .toContainEqual(expect.objectContaining({ peer: participant.peerId, source: 'camera', producer: camera.producerId, paused: true }));
    // Muting what is already off changes nothing and says nothing.
    await camille.request('mutePeer', { peerId: participant.peerId, source: 'camera' });
    expect(await camille.errorOf('mutePeer', { peerId: organiser.peerId, source: 'micro' })).toBe('bad_request');
    expect(await camille.errorOf('mutePeer', { peerId: participant.peerId, source: 'screen' as 'micro' })).toBe('bad_request');
    expect(await camille.errorOf('mutePeer', { peerId: 'inconnu', source: 'micro' })).toBe('not_found');
    await camille.request('chat', { text: 'repère' });
    await jean.next('chat');
    expect(jean.seen('moderation').filter((m) => m.action === 'cameraStopped')).toEqual([]);
  });

  it('visio moderation: a participant’s or a guest’s moderation requests are refused (forged case), nothing changes', async () => {
    const { camille, organiser, jean, participant, dominique, guest } = await meeting();
    const send = await camille.request('createTransport', { direction: 'send' });
    const micro = await camille.request('produce', { transportId: send.id, kind: 'audio', rtpParameters: OPUS, source: 'micro' });
    for (const [client, self] of [
      [jean, participant.peerId],
      [dominique, guest.peerId],
    ] as const) {
      expect(await client.errorOf('mutePeer', { peerId: organiser.peerId, source: 'micro' })).toBe('forbidden');
      expect(
        await client.errorOf('mutePeer', { peerId: self === participant.peerId ? guest.peerId : participant.peerId, source: 'camera' }),
      ).toBe('forbidden');
      expect(await client.errorOf('removePeer', { peerId: organiser.peerId })).toBe('forbidden');
      expect(await client.errorOf('makeOrganiser', { peerId: self })).toBe('forbidden');
      expect(await client.errorOf('setLocked', { locked: true })).toBe('forbidden');
      expect(await client.errorOf('endMeeting', {})).toBe('forbidden');
      // Nor can anyone resume a producer that is not theirs.
      expect(await client.errorOf('pauseProducer', { producerId: micro.producerId })).toBe('not_found');
    }
    // This meeting's refusals only (an earlier test's lines may still be on their way through the pipe).
    await expect
      .poll(() => logEvents(visio, 'forbidden').filter((e) => e.peer === participant.peerId || e.peer === guest.peerId).length)
      .toBe(12);
    // Nothing happened: the organiser's micro still runs, nobody was told of any moderation, everyone is still in.
    await camille.request('chat', { text: 'toujours là' });
    for (const c of [camille, jean, dominique]) await c.next('chat');
    for (const c of [camille, jean, dominique]) expect(c.seen('moderation')).toEqual([]);
    expect(jean.seen('peerUpdated').filter((p) => p.peerId === organiser.peerId && !p.micro)).toEqual([]);
    expect(jean.closeCode).toBeNull();
    expect(dominique.closeCode).toBeNull();
  });

  it('visio moderation: co-organisers moderate too; a guest is never made organiser', async () => {
    const { camille, organiser, jean, participant, dominique, guest } = await meeting();
    expect(await camille.errorOf('makeOrganiser', { peerId: guest.peerId })).toBe('forbidden');
    await camille.request('makeOrganiser', { peerId: participant.peerId });
    expect(await dominique.next('peerUpdated', (p) => p.peerId === participant.peerId && p.role === 'organiser')).toBeTruthy();
    expect(await dominique.next('moderation', (m) => m.action === 'madeOrganiser')).toMatchObject({
      by: { peerId: organiser.peerId },
      target: { peerId: participant.peerId, name: 'Jean Dupont' },
    });
    expect(await jean.next('waitingRoom')).toEqual({ guests: [] });
    // Jean, co-organiser now, locks the meeting.
    await jean.request('setLocked', { locked: true });
    const lockLine = await camille.next('moderation', (m) => m.action === 'locked');
    expect(lockLine).toMatchObject({ by: { peerId: participant.peerId } });
    expect(lockLine.target).toBeUndefined();
    // The last token organiser leaves: Jean stays organiser; the guest is never promoted.
    await camille.request('leave', {});
    await jean.request('leave', {});
    await dominique.next('peerLeft', (d) => d.peerId === participant.peerId);
    await new Promise((r) => setTimeout(r, 200));
    expect(dominique.seen('peerUpdated').filter((p) => p.peerId === guest.peerId && p.role === 'organiser')).toEqual([]);
    expect(await dominique.errorOf('setLocked', { locked: false })).toBe('forbidden');
  });

  it('visio moderation: the organiser locks the meeting and removes a guest — told, disconnected, cannot come back while locked', async () => {
    const { roomId, camille, organiser, jean, participant, dominique, guest } = await meeting();
    await camille.request('setLocked', { locked: true });
    expect(await jean.next('moderation', (m) => m.action === 'locked')).toMatchObject({ by: { name: 'Camille Martin' } });

    await camille.request('removePeer', { peerId: guest.peerId });
    expect(await dominique.next('removed')).toEqual({ by: { peerId: organiser.peerId, name: 'Camille Martin' } });
    expect(await dominique.closed).toBe(4003);
    expect(await jean.next('peerLeft')).toEqual({ peerId: guest.peerId });
    expect(await jean.next('moderation', (m) => m.action === 'removed')).toMatchObject({
      by: { peerId: organiser.peerId, name: 'Camille Martin' },
      target: { peerId: guest.peerId, name: 'Dominique Invitée' },
    });

    // Locked: the removed guest (a new anonymous socket, like any guest) is refused at once, without waiting.
    const again = await open();
    expect(await again.errorOf('join', { roomId, displayName: 'Dominique Invitée' })).toBe('locked');
    expect(camille.seen('waitingRoom').filter((w) => w.guests.length > 0)).toEqual([]);
    // A removed agent cannot come back with its token either, while an other agent with a participant token waits.
    await camille.request('removePeer', { peerId: participant.peerId });
    expect(await jean.closed).toBe(4003);
    const jeanAgain = await open();
    expect(await jeanAgain.errorOf('join', { roomId, displayName: 'Jean Dupont', token: token('participant', 'jean@ostal.test') })).toBe(
      'locked',
    );
    const late = await open();
    const lateJoin = await late.request('join', {
      roomId,
      displayName: 'Agent en retard',
      token: token('participant', 'autre@ostal.test'),
    });
    expect(lateJoin.status).toBe('waiting');
    expect(await camille.next('waitingRoom', (w) => w.guests.length === 1)).toMatchObject({ guests: [{ peerId: lateJoin.peerId }] });
    await camille.request('admit', { peerId: lateJoin.peerId });
    expect(await late.next('admitted')).toMatchObject({ role: 'participant', locked: true });

    // Unlocked: a guest knocks at the salle d'attente again.
    await camille.request('setLocked', { locked: false });
    expect(await late.next('moderation', (m) => m.action === 'unlocked')).toBeTruthy();
    const knock = await open();
    expect(await knock.request('join', { roomId, displayName: 'Dominique Invitée' })).toMatchObject({ status: 'waiting' });
  });

  it('visio moderation: « Terminer pour tous » — everyone, waiting guests included, is told and disconnected; the room closes', async () => {
    const { roomId, camille, organiser, jean, dominique } = await meeting();
    const knocking = await open();
    expect(await knocking.request('join', { roomId, displayName: 'Invité en attente' })).toMatchObject({ status: 'waiting' });
    const roomsBefore = ((await (await fetch(`${visio.url}/health`)).json()) as MeetHealth).rooms;
    expect(await camille.request('endMeeting', {})).toEqual({});
    for (const c of [camille, jean, dominique, knocking]) {
      expect(await c.next('meetingEnded')).toEqual({ by: { peerId: organiser.peerId, name: 'Camille Martin' } });
      expect(await c.closed).toBe(4004);
    }
    const health = (await (await fetch(`${visio.url}/health`)).json()) as MeetHealth;
    expect(health.rooms).toBe(roomsBefore - 1);
    await expect.poll(() => logEvents(visio, 'meeting_ended')).toContainEqual(expect.objectContaining({ by: organiser.peerId, peers: 4 }));
    // The link later opens a new, empty meeting.
    const next = await open();
    expect(
      await next.request('join', { roomId, displayName: 'Camille Martin', token: token('organiser', 'camille@ostal.test') }),
    ).toMatchObject({
      status: 'joined',
      peers: [],
      locked: false,
    });
  });
});
