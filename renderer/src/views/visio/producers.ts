/**
 * What we send: one mediasoup producer per local source on the send transport — the micro, the camera in 3
 * simulcast layers, the shared screen — and the devices' switches (micro, camera, screen sharing, the camera's
 * layers in « connexion lente », no camera in « son seulement »).
 */
import type { Producer, Transport } from 'mediasoup-client/types';
import type { MediaSource } from '../../../../src/shared/meet-protocol';
import type { SessionLink } from './meeting-state';
import type { SignalingSocket } from './signaling';

/** Camera simulcast: 3 layers, a quarter, half and full resolution. */
export const CAMERA_ENCODINGS: RTCRtpEncodingParameters[] = [
  { rid: 'r0', scaleResolutionDownBy: 4, maxBitrate: 150_000 },
  { rid: 'r1', scaleResolutionDownBy: 2, maxBitrate: 500_000 },
  { rid: 'r2', scaleResolutionDownBy: 1, maxBitrate: 1_500_000 },
];

export class LocalMediaSender {
  private transport: Transport | null = null;
  private readonly producers = new Map<MediaSource, Producer>();

  /** `audioTrack`: the micro chosen before joining (null without micro). */
  constructor(
    private readonly link: SessionLink,
    private readonly audioTrack: MediaStreamTrack | null,
  ) {}

  /** Whether a source is being sent. */
  has(source: MediaSource): boolean {
    return this.producers.has(source);
  }

  /** The send transport of the current connection exists: its producers are announced on this socket. */
  attach(transport: Transport, socket: SignalingSocket): void {
    this.transport = transport;
    transport.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
      socket
        .request('produce', {
          transportId: transport.id,
          kind,
          rtpParameters: rtpParameters as never,
          source: appData.source as MediaSource,
          paused: appData.paused === true,
        })
        .then(({ producerId }) => callback({ id: producerId }), errback);
    });
  }

  /** Send what we have (after joining or reconnecting): the micro (paused when muted), the camera, the screen. */
  async sendLocalMedia(): Promise<void> {
    const audio = this.audioTrack;
    if (audio && audio.readyState === 'live') await this.produce('micro', audio, !this.link.state.current.micOn);
    const video = this.cameraTrack();
    if (video && video.readyState === 'live' && this.link.state.current.camOn && !this.link.state.current.audioOnly)
      await this.produce('camera', video, false);
    const screen = this.link.state.current.localScreen;
    if (screen && screen.readyState === 'live') await this.produce('screen', screen, false);
  }

  private async produce(source: MediaSource, track: MediaStreamTrack, paused: boolean): Promise<void> {
    const transport = this.transport;
    if (!transport) return;
    const producer = await transport.produce({
      track,
      stopTracks: false,
      ...(source === 'camera'
        ? { encodings: CAMERA_ENCODINGS.map((e) => ({ ...e })), codecOptions: { videoGoogleStartBitrate: 1000 } }
        : {}),
      ...(source === 'micro' ? { codecOptions: { opusDtx: true, opusFec: true } } : {}),
      appData: { source, paused },
    });
    if (paused) producer.pause();
    this.producers.set(source, producer);
    // Blur started or stopped while the producer was being created: it sends the camera's current track.
    if (source === 'camera') await this.cameraTrackChanged();
    if (source === 'camera' && this.link.state.current.slowMode) await producer.setMaxSpatialLayer(0).catch(() => undefined);
    producer.on('trackended', () => {
      if (source === 'screen') void this.stopScreen();
    });
  }

  /** The camera track sent: the blurred one while blur runs, else the camera's own. */
  private cameraTrack(): MediaStreamTrack | null {
    const state = this.link.state.current;
    return state.blurredCamera ?? state.localCamera;
  }

  /**
   * Blur started or stopped: the camera producer sends the new track (same producer, same simulcast layers; the
   * others see no interruption).
   */
  async cameraTrackChanged(): Promise<void> {
    const producer = this.producers.get('camera');
    const track = this.cameraTrack();
    if (!producer || producer.closed || !track || producer.track === track) return;
    await producer.replaceTrack({ track }).catch((err: unknown) => this.link.log('visio: camera track', err));
  }

  async setMicro(on: boolean): Promise<void> {
    if (!this.audioTrack) return;
    this.link.state.set({ micOn: on });
    const producer = this.producers.get('micro');
    const socket = this.link.socket();
    if (!producer || !socket) return;
    if (on) producer.resume();
    else producer.pause();
    await socket
      .request(on ? 'resumeProducer' : 'pauseProducer', { producerId: producer.id })
      .catch((err: unknown) => this.link.log('visio: micro', err));
  }

  async setCamera(on: boolean): Promise<void> {
    const state = this.link.state;
    const track = state.current.localCamera;
    if (!track) return;
    state.set({ camOn: on });
    track.enabled = on;
    const producer = this.producers.get('camera');
    const socket = this.link.socket();
    if (!socket || state.current.phase !== 'joined') return;
    if (!producer) {
      if (on && !state.current.audioOnly)
        await this.produce('camera', this.cameraTrack() ?? track, false).catch((err: unknown) => this.link.log('visio: camera', err));
      return;
    }
    if (on) producer.resume();
    else producer.pause();
    await socket
      .request(on ? 'resumeProducer' : 'pauseProducer', { producerId: producer.id })
      .catch((err: unknown) => this.link.log('visio: camera', err));
  }

  /** Share a screen (getDisplayMedia); throws the browser's error (NotAllowedError when the user cancels). */
  async startScreen(): Promise<void> {
    const stream = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: 10, max: 15 } }, audio: false });
    const track = stream.getVideoTracks()[0];
    if (!track) return;
    track.addEventListener('ended', () => void this.stopScreen());
    this.link.state.set({ localScreen: track, screenOn: true });
    if (this.transport) await this.produce('screen', track, false);
  }

  async stopScreen(): Promise<void> {
    const producer = this.producers.get('screen');
    this.producers.delete('screen');
    this.link.state.current.localScreen?.stop();
    this.link.state.set({ localScreen: null, screenOn: false });
    if (producer) {
      producer.close();
      await this.link
        .socket()
        ?.request('closeProducer', { producerId: producer.id })
        .catch(() => undefined);
    }
  }

  /** « Connexion lente »: only the lowest camera layer is sent (all of them again when it ends). */
  async setCameraLowestLayerOnly(on: boolean): Promise<void> {
    const camera = this.producers.get('camera');
    if (camera)
      await camera.setMaxSpatialLayer(on ? 0 : CAMERA_ENCODINGS.length - 1).catch((err: unknown) => this.link.log('visio: layers', err));
  }

  /** « Son seulement » (`on` false): the camera stops being sent; back to it, it is sent again if it is switched on. */
  async setCameraSent(on: boolean, socket: SignalingSocket): Promise<void> {
    const state = this.link.state.current;
    const camera = this.producers.get('camera');
    if (camera && state.camOn) {
      if (on) camera.resume();
      else camera.pause();
      await socket.request(on ? 'resumeProducer' : 'pauseProducer', { producerId: camera.id }).catch(() => undefined);
    } else if (on && state.camOn && state.localCamera) {
      await this.produce('camera', this.cameraTrack() ?? state.localCamera, false).catch(() => undefined);
    }
  }

  /** The connection closes: every producer goes (the local tracks stay, sent again after reconnection). */
  close(): void {
    for (const producer of this.producers.values()) producer.close();
    this.producers.clear();
    this.transport = null;
  }
}
