/**
 * Rejoin tickets of admitted guests: a guest let in by an organiser gets, in its join result, a ticket for that
 * room only, signed by the server (HMAC-SHA256 with a key derived from `tokenSecret`, or a key drawn at start
 * when there is none). After a lost connection or a server restart, the guest's page sends it back with `join`
 * and enters again without knocking. The page keeps it in memory only: closing it, or « Quitter », forgets it.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** How long a ticket lets a guest back in (a long meeting day). */
export const GUEST_TICKET_LIFETIME_SECONDS = 12 * 3600;

/** The signing key: derived from the token secret (so it survives a restart), never the secret itself. */
export function guestTicketKey(tokenSecret: string | null): Buffer {
  if (!tokenSecret) return randomBytes(32);
  return createHmac('sha256', tokenSecret).update('ostal-visio guest rejoin ticket v1').digest();
}

function mac(key: Buffer, payload: string): Buffer {
  return createHmac('sha256', key).update(payload).digest();
}

export function makeGuestTicket(key: Buffer, roomId: string, nowSeconds = Math.floor(Date.now() / 1000)): string {
  // A nonce makes each guest's ticket its own, so removing one guest revokes only that guest's ticket.
  const payload = Buffer.from(
    JSON.stringify({ room: roomId, exp: nowSeconds + GUEST_TICKET_LIFETIME_SECONDS, n: randomBytes(9).toString('base64url') }),
  ).toString('base64url');
  return `${payload}.${mac(key, payload).toString('base64url')}`;
}

/** True when the ticket was made by this key for this room and has not expired. */
export function checkGuestTicket(key: Buffer, roomId: string, ticket: unknown, nowSeconds = Math.floor(Date.now() / 1000)): boolean {
  if (typeof ticket !== 'string' || ticket.length > 512) return false;
  const [payload, signature, extra] = ticket.split('.');
  if (!payload || !signature || extra !== undefined) return false;
  const expected = mac(key, payload);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return false;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { room?: unknown; exp?: unknown };
    return claims.room === roomId && typeof claims.exp === 'number' && claims.exp > nowSeconds;
  } catch {
    return false;
  }
}
