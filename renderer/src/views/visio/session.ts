/**
 * One meeting seen from Ostal: signaling with the meeting server, mediasoup-client transports, what we send
 * (micro, camera in 3 simulcast layers, screen) and what we receive, the salle d'attente, chat, hands, the
 * connection quality and the « connexion lente » mode, and automatic reconnection to the same room.
 * Plain TypeScript (no React): the view subscribes to immutable state snapshots.
 */
import { Device } from 'mediasoup-client';
import type { Consumer, Producer, RtpCapabilities, RtpParameters, Transport, TransportOptions } from 'mediasoup-client/types';
import type {
  CLOSE_REFUSED,
  JoinedResult,
  MediaSource,
  MeetNotificationName,
  MeetNotifications,
  MeetRole,
  PeerInfo,
  TransportOptionsResult,
  WaitingGuest,
} from '../../../../src/shared/meet-protocol';
import { meetingWebSocketUrl } from './link';
import { MeetRequestError, SignalingSocket } from './signaling';

const REFUSED_CLOSE_CODE: typeof CLOSE_REFUSED = 4001;

/** Why a meeting stopped (each has its French message in the view). */
export type MeetingFailure = 'unreachable' | 'token_invalid' | 'token_expired' | 'room_full' | 'refused' | 'lost' | 'server_error';
export type MeetingPhase = 'connecting' | 'waiting' | 'joined' | 'reconnecting' | 'failed' | 'left';
export type ConnectionQuality = 'good' | 'fair' | 'poor';

export interface RemoteTrack {
  consumerId: string;
  track: MediaStreamTrack;
  paused: boolean;
}

export interface RemoteMedia {
  micro?: RemoteTrack;
  camera?: RemoteTrack;
  screen?: RemoteTrack;
}

export interface ChatLine {
  key: string;
  peerId: string;
  name: string;
  text: string;
  at: number;
  mine: boolean;
}

export interface LinkStats {
  /** Estimated outgoing bandwidth (kbit/s), null when unknown. */
  outgoingKbps: number | null;
  /** Packets lost over the last interval, in percent (received and sent sides). */
  lossPercent: number;
  rttMs: number | null;
  /** Audio packets received so far (all remote micros). */
  audioPacketsReceived: number;
  /** Video frames decoded so far (all remote videos). */
  videoFramesDecoded: number;
}

export interface MeetingState {
  phase: MeetingPhase;
  failure: MeetingFailure | null;
  /** Reconnection attempt in progress (1, 2, …), 0 otherwise. */
  reconnectAttempt: number;
  selfPeerId: string | null;
  role: MeetRole | null;
  displayName: string;
  /** The other peers, in arrival order. */
  peers: PeerInfo[];
  media: Record<string, RemoteMedia>;
  activeSpeaker: string | null;
  chat: ChatLine[];
  waiting: WaitingGuest[];
  micOn: boolean;
  camOn: boolean;
  screenOn: boolean;
  hand: boolean;
  localCamera: MediaStreamTrack | null;
  localScreen: MediaStreamTrack | null;
  quality: ConnectionQuality | null;
  stats: LinkStats | null;
  slowMode: boolean;
  /** Bad measurements: the view proposes the « connexion lente » mode. */
  slowProposed: boolean;
  /** « Son seulement »: no video sent or received. */
  audioOnly: boolean;
  /** Spatial layer the server forwards per consumer (consumerLayersChanged). */
  layers: Record<string, number | null>;
  /** Spatial layer asked for per consumer (setTileSize answer, from the tile size or « connexion lente »). */
  requestedLayers: Record<string, number>;
}

export interface MeetingOptions {
  serverUrl: string;
  roomId: string;
  displayName: string;
  token: string | null;
  audioTrack: MediaStreamTrack | null;
  videoTrack: MediaStreamTrack | null;
  startMuted: boolean;
  /** Logs technical details (never shown). */
  log?: (message: string, detail?: unknown) => void;
}

/** Camera simulcast: 3 layers, a quarter, half and full resolution. */
export const CAMERA_ENCODINGS: RTCRtpEncodingParameters[] = [
  { rid: 'r0', scaleResolutionDownBy: 4, maxBitrate: 150_000 },
  { rid: 'r1', scaleResolutionDownBy: 2, maxBitrate: 500_000 },
  { rid: 'r2', scaleResolutionDownBy: 1, maxBitrate: 1_500_000 },
];

