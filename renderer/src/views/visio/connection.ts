/**
 * The connection to the meeting server: the signaling socket, joining the room (or the salle d'attente), the
 * mediasoup device and its two transports, and automatic reconnection to the same room with back-off after a
 * loss. Each (re)connection has a generation number: work of an older connection stops when it no longer matches.
 */
import { detectDevice, Device } from 'mediasoup-client';
import type { RtpCapabilities, Transport, TransportOptions } from 'mediasoup-client/types';
import type {
  CLOSE_ENDED,
  CLOSE_REFUSED,
  CLOSE_REMOVED,
  JoinedResult,
  MeetNotificationName,
  TransportOptionsResult,
} from '../../../../src/shared/meet-protocol';
import { meetingWebSocketUrl } from './link';
import { SignInError, type MeetingFailure, type MeetingOptions, type MeetingState, type MeetingStateCell } from './meeting-state';
import { MeetRequestError, SignalingSocket } from './signaling';

const REFUSED_CLOSE_CODE: typeof CLOSE_REFUSED = 4001;
const REMOVED_CLOSE_CODE: typeof CLOSE_REMOVED = 4003;
const ENDED_CLOSE_CODE: typeof CLOSE_ENDED = 4004;

/** The state between two connections (lost, or moving to another room): nothing of the last one is shown. */
const betweenConnections = (): Partial<MeetingState> => ({
  phase: 'reconnecting',
  reconnectAttempt: 0,
  peers: [],
  media: {},
  activeSpeaker: null,
  waiting: [],
  quality: null,
  stats: null,
});

/** Reconnection delays (ms): about 30 seconds in all, then the view offers « Réessayer ». */
const RECONNECT_DELAYS = [500, 1000, 2000, 3000, 5000, 8000, 10_000];

/** What the rest of the session does at each step of a connection. */
export interface ConnectionHooks {
  /** A server notification of the current connection; those sent before our join result wait for it, then come in order. */
  notification(name: MeetNotificationName, payload: unknown): void;
  /** A new socket is open: nothing is consumed on it yet. */
  opened(): void;
  /** In the room (at once or once admitted): show it and consume the peers already there. */
  joined(joined: JoinedResult, generation: number): void;
  /** The transports exist: receive, measure, send what we have. */
  transportsReady(send: Transport, recv: Transport, socket: SignalingSocket): Promise<void>;
  /** The current connection closes: its consumers, producers and measurements go. */
  closed(): void;
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

export class MeetingConnection {
  private currentSocket: SignalingSocket | null = null;
  private device: Device | null = null;
  /** Given to an admitted guest by the server (JoinedResult.rejoinTicket). */
  private rejoinTicket: string | null = null;
  private sendTransport: Transport | null = null;
  private recvTransport: Transport | null = null;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  /** Increases at every (re)connection: work of an older connection stops when it no longer matches. */
  private currentGeneration = 0;
  private isEnded = false;
  /**
   * Notifications that arrive before our own join result (the server may announce the next peer first) wait
   * here, then apply in order on top of the join result.
   */
  private heldNotifications: [MeetNotificationName, unknown][] | null = null;
  /** The room joined: the options' one, until the meeting moves to another (moveTo). */
  private currentRoomId: string;

  constructor(
    private readonly options: MeetingOptions,
    private readonly state: MeetingStateCell,
    private readonly hooks: ConnectionHooks,
  ) {
    this.currentRoomId = options.roomId;
  }

  get roomId(): string {
    return this.currentRoomId;
  }

  /** The socket of the current connection, null between connections. */
  get socket(): SignalingSocket | null {
    return this.currentSocket;
  }

  get generation(): number {
    return this.currentGeneration;
  }

  /** « Quitter » was done: nothing connects any more. */
  get ended(): boolean {
    return this.isEnded;
  }

  private log(message: string, detail?: unknown): void {
    this.options.log?.(message, detail);
  }

  /** Connect and join (first time, or « Réessayer » after a failure). */
  async start(): Promise<void> {
    if (this.isEnded) return;
    this.clearReconnect();
    this.state.set({
      phase: this.state.current.phase === 'failed' ? 'connecting' : this.state.current.phase,
      failure: null,
      failureBy: null,
      failureDetail: null,
    });
    const ok = await this.connectOnce();
    if (ok === 'unreachable') this.fail('unreachable');
  }

