/**
 * What the view sees of a meeting: one immutable state snapshot, replaced at every change, with its listeners.
 * The parts of a session (connection, sent media, received media, link quality) read and patch it here.
 */
import type { MeetReaction, MeetRole, ModerationEvent, PeerInfo, WaitingGuest } from '../../../../src/shared/meet-protocol';
import type { SignalingSocket } from './signaling';

/** Why a meeting stopped (each has its French message in the view). */
export type MeetingFailure =
  | 'unreachable'
  | 'token_invalid'
  | 'token_expired'
  | 'room_full'
  | 'refused'
  | 'lost'
  | 'server_error'
  /** An organiser removed us. */
  | 'removed'
  /** An organiser ended the meeting for everyone. */
  | 'ended'
  /** The meeting is locked: no new guest enters. */
  | 'locked'
  /** The agent was removed from the space whose visio this is (`failureDetail`: the space's name). */
  | 'space_left'
  /**
   * The agent's sign-in through the core failed (wrong password, server without agent sign-in…) and the server does not
   * let it in as a guest: `failureDetail` says why.
   */
  | 'sign_in';

/**
 * Thrown by `fetchToken` when the agent cannot be signed in and has no other token: the session then knocks as a guest,
 * and shows this message (the core's French reason) if the server refuses a join without a token.
 */
export class SignInError extends Error {
  override readonly name = 'SignInError';
}
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
  /** A moderation act shown as a system line in the meeting's messages (text built by the view, in French). */
  system?: ModerationEvent;
}

/**
 * What others wrote after the line whose key number is `seenKey` (keys grow by one per line, for the whole session):
 * the discussion's unread count. By key, not by position, since the session keeps only its last lines.
 */
export const unreadChat = (chat: readonly ChatLine[], seenKey: number) =>
  chat.filter((line) => !line.mine && Number(line.key) > seenKey).length;

/** A reaction on its sender's tile for a few seconds (`peerId` is the one the server stamped). */
export interface ShownReaction {
  key: string;
  peerId: string;
  name: string;
  reaction: MeetReaction;
  mine: boolean;
}

/** How long a reaction stays on its tile. */
export const REACTION_SHOWN_MS = 4000;

/** What an organiser did to us, shown until dismissed. */
export interface ModerationNotice {
  action: 'microMuted' | 'cameraStopped' | 'madeOrganiser';
  by: string;
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
  /** Who removed us or ended the meeting (failure 'removed' / 'ended'), when known. */
  failureBy: string | null;
  /** The French reason of a 'sign_in' failure, as the core gave it; the space's name of a 'space_left' one. */
  failureDetail: string | null;
  /** The meeting moved to its space's new room (a member was removed): told until dismissed. */
  roomChanged: boolean;
  /** The meeting is locked (no guest enters). */
  locked: boolean;
  /** What an organiser just did to us (micro muted, camera stopped, made co-organiser). */
  moderationNotice: ModerationNotice | null;
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
  /** Reactions being shown (newest last). */
  reactions: ShownReaction[];
  waiting: WaitingGuest[];
  micOn: boolean;
  camOn: boolean;
  screenOn: boolean;
  hand: boolean;
  localCamera: MediaStreamTrack | null;
  /** « Flouter l’arrière-plan » chosen (remembered on this computer). */
  blur: boolean;
  /** The blurred camera track while blur runs: sent and shown instead of `localCamera`. */
  blurredCamera: MediaStreamTrack | null;
  /** The segmentation model could not run on this computer: the camera is sent as it is. */
  blurUnavailable: boolean;
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
  /** A join token known in advance (a link's own token, the deprecated `visio.joinToken`), or null. */
  token: string | null;
  /**
   * Asks for a fresh join token before each (re)connection (the agent's sign-in through the core: tokens last a few
   * minutes and a restarted server may not know the old one). Resolves null to join without a token (as a guest).
   * When absent, `token` is used.
   */
  fetchToken?: (roomId: string) => Promise<string | null>;
  audioTrack: MediaStreamTrack | null;
  videoTrack: MediaStreamTrack | null;
  startMuted: boolean;
  /** « Entrer caméra coupée »: the camera stays off (nothing sent) until the participant turns it on. */
  startCameraOff?: boolean;
  /** « Flouter l’arrière-plan » from the start. */
  blur?: boolean;
  /** Joining from the guest page: the server keeps this peer a guest (never organiser). */
  guest?: boolean;
  /** Start in « connexion lente » (lowest layers received and sent): the guest page on a phone. */
  slowMode?: boolean;
  /** Logs technical details (never shown). */
  log?: (message: string, detail?: unknown) => void;
}

export type MeetingListener = (state: MeetingState) => void;

/** The state before the first connection. */
export function initialMeetingState(options: MeetingOptions): MeetingState {
  return {
    phase: 'connecting',
    failure: null,
    failureBy: null,
    failureDetail: null,
    roomChanged: false,
    locked: false,
    moderationNotice: null,
    reconnectAttempt: 0,
    selfPeerId: null,
    role: null,
    displayName: options.displayName,
    peers: [],
    media: {},
    activeSpeaker: null,
    chat: [],
    reactions: [],
    waiting: [],
    micOn: !!options.audioTrack && !options.startMuted,
    camOn: !!options.videoTrack && !options.startCameraOff,
    screenOn: false,
    hand: false,
    localCamera: options.videoTrack,
    blur: options.blur ?? false,
    blurredCamera: null,
    blurUnavailable: false,
    localScreen: null,
    quality: null,
    stats: null,
    slowMode: options.slowMode ?? false,
    slowProposed: false,
    audioOnly: false,
    layers: {},
    requestedLayers: {},
  };
}

/** The current snapshot and its listeners. */
export class MeetingStateCell {
  private state: MeetingState;
  private readonly listeners = new Set<MeetingListener>();

  constructor(initial: MeetingState) {
    this.state = initial;
  }

  get current(): MeetingState {
    return this.state;
  }

  subscribe(listener: MeetingListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  set(patch: Partial<MeetingState>): void {
    this.state = { ...this.state, ...patch };
    for (const l of this.listeners) l(this.state);
  }
}

/** What the parts of a session share: the state, the signaling socket of the current connection, the log. */
export interface SessionLink {
  readonly state: MeetingStateCell;
  /** The socket of the current connection (null between connections). */
  socket(): SignalingSocket | null;
  log(message: string, detail?: unknown): void;
}
