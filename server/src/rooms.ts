/**
 * Rooms and peers: the signaling logic on top of mediasoup 3.12 (listenIps API). One Room per room id,
 * created on the first join, on a worker picked round-robin; closed when its last peer (joined or waiting) leaves.
 * The message formats are in src/shared/meet-protocol.ts (imported as types only).
 */
import { randomUUID } from 'node:crypto';
import type * as ms from 'mediasoup/node/lib/types.js';
import type {
  CLOSE_ENDED as PROTOCOL_CLOSE_ENDED,
  CLOSE_REFUSED as PROTOCOL_CLOSE_REFUSED,
  CLOSE_REMOVED as PROTOCOL_CLOSE_REMOVED,
  Empty,
  JoinedResult,
  MediaSource,
  MEET_REACTIONS as PROTOCOL_REACTIONS,
  MeetError,
  MeetErrorCode,
  MeetNotification,
  MeetNotificationName,
  MeetNotifications,
  MeetReaction,
  MeetRequests,
  MeetRole,
  ModerationAction,
  ModeratedSource,
  PeerInfo,
  REACTION_INTERVAL_MS as PROTOCOL_REACTION_INTERVAL_MS,
  RtpCapabilitiesJson,
  TransportDirection,
  WaitingGuest,
} from '../../src/shared/meet-protocol.js';
import type { ServerConfig } from './config.js';
import { errorText, log, roomTag } from './log.js';
import { iceServersFor } from './limits.js';
import { checkGuestTicket, guestTicketKey, makeGuestTicket } from './guest-ticket.js';
import { verifyJoinToken } from './token.js';

// Runtime copies of protocol constants (the server imports the protocol as types only, so it can be deployed
// alone). The `satisfies`/typeof annotations make the compiler check they stay equal to the protocol's.
const PROTOCOL_VERSION = 1 as const;
const ROOM_ID_PATTERN = /^[A-Za-z0-9_-]{22,64}$/;
const MAX_DISPLAY_NAME_LENGTH = 80;
const MAX_CHAT_LENGTH = 4000;
const CLOSE_REFUSED: typeof PROTOCOL_CLOSE_REFUSED = 4001;
const CLOSE_REMOVED: typeof PROTOCOL_CLOSE_REMOVED = 4003;
const CLOSE_ENDED: typeof PROTOCOL_CLOSE_ENDED = 4004;
const MEET_REACTIONS: typeof PROTOCOL_REACTIONS = ['thumbsUp', 'heart', 'applause', 'laugh', 'surprise'];
const REACTION_INTERVAL_MS: typeof PROTOCOL_REACTION_INTERVAL_MS = 300;

/** Same rule as spatialLayerForTile in the protocol file (checked equal by tests). */
export function spatialLayerForTile(width: number, height: number): 0 | 1 | 2 {
  const size = Math.max(width, (height * 16) / 9);
  if (!(size > 400)) return 0;
  if (size <= 800) return 1;
  return 2;
}

/** The codecs of every router: opus and VP8 (the client sends VP8 with 3 simulcast encodings). */
export const MEDIA_CODECS: ms.RtpCodecCapability[] = [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
  { kind: 'video', mimeType: 'video/VP8', clockRate: 90000, parameters: { 'x-google-start-bitrate': 1000 } },
];

/** An error answered to the client with a stable code. */
export class MeetFailure extends Error {
  constructor(
    readonly code: MeetErrorCode,
    message?: string,
  ) {
    super(message ?? code);
  }
  toJSON(): MeetError {
    return { code: this.code, message: this.message };
  }
}

const badRequest = (message: string) => new MeetFailure('bad_request', message);

/** What the room needs from a socket. */
export interface PeerChannel {
  send(message: MeetNotification): void;
  close(code: number, reason: string): void;
}

type PeerState = 'new' | 'waiting' | 'joined' | 'closed';

export class Peer {
  readonly id = randomUUID();
  state: PeerState = 'new';
  room: Room | null = null;
  displayName = '';
  role: MeetRole = 'participant';
  /** Joined without a token: never organiser. */
  isGuest = false;
  /** The join token's subject (the agent), null for a guest; only kept in memory to refuse a removed agent. */
  subject: string | null = null;
  /** An admitted guest's rejoin ticket (revoked when the guest is removed). */
  rejoinTicket: string | null = null;
  hand = false;
  /** When this peer's last reaction was passed on (epoch ms). */
  lastReactionAt = 0;
  enteredAt = 0;
  waitingSince = 0;
  rtpCapabilities: ms.RtpCapabilities | null = null;
  readonly transports = new Map<string, ms.WebRtcTransport>();
  readonly producers = new Map<string, ms.Producer>();
  readonly consumers = new Map<string, ms.Consumer>();

