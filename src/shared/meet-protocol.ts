/**
 * Ostal meeting signaling protocol (« Visio »), shared by the meeting server (`server/`) and the client
 * (`src/meet/`, `renderer/src/views/visio/`). This file is the ONLY thing the two halves share, so it has
 * no import at all: types, constants and a few pure helpers that run the same in Node 20 and in Chromium.
 * `server/` imports it with `import type` only (the server can then be deployed without the client tree).
 *
 * ## Transport
 * One WebSocket per participant, at `<server URL>/ws` (see {@link MEET_WS_PATH}, {@link meetingWebSocketUrl}).
 * Every frame is one JSON text message, of three shapes:
 *  - request (client → server): `{ id, method, params }` — `id` is a client-chosen integer, unique per socket;
 *  - response (server → client): `{ id, result }` or `{ id, error: { code, message? } }`, same `id`;
 *  - notification (server → client, no answer): `{ notification, data }`.
 * The server never sends requests. `error.code` is a stable string ({@link MeetErrorCode}); the client maps it to a
 * French message. `error.message` is an English technical detail for logs, never shown to users.
 *
 * ## Life of a participant
 * 1. `join` → either `{status:'joined', …}` (the peer is in the room) or `{status:'waiting', peerId}` (salle
 *    d'attente: the peer waits for an organiser; the socket stays open). A waiting peer later receives the
 *    `admitted` notification (same data as a `joined` result) or `refused` (then the server closes the socket).
 *    While waiting, only `leave` is accepted (anything else → `not_joined`).
 * 2. `createTransport` twice (send and recv), `connectTransport` when mediasoup-client's transport emits 'connect'.
 * 3. `produce` for micro / camera / screen (video with 3 simulcast encodings, done by the client).
 * 4. For each producer of another peer (from `peers[].producers` of the join result and from `newProducer`
 *    notifications): `consume` → consumer created PAUSED on the server → create it in mediasoup-client →
 *    `resumeConsumer`. Then `setTileSize` whenever the rendered tile size changes (the server picks the layer).
 * 5. `leave` (or just close the socket).
 *
 * ## Who is organiser, who waits (salle d'attente)
 * - A valid join token ({@link MeetTokenClaims}) lets the peer in at once with the token's role
 *   (`organiser` or `participant`: the organisation vouches for it).
 * - A present but bad token is always refused (`token_invalid` / `token_expired`), never downgraded to guest.
 * - Without a token the peer is a GUEST when the server has `requireToken: true` (the usual setting), or when
 *   it says so (`guest: true`, sent by the guest page). A guest is never organiser:
 *   - it waits in the salle d'attente, also when nobody opened the meeting yet (it is admitted once an
 *     organiser is there: this is also how a guest comes back after a server restart). With
 *     `allowGuests: false`, guests are always refused with `token_invalid`.
 *   - server `waitingRoom: false`: guests enter directly as participants, once an organiser is in the room.
 * - Without a token and without `guest: true`, on a server with `requireToken: false` (an open server, no
 *   accounts), the peer is a tokenless agent: entering an EMPTY room it becomes its organiser (the first one
 *   opens the meeting); otherwise it waits in the salle d'attente like a guest.
 * - A room with peers has an organiser whenever one of them may be: a non-guest peer entering a room without
 *   organiser becomes organiser (even with a participant token); when the last organiser leaves, the
 *   longest-present non-guest peer becomes organiser (`peerUpdated` with the new role). If only guests remain,
 *   nobody is organiser until an agent comes. If the room empties while tokenless agents wait (`requireToken:
 *   false`), the oldest of them is admitted as organiser; guests keep waiting for an agent.
 * - Organisers get `waitingRoom` each time the list changes (and `joined.waiting` when they enter).
 * - A guest (joined without a token, {@link PeerInfo.guest}) is never made organiser by another peer
 *   (`makeOrganiser` → `forbidden`) and, on a server with `requireToken`, is never promoted when the last
 *   organiser leaves.
 *
 * ## Moderation (organisers only; the server checks the requester's real role, else `forbidden`)
 * - `mutePeer {peerId, source:'micro'|'camera'}`: the server PAUSES that peer's producer (mediasoup
 *   `producer.pause()`; its consumers get `consumerPaused`), then broadcasts `moderation` (`microMuted` /
 *   `cameraStopped`). The target turns it back on itself with `resumeProducer`; nobody can resume another
 *   peer's producer (`resumeProducer` only knows one's own producers: `not_found`).
 * - `removePeer {peerId}`: the target gets `removed`, its socket is closed with {@link CLOSE_REMOVED}; everyone
 *   else gets `peerLeft` and `moderation` (`removed`). A removed agent's token subject is refused while the
 *   meeting is locked.
 * - `makeOrganiser {peerId}`: the target becomes co-organiser (`peerUpdated` with role `organiser`, `moderation`
 *   `madeOrganiser`, and `waitingRoom`). Guests cannot be made organiser (`forbidden`).
 * - `setLocked {locked}`: `moderation` (`locked` / `unlocked`); {@link JoinedResult.locked} tells who enters later.
 *   While locked: guests without a token are refused at once with `locked` (the salle d'attente is how guests
 *   enter an open meeting; locking closes that door, so a removed guest cannot knock again); agents with a
 *   participant token wait in the salle d'attente (the organisation vouches for them, the organiser decides);
 *   organiser tokens enter; a removed agent is refused (`locked`). Guests already waiting keep waiting.
 * - `endMeeting {}`: every peer (waiting guests included) gets `meetingEnded`, then its socket is closed with
 *   {@link CLOSE_ENDED}; the room closes (the link opens a new, empty meeting later).
 * - Organisers cannot moderate themselves (`bad_request`); unknown target → `not_found`.
 * - `moderation` goes to every joined peer, the author and the target included, so each shows the same French
 *   line in the meeting's messages (« Camille a coupé le micro de Jean. »).
 *
 * ## Who receives what
 * - `peerJoined`, `peerLeft`, `newProducer`, `producerClosed`: every OTHER joined peer.
 * - `peerUpdated`, `chat`, `activeSpeaker`: every joined peer, the author included (same order and server
 *   time for everyone).
 * - `leave` is answered `{}`, then the server closes the socket (code 1000).
 *
 * ## Meeting link
 * `<server URL>/salle/<roomId>`, e.g. `https://visio.mairie.fr/salle/q3Jd0wqV8m1X9pLh2kTzAw`. The server URL may
 * carry a path prefix (reverse proxy), e.g. `https://services.mairie.fr/visio/salle/<roomId>`. roomId is at
 * least 22 characters of base64url (128 random bits from {@link newRoomId}): unguessable, so the link is the
 * invitation. Rooms are created on demand on the first `join`. Opening the link in a browser shows the French
 * guest page (renderer/salle.html, served by the meeting server): name, camera and micro test, salle d'attente,
 * then the meeting, as a guest.
 *
 * ## Agent sign-in
 * `POST <server URL>/api/connexion`, `Content-Type: application/json`, body {@link MeetSignInRequest} (never in
 * the URL: proxies log URLs). The server checks the login and password against the organisation's IMAP server and
 * answers 200 {@link MeetSignInResult}: a join token bound to that agent (`sub` = login, `name` = display name),
 * that room (`room` = roomId, no wildcard) and a few minutes (`exp`), role `participant` (the first in an empty room
 * becomes organiser). Refusals: `{ error, message }` with a French `message` — 401 `auth_failed` (wrong login or
 * password; repeated failures are answered more and more slowly), 400/415 `bad_request`, 403 `forbidden` (page of a
 * foreign Origin), 404 `not_configured` (no agent sign-in on this server), 502 `unavailable` (mail server down),
 * 503 `busy`. The token goes in the `join` message, never in a URL.
 *
 * ## Join token
 * A JWT signed HS256 with the organisation's shared secret (server config `tokenSecret`), compact form
 * `base64url(header).base64url(payload).base64url(HMAC-SHA256(secret, header + '.' + payload))`,
 * header `{"alg":"HS256","typ":"JWT"}`, payload {@link MeetTokenClaims}. Only Ostal (which holds the secret
 * through the organisation's policy) can mint them, so only the organisation's agents can create rooms.
 */

