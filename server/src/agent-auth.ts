/**
 * Agent sign-in: `POST /api/connexion` with a JSON body `{ "login", "password", "roomId" }` (never in the URL: proxies
 * log URLs). The login and password are checked by a real IMAP LOGIN on the organisation's mail server (STARTTLS or
 * implicit TLS, certificate verified); the answer is a short-lived join token bound to that agent and that room:
 * `{ "token", "expiresAt", "displayName", "login" }`. Refusals are French sentences in `{ "error", "message" }`.
 * Repeated failures for one login or one remote address are slowed down: each failure doubles the wait before the
 * next check (0.5 s, 1 s, 2 s… up to 30 s), counters forgotten after 15 minutes without failure, at most
 * {@link MAX_TRACKED} of them kept (the oldest dropped first).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import type http from 'node:http';
import net from 'node:net';
import type { MeetTokenClaims } from '../../src/shared/meet-protocol.js';
import type { AgentAuthConfig, ImapAuthConfig } from './config.js';
import { errorText, log } from './log.js';
import { signJoinToken } from './token.js';

const ROOM_ID_PATTERN = /^[A-Za-z0-9_-]{22,64}$/;
const MAX_BODY_BYTES = 8 * 1024;
const MAX_LOGIN_LENGTH = 254;
const MAX_PASSWORD_LENGTH = 1024;
/** Sign-ins being checked at once (each holds an IMAP connection); beyond: « réessayez ». */
const MAX_IN_FLIGHT = 64;
const IMAP_TIMEOUT_MS = 10_000;

/** Failure counters kept at most (bounded memory whatever an attacker sends). */
export const MAX_TRACKED = 10_000;
const FORGET_AFTER_MS = 15 * 60_000;
const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 30_000;

/** French messages of the endpoint (the client shows them as they are). */
export const SIGN_IN_MESSAGES = {
  refused: 'Identifiant ou mot de passe incorrect.',
  badRequest: 'Demande de connexion mal formée\u00a0: identifiant, mot de passe et réunion sont attendus.',
  unavailable: 'Le serveur de messagerie de l’organisation ne répond pas\u00a0: la connexion à la visio est impossible pour le moment.',
  busy: 'Trop de connexions en cours\u00a0: réessayez dans quelques secondes.',
  notConfigured: 'Ce serveur de visio ne propose pas la connexion des agents.',
  origin: 'Cette page n’est pas autorisée à connecter des agents.',
} as const;

/** Growing delay per key (login, remote address) after failures. */
export class FailureThrottle {
  private readonly failures = new Map<string, { count: number; last: number }>();

  constructor(
    private readonly maxTracked = MAX_TRACKED,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.failures.size;
  }

  private count(key: string): number {
    const entry = this.failures.get(key);
    if (!entry) return 0;
    if (this.now() - entry.last > FORGET_AFTER_MS) {
      this.failures.delete(key);
      return 0;
    }
    return entry.count;
  }

  /** Milliseconds to wait before checking a sign-in for these keys. */
  delayFor(keys: string[]): number {
    const n = Math.max(0, ...keys.map((k) => this.count(k)));
    return n === 0 ? 0 : Math.min(FIRST_DELAY_MS * 2 ** (n - 1), MAX_DELAY_MS);
  }

  failed(keys: string[]): void {
    for (const key of keys) {
      const count = this.count(key) + 1;
      // Re-inserted at the end: the Map's order is the order of last failure, the first entry the oldest.
      this.failures.delete(key);
      this.failures.set(key, { count, last: this.now() });
      while (this.failures.size > this.maxTracked) this.failures.delete(this.failures.keys().next().value as string);
    }
  }

  succeeded(key: string): void {
    this.failures.delete(key);
  }
}

/** Display name of an agent: the configured one, else made from the login (camille.martin@x.fr → Camille Martin). */
export function displayNameFor(auth: AgentAuthConfig, login: string): string {
  const configured = auth.displayNames[login] ?? Object.entries(auth.displayNames).find(([k]) => k.toLowerCase() === login)?.[1];
  if (configured && configured.trim()) return configured.trim().slice(0, 80);
  const local = login.split('@')[0] ?? login;
  const words = local
    .split(/[._-]+/)
    .filter(Boolean)
    .map((w) => w.charAt(0).toLocaleUpperCase('fr') + w.slice(1));
  return (words.join(' ') || login).slice(0, 80);
}

export type CredentialCheck = 'ok' | 'refused' | 'unavailable';

