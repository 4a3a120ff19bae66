/**
 * The renderer's MeetingSession in the room, against a fake signaling server and a fake mediasoup-client device
 * (no WebRTC in Node): the micro sent, the others' camera received, the layer asked per tile size and in
 * « connexion lente », notifications on consumers and peers, « Son seulement », the link measurements, and the
 * media sent and received again after a reconnection.
 */
import type { AddressInfo } from 'node:net';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocket as NodeWebSocket, WebSocketServer } from 'ws';
import type { MeetingState } from '../../renderer/src/views/visio/session.js';
import { MeetingSession } from '../../renderer/src/views/visio/session.js';

vi.mock('mediasoup-client', () => {
  type Listener = (...args: unknown[]) => void;
  class FakeEmitter {
    private readonly listeners = new Map<string, Listener[]>();
    on(event: string, listener: Listener): this {
      this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
      return this;
    }
    emit(event: string, ...args: unknown[]): void {
      for (const l of this.listeners.get(event) ?? []) l(...args);
    }
  }
  class FakeTransport extends FakeEmitter {
    closed = false;
    private connected: Promise<void> | null = null;
    constructor(
      readonly id: string,
      readonly direction: 'send' | 'recv',
    ) {
      super();
    }
    private connect(): Promise<void> {
      this.connected ??= new Promise<void>((resolve, reject) =>
        this.emit('connect', { dtlsParameters: { role: 'client' } }, resolve, reject),
      );
      return this.connected;
    }
    async consume(o: { id: string; producerId: string; kind: string }) {
      await this.connect();
      return {
        id: o.id,
        producerId: o.producerId,
        kind: o.kind,
        track: { id: `track-${o.id}` },
        closed: false,
        close() {
          this.closed = true;
        },
      };
    }
    async produce(o: { track: { kind: string }; appData: Record<string, unknown> }) {
      await this.connect();
      const id = await new Promise<string>((resolve, reject) =>
        this.emit(
          'produce',
          { kind: o.track.kind, rtpParameters: {}, appData: o.appData },
          ({ id }: { id: string }) => resolve(id),
          reject,
        ),
      );
      const producer = Object.assign(new FakeEmitter(), {
        id,
        paused: false,
        closed: false,
        maxSpatialLayer: null as number | null,
        pause() {
          producer.paused = true;
        },
        resume() {
          producer.paused = false;
        },
        close() {
          producer.closed = true;
        },
        async setMaxSpatialLayer(layer: number) {
          producer.maxSpatialLayer = layer;
        },
      });
      return producer;
    }
    async getStats() {
      const entries: Record<string, unknown>[] =
        this.direction === 'send'
          ? [
              {
                type: 'candidate-pair',
                nominated: true,
                state: 'succeeded',
                availableOutgoingBitrate: 900_000,
                currentRoundTripTime: 0.04,
              },
              { type: 'outbound-rtp', packetsSent: 100 },
            ]
          : [{ type: 'inbound-rtp', kind: 'video', packetsReceived: 50, packetsLost: 0, framesDecoded: 25 }];
      return new Map(entries.map((e, i) => [String(i), e]));
    }
    close() {
      this.closed = true;
    }
  }
  class Device {
    loaded = false;
    rtpCapabilities = { codecs: [] };
    constructor(readonly options: unknown) {}
    async load() {
      this.loaded = true;
    }
    createSendTransport(o: { id: string }) {
      return new FakeTransport(o.id, 'send');
    }
    createRecvTransport(o: { id: string }) {
      return new FakeTransport(o.id, 'recv');
    }
  }
  // No browser here: mediasoup-client's own detection would find none (the session then takes Chromium's handler).
  const detectDevice = () => undefined;
  return { Device, detectDevice };
});

type Request = { id: number; method: string; params: Record<string, unknown> };

beforeAll(() => {
  (globalThis as { WebSocket?: unknown }).WebSocket ??= NodeWebSocket;
});

let server: WebSocketServer | null = null;
let session: MeetingSession | null = null;

afterEach(async () => {
  await session?.leave();
  for (const client of server?.clients ?? []) client.terminate();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = null;
  session = null;
});