// ---------------------------------------------------------------------------
// Constants

/** Protocol version, sent by the server in `GET /health` and the join result; bumped on breaking changes. */
export const MEET_PROTOCOL_VERSION = 1 as const;
/** WebSocket path, appended to the server URL. */
export const MEET_WS_PATH = '/ws' as const;
/** Path segment of meeting links (`<server URL>/salle/<roomId>`); the server answers it with a French HTML page. */
export const MEET_ROOM_PATH = '/salle/' as const;
/** Health endpoint (`GET`, JSON {@link MeetHealth}). */
export const MEET_HEALTH_PATH = '/health' as const;
/** Room id: base64url, 22 (128 bits) to 64 characters. */
export const ROOM_ID_PATTERN = /^[A-Za-z0-9_-]{22,64}$/;
/** Longest display name accepted by `join` (longer → `bad_request`). */
export const MAX_DISPLAY_NAME_LENGTH = 80;
/** Longest chat message accepted by `chat` (longer → `bad_request`). */
export const MAX_CHAT_LENGTH = 4000;
/** WebSocket close code used by the server after `refused` (4000–4999 are application codes). */
export const CLOSE_REFUSED = 4001 as const;
/** WebSocket close code used by the server on shutdown, after the `serverShutdown` notification. */
export const CLOSE_SHUTDOWN = 4002 as const;
/** WebSocket close code used by the server after `removed` (an organiser removed the peer). */
export const CLOSE_REMOVED = 4003 as const;
/** WebSocket close code used by the server after `meetingEnded` (« Terminer pour tous »). */
export const CLOSE_ENDED = 4004 as const;

