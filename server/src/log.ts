/**
 * Logs: one JSON object per line on stderr (stdout only carries the `OSTAL_VISIO_URL=` line).
 * No personal data: never a display name, a token, an email, an IP address or a chat text. Room ids are
 * secrets (the link is the invitation), so they are logged as a short hash ({@link roomTag}); peer ids are
 * random UUIDs.
 */
import { createHash } from 'node:crypto';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

let threshold: LogLevel = 'info';

export function setLogLevel(level: LogLevel): void {
  threshold = level;
}

export function log(level: LogLevel, event: string, fields: Record<string, unknown> = {}): void {
  if (ORDER[level] < ORDER[threshold]) return;
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level, event, ...fields })}\n`);
}

/** A short, non-reversible tag of a room id for logs (SHA-256, 10 hex characters). */
export function roomTag(roomId: string): string {
  return createHash('sha256').update(roomId).digest('hex').slice(0, 10);
}

/** Technical message of an unknown error, for logs. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