/** Reconnection delays (ms): about 30 seconds in all, then the view offers « Réessayer ». */
const RECONNECT_DELAYS = [500, 1000, 2000, 3000, 5000, 8000, 10_000];
const STATS_INTERVAL_MS = 2000;
/** The bandwidth estimate starts low and climbs: no judgement during the first seconds of a connection. */
const STATS_WARM_UP_MS = 10_000;
/** Consecutive poor measurements before the « connexion lente » mode is proposed. */
const POOR_SAMPLES_TO_PROPOSE = 3;
/** Largest tile size requested in « connexion lente » (device pixels): the lowest layer. */
const SLOW_TILE = { width: 320, height: 180 };

type Listener = (state: MeetingState) => void;

export class MeetingSession {
  private state: MeetingState;
  private readonly listeners = new Set<Listener>();
  private socket: SignalingSocket | null = null;
  private device: Device | null = null;
  private sendTransport: Transport | null = null;
  private recvTransport: Transport | null = null;
  private readonly producers = new Map<MediaSource, Producer>();
  private readonly consumers = new Map<string, { consumer: Consumer; peerId: string; source: MediaSource }>();
  private readonly tileSizes = new Map<string, { width: number; height: number }>();
  private readonly sentTileSizes = new Map<string, string>();
  private consumeChain: Promise<void> = Promise.resolve();
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private statsTimer: ReturnType<typeof setInterval> | null = null;
  private lastCounters: { lost: number; received: number; sentLost: number; sent: number } | null = null;
  private poorSamples = 0;
  private statsStartedAt = 0;
  private slowDismissed = false;
  /** Increases at every (re)connection: work of an older connection stops when it no longer matches. */
  private generation = 0;
  private chatSeq = 0;
  private ended = false;
  /**
   * Notifications that arrive before our own join result (the server may announce the next peer first) wait
   * here, then apply in order on top of the join result.
   */
  private heldNotifications: [MeetNotificationName, unknown][] | null = null;
  /** Resolves when the receive transport of the current connection exists (consumes wait for it). */
  private recvReady: Promise<void> = Promise.resolve();
  private markRecvReady: () => void = () => undefined;
  /** Producers already consumed (or being consumed) on the current connection. */
  private readonly consumedProducers = new Set<string>();

  constructor(private readonly options: MeetingOptions) {
    this.state = {
      phase: 'connecting',
      failure: null,
      reconnectAttempt: 0,
      selfPeerId: null,
      role: null,
      displayName: options.displayName,
      peers: [],
      media: {},
      activeSpeaker: null,
      chat: [],
      waiting: [],
      micOn: !!options.audioTrack && !options.startMuted,
      camOn: !!options.videoTrack,
      screenOn: false,
      hand: false,
      localCamera: options.videoTrack,
      localScreen: null,
      quality: null,
      stats: null,
      slowMode: false,
      slowProposed: false,
      audioOnly: false,
      layers: {},
      requestedLayers: {},
    };
  }