// ---------------------------------------------------------------------------
// Basic types

/** Role in a room. Organisers admit and refuse guests of the salle d'attente. */
export type MeetRole = 'organiser' | 'participant';
/** What a producer carries. `micro` is audio; `camera` and `screen` are video. */
export type MediaSource = 'micro' | 'camera' | 'screen';
export type MediaKind = 'audio' | 'video';
export type TransportDirection = 'send' | 'recv';

/**
 * mediasoup objects travel as plain JSON. They are typed loosely here (no import of mediasoup or
 * mediasoup-client); each side casts to its own library type, e.g.
 * `routerRtpCapabilities as mediasoupClient.types.RtpCapabilities`.
 */
export type RtpCapabilitiesJson = { codecs?: object[]; headerExtensions?: object[] } & Record<string, unknown>;
export type RtpParametersJson = { codecs: object[]; encodings?: object[] } & Record<string, unknown>;
export type IceParametersJson = { usernameFragment: string; password: string; iceLite?: boolean };
export type IceCandidateJson = Record<string, unknown> & { ip: string; port: number; protocol: 'udp' | 'tcp' };
export type DtlsParametersJson = { role?: 'auto' | 'client' | 'server'; fingerprints: object[] } & Record<string, unknown>;
export type SctpParametersJson = Record<string, unknown> & { port: number };
export type SctpCapabilitiesJson = { numStreams: { OS: number; MIS: number } };

/** A TURN/STUN server for RTCPeerConnection (same shape as the browser's RTCIceServer). */
export interface MeetIceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

/** A producer as other peers see it. */
export interface ProducerInfo {
  producerId: string;
  kind: MediaKind;
  source: MediaSource;
  paused: boolean;
}

/** A peer in the room (never includes waiting guests). */
export interface PeerInfo {
  peerId: string;
  displayName: string;
  role: MeetRole;
  /** Micro producing and not paused. */
  micro: boolean;
  /** Camera producing and not paused. */
  camera: boolean;
  /** Screen sharing. */
  screen: boolean;
  /** « Lever la main ». */
  hand: boolean;
  /** Joined without a token (never organiser). Absent on older servers = false. */
  guest?: boolean;
  producers: ProducerInfo[];
}

/** A guest in the salle d'attente (sent to organisers only). */
export interface WaitingGuest {
  peerId: string;
  displayName: string;
  /** Epoch milliseconds when the guest started waiting. */
  since: number;
}

// ---------------------------------------------------------------------------
// Errors

/**
 * Stable error codes (client maps them to French):
 * - `bad_request`: malformed message or params (missing field, wrong type, name or text too long, bad roomId);
 * - `unknown_method`: method not in {@link MeetRequests};
 * - `token_invalid`: token required but absent, malformed, wrong signature, wrong room, or unknown role;
 * - `token_expired`: valid signature but `exp` is past;
 * - `not_joined`: request that needs a joined peer sent before `join` or while waiting;
 * - `already_joined`: second `join` on the same socket;
 * - `forbidden`: organiser-only request (`admit`, `refuse`, moderation) from a participant, or a guest made organiser;
 * - `not_found`: unknown transport, producer, consumer or waiting peer;
 * - `room_full`: the room reached the server's `maxPeersPerRoom`;
 * - `refused`: an organiser refused the guest (also sent as the `refused` notification);
 * - `locked`: the meeting is locked (`setLocked`): no guest enters, nor a removed agent;
 * - `cannot_consume`: the device cannot receive this producer (rtpCapabilities mismatch) or it is one's own;
 * - `shutting_down`: the server is stopping;
 * - `server_error`: anything else (details only in the server log).
 */
