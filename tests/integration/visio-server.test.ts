import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { JoinedResult, MeetHealth } from '../../src/shared/meet-protocol.js';
import { newRoomId } from '../../src/shared/meet-protocol.js';
import { spawnVisioServer, type VisioServerProcess } from '../../server/src/spawn.js';
import { signJoinToken } from '../../server/src/token.js';
import { Client } from './visio-test-client.js';

/**
 * The real meeting server (mediasoup 3.12.16 worker built by scripts/build-mediasoup-worker.sh) driven over a real
 * WebSocket. If the worker binary is missing, beforeAll throws a clear error: the tests fail, never skip.
 */

const SECRET = 'secret-de-test-visio-0123456789abcdef';

function token(role: 'organiser' | 'participant', room = '*', expiresIn = 3600, secret = SECRET): string {
  const now = Math.floor(Date.now() / 1000);
  return signJoinToken({ sub: 'agent2@ostal.test', role, room, iat: now, exp: now + expiresIn }, secret);
}

const VP8_SIMULCAST = {
  mid: '1',
  codecs: [
    {
      mimeType: 'video/VP8',
      payloadType: 96,
      clockRate: 90000,
      parameters: {},
      rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }, { type: 'goog-remb' }],
    },
  ],
  headerExtensions: [{ uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 1 }],
  encodings: [{ ssrc: 11111111 }, { ssrc: 22222222 }, { ssrc: 33333333 }],
  rtcp: { cname: 'visio-test' },
};
const OPUS = {
  mid: '0',
  codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2, parameters: {}, rtcpFeedback: [] }],
  headerExtensions: [{ uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 1 }],
  encodings: [{ ssrc: 44444444 }],
  rtcp: { cname: 'visio-test' },
};

