/**
 * One meeting seen from Ostal: the facade the view uses (Meeting.tsx, VisioView.tsx). It wires the parts of a
 * meeting and applies the server's notifications:
 *  - connection.ts: signaling with the meeting server, joining, the salle d'attente, automatic reconnection;
 *  - producers.ts: what we send (micro, camera in 3 simulcast layers, screen);
 *  - consumers.ts: what we receive, and the layer asked for each tile;
 *  - link-quality.ts: the connection quality and the « connexion lente » proposal;
 *  - meeting-state.ts: the immutable state snapshots the view subscribes to.
 * Chat and hands are here. Plain TypeScript (no React).
 */
import type {
  JoinedResult,
  MeetNotificationName,
  MeetNotifications,
  MeetReaction,
  ModeratedSource,
} from '../../../../src/shared/meet-protocol';
import { MeetingConnection } from './connection';
import { RemoteMediaReceiver } from './consumers';
import { LinkQualityMonitor } from './link-quality';
import {
  initialMeetingState,
  MeetingStateCell,
  REACTION_SHOWN_MS,
  type ChatLine,
  type MeetingListener,
  type MeetingOptions,
  type MeetingState,
  type ModerationNotice,
  type SessionLink,
  type ShownReaction,
} from './meeting-state';
import { blurAction } from './blur';
import type { BlurPipeline } from './blur-pipeline';
import { LocalMediaSender } from './producers';

export type {
  ChatLine,
  ConnectionQuality,
  LinkStats,
  MeetingFailure,
  MeetingOptions,
  MeetingPhase,
  MeetingState,
  ModerationNotice,
  RemoteMedia,
  RemoteTrack,
  ShownReaction,
} from './meeting-state';
export { CAMERA_ENCODINGS } from './producers';
export { qualityOf } from './link-quality';

export class MeetingSession {
  private readonly state: MeetingStateCell;
  private readonly connection: MeetingConnection;
  private readonly sender: LocalMediaSender;
  private readonly receiver: RemoteMediaReceiver;
  private readonly quality: LinkQualityMonitor;
  private chatSeq = 0;
  private reactionSeq = 0;
  /** « Flouter l’arrière-plan » running, and the chain that applies the choice one step at a time. */
  private blurPipeline: BlurPipeline | null = null;
  private blurSteps: Promise<void> = Promise.resolve();
  private ended = false;

  constructor(private readonly options: MeetingOptions) {
    this.state = new MeetingStateCell(initialMeetingState(options));
    // Off as after « Couper la caméra »: the preview of the own tile stops too.
    if (options.videoTrack && options.startCameraOff) options.videoTrack.enabled = false;
    const link: SessionLink = {
      state: this.state,
      socket: () => this.connection.socket,
      log: (message, detail) => this.log(message, detail),
    };
    this.sender = new LocalMediaSender(link, options.audioTrack);
    this.receiver = new RemoteMediaReceiver(link, () => this.connection.generation);
    this.quality = new LinkQualityMonitor(this.state, () => this.sender.has('camera') && this.state.current.camOn);
    this.connection = new MeetingConnection(options, this.state, {
      notification: (name, payload) => this.onNotification(name, payload as never),
      opened: () => this.receiver.newConnection(),
      joined: (joined, generation) => this.joined(joined, generation),
      transportsReady: async (send, recv, socket) => {
        this.receiver.attach(recv);
        this.sender.attach(send, socket);
        this.quality.start(send, recv);
        await this.sender.sendLocalMedia();
        if (this.state.current.hand) await socket.request('setHand', { raised: true }).catch(() => undefined);
      },
      closed: () => {
        this.quality.stop();
        this.receiver.close();
        this.sender.close();
      },
    });
    if (this.state.current.blur) void this.applyBlur();
  }

  get snapshot(): MeetingState {
    return this.state.current;
  }

  subscribe(listener: MeetingListener): () => void {
    return this.state.subscribe(listener);
  }

  private log(message: string, detail?: unknown): void {
    this.options.log?.(message, detail);
  }

  // ---------------------------------------------------------------------------
  // Connection

  /** Connect and join (first time, or « Réessayer » after a failure). */
  start(): Promise<void> {
    return this.connection.start();
  }

