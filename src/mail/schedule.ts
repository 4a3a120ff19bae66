/**
 * « Envoyer plus tard » (scheduled send): the pure decisions of the core — reading the requested time and refusing
 * one already past or too far ahead — and the Date header set to the moment the message really leaves.
 */
import { parseWallClock, userTimeZone, wallClockToInstant } from '../shared/time.js';

/** A time up to this much in the past is still taken (the agent clicked at 08:00:30 for « 08:00 »): it leaves at once. */
export const SEND_AT_GRACE_MS = 60_000;

export type SendAtCheck = { ok: true; at: Date } | { ok: false; reason: 'invalid' | 'past' | 'tooFar' };

const WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/i;

/**
 * Read an ISO 8601 date-time: with an offset (« 2026-12-09T08:00+01:00 », « …Z ») as given, without one as the wall
 * clock of the agent's zone (src/shared/time.ts: « 2026-12-09T08:00 » is 08:00 in Paris for an agent in Paris; a time
 * skipped by the change to summer time is read with the offset before it). Null when it is not one.
 */
export function parseSendAt(value: string, zone: string = userTimeZone()): Date | null {
  const text = value.trim();
  if (WITH_OFFSET.test(text)) {
    const ms = Date.parse(text);
    const wall = parseWallClock(text.slice(0, 16));
    // Date.parse rolls 31 February over to March: the wall clock check refuses it.
    if (!Number.isFinite(ms) || !wall || new Date(Date.UTC(wall.year, wall.month - 1, wall.day)).getUTCDate() !== wall.day) return null;
    return new Date(ms);
  }
  const wall = parseWallClock(text.replace(' ', 'T'));
  if (!wall || !text.includes(':')) return null;
  if (new Date(Date.UTC(wall.year, wall.month - 1, wall.day)).getUTCDate() !== wall.day) return null;
  return new Date(wallClockToInstant(wall, zone));
}

/** The latest time accepted: one year after `now`. */
export function latestSendAt(now: Date): Date {
  const limit = new Date(now.getTime());
  limit.setFullYear(limit.getFullYear() + 1);
  return limit;
}

/** Whether `value` can be the time of a scheduled send, seen from `now`. */
export function checkSendAt(value: string, now: Date, zone: string = userTimeZone()): SendAtCheck {
  const at = parseSendAt(value, zone);
  if (!at || Number.isNaN(at.getTime())) return { ok: false, reason: 'invalid' };
  if (at.getTime() < now.getTime() - SEND_AT_GRACE_MS) return { ok: false, reason: 'past' };
  if (at.getTime() > latestSendAt(now).getTime()) return { ok: false, reason: 'tooFar' };
  return { ok: true, at };
}

/** RFC 5322 date in UTC, as the message builder writes it (« Wed, 09 Dec 2026 07:00:00 +0000 »). */
export function rfc5322Date(at: Date): string {
  return at.toUTCString().replace(/GMT$/, '+0000');
}

/**
 * The raw message with its Date header set to `at` (the header block only; the body and every other header,
 * Message-ID included, unchanged). A message without a Date header gets one at the top.
 */
export function withDateHeader(raw: Buffer, at: Date): Buffer {
  const text = raw.toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  const head = end === -1 ? text : text.slice(0, end);
  const rest = end === -1 ? '' : text.slice(end);
  const line = `Date: ${rfc5322Date(at)}`;
  const header = /^Date:[^\r\n]*(?:\r?\n[ \t][^\r\n]*)*/im;
  const patched = header.test(head) ? head.replace(header, line) : `${line}\r\n${head}`;
  return Buffer.from(patched + rest, 'latin1');
}
