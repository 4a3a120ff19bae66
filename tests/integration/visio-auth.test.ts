/**
 * The meeting server in production shape: agents sign in with their mail account (a real IMAP LOGIN on the test
 * Dovecot), tokens bound to one agent and one room, slowed-down failures, refusal to listen beyond loopback without
 * authentication, and the per-connection limits (malformed or oversized messages, message rate, connections per
 * address). Real server process, real sockets.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { JoinResult, MeetError, MeetSignInResult, MeetTokenClaims } from '../../src/shared/meet-protocol.js';
import { newRoomId } from '../../src/shared/meet-protocol.js';
import { spawnVisioServer, type VisioServerProcess } from '../../server/src/spawn.js';
import { signJoinToken } from '../../server/src/token.js';
import { FailureThrottle } from '../../server/src/agent-auth.js';
import { turnCredentials } from '../../server/src/limits.js';
import { getServers, testUser } from '../servers/testing.js';
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Core } from '../../src/core.js';
import { FileSecretStore } from '../../src/secrets/index.js';

const SECRET = 'secret-de-test-visio-auth-0123456789abcdef';

interface Answer {
  status: number;
  body: Partial<MeetSignInResult> & { error?: string; message?: string };
  ms: number;
}

async function signIn(visio: VisioServerProcess, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const started = performance.now();
  const res = await fetch(`${visio.url}/api/connexion`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Answer['body']) : {}, ms: performance.now() - started };
}

function claimsOf(token: string): MeetTokenClaims {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as MeetTokenClaims;
}

/** One WebSocket request/answer, or the close code when the server closes the socket instead. */
class Socket {
  private nextId = 1;
  readonly closed: Promise<number>;
  private readonly answers = new Map<number, (v: { result?: unknown; error?: MeetError }) => void>();

  private constructor(readonly ws: WebSocket) {
    this.closed = new Promise((resolve) => ws.on('close', (code) => resolve(code)));
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: MeetError };
      if (typeof m.id === 'number') this.answers.get(m.id)?.(m);
    });
  }

  static open(url: string, origin?: string): Promise<Socket> {
    const ws = new WebSocket(url, origin ? { origin } : {});
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new Socket(ws)));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  request(method: string, params: object): Promise<{ result?: unknown; error?: MeetError }> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.answers.set(id, resolve);
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }

  close(): void {
    this.ws.close();
  }
}

