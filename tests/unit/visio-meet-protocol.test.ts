import { describe, expect, it } from 'vitest';
import {
  isValidRoomId,
  meetingLink,
  meetingWebSocketUrl,
  newRoomId,
  parseMeetingLink,
  spatialLayerForTile,
} from '../../src/shared/meet-protocol.js';
import { spatialLayerForTile as serverSpatialLayerForTile } from '../../server/src/rooms.js';
import { signJoinToken, verifyJoinToken } from '../../server/src/token.js';

const ROOM = 'q3Jd0wqV8m1X9pLh2kTzAw';

describe('visio meeting links', () => {
  it('makes unguessable 22-character base64url room ids', () => {
    const ids = new Set(Array.from({ length: 200 }, () => newRoomId()));
    expect(ids.size).toBe(200);
    for (const id of ids) {
      expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(isValidRoomId(id)).toBe(true);
    }
    expect(isValidRoomId('court')).toBe(false);
    expect(isValidRoomId(`${ROOM}/../x`)).toBe(false);
  });

  it('builds and parses links, with or without a path prefix', () => {
    expect(meetingLink('https://visio.mairie.fr/', ROOM)).toBe(`https://visio.mairie.fr/salle/${ROOM}`);
    expect(meetingLink('https://services.mairie.fr/visio', ROOM)).toBe(`https://services.mairie.fr/visio/salle/${ROOM}`);
    expect(meetingLink('ftp://visio.mairie.fr', ROOM)).toBeNull();
    expect(meetingLink('https://visio.mairie.fr', 'court')).toBeNull();
    expect(parseMeetingLink(`  https://visio.mairie.fr/salle/${ROOM}/?x=1#y  `)).toEqual({
      serverUrl: 'https://visio.mairie.fr',
      roomId: ROOM,
    });
    expect(parseMeetingLink(`https://services.mairie.fr/visio/salle/${ROOM}`)).toEqual({
      serverUrl: 'https://services.mairie.fr/visio',
      roomId: ROOM,
    });
    expect(parseMeetingLink(`http://127.0.0.1:4443/salle/${ROOM}`)).toEqual({ serverUrl: 'http://127.0.0.1:4443', roomId: ROOM });
    expect(parseMeetingLink('https://visio.mairie.fr/salle/court')).toBeNull();
    expect(parseMeetingLink(`javascript:alert(1)//salle/${ROOM}`)).toBeNull();
    expect(parseMeetingLink(`https://u:p@visio.mairie.fr/salle/${ROOM}`)).toBeNull();
    expect(parseMeetingLink('pas un lien')).toBeNull();
  });

  it('derives the WebSocket URL', () => {
    expect(meetingWebSocketUrl('https://visio.mairie.fr')).toBe('wss://visio.mairie.fr/ws');
    expect(meetingWebSocketUrl('https://services.mairie.fr/visio/')).toBe('wss://services.mairie.fr/visio/ws');
    expect(meetingWebSocketUrl('http://127.0.0.1:4443')).toBe('ws://127.0.0.1:4443/ws');
    expect(meetingWebSocketUrl('visio.mairie.fr')).toBeNull();
  });

  it('picks the simulcast layer from the tile size, identically on client and server', () => {
    expect(spatialLayerForTile(0, 0)).toBe(0);
    expect(spatialLayerForTile(320, 180)).toBe(0);
    expect(spatialLayerForTile(640, 360)).toBe(1);
    expect(spatialLayerForTile(300, 450)).toBe(1); // portrait tile: height counts
    expect(spatialLayerForTile(1280, 720)).toBe(2);
    for (const [w, h] of [
      [0, 0],
      [400, 225],
      [401, 100],
      [800, 450],
      [801, 1],
      [1, 1000],
      [Number.NaN, 0],
    ]) {
      expect(serverSpatialLayerForTile(w, h)).toBe(spatialLayerForTile(w, h));
    }
  });
});

describe('visio join tokens', () => {
  const secret = 'un-secret-partage-de-test-0123456789';
  const now = 1_800_000_000;
  const claims = { sub: 'agent3@ostal.test', role: 'organiser' as const, room: ROOM, exp: now + 60 };

  it('accepts a well-signed token for its room and rejects everything else', () => {
    const token = signJoinToken(claims, secret);
    expect(verifyJoinToken(token, secret, ROOM, now)).toEqual({ ok: true, claims });
    expect(verifyJoinToken(token, secret, newRoomId(), now)).toMatchObject({ ok: false, code: 'token_invalid' });
    expect(verifyJoinToken(token, `${secret}x`, ROOM, now)).toMatchObject({ ok: false, code: 'token_invalid', reason: 'bad signature' });
    expect(verifyJoinToken(token, secret, ROOM, now + 3600)).toMatchObject({ ok: false, code: 'token_expired' });
    expect(verifyJoinToken(token.slice(0, -2), secret, ROOM, now)).toMatchObject({ ok: false, code: 'token_invalid' });
    expect(verifyJoinToken('a.b', secret, ROOM, now)).toMatchObject({ ok: false, code: 'token_invalid' });
    const none = [Buffer.from('{"alg":"none"}').toString('base64url'), token.split('.')[1], ''].join('.');
    expect(verifyJoinToken(none, secret, ROOM, now)).toMatchObject({ ok: false, code: 'token_invalid' });
    const anyRoom = signJoinToken({ ...claims, room: '*' }, secret);
    expect(verifyJoinToken(anyRoom, secret, newRoomId(), now).ok).toBe(true);
    const badRole = signJoinToken({ ...claims, role: 'admin' as never }, secret);
    expect(verifyJoinToken(badRole, secret, ROOM, now)).toMatchObject({ ok: false, reason: 'unknown role' });
  });
});
