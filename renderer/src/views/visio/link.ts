/**
 * Meeting links, as defined by the shared protocol (src/api/meet-protocol.ts): `<server URL>/salle/<roomId>`,
 * optionally with `?jeton=<join token>`. The renderer may import only types from src/api/, so the few pure
 * helpers are mirrored here; tests/unit/visio-link.test.ts checks that both agree.
 */
import type { MEET_ROOM_PATH, MEET_WS_PATH } from '../../../../src/api/meet-protocol';

const ROOM_PATH: typeof MEET_ROOM_PATH = '/salle/';
const WS_PATH: typeof MEET_WS_PATH = '/ws';
const ROOM_ID = /^[A-Za-z0-9_-]{22,64}$/;
/** Query parameter of a meeting link that carries a join token. */
export const TOKEN_PARAM = 'jeton';

export interface MeetingAddress {
  /** Server URL without trailing slash (may carry a path prefix). */
  serverUrl: string;
  roomId: string;
  /** Join token given in the link, if any. */
  token: string | null;
}

/** A fresh room id: 128 random bits, base64url (22 characters). */
export function newRoomId(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Server URL without trailing slash, or null when it is not a usable http(s) address. */
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

/** `<server URL>/salle/<roomId>`, or null. */
export function meetingLink(serverUrl: string, roomId: string): string | null {
  const base = normaliseServerUrl(serverUrl);
  if (base === null || !ROOM_ID.test(roomId)) return null;
  return `${base}${ROOM_PATH}${roomId}`;
}

/** Parse a pasted meeting link (spaces, fragment, trailing slash tolerated), or null when it is not one. */
export function parseMeetingLink(link: string): MeetingAddress | null {
  let url: URL;
  try {
    url = new URL(link.trim());
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  if (url.username || url.password) return null;
  const path = url.pathname.replace(/\/+$/, '');
  const at = path.lastIndexOf(ROOM_PATH);
  if (at < 0) return null;
  const roomId = path.slice(at + ROOM_PATH.length);
  if (!ROOM_ID.test(roomId)) return null;
  const token = url.searchParams.get(TOKEN_PARAM);
  return { serverUrl: `${url.origin}${path.slice(0, at)}`, roomId, token: token && token.trim() ? token.trim() : null };
}

/** WebSocket address of the signaling for a server URL (https → wss, http → ws), or null. */
export function meetingWebSocketUrl(serverUrl: string): string | null {
  const base = normaliseServerUrl(serverUrl);
  if (base === null) return null;
  return `${base.replace(/^http/, 'ws')}${WS_PATH}`;
}