describe('visio server (mediasoup 3.12, requireToken)', () => {
  let visio: VisioServerProcess;
  const clients: Client[] = [];
  const open = async () => {
    const c = await Client.open(visio.wsUrl);
    clients.push(c);
    return c;
  };

  // A stand-in for the built guest page (renderer/dist): salle.html and one asset.
  const guestPageDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-visio-guest-page-'));
  fs.writeFileSync(path.join(guestPageDir, 'salle.html'), '<!doctype html><html lang="fr"><title>Réunion en visio</title></html>');
  fs.mkdirSync(path.join(guestPageDir, 'assets'));
  fs.writeFileSync(path.join(guestPageDir, 'assets', 'salle-Ab12.js'), 'console.log(1);');
  // The background blur's wasm and model (MediaPipe selfie segmentation), hashed names as Vite writes them.
  fs.writeFileSync(
    path.join(guestPageDir, 'assets', 'selfie_segmentation_solution_simd_wasm_bin-Cd34.wasm'),
    Buffer.from([0, 97, 115, 109]),
  );
  fs.writeFileSync(path.join(guestPageDir, 'assets', 'selfie_segmentation_landscape-Ef56.tflite'), Buffer.from('TFL3'));
  fs.writeFileSync(path.join(guestPageDir, 'secret.json'), '{"tokenSecret":"x"}');

  beforeAll(async () => {
    visio = await spawnVisioServer({ requireToken: true, tokenSecret: SECRET, rtcMinPort: 45000, rtcMaxPort: 45999, guestPageDir });
  }, 90_000);

  afterAll(async () => {
    for (const c of clients) c.close();
    if (visio && visio.child.exitCode === null) await visio.stop();
    fs.rmSync(guestPageDir, { recursive: true, force: true });
  });

  it('visio: answers /health with JSON and /salle/<id> with the guest page under a strict policy, and its files', async () => {
    const health = (await (await fetch(`${visio.url}/health`)).json()) as MeetHealth;
    expect(health).toMatchObject({ status: 'ok', protocolVersion: 1, mediasoupVersion: '3.12.16', workers: 1 });
    const roomId = newRoomId();
    const page = await fetch(`${visio.url}/salle/${roomId}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>Réunion en visio</title>');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval';");
    expect(csp).toContain(`connect-src 'self' ws://${new URL(visio.url).host}`);
    expect(csp).not.toContain('unsafe-inline');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    // Its files, also under a reverse-proxy prefix; nothing else of the folder.
    for (const prefix of ['', '/visio']) {
      const asset = await fetch(`${visio.url}${prefix}/salle/assets/salle-Ab12.js`);
      expect(asset.status).toBe(200);
      expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      expect(await asset.text()).toBe('console.log(1);');
    }
    const wasm = await fetch(`${visio.url}/salle/assets/selfie_segmentation_solution_simd_wasm_bin-Cd34.wasm`);
    expect(wasm.status).toBe(200);
    expect(wasm.headers.get('content-type')).toBe('application/wasm');
    expect([...new Uint8Array(await wasm.arrayBuffer())]).toEqual([0, 97, 115, 109]);
    const model = await fetch(`${visio.url}/salle/assets/selfie_segmentation_landscape-Ef56.tflite`);
    expect(model.status).toBe(200);
    expect(await model.text()).toBe('TFL3');
    expect((await fetch(`${visio.url}/salle/secret.json`)).status).toBe(404);
    expect((await fetch(`${visio.url}/salle/assets/%2e%2e%2fsecret.json`)).status).toBe(404);
    expect((await fetch(`${visio.url}/salle/assets/..%2fsecret.json`)).status).toBe(404);
    expect((await fetch(`${visio.url}/salle/assets/absent.js`)).status).toBe(404);
    // A trailing slash would break the page's relative paths: redirected, prefix kept.
    const slash = await fetch(`${visio.url}/visio/salle/${roomId}/`, { redirect: 'manual' });
    expect(slash.status).toBe(301);
    expect(new URL(slash.headers.get('location')!, `${visio.url}/visio/salle/${roomId}/`).pathname).toBe(`/visio/salle/${roomId}`);
    expect((await fetch(`${visio.url}/salle/trop-court`)).status).toBe(404);
  });

  it('visio: refuses a missing, expired, badly signed or other-room token', async () => {
    const c = await open();
    const roomId = newRoomId();
    expect(await c.errorOf('join', { roomId, displayName: 'Agent', token: token('organiser', '*', -3600) })).toBe('token_expired');
    expect(await c.errorOf('join', { roomId, displayName: 'Agent', token: token('organiser', '*', 3600, 'x'.repeat(40)) })).toBe(
      'token_invalid',
    );
    const forged = token('participant').split('.');
    forged[1] = Buffer.from(JSON.stringify({ sub: 'x', role: 'organiser', exp: 9_999_999_999 })).toString('base64url');
    expect(await c.errorOf('join', { roomId, displayName: 'Agent', token: forged.join('.') })).toBe('token_invalid');
    expect(await c.errorOf('join', { roomId, displayName: 'Agent', token: token('organiser', newRoomId()) })).toBe('token_invalid');
    expect(await c.errorOf('join', { roomId: 'court', displayName: 'Agent', token: token('organiser') })).toBe('bad_request');
    expect(await c.errorOf('createTransport', { direction: 'send' })).toBe('not_joined');
    // The server logs neither names nor tokens.
    await expect.poll(() => visio.logs()).toContain('token_refused');
    expect(visio.logs()).not.toContain('agent2@ostal.test');
    expect(visio.logs()).not.toContain(roomId);
  });

  it('visio: salle d’attente, media, chat, hand and leave between an organiser and an admitted guest', async () => {
    const roomId = newRoomId();
    const organiser = await open();
    const joined = (await organiser.request('join', {
      roomId,
      displayName: 'Camille Organisatrice',
      token: token('organiser', roomId),
    })) as JoinedResult;
    expect(joined).toMatchObject({ status: 'joined', role: 'organiser', roomId, peers: [], waiting: [] });
    const codecs = (joined.routerRtpCapabilities.codecs as { mimeType: string }[]).map((c) => c.mimeType);
    expect(codecs).toEqual(expect.arrayContaining(['audio/opus', 'video/VP8']));

    // A guest without token waits; the organiser sees it in the salle d'attente.
    const guest = await open();
    const waiting = await guest.request('join', { roomId, displayName: 'Dominique Invitée' });
    expect(waiting).toEqual({ status: 'waiting', peerId: expect.any(String) });
    const { guests } = await organiser.next('waitingRoom', (d) => d.guests.length === 1);
    expect(guests[0]).toMatchObject({ peerId: waiting.peerId, displayName: 'Dominique Invitée' });
    expect(await guest.errorOf('createTransport', { direction: 'recv' })).toBe('not_joined');

    await organiser.request('admit', { peerId: waiting.peerId });
    const admitted = await guest.next('admitted');
    expect(admitted).toMatchObject({ status: 'joined', role: 'participant', peerId: waiting.peerId });
    expect(admitted.routerRtpCapabilities.codecs?.length).toBeGreaterThan(0);
    expect(admitted.peers.map((p) => p.peerId)).toEqual([joined.peerId]);
    expect(await organiser.next('peerJoined')).toMatchObject({
      peerId: waiting.peerId,
      displayName: 'Dominique Invitée',
      role: 'participant',
    });
    expect(await organiser.next('waitingRoom')).toEqual({ guests: [] });
    expect(await guest.errorOf('admit', { peerId: joined.peerId })).toBe('forbidden');

    // Transports: UDP and TCP candidates on the listen IP, DTLS fingerprints, SCTP on request.
    const send = await organiser.request('createTransport', {
      direction: 'send',
      sctpCapabilities: { numStreams: { OS: 1024, MIS: 1024 } },
    });
    expect(send.iceParameters.usernameFragment).toMatch(/\S/);
    expect(new Set(send.iceCandidates.map((c) => c.protocol))).toEqual(new Set(['udp', 'tcp']));
    expect(send.iceCandidates.every((c) => c.ip === '127.0.0.1' && c.port >= 45000 && c.port <= 45999)).toBe(true);
    expect(send.dtlsParameters.fingerprints.length).toBeGreaterThan(0);
    expect(send.sctpParameters?.port).toBe(5000);
    const recv = await guest.request('createTransport', { direction: 'recv' });
    expect(recv.sctpParameters).toBeUndefined();

    // Producing (simulcast camera + micro) reaches the guest, who consumes with the layer picked from its tile.
    const camera = await organiser.request('produce', {
      transportId: send.id,
      kind: 'video',
      rtpParameters: VP8_SIMULCAST,
      source: 'camera',
    });
    const micro = await organiser.request('produce', { transportId: send.id, kind: 'audio', rtpParameters: OPUS, source: 'micro' });
    expect(await guest.next('newProducer', (d) => d.producerId === camera.producerId)).toMatchObject({
      peerId: joined.peerId,
      kind: 'video',
      source: 'camera',
    });
    expect(await guest.next('newProducer', (d) => d.producerId === micro.producerId)).toMatchObject({ kind: 'audio', source: 'micro' });
    expect(await guest.errorOf('consume', { producerId: camera.producerId })).toBe('cannot_consume');
    await guest.request('setRtpCapabilities', { rtpCapabilities: admitted.routerRtpCapabilities });
    const video = await guest.request('consume', { producerId: camera.producerId });
    expect(video).toMatchObject({
      producerId: camera.producerId,
      peerId: joined.peerId,
      kind: 'video',
      source: 'camera',
      type: 'simulcast',
      paused: true,
    });
    await guest.request('resumeConsumer', { consumerId: video.consumerId });
    expect(await guest.request('setTileSize', { consumerId: video.consumerId, width: 320, height: 180 })).toEqual({ spatialLayer: 0 });
    expect(await guest.request('setTileSize', { consumerId: video.consumerId, width: 640, height: 360 })).toEqual({ spatialLayer: 1 });
    expect(await guest.request('setTileSize', { consumerId: video.consumerId, width: 1920, height: 1080 })).toEqual({ spatialLayer: 2 });
    await guest.request('setPreferredLayers', { consumerId: video.consumerId, spatialLayer: 0, temporalLayer: 0 });
    const audio = await guest.request('consume', { producerId: micro.producerId });
    expect(audio).toMatchObject({ kind: 'audio', type: 'simple' });
    expect(await organiser.errorOf('consume', { producerId: micro.producerId })).toBe('cannot_consume');

    // Muting the micro: the guest's consumer is paused and the peer state says micro off.
    await organiser.request('pauseProducer', { producerId: micro.producerId });
    await guest.next('consumerPaused', (d) => d.consumerId === audio.consumerId);
    expect(await guest.next('peerUpdated', (d) => d.peerId === joined.peerId && !d.micro)).toMatchObject({ camera: true, micro: false });
    // Stopping the camera closes the guest's consumer.
    await organiser.request('closeProducer', { producerId: camera.producerId });
    expect(await guest.next('producerClosed')).toMatchObject({ producerId: camera.producerId, source: 'camera' });
    expect(await guest.next('consumerClosed')).toEqual({ consumerId: video.consumerId, producerId: camera.producerId });

    // Chat and raised hand cross (the author gets its own message too, with the server time).
    const before = Date.now();
    await guest.request('chat', { text: '  Bonjour à tous\u00a0!  ' });
    const message = await organiser.next('chat');
    expect(message).toMatchObject({ peerId: waiting.peerId, name: 'Dominique Invitée', text: 'Bonjour à tous\u00a0!' });
    expect(message.at).toBeGreaterThanOrEqual(before - 1000);
    expect((await guest.next('chat')).text).toBe('Bonjour à tous\u00a0!');
    expect(await guest.errorOf('chat', { text: '   ' })).toBe('bad_request');
    await guest.request('setHand', { raised: true });
    expect(await organiser.next('peerUpdated', (d) => d.peerId === waiting.peerId)).toMatchObject({ hand: true });

    // A reaction reaches everyone, the sender included, stamped with the sender the server knows (a peerId or a name
    // in the request is ignored); an unknown one is refused; a burst passes one on per interval, the rest dropped.
    expect(await guest.request('react', { reaction: 'applause', peerId: 'quelqu-un-d-autre', name: 'Faux nom' } as never)).toEqual({
      sent: true,
    });
    const reaction = await organiser.next('reaction');
    expect(reaction).toMatchObject({ peerId: waiting.peerId, name: 'Dominique Invitée', reaction: 'applause' });
    expect((await guest.next('reaction')).peerId).toBe(waiting.peerId);
    expect(await guest.errorOf('react', { reaction: 'explosion' } as never)).toBe('bad_request');
    expect(await guest.errorOf('react', {} as never)).toBe('bad_request');
    await new Promise((resolve) => setTimeout(resolve, 350));
    const burst = await Promise.all([1, 2, 3, 4, 5].map(() => guest.request('react', { reaction: 'heart' })));
    expect(burst[0]).toEqual({ sent: true });
    expect(burst.filter((r) => r.sent).length).toBeLessThan(5);
    expect(await organiser.next('reaction')).toMatchObject({ peerId: waiting.peerId, reaction: 'heart' });

    const stats = await organiser.request('getStats', {});
    expect(stats.transports.map((t) => t.transportId)).toEqual([send.id]);

    // Leaving: the other one is told; the socket is closed by the server.
    await guest.request('leave', {});
    expect(await organiser.next('peerLeft')).toEqual({ peerId: waiting.peerId });
    expect(await guest.closed).toBe(1000);
  });

  it('visio: a refused guest gets « refused » and is disconnected', async () => {
    const roomId = newRoomId();
    const organiser = await open();
    await organiser.request('join', { roomId, displayName: 'Organisateur', token: token('organiser') });
    const guest = await open();
    const waiting = await guest.request('join', { roomId, displayName: 'Inconnu' });
    expect(waiting.status).toBe('waiting');
    await organiser.next('waitingRoom', (d) => d.guests.length === 1);
    await organiser.request('refuse', { peerId: waiting.peerId });
    expect(await guest.next('refused')).toEqual({});
    expect(await guest.closed).toBe(4001);
    expect(await organiser.next('waitingRoom')).toEqual({ guests: [] });
    expect(await organiser.errorOf('admit', { peerId: waiting.peerId })).toBe('not_found');
  });

  it('visio: a guest who comes before the organiser waits, is admitted once the organiser is there, and never becomes organiser', async () => {
    const roomId = newRoomId();
    const guest = await open();
    const waiting = await guest.request('join', { roomId, displayName: 'Invitée en avance' });
    expect(waiting).toEqual({ status: 'waiting', peerId: expect.any(String) });
    const organiser = await open();
    const joined = (await organiser.request('join', { roomId, displayName: 'Organisatrice', token: token('organiser') })) as JoinedResult;
    expect(joined).toMatchObject({ role: 'organiser', waiting: [{ peerId: waiting.peerId, displayName: 'Invitée en avance' }] });
    await organiser.request('admit', { peerId: waiting.peerId });
    const admitted = await guest.next('admitted');
    expect(admitted).toMatchObject({ role: 'participant', rejoinTicket: expect.any(String) });
    expect(joined.rejoinTicket).toBeUndefined();
    // Its ticket lets it back in without knocking (a lost connection), in this room only; a forged one does not.
    const ticket = admitted.rejoinTicket!;
    const again = await open();
    expect(await again.request('join', { roomId, displayName: 'Invitée en avance', rejoinTicket: ticket })).toMatchObject({
      status: 'joined',
      role: 'participant',
    });
    again.close();
    const elsewhere = await open();
    expect(await elsewhere.request('join', { roomId: newRoomId(), displayName: 'Invitée', rejoinTicket: ticket })).toMatchObject({
      status: 'waiting',
    });
    elsewhere.close();
    const [payload] = ticket.split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ room: roomId, exp: 9_999_999_999 })).toString('base64url');
    for (const forged of [`${forgedPayload}.${ticket.split('.')[1]}`, `${payload}.AAAA`, 'nimportequoi']) {
      const knock = await open();
      expect(await knock.request('join', { roomId, displayName: 'Faussaire', rejoinTicket: forged })).toMatchObject({ status: 'waiting' });
      knock.close();
    }
    // The organiser leaves: the guest stays a participant (nobody is organiser until an agent comes back).
    await organiser.request('leave', {});
    await guest.next('peerLeft');
    await new Promise((r) => setTimeout(r, 500));
    expect(guest.notifications.filter((n) => n.notification === 'peerUpdated')).toEqual([]);
    expect(await guest.errorOf('admit', { peerId: waiting.peerId })).toBe('forbidden');
    // An agent coming back becomes organiser.
    const back = await open();
    expect(await back.request('join', { roomId, displayName: 'Agent', token: token('participant', roomId) })).toMatchObject({
      role: 'organiser',
    });
  });

  it('visio: when the organiser leaves, the remaining participant becomes organiser', async () => {
    const roomId = newRoomId();
    const organiser = await open();
    await organiser.request('join', { roomId, displayName: 'Organisatrice', token: token('organiser') });
    const agent = await open();
    const joined = (await agent.request('join', { roomId, displayName: 'Agent', token: token('participant', roomId) })) as JoinedResult;
    expect(joined.role).toBe('participant');
    await organiser.request('leave', {});
    expect(await agent.next('peerUpdated', (d) => d.peerId === joined.peerId)).toMatchObject({ role: 'organiser' });
  });

  it('visio: SIGTERM sends serverShutdown to every peer and exits with code 0', async () => {
    const roomId = newRoomId();
    const a = await open();
    await a.request('join', { roomId, displayName: 'A', token: token('organiser') });
    const b = await open();
    await b.request('join', { roomId, displayName: 'B' });
    const code = await visio.stop('SIGTERM');
    expect(await a.next('serverShutdown')).toEqual({});
    expect(await b.next('serverShutdown')).toEqual({});
    expect(await a.closed).toBe(4002);
    expect(code).toBe(0);
    await expect.poll(() => visio.logs()).toContain('"event":"stopped"');
  });
});