  get snapshot(): MeetingState {
    return this.state;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private set(patch: Partial<MeetingState>): void {
    this.state = { ...this.state, ...patch };
    for (const l of this.listeners) l(this.state);
  }

  private log(message: string, detail?: unknown): void {
    this.options.log?.(message, detail);
  }

  // ---------------------------------------------------------------------------
  // Connection

  /** Connect and join (first time, or « Réessayer » after a failure). */
  async start(): Promise<void> {
    if (this.ended) return;
    this.clearReconnect();
    this.set({ phase: this.state.phase === 'failed' ? 'connecting' : this.state.phase, failure: null });
    const ok = await this.connectOnce();
    if (ok === 'unreachable') this.fail('unreachable');
  }

  /** One connection attempt. 'ok' when joined or waiting, 'unreachable' when it may be retried, 'final' otherwise. */
  private async connectOnce(): Promise<'ok' | 'unreachable' | 'final'> {
    const generation = ++this.generation;
    this.teardown();
    const url = meetingWebSocketUrl(this.options.serverUrl);
    if (url === null) {
      this.fail('unreachable');
      return 'final';
    }
    let socket: SignalingSocket;
    try {
      socket = await SignalingSocket.open(
        url,
        (name, data) => {
          if (generation !== this.generation) return;
          if (this.heldNotifications) this.heldNotifications.push([name, data]);
          else this.onNotification(name, data);
        },
        (info) => {
          if (generation === this.generation) this.onSocketClosed(info);
        },
      );
    } catch (err) {
      this.log('visio: server unreachable', err);
      return 'unreachable';
    }
    if (generation !== this.generation || this.ended) {
      socket.close();
      return 'final';
    }
    this.socket = socket;
    this.heldNotifications = [];
    this.consumedProducers.clear();
    this.recvReady = new Promise<void>((resolve) => (this.markRecvReady = resolve));
    try {
      const result = await socket.request('join', {
        roomId: this.options.roomId,
        displayName: this.options.displayName,
        ...(this.options.token ? { token: this.options.token } : {}),
        ...(this.device?.loaded ? { rtpCapabilities: this.device.rtpCapabilities as never } : {}),
      });
      if (generation !== this.generation) return 'final';
      if (result.status === 'waiting') {
        this.set({ phase: 'waiting', selfPeerId: result.peerId, reconnectAttempt: 0 });
        this.releaseNotifications();
        return 'ok';
      }
      await this.enter(result, generation);
      return 'ok';
    } catch (err) {
      this.heldNotifications = null;
      if (generation !== this.generation) return 'final';
      const code = err instanceof MeetRequestError ? err.code : 'server_error';
      this.log('visio: join failed', err);
      if (code === 'connection_lost' || code === 'timeout' || code === 'shutting_down') return 'unreachable';
      socket.close();
      this.fail(code === 'token_invalid' || code === 'token_expired' || code === 'room_full' || code === 'refused' ? code : 'server_error');
      return 'final';
    }
  }

  /** In the room: load the device, create transports, send our media, receive the others'. */
  private async enter(joined: JoinedResult, generation: number): Promise<void> {
    const socket = this.socket!;
    this.set({
      phase: 'joined',
      failure: null,
      reconnectAttempt: 0,
      selfPeerId: joined.peerId,
      role: joined.role,
      displayName: joined.displayName,
      peers: joined.peers,
      media: {},
      waiting: joined.waiting ?? [],
      activeSpeaker: null,
    });
    for (const peer of joined.peers) for (const producer of peer.producers) this.queueConsume(producer.producerId, generation);
    this.releaseNotifications();
    if (!this.device) {
      this.device = new Device({ handlerName: 'Chrome111' });
    }
    if (!this.device.loaded) await this.device.load({ routerRtpCapabilities: joined.routerRtpCapabilities as unknown as RtpCapabilities });
    await socket.request('setRtpCapabilities', { rtpCapabilities: this.device.rtpCapabilities as never });
    if (generation !== this.generation) return;
    const iceServers = joined.iceServers as RTCIceServer[] | undefined;
    const sendOptions = await socket.request('createTransport', { direction: 'send' });
    const recvOptions = await socket.request('createTransport', { direction: 'recv' });
    if (generation !== this.generation) return;
    this.sendTransport = this.device.createSendTransport(transportOptions(sendOptions, iceServers));
    this.recvTransport = this.device.createRecvTransport(transportOptions(recvOptions, iceServers));
    this.markRecvReady();
    for (const transport of [this.sendTransport, this.recvTransport]) {
      transport.on('connect', ({ dtlsParameters }, callback, errback) => {
        socket.request('connectTransport', { transportId: transport.id, dtlsParameters: dtlsParameters as never }).then(() => callback(), errback);
      });
      transport.on('connectionstatechange', (state) => {
        if (generation !== this.generation) return;
        if (state === 'failed') {
          this.log('visio: transport failed', { direction: transport.direction });
          this.connectionLost();
        }
      });
    }
    this.sendTransport.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
      socket
        .request('produce', {
          transportId: this.sendTransport!.id,
          kind,
          rtpParameters: rtpParameters as never,
          source: appData.source as MediaSource,
          paused: appData.paused === true,
        })
        .then(({ producerId }) => callback({ id: producerId }), errback);
    });
    this.startStats();
    // Send what we have.
    const audio = this.options.audioTrack;
    if (audio && audio.readyState === 'live') await this.produce('micro', audio, !this.state.micOn);
    const video = this.state.localCamera;
    if (video && video.readyState === 'live' && this.state.camOn && !this.state.audioOnly) await this.produce('camera', video, false);
    if (this.state.localScreen && this.state.localScreen.readyState === 'live') await this.produce('screen', this.state.localScreen, false);
    if (this.state.hand) await socket.request('setHand', { raised: true }).catch(() => undefined);
  }

  private releaseNotifications(): void {
    const held = this.heldNotifications ?? [];
    this.heldNotifications = null;
    for (const [name, data] of held) this.onNotification(name, data as never);
  }

  private async produce(source: MediaSource, track: MediaStreamTrack, paused: boolean): Promise<void> {
    const transport = this.sendTransport;
    if (!transport) return;
    const producer = await transport.produce({
      track,
      stopTracks: false,
      ...(source === 'camera' ? { encodings: CAMERA_ENCODINGS.map((e) => ({ ...e })), codecOptions: { videoGoogleStartBitrate: 1000 } } : {}),
      ...(source === 'micro' ? { codecOptions: { opusDtx: true, opusFec: true } } : {}),
      appData: { source, paused },
    });
    if (paused) producer.pause();
    this.producers.set(source, producer);
    if (source === 'camera' && this.state.slowMode) await producer.setMaxSpatialLayer(0).catch(() => undefined);
    producer.on('trackended', () => {
      if (source === 'screen') void this.stopScreen();
    });
  }

  private queueConsume(producerId: string, generation: number): void {
    if (this.consumedProducers.has(producerId)) return;
    this.consumedProducers.add(producerId);
    this.consumeChain = this.consumeChain.then(() => this.consume(producerId, generation)).catch((err: unknown) => this.log('visio: consume failed', err));
  }

  private async consume(producerId: string, generation: number): Promise<void> {
    await this.recvReady;
    if (generation !== this.generation || !this.socket || !this.recvTransport) return;
    const info = await this.socket.request('consume', { producerId });
    if (generation !== this.generation) return;
    const consumer = await this.recvTransport.consume({
      id: info.consumerId,
      producerId: info.producerId,
      kind: info.kind,
      rtpParameters: info.rtpParameters as unknown as RtpParameters,
      streamId: `${info.peerId}-${info.source}`,
    });
    this.consumers.set(consumer.id, { consumer, peerId: info.peerId, source: info.source });
    const remote: RemoteTrack = { consumerId: consumer.id, track: consumer.track, paused: info.producerPaused };
    const media = { ...this.state.media, [info.peerId]: { ...this.state.media[info.peerId], [info.source]: remote } };
    this.set({ media });
    if (info.kind === 'video' && this.state.audioOnly) {
      await this.socket.request('pauseConsumer', { consumerId: consumer.id }).catch(() => undefined);
      return;
    }
    await this.socket.request('resumeConsumer', { consumerId: consumer.id });
    const size = this.tileSizes.get(consumer.id);
    if (size) this.sendTileSize(consumer.id);
  }

  private removeConsumer(consumerId: string): void {
    const entry = this.consumers.get(consumerId);
    if (!entry) return;
    this.consumers.delete(consumerId);
    this.tileSizes.delete(consumerId);
    this.sentTileSizes.delete(consumerId);
    entry.consumer.close();
    const current = this.state.media[entry.peerId];
    if (current?.[entry.source]?.consumerId === consumerId) {
      const next: RemoteMedia = { ...current };
      delete next[entry.source];
      this.set({ media: { ...this.state.media, [entry.peerId]: next } });
    }
  }

  private onNotification<N extends MeetNotificationName>(name: N, payload: MeetNotifications[N]): void {
    const generation = this.generation;
    switch (name) {
      case 'peerJoined': {
        const peer = payload as MeetNotifications['peerJoined'];
        if (peer.peerId === this.state.selfPeerId) return;
        this.set({ peers: [...this.state.peers.filter((p) => p.peerId !== peer.peerId), peer] });
        return;
      }
      case 'peerLeft': {
        const { peerId } = payload as MeetNotifications['peerLeft'];
        for (const [id, entry] of this.consumers) if (entry.peerId === peerId) this.removeConsumer(id);
        const media = { ...this.state.media };
        delete media[peerId];
        this.set({
          peers: this.state.peers.filter((p) => p.peerId !== peerId),
          media,
          activeSpeaker: this.state.activeSpeaker === peerId ? null : this.state.activeSpeaker,
        });
        return;
      }
      case 'peerUpdated': {
        const peer = payload as MeetNotifications['peerUpdated'];
        if (peer.peerId === this.state.selfPeerId) {
          this.set({ role: peer.role });
          return;
        }
        this.set({ peers: this.state.peers.map((p) => (p.peerId === peer.peerId ? peer : p)) });
        return;
      }
      case 'newProducer': {
        const { producerId, peerId } = payload as MeetNotifications['newProducer'];
        if (peerId !== this.state.selfPeerId) this.queueConsume(producerId, generation);
        return;
      }
      case 'consumerClosed': {
        this.removeConsumer((payload as MeetNotifications['consumerClosed']).consumerId);
        return;
      }
      case 'consumerPaused':
      case 'consumerResumed': {
        const { consumerId } = payload as MeetNotifications['consumerPaused'];
        const entry = this.consumers.get(consumerId);
        if (!entry) return;
        const current = this.state.media[entry.peerId]?.[entry.source];
        if (!current) return;
        this.set({
          media: {
            ...this.state.media,
            [entry.peerId]: { ...this.state.media[entry.peerId], [entry.source]: { ...current, paused: name === 'consumerPaused' } },
          },
        });
        return;
      }
      case 'consumerLayersChanged': {
        const { consumerId, spatialLayer } = payload as MeetNotifications['consumerLayersChanged'];
        this.set({ layers: { ...this.state.layers, [consumerId]: spatialLayer } });
        return;
      }
      case 'activeSpeaker': {
        this.set({ activeSpeaker: (payload as MeetNotifications['activeSpeaker']).peerId });
        return;
      }
      case 'chat': {
        const line = payload as MeetNotifications['chat'];
        if (line.peerId === this.state.selfPeerId) return;
        this.pushChat({ peerId: line.peerId, name: line.name, text: line.text, at: line.at, mine: false });
        return;
      }
      case 'waitingRoom': {
        this.set({ waiting: (payload as MeetNotifications['waitingRoom']).guests });
        return;
      }
      case 'admitted': {
        void this.enter(payload as MeetNotifications['admitted'], generation).catch((err: unknown) => {
          this.log('visio: entering after admission failed', err);
          this.connectionLost();
        });
        return;
      }
      case 'refused': {
        this.generation++;
        this.socket?.close();
        this.socket = null;
        this.fail('refused');
        return;
      }
      case 'serverShutdown': {
        this.connectionLost();
        return;
      }
      default:
        return;
    }
  }

  private onSocketClosed(info: { code: number; byUs: boolean }): void {
    if (info.byUs || this.ended) return;
    if (info.code === REFUSED_CLOSE_CODE) {
      this.fail('refused');
      return;
    }
    this.connectionLost();
  }

  /** The server went away (socket closed, transport failed, shutdown): try again with back-off, same room. */
  private connectionLost(): void {
    if (this.ended || this.state.phase === 'failed' || this.state.phase === 'reconnecting') return;
    this.generation++;
    this.teardown();
    this.set({ phase: 'reconnecting', reconnectAttempt: 0, peers: [], media: {}, activeSpeaker: null, waiting: [], quality: null, stats: null });
    this.scheduleReconnect(0);
  }

  private scheduleReconnect(attempt: number): void {
    if (this.ended) return;
    if (attempt >= RECONNECT_DELAYS.length) {
      this.fail('lost');
      return;
    }
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.set({ reconnectAttempt: attempt + 1 });
      void this.connectOnce().then((result) => {
        if (result === 'unreachable') this.scheduleReconnect(attempt + 1);
      });
    }, RECONNECT_DELAYS[attempt]);
  }

  private clearReconnect(): void {
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
  }

  private fail(failure: MeetingFailure): void {
    this.clearReconnect();
    this.teardown();
    // After a connection loss, the message speaks of the lost connection, not of an unreachable server.
    const shown = failure === 'unreachable' && this.state.selfPeerId !== null ? 'lost' : failure;
    this.set({ phase: 'failed', failure: shown, reconnectAttempt: 0, peers: [], media: {}, waiting: [], activeSpeaker: null });
  }

  /** Close everything of the current connection; local tracks stay (they are sent again after reconnection). */
  private teardown(): void {
    this.stopStats();
    for (const id of [...this.consumers.keys()]) {
      const entry = this.consumers.get(id)!;
      entry.consumer.close();
    }
    this.consumers.clear();
    this.tileSizes.clear();
    this.sentTileSizes.clear();
    for (const producer of this.producers.values()) producer.close();
    this.producers.clear();
    this.sendTransport?.close();
    this.recvTransport?.close();
    this.sendTransport = null;
    this.recvTransport = null;
    this.socket?.close();
    this.socket = null;
    this.consumeChain = Promise.resolve();
    this.lastCounters = null;
  }

  /** « Quitter ». */
  async leave(): Promise<void> {
    if (this.ended) return;
    const socket = this.socket;
    if (socket?.open) await socket.request('leave', {}).catch(() => undefined);
    this.ended = true;
    this.generation++;
    this.clearReconnect();
    this.teardown();
    this.options.audioTrack?.stop();
    this.state.localCamera?.stop();
    this.state.localScreen?.stop();
    this.set({ phase: 'left', localScreen: null, screenOn: false });
  }

  // ---------------------------------------------------------------------------
  // Actions

  async setMicro(on: boolean): Promise<void> {
    if (!this.options.audioTrack) return;
    this.set({ micOn: on });
    const producer = this.producers.get('micro');
    if (!producer || !this.socket) return;
    if (on) producer.resume();
    else producer.pause();
    await this.socket.request(on ? 'resumeProducer' : 'pauseProducer', { producerId: producer.id }).catch((err: unknown) => this.log('visio: micro', err));
  }

  async setCamera(on: boolean): Promise<void> {
    const track = this.state.localCamera;
    if (!track) return;
    this.set({ camOn: on });
    track.enabled = on;
    const producer = this.producers.get('camera');
    if (!this.socket || this.state.phase !== 'joined') return;
    if (!producer) {
      if (on && !this.state.audioOnly) await this.produce('camera', track, false).catch((err: unknown) => this.log('visio: camera', err));
      return;
    }
    if (on) producer.resume();
    else producer.pause();
    await this.socket.request(on ? 'resumeProducer' : 'pauseProducer', { producerId: producer.id }).catch((err: unknown) => this.log('visio: camera', err));
  }

  /** Share a screen (getDisplayMedia); throws the browser's error (NotAllowedError when the user cancels). */
  async startScreen(): Promise<void> {
    const stream = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: 10, max: 15 } }, audio: false });
    const track = stream.getVideoTracks()[0];
    if (!track) return;
    track.addEventListener('ended', () => void this.stopScreen());
    this.set({ localScreen: track, screenOn: true });
    if (this.sendTransport) await this.produce('screen', track, false);
  }

  async stopScreen(): Promise<void> {
    const producer = this.producers.get('screen');
    this.producers.delete('screen');
    this.state.localScreen?.stop();
    this.set({ localScreen: null, screenOn: false });
    if (producer) {
      producer.close();
      await this.socket?.request('closeProducer', { producerId: producer.id }).catch(() => undefined);
    }
  }

  async setHand(raised: boolean): Promise<void> {
    this.set({ hand: raised });
    await this.socket?.request('setHand', { raised }).catch((err: unknown) => this.log('visio: hand', err));
  }

  /** Send a chat message; false when it could not be sent. */
  async sendChat(text: string): Promise<boolean> {
    const trimmed = text.trim();
    if (!trimmed || !this.socket) return false;
    try {
      await this.socket.request('chat', { text: trimmed });
    } catch (err) {
      this.log('visio: chat', err);
      return false;
    }
    this.pushChat({ peerId: this.state.selfPeerId ?? '', name: this.state.displayName, text: trimmed, at: Date.now(), mine: true });
    return true;
  }

  private pushChat(line: Omit<ChatLine, 'key'>): void {
    this.set({ chat: [...this.state.chat, { ...line, key: String(++this.chatSeq) }].slice(-500) });
  }

  async admit(peerId: string): Promise<void> {
    await this.socket?.request('admit', { peerId });
  }

  async refuse(peerId: string): Promise<void> {
    await this.socket?.request('refuse', { peerId });
  }

  /** The view reports the rendered size of a remote video (device pixels); the server picks the layer. */
  reportTileSize(consumerId: string, width: number, height: number): void {
    this.tileSizes.set(consumerId, { width: Math.round(width), height: Math.round(height) });
    this.sendTileSize(consumerId);
  }

  private sendTileSize(consumerId: string): void {
    const size = this.tileSizes.get(consumerId);
    if (!size || !this.socket || !this.consumers.has(consumerId)) return;
    const effective = this.state.slowMode ? { width: Math.min(size.width, SLOW_TILE.width), height: Math.min(size.height, SLOW_TILE.height) } : size;
    const key = `${effective.width}x${effective.height}`;
    if (this.sentTileSizes.get(consumerId) === key) return;
    this.sentTileSizes.set(consumerId, key);
    this.socket
      .request('setTileSize', { consumerId, ...effective })
      .then(({ spatialLayer }) => this.set({ requestedLayers: { ...this.state.requestedLayers, [consumerId]: spatialLayer } }))
      .catch((err: unknown) => this.log('visio: tile size', err));
  }

  /** « Connexion lente »: receive the lowest layers, send only the lowest camera layer. */
  async setSlowMode(on: boolean): Promise<void> {
    this.set({ slowMode: on, slowProposed: false });
    if (!on) this.slowDismissed = false;
    for (const id of this.consumers.keys()) this.sendTileSize(id);
    const camera = this.producers.get('camera');
    if (camera) await camera.setMaxSpatialLayer(on ? 0 : CAMERA_ENCODINGS.length - 1).catch((err: unknown) => this.log('visio: layers', err));
  }

  /** The proposal was declined: do not ask again during this meeting. */
  dismissSlowProposal(): void {
    this.slowDismissed = true;
    this.set({ slowProposed: false });
  }

  /** « Son seulement »: stop sending and receiving video (screen shares included). */
  async setAudioOnly(on: boolean): Promise<void> {
    this.set({ audioOnly: on });
    if (on) await this.setSlowMode(true);
    const socket = this.socket;
    if (!socket) return;
    for (const [consumerId, entry] of this.consumers) {
      if (entry.consumer.kind !== 'video') continue;
      await socket.request(on ? 'pauseConsumer' : 'resumeConsumer', { consumerId }).catch(() => undefined);
    }
    const camera = this.producers.get('camera');
    if (camera && this.state.camOn) {
      if (on) camera.pause();
      else camera.resume();
      await socket.request(on ? 'pauseProducer' : 'resumeProducer', { producerId: camera.id }).catch(() => undefined);
    } else if (!on && this.state.camOn && this.state.localCamera) {
      await this.produce('camera', this.state.localCamera, false).catch(() => undefined);
    }
  }

  // ---------------------------------------------------------------------------
  // Measurements

  private startStats(): void {
    this.stopStats();
    this.statsStartedAt = Date.now();
    this.poorSamples = 0;
    this.statsTimer = setInterval(() => void this.measure(), STATS_INTERVAL_MS);
  }

  private stopStats(): void {
    if (this.statsTimer) clearInterval(this.statsTimer);
    this.statsTimer = null;
  }

  /** getStats on both transports: bandwidth, loss and RTT → quality, and the slow-link proposal. */
  private async measure(): Promise<void> {
    const send = this.sendTransport;
    const recv = this.recvTransport;
    if (!send || !recv) return;
    let sendReport: RTCStatsReport;
    let recvReport: RTCStatsReport;
    try {
      [sendReport, recvReport] = await Promise.all([send.getStats(), recv.getStats()]);
    } catch {
      return;
    }
    let outgoing: number | null = null;
    let rtt: number | null = null;
    let lost = 0;
    let received = 0;
    let sentLost = 0;
    let sent = 0;
    let audioPackets = 0;
    let framesDecoded = 0;
    const pair = (report: RTCStatsReport) => {
      report.forEach((s: Record<string, unknown>) => {
        if (s.type === 'candidate-pair' && (s.nominated === true || s.selected === true) && s.state === 'succeeded') {
          if (typeof s.availableOutgoingBitrate === 'number') outgoing = Math.max(outgoing ?? 0, s.availableOutgoingBitrate / 1000);
          if (typeof s.currentRoundTripTime === 'number') rtt = Math.max(rtt ?? 0, s.currentRoundTripTime * 1000);
        }
      });
    };
    pair(sendReport);
    pair(recvReport);
    sendReport.forEach((s: Record<string, unknown>) => {
      if (s.type === 'outbound-rtp' && typeof s.packetsSent === 'number') sent += s.packetsSent;
      if (s.type === 'remote-inbound-rtp') {
        if (typeof s.packetsLost === 'number') sentLost += Math.max(0, s.packetsLost);
        if (typeof s.roundTripTime === 'number') rtt = Math.max(rtt ?? 0, s.roundTripTime * 1000);
      }
    });
    recvReport.forEach((s: Record<string, unknown>) => {
      if (s.type !== 'inbound-rtp') return;
      if (typeof s.packetsLost === 'number') lost += Math.max(0, s.packetsLost);
      if (typeof s.packetsReceived === 'number') received += s.packetsReceived;
      if (s.kind === 'audio' && typeof s.packetsReceived === 'number') audioPackets += s.packetsReceived;
      if (s.kind === 'video' && typeof s.framesDecoded === 'number') framesDecoded += s.framesDecoded;
    });
    const previous = this.lastCounters;
    this.lastCounters = { lost, received, sentLost, sent };
    let lossPercent = 0;
    if (previous) {
      const dLost = Math.max(0, lost - previous.lost) + Math.max(0, sentLost - previous.sentLost);
      const dTotal = Math.max(0, received - previous.received) + Math.max(0, sent - previous.sent) + dLost;
      lossPercent = dTotal > 0 ? (100 * dLost) / dTotal : 0;
    }
    const stats: LinkStats = { outgoingKbps: outgoing, lossPercent, rttMs: rtt, audioPacketsReceived: audioPackets, videoFramesDecoded: framesDecoded };
    const quality = qualityOf(stats, this.producers.has('camera') && this.state.camOn);
    const warm = Date.now() - this.statsStartedAt >= STATS_WARM_UP_MS;
    this.poorSamples = quality === 'poor' && warm ? this.poorSamples + 1 : 0;
    const propose = !this.state.slowMode && !this.slowDismissed && this.poorSamples >= POOR_SAMPLES_TO_PROPOSE;
    this.set({ stats, quality, slowProposed: this.state.slowProposed || propose });
  }
}

