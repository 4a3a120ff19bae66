/**
 * What keeps one client from taking the server down: the remote address (X-Forwarded-For believed only from
 * trusted proxies), connections per address, the Origin allow-list of the WebSocket, a token bucket of messages
 * per connection, and time-limited TURN credentials (coturn's shared-secret « REST API » scheme).
 */
import { createHmac } from 'node:crypto';
import type http from 'node:http';
import type { MeetIceServer } from '../../src/shared/meet-protocol.js';
import type { ServerConfig } from './config.js';

/** An IPv4-mapped IPv6 address (::ffff:127.0.0.1) written as plain IPv4. */
function plain(address: string): string {
  return address.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1');
}

/** The client's address: the socket's peer, or the last X-Forwarded-For hop when the peer is a trusted proxy. */
export function remoteAddressOf(req: http.IncomingMessage, trustedProxies: readonly string[]): string {
  const peer = plain(req.socket.remoteAddress ?? 'unknown');
  if (!trustedProxies.includes(peer)) return peer;
  const forwarded = req.headers['x-forwarded-for'];
  const list = (Array.isArray(forwarded) ? forwarded.join(',') : (forwarded ?? ''))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  // Only the hop our proxy added is trustworthy: anything before it comes from the client.
  return list.length > 0 ? plain(list[list.length - 1]) : peer;
}

/** Whether a page of `origin` may open the WebSocket: the server's own origin (same host) or the allow-list. */
export function originAllowed(origin: string | undefined, host: string | undefined, allowed: readonly string[]): boolean {
  if (origin === undefined) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (host && url.host === host) return true;
  const exact = `${url.protocol}//${url.host}`;
  return allowed.some((entry) => {
    if (entry === exact) return true;
    if (!entry.endsWith(':*')) return false;
    return `${url.protocol}//${url.hostname}` === entry.slice(0, -2) || `${url.protocol}//[${url.hostname}]` === entry.slice(0, -2);
  });
}

/** Open connections per remote address. */
export class AddressCounter {
  private readonly counts = new Map<string, number>();

  constructor(private readonly max: number) {}

  /** Count one more connection from `address`; false (and nothing counted) when it is at the limit. */
  take(address: string): boolean {
    const n = this.counts.get(address) ?? 0;
    if (n >= this.max) return false;
    this.counts.set(address, n + 1);
    return true;
  }

  release(address: string): void {
    const n = (this.counts.get(address) ?? 0) - 1;
    if (n <= 0) this.counts.delete(address);
    else this.counts.set(address, n);
  }
}

/** A token bucket: `rate` messages per second on average, `burst` at once. */
export class MessageBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /** Take one token; false when the bucket is empty (the connection sends too fast). */
  take(): boolean {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/**
 * TURN credentials for one peer (coturn `use-auth-secret` / `static-auth-secret`): username `<expiry>:<peerId>`,
 * credential base64(HMAC-SHA1(secret, username)). Expiry in seconds since the epoch.
 */
export function turnCredentials(secret: string, peerId: string, expiresAt: number): { username: string; credential: string } {
  const username = `${expiresAt}:${peerId}`;
  return { username, credential: createHmac('sha1', secret).update(username).digest('base64') };
}

/** The ICE servers one peer gets: the configured ones plus, with a TURN secret, its own time-limited credentials. */
export function iceServersFor(config: ServerConfig, peerId: string, nowSeconds = Date.now() / 1000): MeetIceServer[] {
  if (!config.turnSecret || config.turnUrls.length === 0) return config.iceServers;
  const expiresAt = Math.floor(nowSeconds + config.turnCredentialHours * 3600);
  return [...config.iceServers, { urls: config.turnUrls, ...turnCredentials(config.turnSecret, peerId, expiresAt) }];
}