describe('visio server without requireToken', () => {
  let visio: VisioServerProcess;
  beforeAll(async () => {
    visio = await spawnVisioServer({ requireToken: false, maxPeersPerRoom: 2, rtcMinPort: 46000, rtcMaxPort: 46999 });
  }, 90_000);
  afterAll(async () => {
    if (visio) await visio.stop();
  });

  it('visio: the first participant opens the room as organiser, the next one waits', async () => {
    const roomId = newRoomId();
    const first = await Client.open(visio.wsUrl);
    const second = await Client.open(visio.wsUrl);
    try {
      expect(await first.request('join', { roomId, displayName: 'Premier' })).toMatchObject({ status: 'joined', role: 'organiser' });
      expect(await second.request('join', { roomId, displayName: 'Second' })).toMatchObject({ status: 'waiting' });
      // maxPeersPerRoom counts the salle d'attente too.
      const third = await Client.open(visio.wsUrl);
      expect(await third.errorOf('join', { roomId, displayName: 'Troisième' })).toBe('room_full');
      third.close();
      // A token on a server without secret is refused, not ignored.
      const fourth = await Client.open(visio.wsUrl);
      expect(await fourth.errorOf('join', { roomId: newRoomId(), displayName: 'Agent', token: token('organiser') })).toBe('token_invalid');
      fourth.close();
      // The organiser leaves: the waiting guest is let in as organiser rather than waiting forever.
      first.close();
      expect(await second.next('admitted')).toMatchObject({ status: 'joined', role: 'organiser', peers: [] });
    } finally {
      first.close();
      second.close();
    }
  });

  it('visio: from the guest page (guest: true) a peer never opens the room nor becomes organiser', async () => {
    const roomId = newRoomId();
    const guest = await Client.open(visio.wsUrl);
    const agent = await Client.open(visio.wsUrl);
    try {
      expect(await guest.request('join', { roomId, displayName: 'Invitée', guest: true })).toMatchObject({ status: 'waiting' });
      const joined = (await agent.request('join', { roomId, displayName: 'Agent' })) as JoinedResult;
      expect(joined).toMatchObject({ status: 'joined', role: 'organiser', waiting: [{ displayName: 'Invitée' }] });
      // The agent leaves before admitting: the guest keeps waiting, it is not let in as organiser.
      agent.close();
      await new Promise((r) => setTimeout(r, 700));
      expect(guest.notifications.filter((n) => n.notification === 'admitted')).toEqual([]);
      expect(guest.closeCode).toBeNull();
    } finally {
      guest.close();
      agent.close();
    }
  });
});