/** Quality from measurements: packet loss, round trip and the bandwidth the sender may use. */
export function qualityOf(stats: Pick<LinkStats, 'outgoingKbps' | 'lossPercent' | 'rttMs'>, sendingVideo: boolean): ConnectionQuality {
  const { outgoingKbps, lossPercent, rttMs } = stats;
  if (lossPercent >= 8 || (rttMs !== null && rttMs > 600) || (sendingVideo && outgoingKbps !== null && outgoingKbps < 200)) return 'poor';
  if (lossPercent >= 3 || (rttMs !== null && rttMs > 250) || (sendingVideo && outgoingKbps !== null && outgoingKbps < 500)) return 'fair';
  return 'good';
}

function transportOptions(options: TransportOptionsResult, iceServers: RTCIceServer[] | undefined): TransportOptions {
  return {
    id: options.id,
    iceParameters: options.iceParameters,
    iceCandidates: options.iceCandidates as unknown as TransportOptions['iceCandidates'],
    dtlsParameters: options.dtlsParameters as unknown as TransportOptions['dtlsParameters'],
    ...(options.sctpParameters ? { sctpParameters: options.sctpParameters as unknown as TransportOptions['sctpParameters'] } : {}),
    ...(iceServers && iceServers.length > 0 ? { iceServers } : {}),
  };
}