  constructor(readonly channel: PeerChannel) {}

  notify<N extends MeetNotificationName>(notification: N, data: MeetNotifications[N]): void {
    if (this.state === 'closed') return;
    this.channel.send({ notification, data } as MeetNotification);
  }

  producerOf(source: MediaSource): ms.Producer | undefined {
    return [...this.producers.values()].find((p) => p.appData.source === source);
  }

  info(): PeerInfo {
    const on = (source: MediaSource) => {
      const p = this.producerOf(source);
      return p !== undefined && !p.paused;
    };
    return {
      peerId: this.id,
      displayName: this.displayName,
      role: this.role,
      micro: on('micro'),
      camera: on('camera'),
      screen: on('screen'),
      hand: this.hand,
      guest: this.isGuest,
      producers: [...this.producers.values()].map((p) => ({
        producerId: p.id,
        kind: p.kind,
        source: p.appData.source as MediaSource,
        paused: p.paused,
      })),
    };
  }

  guest(): WaitingGuest {
    return { peerId: this.id, displayName: this.displayName, since: this.waitingSince };
  }
}

export class Room {
  /** Joined peers, in order of entry. */
  readonly peers = new Map<string, Peer>();
  /** Salle d'attente, in order of arrival. */
  readonly waiting = new Map<string, Peer>();
  private activeSpeaker: string | null = null;
  private closed = false;
  /** « Verrouiller la réunion »: no guest enters; agents with a participant token wait. */
  locked = false;
  /** Token subjects of removed agents: refused while the meeting is locked. */
  readonly removedSubjects = new Set<string>();
  /** Rejoin tickets of removed guests: a removed guest knocks again like anyone (and is refused while locked). */
  readonly revokedTickets = new Set<string>();

  constructor(
    readonly id: string,
    readonly router: ms.Router,
    private readonly audioLevelObserver: ms.AudioLevelObserver,
    private readonly manager: RoomManager,
  ) {
    audioLevelObserver.on('volumes', (volumes) => {
      const peerId = (volumes[0]?.producer.appData.peerId as string | undefined) ?? null;
      this.setActiveSpeaker(peerId);
    });
    audioLevelObserver.on('silence', () => this.setActiveSpeaker(null));
  }

  get tag(): string {
    return roomTag(this.id);
  }

  get size(): number {
    return this.peers.size + this.waiting.size;
  }

  hasOrganiser(): boolean {
    return [...this.peers.values()].some((p) => p.role === 'organiser');
  }

  private setActiveSpeaker(peerId: string | null): void {
    if (peerId === this.activeSpeaker) return;
    this.activeSpeaker = peerId;
    this.broadcast('activeSpeaker', { peerId });
  }

  broadcast<N extends MeetNotificationName>(notification: N, data: MeetNotifications[N], except?: Peer): void {
    for (const peer of this.peers.values()) if (peer !== except) peer.notify(notification, data);
  }

  notifyOrganisers(): void {
    const guests = [...this.waiting.values()].map((g) => g.guest());
    for (const peer of this.peers.values()) if (peer.role === 'organiser') peer.notify('waitingRoom', { guests });
  }

  joinedResult(peer: Peer): JoinedResult {
    return {
      status: 'joined',
      peerId: peer.id,
      role: peer.role,
      displayName: peer.displayName,
      roomId: this.id,
      protocolVersion: PROTOCOL_VERSION,
      routerRtpCapabilities: this.router.rtpCapabilities as RtpCapabilitiesJson,
      peers: [...this.peers.values()].filter((p) => p !== peer).map((p) => p.info()),
      iceServers: iceServersFor(this.manager.config, peer.id),
      ...(peer.role === 'organiser' ? { waiting: [...this.waiting.values()].map((g) => g.guest()) } : {}),
      locked: this.locked,
      ...(peer.isGuest ? { rejoinTicket: this.ticketFor(peer) } : {}),
    };
  }

  /** The rejoin ticket of an admitted guest, remembered so that removing the guest revokes it. */
  private ticketFor(peer: Peer): string {
    peer.rejoinTicket = makeGuestTicket(this.manager.guestTicketKey, this.id);
    return peer.rejoinTicket;
  }