describe('visio server: agent sign-in against the test Dovecot', () => {
  let visio: VisioServerProcess;
  const sockets: Socket[] = [];
  const open = async (origin?: string) => {
    const s = await Socket.open(visio.wsUrl, origin);
    sockets.push(s);
    return s;
  };

  beforeAll(async () => {
    const servers = getServers();
    visio = await spawnVisioServer({
      tokenSecret: SECRET,
      rtcMinPort: 44000,
      rtcMaxPort: 44999,
      maxConnectionsPerAddress: 20,
      maxMessagesPerSecond: 20,
      maxMessageBurst: 40,
      maxMessageBytes: 16_384,
      turnSecret: 'secret-partage-coturn-de-test',
      turnUrls: ['turn:turn.ostal.test:3478'],
      auth: {
        imap: { host: 'localhost', port: servers.imap.port, security: 'starttls', caFile: servers.caCertPath },
        ldap: null,
        tokenMinutes: 5,
        displayNames: { [testUser(1).username]: testUser(1).name },
      },
    });
  }, 90_000);

  afterAll(async () => {
    for (const s of sockets) s.close();
    if (visio) await visio.stop();
  });

  it('visio-auth: the right password gives a token for that agent only, for that room, with an expiry', async () => {
    const agent = testUser(1);
    const roomA = newRoomId();
    const before = Math.floor(Date.now() / 1000);
    const answer = await signIn(visio, { login: agent.username, password: agent.password, roomId: roomA });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ displayName: agent.name, login: agent.username });
    const claims = claimsOf(answer.body.token!);
    expect(claims).toMatchObject({ sub: agent.username, name: agent.name, room: roomA, role: 'participant' });
    expect(claims.exp).toBe(answer.body.expiresAt);
    expect(claims.exp).toBeGreaterThanOrEqual(before + 5 * 60);
    expect(claims.exp).toBeLessThanOrEqual(before + 5 * 60 + 5);

    // The token opens room A, under the name the server gave (not the one the client sends), with per-peer TURN credentials.
    const a = await open();
    const joined = await a.request('join', { roomId: roomA, displayName: 'Quelqu’un d’autre', token: answer.body.token });
    expect(joined.result).toMatchObject({ status: 'joined', role: 'organiser', displayName: agent.name });
    const result = joined.result as Extract<JoinResult, { status: 'joined' }>;
    const turn = result.iceServers?.find((s) => String(s.urls).includes('turn.ostal.test'));
    expect(turn?.username).toMatch(new RegExp(`^\\d+:${result.peerId}$`));
    const expiry = Number(turn!.username!.split(':')[0]);
    expect(expiry).toBeGreaterThan(Date.now() / 1000 + 7 * 3600);
    expect(expiry).toBeLessThan(Date.now() / 1000 + 9 * 3600);
    expect(turn?.credential).toBe(createHmac('sha1', 'secret-partage-coturn-de-test').update(turn!.username!).digest('base64'));
    expect(turnCredentials('secret-partage-coturn-de-test', result.peerId, expiry).credential).toBe(turn?.credential);

    // The same token does not open room B.
    const b = await open();
    const other = await b.request('join', { roomId: newRoomId(), displayName: 'Agent', token: answer.body.token });
    expect(other.error?.code).toBe('token_invalid');

    // A second agent signs in for room A with its own name (made from the login: no configured name).
    const agent2 = testUser(2);
    const second = await signIn(visio, { login: agent2.username.toUpperCase(), password: agent2.password, roomId: roomA });
    expect(second.status).toBe(200);
    expect(second.body.displayName).toBe('Agent2');
    expect(claimsOf(second.body.token!).sub).toBe(agent2.username);
    const c = await open();
    expect((await c.request('join', { roomId: roomA, displayName: 'x', token: second.body.token })).result).toMatchObject({
      status: 'joined',
      role: 'participant',
      displayName: 'Agent2',
    });
    // Neither passwords nor logins nor tokens are logged.
    await expect.poll(() => visio.logs()).toContain('sign_in_ok');
    for (const secret of [agent.password, agent.username, agent2.username, answer.body.token!]) expect(visio.logs()).not.toContain(secret);
  });

  it('visio-auth: Ostal’s core signs the agent in with its mail account, only on the organisation’s server', async () => {
    const servers = getServers();
    const agent = testUser(4);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-visio-auth-'));
    const policyPath = path.join(dir, 'policies.json');
    const legacy = signJoinToken({ sub: 'organisation', role: 'organiser', room: '*', exp: Math.floor(Date.now() / 1000) + 3600 }, SECRET);
    fs.writeFileSync(
      policyPath,
      JSON.stringify({
        settings: { 'visio.serverUrl': { value: visio.url, locked: true }, 'visio.joinToken': { value: legacy, locked: true } },
      }),
    );
    const secrets = new FileSecretStore(path.join(dir, 'secrets.json'));
    const warnings: string[] = [];
    const core = await Core.open({
      profileDir: path.join(dir, 'profil'),
      mode: 'cli',
      policyPath,
      secrets,
      logger: { info() {}, warn: (msg) => warnings.push(msg), error: (msg) => warnings.push(msg) },
    });
    try {
      const account = await core.handle('accounts.add', {
        email: agent.email,
        password: agent.password,
        name: agent.name,
        settings: {
          imap: `imaps://localhost:${servers.imap.tlsPort}`,
          smtp: `smtp://localhost:${servers.smtp.port}`,
          caldav: null,
          carddav: null,
          webdav: null,
          username: null,
        },
      });
      const roomId = newRoomId();
      const signed = await core.handle('visio.signIn', { roomId, serverUrl: `${visio.url}/` });
      expect(signed.displayName).toBe('Agent4');
      expect(claimsOf(signed.token)).toMatchObject({ sub: agent.username, room: roomId, exp: signed.expiresAt });
      const s = await open();
      expect((await s.request('join', { roomId, displayName: 'x', token: signed.token })).result).toMatchObject({ status: 'joined' });
      // The deprecated shared token is noted for IT, in French, in the log.
      expect(warnings.some((w) => w.includes('visio.joinToken') && w.includes('obsolète'))).toBe(true);

      // The password never goes to the server of a link from elsewhere.
      await expect(core.handle('visio.signIn', { roomId, serverUrl: 'https://visio.ailleurs.example' })).rejects.toMatchObject({
        code: 'not_configured',
        message: expect.stringContaining('vous y entrerez comme invité'),
      });
      // A password the mail server no longer accepts: refused, in French.
      await secrets.set(`account:${account.id}:password`, 'plus-le-bon');
      await expect(core.handle('visio.signIn', { roomId })).rejects.toMatchObject({
        code: 'auth_failed',
        message: `Le serveur de visio a refusé l’identifiant ou le mot de passe du compte ${agent.email}.`,
      });
    } finally {
      await core.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('visio-auth: a forged or expired token is refused', async () => {
    const roomId = newRoomId();
    const now = Math.floor(Date.now() / 1000);
    const s = await open();
    const forged = signJoinToken(
      { sub: testUser(1).username, room: roomId, role: 'organiser', exp: now + 600 },
      'un-autre-secret-'.repeat(3),
    );
    expect((await s.request('join', { roomId, displayName: 'A', token: forged })).error?.code).toBe('token_invalid');
    // A real token whose payload was changed (another room) keeps its old signature: refused.
    const real = (await signIn(visio, { login: testUser(1).username, password: testUser(1).password, roomId: newRoomId() })).body.token!;
    const parts = real.split('.');
    parts[1] = Buffer.from(JSON.stringify({ ...claimsOf(real), room: roomId })).toString('base64url');
    expect((await s.request('join', { roomId, displayName: 'A', token: parts.join('.') })).error?.code).toBe('token_invalid');
    const expired = signJoinToken({ sub: testUser(1).username, room: roomId, role: 'participant', exp: now - 3600 }, SECRET);
    expect((await s.request('join', { roomId, displayName: 'A', token: expired })).error?.code).toBe('token_expired');
  });

  it('visio-auth: malformed requests, other methods and foreign pages are refused in French', async () => {
    const bad = await signIn(visio, { login: testUser(1).username, roomId: newRoomId() });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/mal formée/);
    // Credentials never travel in a URL: GET is not accepted.
    const get = await fetch(`${visio.url}/api/connexion?login=a&password=b`);
    expect(get.status).toBe(405);
    const foreign = await signIn(visio, { login: 'a', password: 'b', roomId: newRoomId() }, { origin: 'https://pirate.example' });
    expect(foreign.status).toBe(403);
    expect(foreign.body.message).toBe('Cette page n’est pas autorisée à connecter des agents.');
    // The WebSocket refuses a page of a foreign origin, accepts Ostal's own.
    await expect(Socket.open(visio.wsUrl, 'https://pirate.example')).rejects.toThrow('HTTP 403');
    const electron = await open('ostal-app://renderer');
    expect((await electron.request('join', { roomId: 'court', displayName: 'A' })).error?.code).toBe('bad_request');
    const browserMode = await open('http://127.0.0.1:39999');
    expect((await browserMode.request('join', { roomId: 'court', displayName: 'A' })).error?.code).toBe('bad_request');
    const own = await open(new URL(visio.url).origin);
    expect((await own.request('join', { roomId: 'court', displayName: 'A' })).error?.code).toBe('bad_request');
  });

  it('visio-auth: a malformed or oversized message, or a flood, closes only its own connection', async () => {
    const roomId = newRoomId();
    const agent = testUser(1);
    const token = (await signIn(visio, { login: agent.username, password: agent.password, roomId })).body.token!;
    const a = await open();
    await a.request('join', { roomId, displayName: 'A', token });
    const b = await open();
    const waiting = await b.request('join', { roomId, displayName: 'Invité' });
    expect(waiting.result).toMatchObject({ status: 'waiting' });

    const garbage = await open();
    garbage.ws.send('ceci n’est pas du JSON');
    expect(await garbage.closed).toBe(1008);
    const array = await open();
    array.ws.send('[1,2,3]');
    expect(await array.closed).toBe(1008);
    const big = await open();
    big.ws.send(JSON.stringify({ id: 1, method: 'chat', params: { text: 'x'.repeat(20_000) } }));
    expect(await big.closed).toBe(1009);
    const flood = await open();
    for (let i = 0; i < 200; i++) flood.ws.send(JSON.stringify({ id: i + 1, method: 'getStats', params: {} }));
    expect(await flood.closed).toBe(1008);

    // The meeting goes on: the organiser admits the guest, chat crosses.
    const admitted = await a.request('admit', { peerId: (waiting.result as { peerId: string }).peerId });
    expect(admitted.result).toEqual({});
    expect((await b.request('chat', { text: 'Toujours là' })).result).toEqual({});
    expect((await a.request('getStats', {})).result).toMatchObject({ transports: [] });
    await expect.poll(() => visio.logs()).toContain('malformed_message');
    await expect.poll(() => visio.logs()).toContain('message_rate_exceeded');
  });

  it('visio-auth: connections from one address are cut at the limit, the others keep working', async () => {
    const held: WebSocket[] = [];
    let refused = 0;
    const already = sockets.filter((s) => s.ws.readyState === WebSocket.OPEN).length;
    for (let i = 0; i < 60; i++) {
      const ws = new WebSocket(visio.wsUrl);
      const outcome = await new Promise<'open' | 'refused'>((resolve) => {
        ws.once('open', () => resolve('open'));
        ws.once('unexpected-response', (_req, res) => resolve(res.statusCode === 429 ? 'refused' : 'open'));
        ws.once('error', () => resolve('refused'));
      });
      if (outcome === 'open') held.push(ws);
      else refused++;
    }
    expect(already + held.length).toBe(20);
    expect(refused).toBe(60 - held.length);
    // Closing some frees places again.
    for (const ws of held.splice(0, 5)) ws.close();
    await new Promise((r) => setTimeout(r, 300));
    const again = await Socket.open(visio.wsUrl);
    expect((await again.request('join', { roomId: 'court', displayName: 'A' })).error?.code).toBe('bad_request');
    again.close();
    for (const ws of held) ws.close();
  });

  it('visio-auth: a wrong password is refused in French, and repeated failures are answered more and more slowly', async () => {
    const agent = testUser(3);
    const roomId = newRoomId();
    const times: number[] = [];
    for (let i = 0; i < 4; i++) {
      const answer = await signIn(visio, { login: agent.username, password: `faux-${i}`, roomId });
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual({ error: 'auth_failed', message: 'Identifiant ou mot de passe incorrect.' });
      times.push(answer.ms);
    }
    // 0, then 0.5 s, 1 s, 2 s of wait before the check.
    expect(times[1]).toBeGreaterThanOrEqual(450);
    expect(times[2]).toBeGreaterThanOrEqual(950);
    expect(times[3]).toBeGreaterThanOrEqual(1950);
    expect(times[2] - times[1]).toBeGreaterThan(300);
    expect(times[3] - times[2]).toBeGreaterThan(700);
    // The right password still gets in, after the wait.
    const right = await signIn(visio, { login: agent.username, password: agent.password, roomId });
    expect(right.status).toBe(200);
    expect(right.ms).toBeGreaterThanOrEqual(3950);
    await expect.poll(() => visio.logs()).toContain('sign_in_refused');
  }, 60_000);
});

describe('visio server: failure counters stay bounded', () => {
  it('visio-auth: the throttle keeps at most its maximum of counters and forgets the oldest', () => {
    let now = 0;
    const throttle = new FailureThrottle(100, () => now);
    for (let i = 0; i < 1000; i++) throttle.failed([`login:${i}`]);
    expect(throttle.size).toBe(100);
    expect(throttle.delayFor(['login:0'])).toBe(0);
    throttle.failed(['login:999']);
    expect(throttle.delayFor(['login:999'])).toBe(1000);
    now += 16 * 60_000;
    expect(throttle.delayFor(['login:999'])).toBe(0);
  });
});

describe('visio server: refuses to listen beyond loopback without authentication', () => {
  it('visio-auth: host 0.0.0.0 without requireToken, or without any authentication, does not start', async () => {
    await expect(spawnVisioServer({ host: '0.0.0.0', requireToken: false })).rejects.toThrow(
      /code 2[\s\S]*sans authentification des agents/,
    );
    await expect(spawnVisioServer({ host: '0.0.0.0' })).rejects.toThrow(/code 2[\s\S]*Aucune authentification des agents n’est configurée/);
  }, 60_000);
});
