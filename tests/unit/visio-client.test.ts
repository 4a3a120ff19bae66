import { describe, expect, it } from 'vitest';
import * as shared from '../../src/shared/meet-protocol.js';
import * as link from '../../renderer/src/views/visio/link.js';
import { deviceName, deviceProblem } from '../../renderer/src/views/visio/media.js';
import { meetingShortcut } from '../../renderer/src/views/visio/Meeting.js';
import { readLinkStats } from '../../renderer/src/views/visio/link-quality.js';
import { CAMERA_ENCODINGS, qualityOf } from '../../renderer/src/views/visio/session.js';

/** The renderer's links are the protocol's, plus the join token a link may carry. */
describe('visio links in the renderer', () => {
  const cases = [
    'https://visio.mairie.fr/salle/q3Jd0wqV8m1X9pLh2kTzAw',
    '  https://visio.mairie.fr/salle/q3Jd0wqV8m1X9pLh2kTzAw/  ',
    'https://services.mairie.fr/visio/salle/q3Jd0wqV8m1X9pLh2kTzAw#x',
    'http://127.0.0.1:4443/salle/q3Jd0wqV8m1X9pLh2kTzAw?jeton=a.b.c',
    'https://visio.mairie.fr/salle/trop-court',
    'https://moi:secret@visio.mairie.fr/salle/q3Jd0wqV8m1X9pLh2kTzAw',
    'ftp://visio.mairie.fr/salle/q3Jd0wqV8m1X9pLh2kTzAw',
    'pas un lien',
  ];
  it.each(cases)('parses %s like the protocol', (raw) => {
    const mine = link.parseMeetingLink(raw);
    const theirs = shared.parseMeetingLink(raw);
    expect(mine === null ? null : { serverUrl: mine.serverUrl, roomId: mine.roomId }).toEqual(theirs);
  });

  it('reads the join token of a link (?jeton=)', () => {
    expect(link.parseMeetingLink('http://127.0.0.1:4443/salle/q3Jd0wqV8m1X9pLh2kTzAw?jeton=a.b.c')?.token).toBe('a.b.c');
    expect(link.parseMeetingLink('https://visio.mairie.fr/salle/q3Jd0wqV8m1X9pLh2kTzAw')?.token).toBeNull();
  });

  it('builds links and WebSocket addresses like the protocol', () => {
    for (const server of [
      'https://visio.mairie.fr',
      'https://visio.mairie.fr/',
      'https://services.mairie.fr/visio/',
      'http://127.0.0.1:4443',
      'nope',
    ]) {
      expect(link.meetingLink(server, 'q3Jd0wqV8m1X9pLh2kTzAw')).toBe(shared.meetingLink(server, 'q3Jd0wqV8m1X9pLh2kTzAw'));
      expect(link.meetingWebSocketUrl(server)).toBe(shared.meetingWebSocketUrl(server));
    }
  });

  it('creates unguessable room ids (128 bits, base64url) the protocol accepts', () => {
    const ids = new Set(Array.from({ length: 200 }, () => link.newRoomId()));
    expect(ids.size).toBe(200);
    for (const id of ids) {
      expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(shared.isValidRoomId(id)).toBe(true);
    }
  });
});