const ROOM = 'q3Jd0wqV8m1X9pLh2kTzAw';
const bob = {
  peerId: 'p2',
  displayName: 'Bob',
  role: 'participant',
  micro: false,
  camera: true,
  screen: false,
  hand: false,
  producers: [{ producerId: 'bob-cam', source: 'camera', kind: 'video' }],
};

/** A meeting server that lets everyone in, with Bob and his camera in the room. */
async function room(): Promise<{ url: string; requests: Request[]; sockets: NodeWebSocket[] }> {
  server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => server!.once('listening', resolve));
  const requests: Request[] = [];
  const sockets: NodeWebSocket[] = [];
  server.on('connection', (socket) => {
    sockets.push(socket);
    socket.on('message', (data) => {
      const r = JSON.parse(String(data)) as Request;
      requests.push(r);
      const result = (() => {
        switch (r.method) {
          case 'join':
            return {
              status: 'joined',
              peerId: 'me',
              role: 'host',
              displayName: 'Agent',
              roomId: ROOM,
              protocolVersion: 1,
              routerRtpCapabilities: { codecs: [] },
              peers: [bob],
              iceServers: [],
              waiting: [],
            };
          case 'createTransport':
            return { id: `${r.params.direction as string}-${sockets.length}`, iceParameters: {}, iceCandidates: [], dtlsParameters: {} };
          case 'produce':
            return { producerId: `my-${r.params.source as string}-${sockets.length}` };
          case 'consume':
            return {
              consumerId: `c-${r.params.producerId as string}-${sockets.length}`,
              producerId: r.params.producerId,
              peerId: 'p2',
              kind: 'video',
              source: 'camera',
              rtpParameters: {},
              type: 'simulcast',
              paused: true,
              producerPaused: false,
            };
          case 'setTileSize':
            return { spatialLayer: (r.params.width as number) > 800 ? 2 : 0 };
          default:
            return {};
        }
      })();
      socket.send(JSON.stringify({ id: r.id, result }));
    });
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, sockets };
}

function until(s: MeetingSession, test: (state: MeetingState) => boolean, timeoutMs = 8000): Promise<MeetingState> {
  if (test(s.snapshot)) return Promise.resolve(s.snapshot);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`state not reached (phase ${s.snapshot.phase})`));
    }, timeoutMs);
    const stop = s.subscribe((state) => {
      if (!test(state)) return;
      clearTimeout(timer);
      stop();
      resolve(state);
    });
  });
}

async function requested(requests: Request[], test: (r: Request) => boolean, timeoutMs = 5000): Promise<Request> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const found = requests.find(test);
    if (found) return found;
    if (Date.now() > end) throw new Error('request not seen');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const notify = (socket: NodeWebSocket, notification: string, data: unknown) => socket.send(JSON.stringify({ notification, data }));
const micro = () => ({ kind: 'audio', readyState: 'live', enabled: true, stop: vi.fn() }) as unknown as MediaStreamTrack;