describe('visio server with TLS', () => {
  let visio: VisioServerProcess;
  let cert: string;
  let dir: string;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-visio-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    cert = fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8');
    visio = await spawnVisioServer({
      tls: { certFile: path.join(dir, 'cert.pem'), keyFile: path.join(dir, 'key.pem') },
      requireToken: false,
      rtcMinPort: 47000,
      rtcMaxPort: 47999,
    });
  }, 90_000);
  afterAll(async () => {
    if (visio) await visio.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('visio: serves https and wss, also under a reverse-proxy path prefix', async () => {
    expect(visio.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const body = await new Promise<string>((resolve, reject) => {
      https
        .get(`${visio.url}/health`, { ca: cert }, (res) => {
          let text = '';
          res
            .setEncoding('utf8')
            .on('data', (d: string) => (text += d))
            .on('end', () => resolve(text));
        })
        .on('error', reject);
    });
    expect(JSON.parse(body)).toMatchObject({ status: 'ok' });
    const ws = new WebSocket(`${visio.url.replace('https', 'wss')}/visio/ws`, { ca: cert });
    const client = await new Promise<WebSocket>((resolve, reject) => {
      ws.once('open', () => resolve(ws));
      ws.once('error', reject);
    });
    const answer = new Promise<string>((resolve) => client.once('message', (d) => resolve(String(d))));
    client.send(JSON.stringify({ id: 7, method: 'join', params: { roomId: newRoomId(), displayName: 'Agent TLS' } }));
    expect(JSON.parse(await answer)).toMatchObject({ id: 7, result: { status: 'joined', role: 'organiser' } });
    client.close();
  });
});