export type MeetErrorCode =
  | 'bad_request'
  | 'unknown_method'
  | 'token_invalid'
  | 'token_expired'
  | 'not_joined'
  | 'already_joined'
  | 'forbidden'
  | 'not_found'
  | 'room_full'
  | 'refused'
  | 'locked'
  | 'cannot_consume'
  | 'shutting_down'
  | 'server_error';

export interface MeetError {
  code: MeetErrorCode;
  /** English technical detail, for logs only. */
  message?: string;
}

// ---------------------------------------------------------------------------
// Requests

export interface JoinParams {
  /** The room id of the meeting link. */
  roomId: string;
  /** Name shown to others (1..{@link MAX_DISPLAY_NAME_LENGTH} characters after trimming). */
  displayName: string;
  /** Join token (JWT HS256), see {@link MeetTokenClaims}. Required when the server's `requireToken` is true. */
  token?: string;
  /**
   * Sent by the guest page (`/salle/<roomId>` in a browser): this peer is a guest, never organiser, even on a
   * server without `requireToken` where a tokenless peer may otherwise open a room. Ignored with a token.
   */
  guest?: boolean;
  /**
   * The `rejoinTicket` of an earlier join result in this room (an admitted guest coming back after a lost
   * connection or a server restart): the guest enters again without waiting. Ignored with a token; a wrong or
   * expired ticket only means knocking again.
   */
  rejoinTicket?: string;
  /**
   * mediasoup-client `device.rtpCapabilities`, needed by the server for `consume`. The device can only be loaded
   * with the router capabilities of the join result, so a first join usually omits it and the client sends it
   * with `setRtpCapabilities` right after `device.load()` (a reconnecting client that kept its device passes it
   * here). Without it, `consume` fails with `cannot_consume`.
   */
  rtpCapabilities?: RtpCapabilitiesJson;
}

export interface JoinedResult {
  status: 'joined';
  peerId: string;
  role: MeetRole;
  displayName: string;
  roomId: string;
  protocolVersion: typeof MEET_PROTOCOL_VERSION;
  /** To load the mediasoup-client Device. */
  routerRtpCapabilities: RtpCapabilitiesJson;
  /** Other peers already in the room, with their producers (to consume). */
  peers: PeerInfo[];
  /** TURN/STUN servers to give to the transports (`iceServers` option of mediasoup-client). */
  iceServers?: MeetIceServer[];
  /** For organisers: who waits in the salle d'attente right now. */
  waiting?: WaitingGuest[];
  /** The meeting is locked (`setLocked`). Absent on older servers = false. */
  locked?: boolean;
  /** Guests only: lets this guest back into this room without knocking (see JoinParams.rejoinTicket). */
  rejoinTicket?: string;
}

export interface WaitingResult {
  status: 'waiting';
  peerId: string;
}

export type JoinResult = JoinedResult | WaitingResult;

export interface SetRtpCapabilitiesParams {
  rtpCapabilities: RtpCapabilitiesJson;
}

export interface CreateTransportParams {
  direction: TransportDirection;
  /** Ask for SCTP (data channels); pass the device's `sctpCapabilities`. */
  sctpCapabilities?: SctpCapabilitiesJson;
}

export interface TransportOptionsResult {
  id: string;
  iceParameters: IceParametersJson;
  iceCandidates: IceCandidateJson[];
  dtlsParameters: DtlsParametersJson;
  sctpParameters?: SctpParametersJson;
}

export interface ConnectTransportParams {
  transportId: string;
  dtlsParameters: DtlsParametersJson;
}

export interface ProduceParams {
  transportId: string;
  kind: MediaKind;
  rtpParameters: RtpParametersJson;
  source: MediaSource;
  /** Start paused (e.g. « Entrer micro coupé »). */
  paused?: boolean;
}

export interface ProduceResult {
  producerId: string;
}

export interface ProducerIdParams {
  producerId: string;
}

export interface ConsumeParams {
  producerId: string;
}