  /** In the room: the peers already there are shown and consumed. */
  private joined(joined: JoinedResult, generation: number): void {
    this.state.set({
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
      locked: joined.locked === true,
    });
    for (const peer of joined.peers) for (const producer of peer.producers) this.receiver.queueConsume(producer.producerId, generation);
  }

  private onNotification<N extends MeetNotificationName>(name: N, payload: MeetNotifications[N]): void {
    const generation = this.connection.generation;
    const state = this.state.current;
    switch (name) {
      case 'peerJoined': {
        const peer = payload as MeetNotifications['peerJoined'];
        if (peer.peerId === state.selfPeerId) return;
        this.state.set({ peers: [...state.peers.filter((p) => p.peerId !== peer.peerId), peer] });
        return;
      }
      case 'peerLeft': {
        const { peerId } = payload as MeetNotifications['peerLeft'];
        this.receiver.removePeer(peerId);
        const now = this.state.current;
        const media = { ...now.media };
        delete media[peerId];
        this.state.set({
          peers: now.peers.filter((p) => p.peerId !== peerId),
          media,
          activeSpeaker: now.activeSpeaker === peerId ? null : now.activeSpeaker,
        });
        return;
      }
      case 'peerUpdated': {
        const peer = payload as MeetNotifications['peerUpdated'];
        if (peer.peerId === state.selfPeerId) {
          this.state.set({ role: peer.role });
          return;
        }
        this.state.set({ peers: state.peers.map((p) => (p.peerId === peer.peerId ? peer : p)) });
        return;
      }
      case 'newProducer': {
        const { producerId, peerId } = payload as MeetNotifications['newProducer'];
        if (peerId !== state.selfPeerId) this.receiver.queueConsume(producerId, generation);
        return;
      }
      case 'consumerClosed': {
        this.receiver.remove((payload as MeetNotifications['consumerClosed']).consumerId);
        return;
      }
      case 'consumerPaused':
      case 'consumerResumed': {
        const { consumerId } = payload as MeetNotifications['consumerPaused'];
        this.receiver.setPaused(consumerId, name === 'consumerPaused');
        return;
      }
      case 'consumerLayersChanged': {
        const { consumerId, spatialLayer } = payload as MeetNotifications['consumerLayersChanged'];
        this.receiver.layersChanged(consumerId, spatialLayer);
        return;
      }
      case 'activeSpeaker': {
        this.state.set({ activeSpeaker: (payload as MeetNotifications['activeSpeaker']).peerId });
        return;
      }
      case 'chat': {
        const line = payload as MeetNotifications['chat'];
        if (line.peerId === state.selfPeerId) return;
        this.pushChat({ peerId: line.peerId, name: line.name, text: line.text, at: line.at, mine: false });
        return;
      }
      case 'reaction': {
        const r = payload as MeetNotifications['reaction'];
        this.showReaction({ peerId: r.peerId, name: r.name, reaction: r.reaction, mine: r.peerId === state.selfPeerId });
        return;
      }
      case 'waitingRoom': {
        this.state.set({ waiting: (payload as MeetNotifications['waitingRoom']).guests });
        return;
      }
      case 'admitted': {
        void this.connection.enter(payload as MeetNotifications['admitted'], generation).catch((err: unknown) => {
          this.log('visio: entering after admission failed', err);
          this.connection.connectionLost();
        });
        return;
      }
      case 'refused': {
        this.connection.refused();
        return;
      }
      case 'moderation': {
        this.moderated(payload as MeetNotifications['moderation']);
        return;
      }
      case 'removed':
      case 'meetingEnded': {
        const { by } = payload as MeetNotifications['removed'];
        this.connection.stopped(name === 'removed' ? 'removed' : 'ended', by.name);
        this.stopLocalTracks();
        return;
      }
      case 'serverShutdown': {
        this.connection.connectionLost();
        return;
      }
      default:
        return;
    }
  }

  /** The room this meeting is in (its space's new one after moveTo). */
  get roomId(): string {
    return this.connection.roomId;
  }

  /**
   * The space's visio was drawn again (a member was removed): the meeting goes on in `roomId`, with the same micro,
   * camera and chat; the removed member stays behind in the old room, alone. Told to the user until dismissed.
   */
  async moveTo(roomId: string): Promise<void> {
    if (roomId === this.connection.roomId || this.connection.ended) return;
    this.log('visio: the space’s visio moved to a new room');
    this.state.set({ roomChanged: true });
    await this.connection.moveTo(roomId);
  }