describe('visio media and measurements', () => {
  it('names what went wrong with a device', () => {
    expect(deviceProblem(new DOMException('x', 'NotFoundError'))).toBe('notFound');
    expect(deviceProblem(new DOMException('x', 'NotReadableError'))).toBe('busy');
    expect(deviceProblem(new DOMException('x', 'NotAllowedError'))).toBe('denied');
    expect(deviceProblem(new Error('x'))).toBe('other');
  });

  it('sends the camera in 3 simulcast layers, a quarter, half and full size', () => {
    expect(CAMERA_ENCODINGS.map((e) => e.scaleResolutionDownBy)).toEqual([4, 2, 1]);
  });

  it('judges the link from loss, round trip and the bandwidth the sender may use', () => {
    expect(qualityOf({ outgoingKbps: 2000, lossPercent: 0, rttMs: 20 }, true)).toBe('good');
    expect(qualityOf({ outgoingKbps: 2000, lossPercent: 4, rttMs: 20 }, true)).toBe('fair');
    expect(qualityOf({ outgoingKbps: 2000, lossPercent: 10, rttMs: 20 }, true)).toBe('poor');
    expect(qualityOf({ outgoingKbps: 2000, lossPercent: 0, rttMs: 800 }, true)).toBe('poor');
    expect(qualityOf({ outgoingKbps: 120, lossPercent: 0, rttMs: 20 }, true)).toBe('poor');
    // Without video to send, a small estimate is not a problem.
    expect(qualityOf({ outgoingKbps: 120, lossPercent: 0, rttMs: 20 }, false)).toBe('good');
  });

  it('reads bandwidth, round trip and the loss between two readings from both transports’ reports', () => {
    const report = (...entries: Record<string, unknown>[]) => new Map(entries.map((e, i) => [String(i), e])) as unknown as RTCStatsReport;
    const send = (sent: number, lost: number) =>
      report(
        { type: 'candidate-pair', nominated: true, state: 'succeeded', availableOutgoingBitrate: 800_000, currentRoundTripTime: 0.05 },
        { type: 'outbound-rtp', packetsSent: sent },
        { type: 'remote-inbound-rtp', packetsLost: lost, roundTripTime: 0.12 },
      );
    const recv = (received: number, lost: number) =>
      report(
        { type: 'candidate-pair', selected: true, state: 'succeeded', currentRoundTripTime: 0.08 },
        { type: 'inbound-rtp', kind: 'audio', packetsReceived: received, packetsLost: lost },
        { type: 'inbound-rtp', kind: 'video', packetsReceived: 0, packetsLost: 0, framesDecoded: 42 },
      );
    const first = readLinkStats(send(100, 0), recv(200, 0), null);
    expect(first.stats).toEqual({ outgoingKbps: 800, lossPercent: 0, rttMs: 120, audioPacketsReceived: 200, videoFramesDecoded: 42 });
    // Next reading: 100 more sent with 5 lost, 90 more received with 5 lost → 10 lost of 200.
    const second = readLinkStats(send(200, 5), recv(290, 5), first.counters);
    expect(second.stats.lossPercent).toBeCloseTo(5);
    expect(second.counters).toEqual({ lost: 5, received: 290, sentLost: 5, sent: 200 });
  });

  it('mutes with Ctrl+Maj+M and turns the camera off with Ctrl+Maj+O only', () => {
    const key = (k: string, mods: Partial<{ ctrlKey: boolean; metaKey: boolean; shiftKey: boolean; altKey: boolean }> = {}) =>
      meetingShortcut({ ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, key: k, ...mods });
    expect(key('M', { ctrlKey: true, shiftKey: true })).toBe('micro');
    expect(key('o', { ctrlKey: true, shiftKey: true })).toBe('camera');
    expect(key('m', { ctrlKey: true })).toBeNull();
    expect(key('m')).toBeNull();
  });
});

/** Device names: the browser's English « Default » / « Communications » entries are said in French, real names kept. */
describe('visio device names', () => {
  it.each([
    [
      { deviceId: 'default', label: 'Default - Microphone (Realtek(R) Audio)' },
      { kind: 'systemDefault', name: 'Microphone (Realtek(R) Audio)' },
    ],
    [
      { deviceId: 'default', label: 'Default' },
      { kind: 'systemDefault', name: null },
    ],
    [
      { deviceId: 'default', label: 'Fake Default Audio Input' },
      { kind: 'systemDefault', name: null },
    ],
    [
      { deviceId: 'communications', label: 'Communications - Casque (Jabra)' },
      { kind: 'communications', name: 'Casque (Jabra)' },
    ],
    [
      { deviceId: '7c97dbb1', label: 'HD Webcam C270' },
      { kind: 'named', name: 'HD Webcam C270' },
    ],
    [
      { deviceId: '7c97dbb1', label: '' },
      { kind: 'numbered', number: 3 },
    ],
  ])('%o', (device, expected) => {
    expect(deviceName(device, 2)).toEqual(expected);
  });
});