  /** One connection attempt. 'ok' when joined or waiting, 'unreachable' when it may be retried, 'final' otherwise. */
  private async connectOnce(): Promise<'ok' | 'unreachable' | 'final'> {
    const generation = ++this.currentGeneration;
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
          if (generation !== this.currentGeneration) return;
          if (this.heldNotifications) this.heldNotifications.push([name, data]);
          else this.hooks.notification(name, data);
        },
        (info) => {
          if (generation === this.currentGeneration) this.onSocketClosed(info);
        },
      );
    } catch (err) {
      this.log('visio: server unreachable', err);
      return 'unreachable';
    }
    if (generation !== this.currentGeneration || this.isEnded) {
      socket.close();
      return 'final';
    }
    this.currentSocket = socket;
    this.heldNotifications = [];
    this.hooks.opened();
    // Why the agent could not be signed in, if so: it then knocks like a guest, and this reason is what it is told if
    // the server wants a token.
    let signInFailure: string | null = null;
    try {
      // The token travels in the join message, never in the WebSocket's URL.
      let token: string | null;
      try {
        token = this.options.fetchToken ? await this.options.fetchToken(this.currentRoomId) : this.options.token;
      } catch (err) {
        if (!(err instanceof SignInError)) throw err;
        this.log('visio: sign-in failed, knocking as a guest', err);
        signInFailure = err.message;
        token = null;
      }
      if (generation !== this.currentGeneration) return 'final';
      const result = await socket.request('join', {
        roomId: this.currentRoomId,
        displayName: this.options.displayName,
        ...(token ? { token } : {}),
        ...(this.options.guest ? { guest: true } : {}),
        ...(this.rejoinTicket ? { rejoinTicket: this.rejoinTicket } : {}),
        ...(this.device?.loaded ? { rtpCapabilities: this.device.rtpCapabilities as never } : {}),
      });
      if (generation !== this.currentGeneration) return 'final';
      if (result.status === 'waiting') {
        this.state.set({ phase: 'waiting', selfPeerId: result.peerId, reconnectAttempt: 0 });
        this.releaseNotifications();
        return 'ok';
      }
      await this.enter(result, generation);
      return 'ok';
    } catch (err) {
      this.heldNotifications = null;
      if (generation !== this.currentGeneration) return 'final';
      this.log('visio: join failed', err);
      const code = err instanceof MeetRequestError ? err.code : 'server_error';
      if (signInFailure !== null && (code === 'token_invalid' || code === 'token_expired')) {
        socket.close();
        this.fail('sign_in', null, signInFailure);
        return 'final';
      }
      if (code === 'connection_lost' || code === 'timeout' || code === 'shutting_down') return 'unreachable';
      socket.close();
      this.fail(
        code === 'token_invalid' || code === 'token_expired' || code === 'room_full' || code === 'refused' || code === 'locked'
          ? code
          : 'server_error',
      );
      return 'final';
    }
  }

  /** In the room (joined, or admitted from the salle d'attente): load the device, create transports, then the media. */
  async enter(joined: JoinedResult, generation: number): Promise<void> {
    const socket = this.currentSocket!;
    // An admitted guest keeps its ticket (memory only) to come back without knocking after a lost connection.
    if (joined.rejoinTicket) this.rejoinTicket = joined.rejoinTicket;
    this.hooks.joined(joined, generation);
    this.releaseNotifications();
    if (!this.device) {
      // The browser's own handler (Firefox, Safari, Chromium-based on the guest page); Ostal's Electron is Chromium.
      this.device = new Device({ handlerName: detectDevice() ?? 'Chrome111' });
    }
    if (!this.device.loaded) await this.device.load({ routerRtpCapabilities: joined.routerRtpCapabilities as unknown as RtpCapabilities });
    await socket.request('setRtpCapabilities', { rtpCapabilities: this.device.rtpCapabilities as never });
    if (generation !== this.currentGeneration) return;
    const iceServers = joined.iceServers as RTCIceServer[] | undefined;
    const sendOptions = await socket.request('createTransport', { direction: 'send' });
    const recvOptions = await socket.request('createTransport', { direction: 'recv' });
    if (generation !== this.currentGeneration) return;
    const send = this.device.createSendTransport(transportOptions(sendOptions, iceServers));
    const recv = this.device.createRecvTransport(transportOptions(recvOptions, iceServers));
    this.sendTransport = send;
    this.recvTransport = recv;
    for (const transport of [send, recv]) {
      transport.on('connect', ({ dtlsParameters }, callback, errback) => {
        socket
          .request('connectTransport', { transportId: transport.id, dtlsParameters: dtlsParameters as never })
          .then(() => callback(), errback);
      });
      transport.on('connectionstatechange', (state) => {
        if (generation !== this.currentGeneration) return;
        if (state === 'failed') {
          this.log('visio: transport failed', { direction: transport.direction });
          this.connectionLost();
        }
      });
    }
    await this.hooks.transportsReady(send, recv, socket);
  }

  private releaseNotifications(): void {
    const held = this.heldNotifications ?? [];
    this.heldNotifications = null;
    for (const [name, data] of held) this.hooks.notification(name, data);
  }

  private onSocketClosed(info: { code: number; byUs: boolean }): void {
    if (info.byUs || this.isEnded) return;
    if (info.code === REFUSED_CLOSE_CODE) {
      this.fail('refused');
      return;
    }
    if (info.code === REMOVED_CLOSE_CODE || info.code === ENDED_CLOSE_CODE) {
      this.stopped(info.code === REMOVED_CLOSE_CODE ? 'removed' : 'ended', null);
      return;
    }
    this.connectionLost();
  }

  /** The server went away (socket closed, transport failed, shutdown): try again with back-off, same room. */
  connectionLost(): void {
    if (this.isEnded || this.state.current.phase === 'failed' || this.state.current.phase === 'reconnecting') return;
    this.currentGeneration++;
    this.teardown();
    this.state.set(betweenConnections());
    this.scheduleReconnect(0);
  }

  /** The salle d'attente's host refused us. */
  refused(): void {
    this.currentGeneration++;
    this.currentSocket?.close();
    this.currentSocket = null;
    this.fail('refused');
  }

  /** An organiser removed us or ended the meeting: no reconnection; `by` is the organiser's name when known. */
  stopped(failure: 'removed' | 'ended', by: string | null): void {
    if (this.state.current.phase === 'failed') return;
    this.isEnded = true;
    this.currentGeneration++;
    this.fail(failure, by);
  }

  /** The agent is no longer a member of the space whose visio this is: the server is told, then the meeting ends. */
  async leaveSpace(spaceName: string): Promise<void> {
    if (await this.leave()) this.fail('space_left', null, spaceName);
  }

  private scheduleReconnect(attempt: number): void {
    if (this.isEnded) return;
    if (attempt >= RECONNECT_DELAYS.length) {
      this.fail('lost');
      return;
    }
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.state.set({ reconnectAttempt: attempt + 1 });
      void this.connectOnce().then((result) => {
        if (result === 'unreachable') this.scheduleReconnect(attempt + 1);
      });
    }, RECONNECT_DELAYS[attempt]);
  }

  private clearReconnect(): void {
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
  }

  private fail(failure: MeetingFailure, by: string | null = null, detail: string | null = null): void {
    this.clearReconnect();
    this.teardown();
    // After a connection loss, the message speaks of the lost connection, not of an unreachable server.
    const shown = failure === 'unreachable' && this.state.current.selfPeerId !== null ? 'lost' : failure;
    this.state.set({
      phase: 'failed',
      failure: shown,
      failureBy: by,
      failureDetail: detail,
      reconnectAttempt: 0,
      peers: [],
      media: {},
      waiting: [],
      activeSpeaker: null,
      moderationNotice: null,
    });
  }

  /** Close everything of the current connection; local tracks stay (they are sent again after reconnection). */
  private teardown(): void {
    this.hooks.closed();
    this.sendTransport?.close();
    this.recvTransport?.close();
    this.sendTransport = null;
    this.recvTransport = null;
    this.currentSocket?.close();
    this.currentSocket = null;
  }

  /**
   * The meeting goes on in another room (a space's visio drawn again after a member was removed): this room is left
   * (the server told), then the other one joined like after a lost connection: the local tracks, the switches and the
   * chat stay, the peers are those of the new room. A join refused there ends as any refused join does.
   */
  async moveTo(roomId: string): Promise<void> {
    if (this.isEnded || roomId === this.currentRoomId) return;
    const socket = this.currentSocket;
    // The old socket's closing and late answers belong to a past generation from here on.
    this.currentGeneration++;
    this.clearReconnect();
    this.currentRoomId = roomId;
    this.rejoinTicket = null;
    this.state.set({ ...betweenConnections(), role: null, locked: false });
    if (socket?.open) await socket.request('leave', {}).catch(() => undefined);
    if (this.isEnded) return;
    const result = await this.connectOnce();
    if (result === 'unreachable') this.scheduleReconnect(0);
  }

  /** « Quitter »: tell the server, close everything, never reconnect. False when already done. */
  async leave(): Promise<boolean> {
    if (this.isEnded) return false;
    const socket = this.currentSocket;
    if (socket?.open) await socket.request('leave', {}).catch(() => undefined);
    this.isEnded = true;
    this.currentGeneration++;
    this.clearReconnect();
    this.teardown();
    return true;
  }
}