/** A real IMAP LOGIN (imapflow, verifyOnly): 'ok', 'refused' (bad login or password), or 'unavailable'. */
export async function checkImapLogin(imap: ImapAuthConfig, login: string, password: string): Promise<CredentialCheck> {
  const { ImapFlow } = await import('imapflow');
  const servername = net.isIP(imap.host) ? undefined : imap.host;
  const client = new ImapFlow({
    host: imap.host,
    port: imap.port,
    secure: imap.security === 'tls',
    doSTARTTLS: imap.security === 'starttls' ? true : undefined,
    tls: {
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
      ...(servername ? { servername } : {}),
      ...(imap.caFile ? { ca: fs.readFileSync(imap.caFile, 'utf8') } : {}),
    },
    auth: { user: login, pass: password },
    logger: false,
    verifyOnly: true,
    clientInfo: { name: 'Ostal visio' },
    connectionTimeout: IMAP_TIMEOUT_MS,
    greetingTimeout: IMAP_TIMEOUT_MS,
    socketTimeout: IMAP_TIMEOUT_MS,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return 'ok';
  } catch (error) {
    if ((error as { authenticationFailed?: boolean }).authenticationFailed) return 'refused';
    log('warn', 'imap_check_failed', { error: errorText(error) });
    return 'unavailable';
  } finally {
    client.close();
  }
}

export interface SignInResult {
  token: string;
  /** Seconds since the epoch. */
  expiresAt: number;
  displayName: string;
  login: string;
}

export interface AgentSignIn {
  /** The secret agent tokens are signed with (the configured tokenSecret, or a random one per process). */
  readonly secret: string;
  handle(req: http.IncomingMessage, res: http.ServerResponse, remoteAddress: string): void;
}

export function createAgentSignIn(
  auth: AgentAuthConfig | null,
  tokenSecret: string | null,
  check: (login: string, password: string) => Promise<CredentialCheck> = (login, password) =>
    auth?.imap ? checkImapLogin(auth.imap, login, password) : Promise.resolve('unavailable'),
): AgentSignIn {
  const secret = tokenSecret ?? randomBytes(32).toString('base64url');
  const throttle = new FailureThrottle();
  let inFlight = 0;

  const answer = (res: http.ServerResponse, status: number, body: object, extra: Record<string, string> = {}) => {
    res
      .writeHead(status, {
        'content-type': 'application/json; charset=utf-8',
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        ...extra,
      })
      .end(JSON.stringify(body));
  };
  const refuse = (res: http.ServerResponse, status: number, error: string, message: string) => answer(res, status, { error, message });

  const readBody = (req: http.IncomingMessage): Promise<string | null> =>
    new Promise((resolve) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) {
          resolve(null);
          req.destroy();
          return;
        }
        chunks.push(chunk);
      });
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      req.on('error', () => resolve(null));
    });

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse, remoteAddress: string) => {
    if (!auth || (!auth.imap && !auth.ldap)) return refuse(res, 404, 'not_configured', SIGN_IN_MESSAGES.notConfigured);
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
      return refuse(res, 415, 'bad_request', SIGN_IN_MESSAGES.badRequest);
    }
    const raw = await readBody(req);
    let body: unknown = null;
    try {
      body = raw === null ? null : JSON.parse(raw);
    } catch {
      body = null;
    }
    const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const login = typeof b.login === 'string' ? b.login.trim().toLowerCase() : '';
    const password = typeof b.password === 'string' ? b.password : '';
    const roomId = typeof b.roomId === 'string' ? b.roomId : '';
    if (
      login === '' ||
      login.length > MAX_LOGIN_LENGTH ||
      /[\s"\\]/.test(login) ||
      password === '' ||
      password.length > MAX_PASSWORD_LENGTH ||
      !ROOM_ID_PATTERN.test(roomId)
    ) {
      return refuse(res, 400, 'bad_request', SIGN_IN_MESSAGES.badRequest);
    }
    if (inFlight >= MAX_IN_FLIGHT) return refuse(res, 503, 'busy', SIGN_IN_MESSAGES.busy);
    inFlight++;
    try {
      const keys = [`login:${login}`, `address:${remoteAddress}`];
      const delay = throttle.delayFor(keys);
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      const result = await check(login, password);
      if (result === 'unavailable') return refuse(res, 502, 'unavailable', SIGN_IN_MESSAGES.unavailable);
      if (result === 'refused') {
        throttle.failed(keys);
        log('info', 'sign_in_refused', { delayMs: delay });
        return refuse(res, 401, 'auth_failed', SIGN_IN_MESSAGES.refused);
      }
      throttle.succeeded(`login:${login}`);
      const now = Math.floor(Date.now() / 1000);
      const expiresAt = now + auth.tokenMinutes * 60;
      const displayName = displayNameFor(auth, login);
      const claims: MeetTokenClaims = {
        iss: 'ostal-visio',
        sub: login,
        name: displayName,
        room: roomId,
        role: 'participant',
        iat: now,
        exp: expiresAt,
      };
      log('info', 'sign_in_ok', { minutes: auth.tokenMinutes });
      return answer(res, 200, { token: signJoinToken(claims, secret), expiresAt, displayName, login } satisfies SignInResult);
    } finally {
      inFlight--;
    }
  };

  return {
    secret,
    handle: (req, res, remoteAddress) => {
      handle(req, res, remoteAddress).catch((error: unknown) => {
        log('error', 'sign_in_failed', { error: errorText(error) });
        if (!res.headersSent) refuse(res, 500, 'server_error', SIGN_IN_MESSAGES.unavailable);
      });
    },
  };
}