  dismissRoomChanged(): void {
    this.state.set({ roomChanged: false });
  }

  /** The agent was removed from the space whose visio this is: the meeting ends for it, micro and camera released. */
  async leaveSpace(spaceName: string): Promise<void> {
    if (this.connection.ended) return;
    this.log('visio: no longer a member of the space, meeting left');
    await this.connection.leaveSpace(spaceName);
    this.stopLocalTracks();
  }

  /** « Quitter ». */
  async leave(): Promise<void> {
    const wasOn = await this.connection.leave();
    this.stopLocalTracks();
    if (wasOn) this.state.set({ phase: 'left' });
  }

  private stopLocalTracks(): void {
    this.ended = true;
    void this.applyBlur();
    this.options.audioTrack?.stop();
    this.state.current.localCamera?.stop();
    this.state.current.localScreen?.stop();
    this.state.set({ localScreen: null, screenOn: false });
  }

  // ---------------------------------------------------------------------------
  // Moderation (organisers; the server checks the role)

  /** An organiser acted: a system line for everyone; the target's own switches follow what the server did. */
  private moderated(event: MeetNotifications['moderation']): void {
    const self = this.state.current.selfPeerId;
    this.pushChat({ peerId: event.by.peerId, name: event.by.name, text: '', at: event.at, mine: event.by.peerId === self, system: event });
    if (event.action === 'locked' || event.action === 'unlocked') this.state.set({ locked: event.action === 'locked' });
    if (event.target?.peerId !== self || self === null) return;
    if (event.action === 'microMuted') {
      // The server paused our micro: the local switch shows it off; we may turn it back on ourselves.
      void this.sender.setMicro(false);
      this.notice({ action: 'microMuted', by: event.by.name });
    } else if (event.action === 'cameraStopped') {
      void this.sender.setCamera(false);
      this.notice({ action: 'cameraStopped', by: event.by.name });
    } else if (event.action === 'madeOrganiser') {
      this.notice({ action: 'madeOrganiser', by: event.by.name });
    }
  }

  private notice(notice: ModerationNotice): void {
    this.state.set({ moderationNotice: notice });
  }

  dismissModerationNotice(): void {
    this.state.set({ moderationNotice: null });
  }

  /** Pause another peer's micro or camera (on the server). */
  async mutePeer(peerId: string, source: ModeratedSource): Promise<void> {
    await this.connection.socket?.request('mutePeer', { peerId, source });
  }

  async removePeer(peerId: string): Promise<void> {
    await this.connection.socket?.request('removePeer', { peerId });
  }

  async makeOrganiser(peerId: string): Promise<void> {
    await this.connection.socket?.request('makeOrganiser', { peerId });
  }

  async setLocked(locked: boolean): Promise<void> {
    await this.connection.socket?.request('setLocked', { locked });
  }

  /** « Terminer pour tous »: the server tells everyone (us included) with `meetingEnded`. */
  async endMeeting(): Promise<void> {
    await this.connection.socket?.request('endMeeting', {});
  }

  // ---------------------------------------------------------------------------
  // Actions

  setMicro(on: boolean): Promise<void> {
    if (on && this.state.current.moderationNotice?.action === 'microMuted') this.dismissModerationNotice();
    return this.sender.setMicro(on);
  }

  setCamera(on: boolean): Promise<void> {
    if (on && this.state.current.moderationNotice?.action === 'cameraStopped') this.dismissModerationNotice();
    return this.sender.setCamera(on);
  }

  /**
   * « Flouter l’arrière-plan »: the camera is sent (and shown) blurred, or as it is again. When the model cannot run
   * here, the camera stays as it is and `blurUnavailable` tells the view.
   */
  setBlur(on: boolean): Promise<void> {
    this.state.set({ blur: on, blurUnavailable: false });
    return this.applyBlur();
  }

  /** Bring the pipeline in line with the choice and the camera (see blurAction), one step after the other. */
  private applyBlur(): Promise<void> {
    this.blurSteps = this.blurSteps.then(() => this.blurStep()).catch((err: unknown) => this.log('visio: blur', err));
    return this.blurSteps;
  }

