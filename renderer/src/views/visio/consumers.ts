/**
 * What we receive: one mediasoup consumer per remote producer (micro, camera, screen) on the receive transport,
 * shown in the state's `media`, and the choice of layers: the view reports each tile's size, the server picks
 * the simulcast layer (« connexion lente » caps the size so that the lowest layer is taken).
 */
import type { Consumer, RtpParameters, Transport } from 'mediasoup-client/types';
import type { MediaSource } from '../../../../src/shared/meet-protocol';
import type { RemoteMedia, RemoteTrack, SessionLink } from './meeting-state';

/** Largest tile size requested in « connexion lente » (device pixels): the lowest layer. */
const SLOW_TILE = { width: 320, height: 180 };

export class RemoteMediaReceiver {
  private transport: Transport | null = null;
  private readonly consumers = new Map<string, { consumer: Consumer; peerId: string; source: MediaSource }>();
  private readonly tileSizes = new Map<string, { width: number; height: number }>();
  private readonly sentTileSizes = new Map<string, string>();
  private consumeChain: Promise<void> = Promise.resolve();
  /** Resolves when the receive transport of the current connection exists (consumes wait for it). */
  private recvReady: Promise<void> = Promise.resolve();
  private markRecvReady: () => void = () => undefined;
  /** Producers already consumed (or being consumed) on the current connection. */
  private readonly consumedProducers = new Set<string>();

  /** `generation()`: the current connection's number (work of an older one stops). */
  constructor(
    private readonly link: SessionLink,
    private readonly generation: () => number,
  ) {}

  /** A new connection is open: nothing consumed on it yet, its receive transport is not there yet. */
  newConnection(): void {
    this.consumedProducers.clear();
    this.recvReady = new Promise<void>((resolve) => (this.markRecvReady = resolve));
  }

  /** The receive transport of the current connection exists: the waiting consumes go on. */
  attach(transport: Transport): void {
    this.transport = transport;
    this.markRecvReady();
  }

  /** Consume a remote producer (once per connection), in order. */
  queueConsume(producerId: string, generation: number): void {
    if (this.consumedProducers.has(producerId)) return;
    this.consumedProducers.add(producerId);
    this.consumeChain = this.consumeChain
      .then(() => this.consume(producerId, generation))
      .catch((err: unknown) => this.link.log('visio: consume failed', err));
  }

  private async consume(producerId: string, generation: number): Promise<void> {
    await this.recvReady;
    const socket = this.link.socket();
    if (generation !== this.generation() || !socket || !this.transport) {
      this.link.log('visio: consume skipped', { producerId, stale: generation !== this.generation(), socket: !!socket });
      return;
    }
    const info = await socket.request('consume', { producerId });
    if (generation !== this.generation()) return;
    const consumer = await this.transport.consume({
      id: info.consumerId,
      producerId: info.producerId,
      kind: info.kind,
      rtpParameters: info.rtpParameters as unknown as RtpParameters,
      streamId: `${info.peerId}-${info.source}`,
    });
    this.consumers.set(consumer.id, { consumer, peerId: info.peerId, source: info.source });
    const state = this.link.state;
    const remote: RemoteTrack = { consumerId: consumer.id, track: consumer.track, paused: info.producerPaused };
    const media = { ...state.current.media, [info.peerId]: { ...state.current.media[info.peerId], [info.source]: remote } };
    state.set({ media });
    if (info.kind === 'video' && state.current.audioOnly) {
      await socket.request('pauseConsumer', { consumerId: consumer.id }).catch(() => undefined);
      return;
    }
    await socket.request('resumeConsumer', { consumerId: consumer.id });
    const size = this.tileSizes.get(consumer.id);
    if (size) this.sendTileSize(consumer.id);
  }

  /** The server closed a consumer (its producer went). */
  remove(consumerId: string): void {
    const entry = this.consumers.get(consumerId);
    if (!entry) return;
    this.consumers.delete(consumerId);
    this.tileSizes.delete(consumerId);
    this.sentTileSizes.delete(consumerId);
    entry.consumer.close();
    const state = this.link.state;
    const current = state.current.media[entry.peerId];
    if (current?.[entry.source]?.consumerId === consumerId) {
      const next: RemoteMedia = { ...current };
      delete next[entry.source];
      state.set({ media: { ...state.current.media, [entry.peerId]: next } });
    }
  }

  /** A peer left: its consumers go (the caller removes the peer itself from the state). */
  removePeer(peerId: string): void {
    for (const [id, entry] of this.consumers) if (entry.peerId === peerId) this.remove(id);
  }

  /** The remote producer was paused or resumed (micro or camera switched off by its owner). */
  setPaused(consumerId: string, paused: boolean): void {
    const entry = this.consumers.get(consumerId);
    if (!entry) return;
    const state = this.link.state;
    const current = state.current.media[entry.peerId]?.[entry.source];
    if (!current) return;
    state.set({
      media: {
        ...state.current.media,
        [entry.peerId]: { ...state.current.media[entry.peerId], [entry.source]: { ...current, paused } },
      },
    });
  }

  /** The spatial layer the server now forwards for a consumer. */
  layersChanged(consumerId: string, spatialLayer: number | null): void {
    const state = this.link.state;
    state.set({ layers: { ...state.current.layers, [consumerId]: spatialLayer } });
  }

  /** The view reports the rendered size of a remote video (device pixels); the server picks the layer. */
  reportTileSize(consumerId: string, width: number, height: number): void {
    this.tileSizes.set(consumerId, { width: Math.round(width), height: Math.round(height) });
    this.sendTileSize(consumerId);
  }

  /** « Connexion lente » switched: every tile size is sent again (capped or not). */
  resendTileSizes(): void {
    for (const id of this.consumers.keys()) this.sendTileSize(id);
  }

  private sendTileSize(consumerId: string): void {
    const size = this.tileSizes.get(consumerId);
    const socket = this.link.socket();
    if (!size || !socket || !this.consumers.has(consumerId)) return;
    const state = this.link.state;
    const effective = state.current.slowMode
      ? { width: Math.min(size.width, SLOW_TILE.width), height: Math.min(size.height, SLOW_TILE.height) }
      : size;
    const key = `${effective.width}x${effective.height}`;
    if (this.sentTileSizes.get(consumerId) === key) return;
    this.sentTileSizes.set(consumerId, key);
    socket
      .request('setTileSize', { consumerId, ...effective })
      .then(({ spatialLayer }) => state.set({ requestedLayers: { ...state.current.requestedLayers, [consumerId]: spatialLayer } }))
      .catch((err: unknown) => this.link.log('visio: tile size', err));
  }

  /** « Son seulement »: the server stops (or starts again) forwarding every remote video. */
  async setVideoReceived(on: boolean): Promise<void> {
    const socket = this.link.socket();
    if (!socket) return;
    for (const [consumerId, entry] of this.consumers) {
      if (entry.consumer.kind !== 'video') continue;
      await socket.request(on ? 'resumeConsumer' : 'pauseConsumer', { consumerId }).catch(() => undefined);
    }
  }

  /** The connection closes: every consumer goes. */
  close(): void {
    for (const id of [...this.consumers.keys()]) {
      const entry = this.consumers.get(id)!;
      entry.consumer.close();
    }
    this.consumers.clear();
    this.tileSizes.clear();
    this.sentTileSizes.clear();
    this.transport = null;
    this.consumeChain = Promise.resolve();
  }
}