/** Everything mediasoup-client's `recvTransport.consume()` needs, plus who/what it is. */
export interface ConsumeResult {
  consumerId: string;
  producerId: string;
  peerId: string;
  kind: MediaKind;
  source: MediaSource;
  rtpParameters: RtpParametersJson;
  /** 'simple' for audio, 'simulcast' for camera video sent with several encodings. */
  type: 'simple' | 'simulcast' | 'svc' | 'pipe';
  /** Always true: consumers are created paused; call `resumeConsumer` once the client side consumer exists. */
  paused: true;
  /** The producer itself is paused (e.g. micro muted). */
  producerPaused: boolean;
}

export interface ConsumerIdParams {
  consumerId: string;
}

export interface SetPreferredLayersParams {
  consumerId: string;
  /** 0 = lowest resolution … 2 = highest. */
  spatialLayer: number;
  temporalLayer?: number;
}

export interface SetTileSizeParams {
  consumerId: string;
  /** Rendered tile size in DEVICE pixels (CSS pixels × devicePixelRatio). 0×0 = not visible. */
  width: number;
  height: number;
}

export interface SetTileSizeResult {
  /** The spatial layer the server asked for ({@link spatialLayerForTile}). */
  spatialLayer: number;
}

export interface ChatParams {
  text: string;
}

export interface SetHandParams {
  raised: boolean;
}

/** The reactions a participant can send (shown a few seconds on its tile): thumbs up, heart, applause, laugh, surprise. */
export const MEET_REACTIONS = ['thumbsUp', 'heart', 'applause', 'laugh', 'surprise'] as const;
export type MeetReaction = (typeof MEET_REACTIONS)[number];

export interface ReactParams {
  reaction: MeetReaction;
}

/** At most one reaction of a peer is passed on per this many milliseconds; the others are dropped, not refused. */
export const REACTION_INTERVAL_MS = 300 as const;

export interface PeerIdParams {
  peerId: string;
}

/** What an organiser can stop of another peer: the server pauses that producer. */
export type ModeratedSource = 'micro' | 'camera';

export interface MutePeerParams {
  peerId: string;
  source: ModeratedSource;
}

export interface SetLockedParams {
  locked: boolean;
}

/** A moderation act, as everyone sees it in the meeting's messages. */
export type ModerationAction = 'microMuted' | 'cameraStopped' | 'removed' | 'madeOrganiser' | 'locked' | 'unlocked';

export interface ModerationEvent {
  action: ModerationAction;
  /** The organiser who did it. */
  by: { peerId: string; name: string };
  /** The peer it was done to (absent for `locked` / `unlocked`). */
  target?: { peerId: string; name: string };
  /** Epoch milliseconds (server clock). */
  at: number;
}

export interface StatsResult {
  /** Per own transport: bitrates, packet loss and RTT when mediasoup reports them. */
  transports: { transportId: string; direction: TransportDirection; stats: object[] }[];
  /** Per own consumer. */
  consumers: { consumerId: string; stats: object[] }[];
}

/** No params / no result: `{}`. */
export type Empty = Record<string, never>;

/** Every method: its params and its result. */
export interface MeetRequests {
  join: { params: JoinParams; result: JoinResult };
  /** Send the device's rtpCapabilities once loaded with `routerRtpCapabilities` (needed before `consume`). */
  setRtpCapabilities: { params: SetRtpCapabilitiesParams; result: Empty };
  createTransport: { params: CreateTransportParams; result: TransportOptionsResult };
  connectTransport: { params: ConnectTransportParams; result: Empty };
  produce: { params: ProduceParams; result: ProduceResult };
  closeProducer: { params: ProducerIdParams; result: Empty };
  pauseProducer: { params: ProducerIdParams; result: Empty };
  resumeProducer: { params: ProducerIdParams; result: Empty };
  consume: { params: ConsumeParams; result: ConsumeResult };
  resumeConsumer: { params: ConsumerIdParams; result: Empty };
  pauseConsumer: { params: ConsumerIdParams; result: Empty };
  setPreferredLayers: { params: SetPreferredLayersParams; result: Empty };
  setTileSize: { params: SetTileSizeParams; result: SetTileSizeResult };
  chat: { params: ChatParams; result: Empty };
  setHand: { params: SetHandParams; result: Empty };
  /** A reaction to everyone (the sender too), stamped with the sender the server knows; `{ sent: false }` when dropped. */
  react: { params: ReactParams; result: { sent: boolean } };
  /** Organisers only: let a waiting guest in. */
  admit: { params: PeerIdParams; result: Empty };
  /** Organisers only: refuse a waiting guest (it gets `refused` and is disconnected). */
  refuse: { params: PeerIdParams; result: Empty };
  /** Organisers only: pause another peer's micro or camera on the server (the peer may turn it back on). */
  mutePeer: { params: MutePeerParams; result: Empty };
  /** Organisers only: remove a joined peer (it gets `removed`, then its socket closes with CLOSE_REMOVED). */
  removePeer: { params: PeerIdParams; result: Empty };
  /** Organisers only: make a joined peer (not a guest) co-organiser. */
  makeOrganiser: { params: PeerIdParams; result: Empty };
  /** Organisers only: lock or unlock the meeting. */
  setLocked: { params: SetLockedParams; result: Empty };
  /** Organisers only: « Terminer pour tous ». */
  endMeeting: { params: Empty; result: Empty };
  leave: { params: Empty; result: Empty };
  getStats: { params: Empty; result: StatsResult };
}