  /** Put a peer into the room (first join, or admitted from the salle d'attente). */
  enter(peer: Peer, role: MeetRole): JoinedResult {
    this.waiting.delete(peer.id);
    peer.state = 'joined';
    peer.role = this.hasOrganiser() || peer.isGuest ? role : 'organiser';
    peer.enteredAt = Date.now();
    this.peers.set(peer.id, peer);
    const result = this.joinedResult(peer);
    this.broadcast('peerJoined', peer.info(), peer);
    if (peer.role === 'organiser' && this.waiting.size > 0) this.notifyOrganisers();
    log('info', 'peer_joined', { room: this.tag, peer: peer.id, role: peer.role, peers: this.peers.size });
    return result;
  }

  wait(peer: Peer): void {
    peer.state = 'waiting';
    peer.waitingSince = Date.now();
    this.waiting.set(peer.id, peer);
    this.notifyOrganisers();
    log('info', 'peer_waiting', { room: this.tag, peer: peer.id, waiting: this.waiting.size });
  }

  /** Remove a peer (leave, socket closed, refused). */
  remove(peer: Peer): void {
    if (this.waiting.delete(peer.id)) {
      this.notifyOrganisers();
      log('info', 'guest_left', { room: this.tag, peer: peer.id });
    } else if (this.peers.delete(peer.id)) {
      for (const transport of peer.transports.values()) transport.close();
      peer.transports.clear();
      peer.producers.clear();
      peer.consumers.clear();
      this.broadcast('peerLeft', { peerId: peer.id });
      if (this.activeSpeaker === peer.id) this.setActiveSpeaker(null);
      log('info', 'peer_left', { room: this.tag, peer: peer.id, peers: this.peers.size });
      this.keepAnOrganiser();
    }
    if (this.size === 0) this.close();
  }

  /**
   * A room keeps an organiser while one of its peers may be: when the last one leaves, the longest-present
   * non-guest peer becomes organiser (never a guest: with only guests left, nobody is). When the room empties
   * while tokenless agents wait (no requireToken), the oldest of them enters as organiser; guests keep waiting
   * for an agent.
   */
  private keepAnOrganiser(): void {
    if (this.hasOrganiser()) return;
    const next = [...this.peers.values()].filter((p) => !p.isGuest).sort((a, b) => a.enteredAt - b.enteredAt)[0];
    if (next) {
      next.role = 'organiser';
      this.broadcast('peerUpdated', next.info());
      if (this.waiting.size > 0) this.notifyOrganisers();
      log('info', 'organiser_promoted', { room: this.tag, peer: next.id });
      return;
    }
    if (!this.manager.config.requireToken && this.peers.size === 0) {
      const agent = [...this.waiting.values()].find((p) => !p.isGuest);
      if (agent) agent.notify('admitted', this.enter(agent, 'organiser'));
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.router.close();
    this.manager.forget(this);
    log('info', 'room_closed', { room: this.tag });
  }

  /** Tell every joined peer, author and target included, who moderated what (the meeting's messages). */
  announce(action: ModerationAction, by: Peer, target?: Peer): void {
    this.broadcast('moderation', {
      action,
      by: { peerId: by.id, name: by.displayName },
      ...(target ? { target: { peerId: target.id, name: target.displayName } } : {}),
      at: Date.now(),
    });
    log('info', 'moderation', { room: this.tag, action, by: by.id, ...(target ? { peer: target.id } : {}) });
  }

  /** « Terminer pour tous »: everyone (waiting guests included) is told, disconnected, and the room closes. */
  end(by: Peer): void {
    const everyone = [...this.peers.values(), ...this.waiting.values()];
    const data = { by: { peerId: by.id, name: by.displayName } };
    for (const peer of everyone) peer.notify('meetingEnded', data);
    for (const peer of everyone) peer.state = 'closed';
    this.peers.clear();
    this.waiting.clear();
    log('info', 'meeting_ended', { room: this.tag, by: by.id, peers: everyone.length });
    this.close();
    for (const peer of everyone) peer.room = null;
    // After the requester's answer has gone out on its socket.
    setImmediate(() => {
      for (const peer of everyone) peer.channel.close(CLOSE_ENDED, 'meeting ended');
    });
  }

  addAudioProducer(producer: ms.Producer): void {
    this.audioLevelObserver.addProducer({ producerId: producer.id }).catch((error: unknown) => {
      log('warn', 'audio_observer_failed', { room: this.tag, error: errorText(error) });
    });
  }
}

/** Rooms of the server, spread round-robin over the workers. */
export class RoomManager {
  readonly rooms = new Map<string, Room>();
  private readonly creating = new Map<string, Promise<Room>>();
  private nextWorker = 0;

  /** Signs the rejoin tickets of admitted guests (guest-ticket.ts). */
  readonly guestTicketKey: Buffer;

  constructor(
    readonly config: ServerConfig,
    private readonly workers: ms.Worker[],
  ) {
    this.guestTicketKey = guestTicketKey(config.tokenSecret);
  }