describe('MeetingSession in the room (fake server, fake mediasoup device)', () => {
  it('sends the micro, receives the camera, picks layers, applies notifications, measures, reconnects', async () => {
    const server = await room();
    const audio = micro();
    session = new MeetingSession({
      serverUrl: server.url,
      roomId: ROOM,
      displayName: 'Agent',
      token: null,
      audioTrack: audio,
      videoTrack: null,
      startMuted: false,
    });
    await session.start();
    const joined = await until(session, (s) => s.phase === 'joined' && !!s.media.p2?.camera);
    expect(joined).toMatchObject({ selfPeerId: 'me', role: 'host', micOn: true, peers: [{ peerId: 'p2' }] });
    const consumerId = joined.media.p2!.camera!.consumerId;
    expect(consumerId).toBe('c-bob-cam-1');
    await requested(server.requests, (r) => r.method === 'resumeConsumer' && r.params.consumerId === consumerId);
    const produce = await requested(server.requests, (r) => r.method === 'produce');
    expect(produce.params).toMatchObject({ transportId: 'send-1', kind: 'audio', source: 'micro', paused: false });
    expect(
      server.requests
        .filter((r) => r.method === 'connectTransport')
        .map((r) => r.params.transportId)
        .sort(),
    ).toEqual(['recv-1', 'send-1']);

    // Layers: the tile's size, capped in « connexion lente ».
    session.reportTileSize(consumerId, 1280.4, 720);
    await until(session, (s) => s.requestedLayers[consumerId] === 2);
    await session.setSlowMode(true);
    await until(session, (s) => s.requestedLayers[consumerId] === 0);
    expect(server.requests.filter((r) => r.method === 'setTileSize').map((r) => [r.params.width, r.params.height])).toEqual([
      [1280, 720],
      [320, 180],
    ]);
    notify(server.sockets[0]!, 'consumerLayersChanged', { consumerId, spatialLayer: 0 });
    notify(server.sockets[0]!, 'consumerPaused', { consumerId });
    await until(session, (s) => s.layers[consumerId] === 0 && s.media.p2?.camera?.paused === true);

    // « Son seulement »: the others' video paused at the server; the micro muted.
    await session.setAudioOnly(true);
    await requested(server.requests, (r) => r.method === 'pauseConsumer' && r.params.consumerId === consumerId);
    await session.setMicro(false);
    await requested(server.requests, (r) => r.method === 'pauseProducer' && r.params.producerId === 'my-micro-1');
    expect(session.snapshot).toMatchObject({ audioOnly: true, slowMode: true, micOn: false });

    // Measurements every 2 seconds.
    const measured = await until(session, (s) => s.stats !== null);
    expect(measured.stats).toMatchObject({ outgoingKbps: 900, rttMs: 40, videoFramesDecoded: 25 });
    expect(measured.quality).toBe('good');

    // Bob leaves: his media go.
    notify(server.sockets[0]!, 'peerLeft', { peerId: 'p2' });
    await until(session, (s) => s.peers.length === 0 && !s.media.p2);

    // The socket is lost: same room again, the micro sent again (muted), Bob's camera consumed again.
    server.sockets[0]!.close(1011);
    await until(session, (s) => s.phase === 'reconnecting');
    const back = await until(session, (s) => s.phase === 'joined' && !!s.media.p2?.camera, 10_000);
    expect(back.media.p2!.camera!.consumerId).toBe('c-bob-cam-2');
    const again = await requested(server.requests, (r) => r.method === 'produce' && r.params.transportId === 'send-2');
    expect(again.params).toMatchObject({ source: 'micro', paused: true });
    // « Son seulement » holds across the reconnection: the new video consumer is paused, not resumed.
    await requested(server.requests, (r) => r.method === 'pauseConsumer' && r.params.consumerId === 'c-bob-cam-2');
    expect(server.requests.some((r) => r.method === 'resumeConsumer' && r.params.consumerId === 'c-bob-cam-2')).toBe(false);

    await session.leave();
    expect(session.snapshot.phase).toBe('left');
    expect(audio.stop).toHaveBeenCalled();
    expect(server.requests.at(-1)?.method).toBe('leave');
  }, 30_000);

  it('« Entrer caméra coupée »: in the room, nothing of the camera is sent until it is turned on', async () => {
    const server = await room();
    const camera = { kind: 'video', readyState: 'live', enabled: true, stop: vi.fn() } as unknown as MediaStreamTrack;
    session = new MeetingSession({
      serverUrl: server.url,
      roomId: ROOM,
      displayName: 'Agent',
      token: null,
      audioTrack: micro(),
      videoTrack: camera,
      startMuted: false,
      startCameraOff: true,
    });
    expect(camera.enabled).toBe(false);
    await session.start();
    const joined = await until(session, (s) => s.phase === 'joined');
    expect(joined).toMatchObject({ camOn: false, micOn: true });
    await requested(server.requests, (r) => r.method === 'produce' && r.params.source === 'micro');
    await new Promise((r) => setTimeout(r, 200));
    expect(server.requests.filter((r) => r.method === 'produce').map((r) => r.params.source)).toEqual(['micro']);

    // « Activer la caméra »: sent from then on.
    await session.setCamera(true);
    const produced = await requested(server.requests, (r) => r.method === 'produce' && r.params.source === 'camera');
    expect(produced.params).toMatchObject({ kind: 'video', paused: false });
    expect(camera.enabled).toBe(true);
    expect(session.snapshot.camOn).toBe(true);
  }, 30_000);
});
