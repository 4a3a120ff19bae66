/**
 * Join tokens: compact JWT signed HS256 with the organisation's shared secret (see MeetTokenClaims in
 * src/shared/meet-protocol.ts). Verification uses crypto.timingSafeEqual and checks `exp`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { MeetErrorCode, MeetRole, MeetTokenClaims } from '../../src/shared/meet-protocol.js';

/** Accepted clock difference between Ostal and the server, in seconds. */
export const CLOCK_LEEWAY_SECONDS = 30;

function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

/** Sign claims into a join token (used by the `token` command, tests and any organisation tool). */
export function signJoinToken(claims: MeetTokenClaims, secret: string): string {
  const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = base64url(JSON.stringify(claims));
  const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}

export type TokenCheck =
  { ok: true; claims: MeetTokenClaims } | { ok: false; code: Extract<MeetErrorCode, 'token_invalid' | 'token_expired'>; reason: string };

const ROLES: readonly MeetRole[] = ['organiser', 'participant'];

/** Verify a join token for `roomId`. `reason` is an English technical detail for logs (no claim values). */
export function verifyJoinToken(token: string, secret: string, roomId: string, nowSeconds = Date.now() / 1000): TokenCheck {
  const invalid = (reason: string): TokenCheck => ({ ok: false, code: 'token_invalid', reason });
  if (typeof token !== 'string' || token.length > 4096) return invalid('not a string or too long');
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p))) return invalid('not a compact JWT');
  const [headerPart, payloadPart, signaturePart] = parts;
  let header: unknown;
  let claims: unknown;
  try {
    header = JSON.parse(Buffer.from(headerPart, 'base64url').toString('utf8'));
    claims = JSON.parse(Buffer.from(payloadPart, 'base64url').toString('utf8'));
  } catch {
    return invalid('header or payload is not JSON');
  }
  if (typeof header !== 'object' || header === null || (header as { alg?: unknown }).alg !== 'HS256') {
    return invalid('algorithm is not HS256');
  }
  const expected = createHmac('sha256', secret).update(`${headerPart}.${payloadPart}`).digest();
  const given = Buffer.from(signaturePart, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return invalid('bad signature');
  if (typeof claims !== 'object' || claims === null) return invalid('payload is not an object');
  const c = claims as Record<string, unknown>;
  if (typeof c.sub !== 'string' || c.sub.trim() === '') return invalid('missing sub');
  if (typeof c.role !== 'string' || !ROLES.includes(c.role as MeetRole)) return invalid('unknown role');
  if (typeof c.exp !== 'number' || !Number.isFinite(c.exp)) return invalid('missing exp');
  if (c.room !== undefined && c.room !== '*' && c.room !== roomId) return invalid('token for another room');
  if (c.exp + CLOCK_LEEWAY_SECONDS <= nowSeconds) return { ok: false, code: 'token_expired', reason: 'expired' };
  return { ok: true, claims: c as unknown as MeetTokenClaims };
}
