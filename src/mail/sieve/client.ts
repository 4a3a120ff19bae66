/**
 * A small ManageSieve client (RFC 5804): STARTTLS (always, verified like every other connection of Ostal, see
 * src/net/tls.ts), AUTHENTICATE PLAIN, LISTSCRIPTS, GETSCRIPT, PUTSCRIPT, CHECKSCRIPT, SETACTIVE, DELETESCRIPT,
 * LOGOUT. No npm library for ManageSieve is maintained; the wire format is in protocol.ts.
 *
 * Every failure is an OstalError in French (net/errors.ts for the network and TLS, `mail.sieve.errors.*` for the
 * protocol); the server's own words go to the log only.
 */
import net from 'node:net';
import tls from 'node:tls';
import { OstalError } from '../../errors.js';
import { t } from '../../i18n/index.js';
import type { Logger } from '../../log.js';
import { networkErrorOf, networkFailure } from '../../net/errors.js';
import { tlsOptionsFor } from '../../net/tls.js';
import {
  capabilities,
  encodeString,
  MAX_RESPONSE_BYTES,
  parseResponse,
  scriptList,
  SieveProtocolError,
  type SieveResponse,
} from './protocol.js';

export interface SieveEndpoint {
  host: string;
  port: number;
}

/** `sieve://host:port`, the form stored in an account's settings. */
export function sieveUrl(e: SieveEndpoint): string {
  return `sieve://${e.host.includes(':') ? `[${e.host}]` : e.host}:${e.port}`;
}

export interface SieveLogin {
  endpoint: SieveEndpoint;
  username: string;
  password: string;
  pinnedCertificates?: readonly string[];
  timeoutMs?: number;
  log?: Logger;
}

export const SIEVE_DEFAULT_PORT = 4190;

/** `sieve://host[:4190]` (RFC 5804 §3); throws `invalid_input` in French. */
export function parseSieveUrl(raw: string): SieveEndpoint & { url: string } {
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    throw new OstalError('invalid_input', t('mail.sieve.errors.invalidUrl', { url: raw }));
  }
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (u.protocol !== 'sieve:' || !host || u.username || u.password || (u.pathname && u.pathname !== '/' && u.pathname !== '')) {
    throw new OstalError('invalid_input', t('mail.sieve.errors.invalidUrl', { url: raw }));
  }
  const port = u.port ? Number(u.port) : SIEVE_DEFAULT_PORT;
  return { host, port, url: sieveUrl({ host, port }) };
}

export class ManageSieveClient {
  private socket: net.Socket | tls.TLSSocket;
  private buffer: Buffer = Buffer.alloc(0);
  private waiter: { resolve: (r: SieveResponse) => void; reject: (e: Error) => void } | null = null;
  private failure: Error | null = null;
  private caps = new Map<string, string>();

  private constructor(
    private readonly login: SieveLogin,
    socket: net.Socket,
  ) {
    this.socket = socket;
    this.attach(socket);
  }