  get peerCount(): number {
    let n = 0;
    for (const room of this.rooms.values()) n += room.size;
    return n;
  }

  async getOrCreate(roomId: string): Promise<Room> {
    const existing = this.rooms.get(roomId);
    if (existing) return existing;
    const pending = this.creating.get(roomId);
    if (pending) return pending;
    const promise = (async () => {
      const worker = this.workers[this.nextWorker++ % this.workers.length];
      const router = await worker.createRouter({ mediaCodecs: MEDIA_CODECS });
      const observer = await router.createAudioLevelObserver({ maxEntries: 1, threshold: -70, interval: 800 });
      const room = new Room(roomId, router, observer, this);
      this.rooms.set(roomId, room);
      log('info', 'room_created', { room: room.tag, worker: worker.pid });
      return room;
    })();
    this.creating.set(roomId, promise);
    try {
      return await promise;
    } finally {
      this.creating.delete(roomId);
    }
  }

  forget(room: Room): void {
    if (this.rooms.get(room.id) === room) this.rooms.delete(room.id);
  }
}

// ---------------------------------------------------------------------------
// Param validation

function object(value: unknown, what = 'params'): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw badRequest(`${what} must be an object`);
  return value as Record<string, unknown>;
}
function string(params: Record<string, unknown>, key: string): string {
  const value = params[key];
  if (typeof value !== 'string' || value === '') throw badRequest(`${key} must be a non-empty string`);
  return value;
}
function boolean(params: Record<string, unknown>, key: string): boolean {
  const value = params[key];
  if (typeof value !== 'boolean') throw badRequest(`${key} must be a boolean`);
  return value;
}
function integer(params: Record<string, unknown>, key: string, min: number, max: number): number {
  const value = params[key];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) throw badRequest(`${key} out of range`);
  return value;
}
function oneOf<T extends string>(params: Record<string, unknown>, key: string, values: readonly T[]): T {
  const value = params[key];
  if (typeof value !== 'string' || !values.includes(value as T)) throw badRequest(`${key} must be one of ${values.join(', ')}`);
  return value as T;
}

// ---------------------------------------------------------------------------
// Request handling

type Handler<M extends keyof MeetRequests> = (peer: Peer, params: Record<string, unknown>) => Promise<MeetRequests[M]['result']>;

export class Signaling {
  constructor(readonly manager: RoomManager) {}

  private get config(): ServerConfig {
    return this.manager.config;
  }

  /** Answer one request of `peer`. Throws MeetFailure for protocol errors. */
  async handle(peer: Peer, method: string, rawParams: unknown): Promise<unknown> {
    if (!Object.hasOwn(this.handlers, method)) throw new MeetFailure('unknown_method', `unknown method ${method.slice(0, 40)}`);
    const params = object(rawParams ?? {});
    const name = method as keyof MeetRequests;
    if (name !== 'join' && name !== 'leave' && peer.state !== 'joined') throw new MeetFailure('not_joined');
    return (this.handlers[name] as Handler<typeof name>)(peer, params);
  }

  /** The socket closed: same as leave. */
  disconnected(peer: Peer): void {
    const room = peer.room;
    peer.state = 'closed';
    room?.remove(peer);
  }

  private room(peer: Peer): Room {
    if (!peer.room) throw new MeetFailure('not_joined');
    return peer.room;
  }

  private transport(peer: Peer, id: unknown): ms.WebRtcTransport {
    const transport = typeof id === 'string' ? peer.transports.get(id) : undefined;
    if (!transport) throw new MeetFailure('not_found', 'unknown transport');
    return transport;
  }

  private producer(peer: Peer, id: unknown): ms.Producer {
    const producer = typeof id === 'string' ? peer.producers.get(id) : undefined;
    if (!producer) throw new MeetFailure('not_found', 'unknown producer');
    return producer;
  }

  private consumer(peer: Peer, id: unknown): ms.Consumer {
    const consumer = typeof id === 'string' ? peer.consumers.get(id) : undefined;
    if (!consumer) throw new MeetFailure('not_found', 'unknown consumer');
    return consumer;
  }

  private organiserOnly(peer: Peer): void {
    if (peer.role !== 'organiser') {
      log('info', 'forbidden', { room: peer.room?.tag, peer: peer.id });
      throw new MeetFailure('forbidden', 'organisers only');
    }
  }

  /** The joined peer a moderation request is about: another peer of the same room. */
  private moderated(peer: Peer, params: Record<string, unknown>): Peer {
    const id = string(params, 'peerId');
    if (id === peer.id) throw badRequest('cannot moderate oneself');
    const target = this.room(peer).peers.get(id);
    if (!target) throw new MeetFailure('not_found', 'no such peer in the room');
    return target;
  }