export type MeetMethod = keyof MeetRequests;
export type MeetParams<M extends MeetMethod> = MeetRequests[M]['params'];
export type MeetResult<M extends MeetMethod> = MeetRequests[M]['result'];

/** A request frame. */
export type MeetRequest<M extends MeetMethod = MeetMethod> = {
  [K in M]: { id: number; method: K; params: MeetParams<K> };
}[M];

/** A response frame. */
export type MeetResponse<M extends MeetMethod = MeetMethod> = { id: number; result: MeetResult<M> } | { id: number; error: MeetError };

// ---------------------------------------------------------------------------
// Notifications (server → client)

export interface MeetNotifications {
  /** Someone entered the room (joined or admitted). */
  peerJoined: PeerInfo;
  peerLeft: { peerId: string };
  /** Micro / camera / screen / hand / role changed. Full state of the peer. */
  peerUpdated: PeerInfo;
  /** Another peer produces: `consume` it. */
  newProducer: { peerId: string; producerId: string; kind: MediaKind; source: MediaSource; paused: boolean };
  producerClosed: { peerId: string; producerId: string; source: MediaSource };
  /** The server closed one of my consumers (producer gone, transport closed). */
  consumerClosed: { consumerId: string; producerId: string };
  /** The remote producer of one of my consumers was paused / resumed (e.g. muted). */
  consumerPaused: { consumerId: string };
  consumerResumed: { consumerId: string };
  /** The layers actually forwarded changed (null spatialLayer = nothing forwarded, e.g. bandwidth too low). */
  consumerLayersChanged: { consumerId: string; spatialLayer: number | null; temporalLayer: number | null };
  /** Loudest peer, or null after a silence. */
  activeSpeaker: { peerId: string | null };
  chat: { peerId: string; name: string; text: string; /** Epoch milliseconds (server clock). */ at: number };
  /** A participant reacted (see `react`). */
  reaction: { peerId: string; name: string; reaction: MeetReaction; /** Epoch milliseconds (server clock). */ at: number };
  /** To organisers: the whole list of waiting guests, each time it changes (empty list included). */
  waitingRoom: { guests: WaitingGuest[] };
  /** To a waiting guest: you are in (same data as a `joined` join result). */
  admitted: JoinedResult;
  /** To a waiting guest: an organiser refused; the server then closes the socket with {@link CLOSE_REFUSED}. */
  refused: Empty;
  /** To every joined peer: an organiser moderated (muted, removed, promoted, locked…). */
  moderation: ModerationEvent;
  /** To the removed peer; the server then closes the socket with {@link CLOSE_REMOVED}. */
  removed: { by: { peerId: string; name: string } };
  /** To everyone (waiting guests included): « Terminer pour tous »; the socket then closes with {@link CLOSE_ENDED}. */
  meetingEnded: { by: { peerId: string; name: string } };
  /** The server stops; the socket closes right after with {@link CLOSE_SHUTDOWN}. Reconnect later. */
  serverShutdown: Empty;
}

export type MeetNotificationName = keyof MeetNotifications;

/** A notification frame. */
export type MeetNotification<N extends MeetNotificationName = MeetNotificationName> = {
  [K in N]: { notification: K; data: MeetNotifications[K] };
}[N];

/** Any frame the server sends. */
export type MeetServerMessage = MeetResponse | MeetNotification;

// ---------------------------------------------------------------------------
// Join token

