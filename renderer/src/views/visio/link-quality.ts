/**
 * Link quality: getStats on both transports every 2 seconds gives the bandwidth, loss and round trip, hence the
 * quality shown, and after a few bad measurements the proposal of the « connexion lente » mode.
 */
import type { Transport } from 'mediasoup-client/types';
import type { ConnectionQuality, LinkStats, MeetingStateCell } from './meeting-state';

const STATS_INTERVAL_MS = 2000;
/** The bandwidth estimate starts low and climbs: no judgement during the first seconds of a connection. */
const STATS_WARM_UP_MS = 10_000;
/** Consecutive poor measurements before the « connexion lente » mode is proposed. */
const POOR_SAMPLES_TO_PROPOSE = 3;

/** Quality from measurements: packet loss, round trip and the bandwidth the sender may use. */
export function qualityOf(stats: Pick<LinkStats, 'outgoingKbps' | 'lossPercent' | 'rttMs'>, sendingVideo: boolean): ConnectionQuality {
  const { outgoingKbps, lossPercent, rttMs } = stats;
  if (lossPercent >= 8 || (rttMs !== null && rttMs > 600) || (sendingVideo && outgoingKbps !== null && outgoingKbps < 200)) return 'poor';
  if (lossPercent >= 3 || (rttMs !== null && rttMs > 250) || (sendingVideo && outgoingKbps !== null && outgoingKbps < 500)) return 'fair';
  return 'good';
}

/** Packet counters since the transports exist; the loss is measured between two readings. */
export interface PacketCounters {
  lost: number;
  received: number;
  sentLost: number;
  sent: number;
}

/** One reading of the send and receive transports' reports, with the loss since the previous reading. */
export function readLinkStats(
  sendReport: RTCStatsReport,
  recvReport: RTCStatsReport,
  previous: PacketCounters | null,
): { stats: LinkStats; counters: PacketCounters } {
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
  let lossPercent = 0;
  if (previous) {
    const dLost = Math.max(0, lost - previous.lost) + Math.max(0, sentLost - previous.sentLost);
    const dTotal = Math.max(0, received - previous.received) + Math.max(0, sent - previous.sent) + dLost;
    lossPercent = dTotal > 0 ? (100 * dLost) / dTotal : 0;
  }
  return {
    stats: { outgoingKbps: outgoing, lossPercent, rttMs: rtt, audioPacketsReceived: audioPackets, videoFramesDecoded: framesDecoded },
    counters: { lost, received, sentLost, sent },
  };
}

/** Measures the transports of the current connection and updates quality, stats and slowProposed in the state. */
export class LinkQualityMonitor {
  private timer: ReturnType<typeof setInterval> | null = null;
  private transports: { send: Transport; recv: Transport } | null = null;
  private lastCounters: PacketCounters | null = null;
  private poorSamples = 0;
  private startedAt = 0;
  private slowDismissed = false;

  /** `sendingVideo`: whether our camera is sent (a low bandwidth only matters then). */
  constructor(
    private readonly state: MeetingStateCell,
    private readonly sendingVideo: () => boolean,
  ) {}

  start(send: Transport, recv: Transport): void {
    this.stopTimer();
    this.transports = { send, recv };
    this.startedAt = Date.now();
    this.poorSamples = 0;
    this.timer = setInterval(() => void this.measure(), STATS_INTERVAL_MS);
  }

  /** The connection closes: no more measurements, the next connection starts its counters afresh. */
  stop(): void {
    this.stopTimer();
    this.transports = null;
    this.lastCounters = null;
  }

  /** The « connexion lente » proposal was declined: not again during this meeting (until the mode is used and left). */
  dismissProposal(): void {
    this.slowDismissed = true;
  }

  slowModeChanged(on: boolean): void {
    if (!on) this.slowDismissed = false;
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** getStats on both transports: bandwidth, loss and RTT → quality, and the slow-link proposal. */
  private async measure(): Promise<void> {
    const transports = this.transports;
    if (!transports) return;
    let sendReport: RTCStatsReport;
    let recvReport: RTCStatsReport;
    try {
      [sendReport, recvReport] = await Promise.all([transports.send.getStats(), transports.recv.getStats()]);
    } catch {
      return;
    }
    const { stats, counters } = readLinkStats(sendReport, recvReport, this.lastCounters);
    this.lastCounters = counters;
    const state = this.state.current;
    const quality = qualityOf(stats, this.sendingVideo());
    const warm = Date.now() - this.startedAt >= STATS_WARM_UP_MS;
    this.poorSamples = quality === 'poor' && warm ? this.poorSamples + 1 : 0;
    const propose = !state.slowMode && !this.slowDismissed && this.poorSamples >= POOR_SAMPLES_TO_PROPOSE;
    this.state.set({ stats, quality, slowProposed: state.slowProposed || propose });
  }
}