  private readonly handlers: { [M in keyof MeetRequests]: Handler<M> } = {
    join: async (peer, params) => {
      if (peer.state !== 'new') throw new MeetFailure('already_joined');
      const roomId = string(params, 'roomId');
      if (!ROOM_ID_PATTERN.test(roomId)) throw badRequest('malformed roomId');
      const displayName = typeof params.displayName === 'string' ? params.displayName.trim() : '';
      if (displayName === '' || displayName.length > MAX_DISPLAY_NAME_LENGTH) throw badRequest('displayName empty or too long');
      if (params.rtpCapabilities !== undefined)
        peer.rtpCapabilities = object(params.rtpCapabilities, 'rtpCapabilities') as ms.RtpCapabilities;

      // Who is it? A token holder (organiser or participant) or a guest.
      let tokenRole: MeetRole | null = null;
      let tokenName: string | null = null;
      if (params.token !== undefined && params.token !== null && params.token !== '') {
        if (!this.config.tokenSecret) throw new MeetFailure('token_invalid', 'this server has no token secret');
        const check = verifyJoinToken(String(params.token), this.config.tokenSecret, roomId);
        if (!check.ok) {
          log('info', 'token_refused', { room: roomTag(roomId), peer: peer.id, reason: check.reason });
          throw new MeetFailure(check.code, check.reason);
        }
        tokenRole = check.claims.role;
        peer.subject = check.claims.sub;
        // A signed-in agent appears under the name the server gave it, not one the client chose.
        if (typeof check.claims.name === 'string' && check.claims.name.trim() !== '')
          tokenName = check.claims.name.trim().slice(0, MAX_DISPLAY_NAME_LENGTH);
      }

      // Without a token: a guest (never organiser) on a server that requires tokens or when the guest page says
      // so; otherwise (open server) a tokenless agent, who may open the room.
      const isGuest = tokenRole === null && (this.config.requireToken || params.guest === true);
      if (isGuest && !this.config.allowGuests) throw new MeetFailure('token_invalid', 'guests not allowed');
      const existing = this.manager.rooms.get(roomId);
      if (existing && existing.size >= this.config.maxPeersPerRoom) throw new MeetFailure('room_full');
      if (existing?.locked && (tokenRole === null || (peer.subject !== null && existing.removedSubjects.has(peer.subject)))) {
        log('info', 'locked_refused', { room: existing.tag, peer: peer.id, guest: tokenRole === null });
        throw new MeetFailure('locked', tokenRole === null ? 'meeting locked: no guest enters' : 'meeting locked: removed agent');
      }
      if (!existing && this.manager.rooms.size >= this.config.maxRooms) throw new MeetFailure('room_full', 'server room limit reached');

      const room = await this.manager.getOrCreate(roomId);
      if (peer.state !== 'new') {
        // The socket closed (or joined twice) while the room was being created: do not leave an empty room behind.
        if (room.size === 0) room.close();
        throw new MeetFailure('already_joined');
      }
      if (room.size >= this.config.maxPeersPerRoom) throw new MeetFailure('room_full');
      peer.room = room;
      peer.displayName = tokenName ?? displayName;
      peer.isGuest = isGuest;

      // A locked meeting: an agent with a participant token waits for an organiser to let it in.
      if (tokenRole === 'participant' && room.locked && room.hasOrganiser()) {
        room.wait(peer);
        return { status: 'waiting', peerId: peer.id };
      }
      if (tokenRole !== null) return room.enter(peer, tokenRole);
      // A tokenless agent enters a room without organiser as organiser (only without requireToken). Guests wait, also when
      // no organiser is there yet (admitted once one comes: the link works before the meeting starts and after
      // a server restart); with the salle d'attente disabled they enter directly once an organiser is there.
      if (!isGuest && !room.hasOrganiser()) return room.enter(peer, 'organiser');
      if (!this.config.waitingRoom && room.hasOrganiser()) return room.enter(peer, 'participant');
      // An admitted guest coming back (lost connection, server restart) with its ticket for this room.
      if (
        isGuest &&
        checkGuestTicket(this.manager.guestTicketKey, roomId, params.rejoinTicket) &&
        !room.revokedTickets.has(String(params.rejoinTicket))
      ) {
        log('info', 'guest_rejoined', { room: room.tag, peer: peer.id });
        return room.enter(peer, 'participant');
      }
      room.wait(peer);
      return { status: 'waiting', peerId: peer.id };
    },

    setRtpCapabilities: async (peer, params) => {
      peer.rtpCapabilities = object(params.rtpCapabilities, 'rtpCapabilities') as ms.RtpCapabilities;
      return {} as Empty;
    },

    createTransport: async (peer, params) => {
      const room = this.room(peer);
      const direction = oneOf<TransportDirection>(params, 'direction', ['send', 'recv']);
      const sctp = params.sctpCapabilities === undefined ? undefined : object(params.sctpCapabilities, 'sctpCapabilities');
      if (peer.transports.size >= this.config.maxTransportsPerPeer) throw badRequest('too many transports');
      const transport = await room.router.createWebRtcTransport({
        listenIps: [{ ip: this.config.listenIp, announcedIp: this.config.announcedIp ?? undefined }],
        enableUdp: this.config.enableUdp,
        enableTcp: this.config.enableTcp,
        preferUdp: true,
        initialAvailableOutgoingBitrate: this.config.initialAvailableOutgoingBitrate,
        enableSctp: sctp !== undefined,
        numSctpStreams: sctp !== undefined ? (sctp.numStreams as ms.NumSctpStreams) : undefined,
        appData: { direction, peerId: peer.id },
      });
      peer.transports.set(transport.id, transport);
      transport.observer.on('close', () => peer.transports.delete(transport.id));
      transport.on('dtlsstatechange', (state) => {
        if (state === 'failed' || state === 'closed') log('info', 'transport_dtls', { room: room.tag, peer: peer.id, state });
      });
      if (direction === 'send' && this.config.maxIncomingBitrate > 0) {
        await transport.setMaxIncomingBitrate(this.config.maxIncomingBitrate).catch(() => undefined);
      }
      return {
        id: transport.id,
        iceParameters: transport.iceParameters,
        iceCandidates: transport.iceCandidates as unknown as MeetRequests['createTransport']['result']['iceCandidates'],
        dtlsParameters: transport.dtlsParameters as unknown as MeetRequests['createTransport']['result']['dtlsParameters'],
        ...(transport.sctpParameters ? { sctpParameters: transport.sctpParameters as unknown as { port: number } } : {}),
      };
    },

    connectTransport: async (peer, params) => {
      const transport = this.transport(peer, params.transportId);
      await transport.connect({ dtlsParameters: object(params.dtlsParameters, 'dtlsParameters') as unknown as ms.DtlsParameters });
      return {} as Empty;
    },

    produce: async (peer, params) => {
      const room = this.room(peer);
      const transport = this.transport(peer, params.transportId);
      if (transport.appData.direction !== 'send') throw badRequest('not a send transport');
      const kind = oneOf(params, 'kind', ['audio', 'video'] as const);
      const source = oneOf<MediaSource>(params, 'source', ['micro', 'camera', 'screen']);
      if ((source === 'micro') !== (kind === 'audio')) throw badRequest('source does not match kind');
      const rtpParameters = object(params.rtpParameters, 'rtpParameters') as unknown as ms.RtpParameters;
      // One producer per source: a new one replaces the old (e.g. after a camera change).
      peer.producerOf(source)?.close();
      for (const [id, p] of peer.producers) if (p.closed) peer.producers.delete(id);
      const producer = await transport.produce({
        kind,
        rtpParameters,
        paused: params.paused === true,
        appData: { source, peerId: peer.id },
      });
      peer.producers.set(producer.id, producer);
      producer.observer.on('close', () => {
        log('info', 'producer_closed', { room: room.tag, peer: peer.id, producer: producer.id, source });
        if (!peer.producers.delete(producer.id)) return;
        if (peer.state !== 'joined') return;
        room.broadcast('producerClosed', { peerId: peer.id, producerId: producer.id, source }, peer);
        room.broadcast('peerUpdated', peer.info());
      });
      log('info', 'producer_created', { room: room.tag, peer: peer.id, producer: producer.id, source, paused: producer.paused });
      if (kind === 'audio') room.addAudioProducer(producer);
      room.broadcast('newProducer', { peerId: peer.id, producerId: producer.id, kind, source, paused: producer.paused }, peer);
      room.broadcast('peerUpdated', peer.info());
      return { producerId: producer.id };
    },

    closeProducer: async (peer, params) => {
      this.producer(peer, params.producerId).close();
      return {} as Empty;
    },

    pauseProducer: async (peer, params) => {
      const producer = this.producer(peer, params.producerId);
      await producer.pause();
      log('info', 'producer_paused', { peer: peer.id, producer: producer.id, source: producer.appData.source, paused: producer.paused });
      this.room(peer).broadcast('peerUpdated', peer.info());
      return {} as Empty;
    },

    resumeProducer: async (peer, params) => {
      // Only one's own producers: nobody turns someone else's micro or camera on.
      const producer = this.producer(peer, params.producerId);
      await producer.resume();
      log('info', 'producer_resumed', { peer: peer.id, producer: producer.id, source: producer.appData.source, paused: producer.paused });
      this.room(peer).broadcast('peerUpdated', peer.info());
      return {} as Empty;
    },

    consume: async (peer, params) => {
      const room = this.room(peer);
      const producerId = string(params, 'producerId');
      let owner: Peer | undefined;
      let producer: ms.Producer | undefined;
      for (const p of room.peers.values()) {
        producer = p.producers.get(producerId);
        if (producer) {
          owner = p;
          break;
        }
      }
      if (!producer || !owner) throw new MeetFailure('not_found', 'unknown producer');
      if (owner === peer) throw new MeetFailure('cannot_consume', 'own producer');
      if (!peer.rtpCapabilities || !room.router.canConsume({ producerId, rtpCapabilities: peer.rtpCapabilities })) {
        throw new MeetFailure('cannot_consume', 'rtpCapabilities missing or incompatible');
      }
      const transport = [...peer.transports.values()].find((t) => t.appData.direction === 'recv');
      if (!transport) throw badRequest('create a recv transport first');
      const consumer = await transport.consume({
        producerId,
        rtpCapabilities: peer.rtpCapabilities,
        paused: true,
        appData: { peerId: owner.id },
      });
      peer.consumers.set(consumer.id, consumer);
      log('info', 'consumer_created', { room: room.tag, peer: peer.id, producer: producerId, consumer: consumer.id, kind: consumer.kind });
      const forget = () => peer.consumers.delete(consumer.id);
      consumer.on('transportclose', forget);
      consumer.on('producerclose', () => {
        forget();
        peer.notify('consumerClosed', { consumerId: consumer.id, producerId });
      });
      consumer.on('producerpause', () => peer.notify('consumerPaused', { consumerId: consumer.id }));
      consumer.on('producerresume', () => peer.notify('consumerResumed', { consumerId: consumer.id }));
      consumer.on('layerschange', (layers) =>
        peer.notify('consumerLayersChanged', {
          consumerId: consumer.id,
          spatialLayer: layers?.spatialLayer ?? null,
          temporalLayer: layers?.temporalLayer ?? null,
        }),
      );
      return {
        consumerId: consumer.id,
        producerId,
        peerId: owner.id,
        kind: consumer.kind,
        source: producer.appData.source as MediaSource,
        rtpParameters: consumer.rtpParameters as unknown as MeetRequests['consume']['result']['rtpParameters'],
        type: consumer.type,
        paused: true,
        producerPaused: consumer.producerPaused,
      };
    },

    resumeConsumer: async (peer, params) => {
      await this.consumer(peer, params.consumerId).resume();
      return {} as Empty;
    },

    pauseConsumer: async (peer, params) => {
      await this.consumer(peer, params.consumerId).pause();
      return {} as Empty;
    },

    setPreferredLayers: async (peer, params) => {
      const consumer = this.consumer(peer, params.consumerId);
      const spatialLayer = integer(params, 'spatialLayer', 0, 2);
      const temporalLayer = params.temporalLayer === undefined ? undefined : integer(params, 'temporalLayer', 0, 2);
      if (consumer.type === 'simulcast' || consumer.type === 'svc') await consumer.setPreferredLayers({ spatialLayer, temporalLayer });
      return {} as Empty;
    },

    setTileSize: async (peer, params) => {
      const consumer = this.consumer(peer, params.consumerId);
      const width = integer(params, 'width', 0, 100_000);
      const height = integer(params, 'height', 0, 100_000);
      const spatialLayer = spatialLayerForTile(width, height);
      if (consumer.type === 'simulcast' || consumer.type === 'svc') await consumer.setPreferredLayers({ spatialLayer });
      return { spatialLayer };
    },

    chat: async (peer, params) => {
      const text = typeof params.text === 'string' ? params.text.trim() : '';
      if (text === '' || text.length > MAX_CHAT_LENGTH) throw badRequest('text empty or too long');
      // Everyone, the sender included (so all see the same server time and order).
      this.room(peer).broadcast('chat', { peerId: peer.id, name: peer.displayName, text, at: Date.now() });
      return {} as Empty;
    },

    setHand: async (peer, params) => {
      peer.hand = boolean(params, 'raised');
      this.room(peer).broadcast('peerUpdated', peer.info());
      return {} as Empty;
    },

    react: async (peer, params) => {
      const reaction = params.reaction;
      if (typeof reaction !== 'string' || !(MEET_REACTIONS as readonly string[]).includes(reaction)) throw badRequest('unknown reaction');
      const now = Date.now();
      // A burst of clicks is not a flood of notifications to every participant.
      if (now - peer.lastReactionAt < REACTION_INTERVAL_MS) return { sent: false };
      peer.lastReactionAt = now;
      this.room(peer).broadcast('reaction', { peerId: peer.id, name: peer.displayName, reaction: reaction as MeetReaction, at: now });
      return { sent: true };
    },

    admit: async (peer, params) => {
      this.organiserOnly(peer);
      const room = this.room(peer);
      const guest = room.waiting.get(string(params, 'peerId'));
      if (!guest) throw new MeetFailure('not_found', 'no such waiting guest');
      log('info', 'guest_admitted', { room: room.tag, peer: guest.id, by: peer.id });
      guest.notify('admitted', room.enter(guest, 'participant'));
      room.notifyOrganisers();
      return {} as Empty;
    },

    refuse: async (peer, params) => {
      this.organiserOnly(peer);
      const room = this.room(peer);
      const guest = room.waiting.get(string(params, 'peerId'));
      if (!guest) throw new MeetFailure('not_found', 'no such waiting guest');
      log('info', 'guest_refused', { room: room.tag, peer: guest.id, by: peer.id });
      guest.notify('refused', {} as Empty);
      guest.state = 'closed';
      room.remove(guest);
      guest.channel.close(CLOSE_REFUSED, 'refused');
      return {} as Empty;
    },

    // Moderation: every request is checked against the requester's role as the server knows it.
    mutePeer: async (peer, params) => {
      this.organiserOnly(peer);
      const room = this.room(peer);
      const target = this.moderated(peer, params);
      const source = oneOf<ModeratedSource>(params, 'source', ['micro', 'camera']);
      const producer = target.producerOf(source);
      if (producer && !producer.closed && !producer.paused) {
        await producer.pause();
        log('info', 'peer_muted', { room: room.tag, peer: target.id, by: peer.id, source, producer: producer.id, paused: producer.paused });
        room.broadcast('peerUpdated', target.info());
        room.announce(source === 'micro' ? 'microMuted' : 'cameraStopped', peer, target);
      }
      return {} as Empty;
    },

    removePeer: async (peer, params) => {
      this.organiserOnly(peer);
      const room = this.room(peer);
      const target = this.moderated(peer, params);
      if (target.subject !== null) room.removedSubjects.add(target.subject);
      if (target.rejoinTicket !== null) room.revokedTickets.add(target.rejoinTicket);
      target.notify('removed', { by: { peerId: peer.id, name: peer.displayName } });
      target.state = 'closed';
      room.remove(target);
      target.room = null;
      target.channel.close(CLOSE_REMOVED, 'removed');
      room.announce('removed', peer, target);
      return {} as Empty;
    },

    makeOrganiser: async (peer, params) => {
      this.organiserOnly(peer);
      const room = this.room(peer);
      const target = this.moderated(peer, params);
      if (target.isGuest) throw new MeetFailure('forbidden', 'a guest cannot be organiser');
      if (target.role !== 'organiser') {
        target.role = 'organiser';
        room.broadcast('peerUpdated', target.info());
        target.notify('waitingRoom', { guests: [...room.waiting.values()].map((g) => g.guest()) });
      }
      room.announce('madeOrganiser', peer, target);
      return {} as Empty;
    },

    setLocked: async (peer, params) => {
      this.organiserOnly(peer);
      const room = this.room(peer);
      const locked = boolean(params, 'locked');
      if (room.locked !== locked) {
        room.locked = locked;
        room.announce(locked ? 'locked' : 'unlocked', peer);
      }
      return {} as Empty;
    },

    endMeeting: async (peer) => {
      this.organiserOnly(peer);
      this.room(peer).end(peer);
      return {} as Empty;
    },

    leave: async (peer) => {
      const room = peer.room;
      peer.state = 'closed';
      room?.remove(peer);
      peer.room = null;
      return {} as Empty;
    },

    getStats: async (peer) => {
      const transports = await Promise.all(
        [...peer.transports.values()].map(async (t) => ({
          transportId: t.id,
          direction: t.appData.direction as TransportDirection,
          stats: (await t.getStats()) as object[],
        })),
      );
      const consumers = await Promise.all(
        [...peer.consumers.values()].map(async (c) => ({ consumerId: c.id, stats: (await c.getStats()) as object[] })),
      );
      return { transports, consumers };
    },
  };
}