  /** Connects, upgrades to TLS, logs in. */
  static async connect(login: SieveLogin): Promise<ManageSieveClient> {
    const { host, port } = login.endpoint;
    const timeoutMs = login.timeoutMs ?? 10_000;
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect({ host, port });
      const timer = setTimeout(() => {
        s.destroy();
        reject(Object.assign(new Error('connect timeout'), { code: 'ETIMEDOUT' }));
      }, timeoutMs);
      s.once('connect', () => {
        clearTimeout(timer);
        resolve(s);
      });
      s.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    }).catch((e: unknown) => {
      throw toOstal(e, login.endpoint, login.log);
    });
    const client = new ManageSieveClient(login, socket);
    try {
      await client.start();
      return client;
    } catch (e) {
      client.close();
      throw toOstal(e, login.endpoint, login.log);
    }
  }

  get capabilities(): ReadonlyMap<string, string> {
    return this.caps;
  }

  /** Sieve extensions the server implements (the `SIEVE` capability). */
  get extensions(): Set<string> {
    return new Set((this.caps.get('SIEVE') ?? '').toLowerCase().split(/\s+/).filter(Boolean));
  }

  private async start(): Promise<void> {
    const greeting = await this.read();
    if (greeting.status !== 'OK') throw new SieveProtocolError(`greeting ${greeting.status}`);
    this.caps = capabilities(greeting);
    if (!this.caps.has('STARTTLS')) {
      throw new OstalError('server_error', t('mail.sieve.errors.noStarttls', { host: this.login.endpoint.host }));
    }
    const ok = await this.command('STARTTLS');
    this.expectOk(ok, 'STARTTLS');
    await this.upgrade();
    // RFC 5804 §2.2: the server re-issues its capabilities after TLS.
    const caps = await this.read();
    if (caps.status !== 'OK') throw new SieveProtocolError('no capabilities after STARTTLS');
    this.caps = capabilities(caps);
    const sasl = (this.caps.get('SASL') ?? '').toUpperCase().split(/\s+/);
    if (!sasl.includes('PLAIN')) throw new OstalError('server_error', t('mail.sieve.errors.noPlain', { host: this.login.endpoint.host }));
    const token = Buffer.from(`\0${this.login.username}\0${this.login.password}`, 'utf8').toString('base64');
    const auth = await this.command(`AUTHENTICATE "PLAIN" ${encodeString(token)}`);
    if (auth.status !== 'OK') {
      this.login.log?.warn('managesieve: login refused', { host: this.login.endpoint.host, code: auth.code, text: auth.text });
      throw new OstalError('auth_failed', t('mail.sieve.errors.authFailed', { host: this.login.endpoint.host }));
    }
  }

  private upgrade(): Promise<void> {
    const plain = this.socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('error');
    plain.removeAllListeners('close');
    if (this.buffer.length > 0) throw new SieveProtocolError('data after STARTTLS before the handshake');
    const { host } = this.login.endpoint;
    return new Promise<void>((resolve, reject) => {
      const secure = tls.connect({ socket: plain, ...tlsOptionsFor(host, this.login.pinnedCertificates ?? []) });
      const timer = setTimeout(() => {
        secure.destroy();
        reject(Object.assign(new Error('TLS timeout'), { code: 'ETIMEDOUT' }));
      }, this.login.timeoutMs ?? 10_000);
      secure.once('secureConnect', () => {
        clearTimeout(timer);
        secure.removeAllListeners('error');
        this.socket = secure;
        this.attach(secure);
        resolve();
      });
      secure.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
  }

  private attach(socket: net.Socket): void {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
      this.pump();
    });
    socket.on('error', (e) => this.fail(e));
    socket.on('close', () => this.fail(Object.assign(new Error('connection closed'), { code: 'ECONNRESET' })));
  }

  private fail(e: Error): void {
    if (!this.failure) this.failure = e;
    const w = this.waiter;
    this.waiter = null;
    w?.reject(e);
  }

  private pump(): void {
    if (!this.waiter) {
      if (this.buffer.length > MAX_RESPONSE_BYTES) this.fail(new SieveProtocolError('unsolicited data'));
      return;
    }
    let parsed: ReturnType<typeof parseResponse>;
    try {
      parsed = parseResponse(this.buffer);
    } catch (e) {
      this.fail(e as Error);
      this.socket.destroy();
      return;
    }
    if (!parsed) return;
    this.buffer = this.buffer.subarray(parsed.used);
    const w = this.waiter;
    this.waiter = null;
    w.resolve(parsed.response);
  }

  private read(): Promise<SieveResponse> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<SieveResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(Object.assign(new Error('response timeout'), { code: 'ETIMEDOUT' }));
        this.socket.destroy();
      }, this.login.timeoutMs ?? 10_000);
      this.waiter = {
        resolve: (r) => {
          clearTimeout(timer);
          if (r.status === 'BYE') {
            this.login.log?.warn('managesieve: server said BYE', { code: r.code, text: r.text });
            reject(Object.assign(new Error('server closed the session'), { code: 'ECONNRESET' }));
            return;
          }
          resolve(r);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      this.pump();
    });
  }

  private async command(line: string): Promise<SieveResponse> {
    if (this.failure) throw this.failure;
    this.socket.write(`${line}\r\n`);
    return this.read();
  }

  private expectOk(r: SieveResponse, what: string): void {
    if (r.status !== 'OK') {
      this.login.log?.warn(`managesieve: ${what} refused`, { code: r.code, text: r.text });
      throw new OstalError('server_error', t('mail.sieve.errors.refused', { host: this.login.endpoint.host }), {
        details: { sieveCode: r.code },
      });
    }
  }

  async listScripts(): Promise<{ name: string; active: boolean }[]> {
    const r = await this.run('LISTSCRIPTS');
    this.expectOk(r, 'LISTSCRIPTS');
    return scriptList(r);
  }

  /** The script's text, or null when the server has no script of that name. */
  async getScript(name: string): Promise<string | null> {
    const r = await this.run(`GETSCRIPT ${encodeString(name)}`);
    if (r.status === 'NO' && r.code === 'NONEXISTENT') return null;
    this.expectOk(r, 'GETSCRIPT');
    const first = r.lines[0]?.[0];
    if (r.lines.length !== 1 || first?.kind !== 'string')
      throw toOstal(new SieveProtocolError('GETSCRIPT without one string'), this.login.endpoint);
    return first.value;
  }

  /** Compiles a script without storing it: null when valid, else the server's explanation (for the log). */
  async checkScript(script: string): Promise<string | null> {
    const r = await this.run(`CHECKSCRIPT ${encodeString(script)}`);
    if (r.status === 'OK') return null;
    return r.text ?? r.code ?? 'invalid';
  }

  async putScript(name: string, script: string): Promise<void> {
    const r = await this.run(`PUTSCRIPT ${encodeString(name)} ${encodeString(script)}`);
    if (r.status === 'NO') {
      this.login.log?.warn('managesieve: PUTSCRIPT refused', { name, code: r.code, text: r.text });
      if (r.code?.startsWith('QUOTA'))
        throw new OstalError('quota_exceeded', t('mail.sieve.errors.quota', { host: this.login.endpoint.host }));
      throw new OstalError('server_error', t('mail.sieve.errors.scriptRefused', { host: this.login.endpoint.host }), {
        details: { sieveCode: r.code },
      });
    }
    this.expectOk(r, 'PUTSCRIPT');
  }

  /** Makes `name` the active script; an empty name deactivates every script. */
  async setActive(name: string): Promise<void> {
    this.expectOk(await this.run(`SETACTIVE ${encodeString(name)}`), 'SETACTIVE');
  }

  async deleteScript(name: string): Promise<void> {
    this.expectOk(await this.run(`DELETESCRIPT ${encodeString(name)}`), 'DELETESCRIPT');
  }

  private async run(line: string): Promise<SieveResponse> {
    try {
      return await this.command(line);
    } catch (e) {
      this.close();
      throw toOstal(e, this.login.endpoint, this.login.log);
    }
  }

  async logout(): Promise<void> {
    try {
      if (!this.failure) await this.command('LOGOUT');
    } catch {
      /* closing anyway */
    } finally {
      this.close();
    }
  }

  close(): void {
    this.failure ??= new Error('closed');
    this.socket.destroy();
  }
}

/** Any failure of a ManageSieve exchange as the user reads it. */
function toOstal(e: unknown, endpoint: SieveEndpoint, log?: Logger): OstalError {
  if (e instanceof OstalError) return e;
  if (e instanceof SieveProtocolError) {
    log?.warn('managesieve: malformed server answer', { host: endpoint.host, port: endpoint.port, err: e });
    return new OstalError('server_error', t('mail.sieve.errors.malformed', { host: endpoint.host }), { cause: e });
  }
  const failure = networkFailure(e);
  log?.warn('managesieve: connection failed', { host: endpoint.host, port: endpoint.port, err: e as Error });
  return networkErrorOf(failure ?? 'unreachable', endpoint, e);
}