  private async blurStep(): Promise<void> {
    const state = this.state.current;
    const camera = this.ended ? null : state.localCamera;
    const action = blurAction({
      wanted: state.blur,
      unavailable: state.blurUnavailable,
      camera,
      runningOn: this.blurPipeline?.source.id ?? null,
    });
    if (action === 'keep') return;
    if (action === 'stop' || action === 'restart') {
      const old = this.blurPipeline;
      this.blurPipeline = null;
      this.state.set({ blurredCamera: null });
      await this.sender.cameraTrackChanged();
      old?.stop();
    }
    if ((action === 'start' || action === 'restart') && camera) {
      try {
        const { startBlur } = await import('./blur-pipeline');
        const pipeline = await startBlur(camera);
        if (this.ended || !this.state.current.blur) {
          pipeline.stop();
          return;
        }
        this.blurPipeline = pipeline;
        this.state.set({ blurredCamera: pipeline.output });
        await this.sender.cameraTrackChanged();
      } catch (err) {
        this.log('visio: background blur unavailable', err);
        this.state.set({ blur: false, blurUnavailable: true });
      }
    }
  }

  /** Share a screen (getDisplayMedia); throws the browser's error (NotAllowedError when the user cancels). */
  startScreen(): Promise<void> {
    return this.sender.startScreen();
  }

  stopScreen(): Promise<void> {
    return this.sender.stopScreen();
  }

  async setHand(raised: boolean): Promise<void> {
    this.state.set({ hand: raised });
    await this.connection.socket?.request('setHand', { raised }).catch((err: unknown) => this.log('visio: hand', err));
  }

  /** Send a chat message; false when it could not be sent. */
  async sendChat(text: string): Promise<boolean> {
    const trimmed = text.trim();
    const socket = this.connection.socket;
    if (!trimmed || !socket) return false;
    try {
      await socket.request('chat', { text: trimmed });
    } catch (err) {
      this.log('visio: chat', err);
      return false;
    }
    const state = this.state.current;
    this.pushChat({ peerId: state.selfPeerId ?? '', name: state.displayName, text: trimmed, at: Date.now(), mine: true });
    return true;
  }

  /** Send a reaction; everyone (us included) shows it when the server passes it on. */
  async react(reaction: MeetReaction): Promise<void> {
    await this.connection.socket?.request('react', { reaction }).catch((err: unknown) => this.log('visio: reaction', err));
  }

  private showReaction(reaction: Omit<ShownReaction, 'key'>): void {
    const key = String(++this.reactionSeq);
    this.state.set({ reactions: [...this.state.current.reactions, { ...reaction, key }].slice(-30) });
    setTimeout(() => this.state.set({ reactions: this.state.current.reactions.filter((r) => r.key !== key) }), REACTION_SHOWN_MS);
  }

  private pushChat(line: Omit<ChatLine, 'key'>): void {
    this.state.set({ chat: [...this.state.current.chat, { ...line, key: String(++this.chatSeq) }].slice(-500) });
  }

  async admit(peerId: string): Promise<void> {
    await this.connection.socket?.request('admit', { peerId });
  }

  async refuse(peerId: string): Promise<void> {
    await this.connection.socket?.request('refuse', { peerId });
  }

  /** The view reports the rendered size of a remote video (device pixels); the server picks the layer. */
  reportTileSize(consumerId: string, width: number, height: number): void {
    this.receiver.reportTileSize(consumerId, width, height);
  }

  /** « Connexion lente »: receive the lowest layers, send only the lowest camera layer. */
  async setSlowMode(on: boolean): Promise<void> {
    this.state.set({ slowMode: on, slowProposed: false });
    this.quality.slowModeChanged(on);
    this.receiver.resendTileSizes();
    await this.sender.setCameraLowestLayerOnly(on);
  }

  /** The proposal was declined: do not ask again during this meeting. */
  dismissSlowProposal(): void {
    this.quality.dismissProposal();
    this.state.set({ slowProposed: false });
  }

  /** « Son seulement »: stop sending and receiving video (screen shares included). */
  async setAudioOnly(on: boolean): Promise<void> {
    this.state.set({ audioOnly: on });
    if (on) await this.setSlowMode(true);
    const socket = this.connection.socket;
    if (!socket) return;
    await this.receiver.setVideoReceived(!on);
    await this.sender.setCameraSent(!on, socket);
  }
}