/** Payload of a join token (JWT HS256). */
export interface MeetTokenClaims {
  /** Issuer: the organisation (free text, e.g. `mairie-exemple.fr`), logged nowhere. */
  iss?: string;
  /** Subject: the agent's login (address) or display name. The server never logs it. */
  sub: string;
  /**
   * Display name given by the server to a signed-in agent (`POST /api/connexion`); the server then shows this name
   * whatever `join.displayName` says.
   */
  name?: string;
  /** The room it opens: a roomId, or `'*'` for any room. Absent = any room. */
  room?: string;
  role: MeetRole;
  /** Expiry, seconds since the epoch (JWT NumericDate). Required. */
  exp: number;
  /** Issued at, seconds since the epoch. */
  iat?: number;
}

/** Body of `POST /api/connexion`. */
export interface MeetSignInRequest {
  /** The agent's mail login (usually the address). */
  login: string;
  password: string;
  /** The room the token will open (only that one). */
  roomId: string;
}

/** Answer of `POST /api/connexion`. */
export interface MeetSignInResult {
  token: string;
  /** Expiry of the token, seconds since the epoch. */
  expiresAt: number;
  displayName: string;
  /** The login as the server normalised it (lower case). */
  login: string;
}

/** Path of the agent sign-in endpoint (POST, JSON). */
export const MEET_SIGN_IN_PATH = '/api/connexion' as const;

/** The fixed JWT header of join tokens. */
export const MEET_TOKEN_HEADER = { alg: 'HS256', typ: 'JWT' } as const;

/** The health endpoint's JSON. */
export interface MeetHealth {
  status: 'ok' | 'stopping';
  protocolVersion: typeof MEET_PROTOCOL_VERSION;
  mediasoupVersion: string;
  workers: number;
  rooms: number;
  peers: number;
  uptimeSeconds: number;
}

// ---------------------------------------------------------------------------
// Pure helpers (no import; Node 20 and browsers)

/** True for a well-formed room id. */
export function isValidRoomId(roomId: string): boolean {
  return ROOM_ID_PATTERN.test(roomId);
}

/** A fresh room id: 128 random bits (Web Crypto, global in Node 20 and browsers), base64url, 22 characters. */
export function newRoomId(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Server URL without trailing slash, or null if it is not an http(s) URL. */
export function normaliseServerUrl(serverUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(serverUrl.trim());
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  if (url.username || url.password) return null;
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** `<server URL>/salle/<roomId>`, or null when the URL or room id is invalid. */
export function meetingLink(serverUrl: string, roomId: string): string | null {
  const base = normaliseServerUrl(serverUrl);
  if (base === null || !isValidRoomId(roomId)) return null;
  return `${base}${MEET_ROOM_PATH}${roomId}`;
}

/**
 * Parse a meeting link (as pasted by a user: surrounding spaces, query string and fragment are ignored;
 * a trailing slash is accepted). Returns the server URL (no trailing slash) and the room id, or null.
 */
export function parseMeetingLink(link: string): { serverUrl: string; roomId: string } | null {
  let url: URL;
  try {
    url = new URL(link.trim());
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  if (url.username || url.password) return null;
  const path = url.pathname.replace(/\/+$/, '');
  const at = path.lastIndexOf(MEET_ROOM_PATH);
  if (at < 0) return null;
  const roomId = path.slice(at + MEET_ROOM_PATH.length);
  if (!isValidRoomId(roomId)) return null;
  return { serverUrl: `${url.origin}${path.slice(0, at)}`, roomId };
}

/** The WebSocket URL for a server URL (`https:` → `wss:`, `http:` → `ws:`), or null when the URL is invalid. */
export function meetingWebSocketUrl(serverUrl: string): string | null {
  const base = normaliseServerUrl(serverUrl);
  if (base === null) return null;
  return `${base.replace(/^http/, 'ws')}${MEET_WS_PATH}`;
}

/**
 * The simulcast spatial layer the server forwards for a tile of `width`×`height` device pixels, assuming the
 * client sends 3 encodings of a 16:9 camera (scaleResolutionDownBy 4, 2, 1 → about 320, 640, 1280 px wide).
 * Tiles up to 400 px (16:9 equivalent width) → 0, up to 800 px → 1, larger → 2.
 */
export function spatialLayerForTile(width: number, height: number): 0 | 1 | 2 {
  const size = Math.max(width, (height * 16) / 9);
  if (!(size > 400)) return 0;
  if (size <= 800) return 1;
  return 2;
}
