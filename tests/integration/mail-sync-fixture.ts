/** Shared set-up of the mail sync and status tests: a Core on a temporary profile with real accounts of the test servers. */
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ImapFlow } from 'imapflow';
import { Core } from '../../src/core.js';
import type { SecretStore } from '../../src/secrets/index.js';
import { silentLogger } from '../../src/log.js';
import type { ServerSettings } from '../../src/shared/contract.js';
import { getServers } from '../servers/testing.js';
import type { TestUser } from '../servers/types.js';
import { coreWithAccount } from './account-fixture.js';

/** SecretStore kept in memory: same interface as the file and keychain stores. */
export class MemorySecretStore implements SecretStore {
  private readonly values = new Map<string, string>();
  async get(key: string): Promise<string | null> {
    return this.values.get(key) ?? null;
  }
  async set(key: string, value: string): Promise<void> {
    this.values.set(key, value);
  }
  async delete(key: string): Promise<void> {
    this.values.delete(key);
  }
}

export interface TestProfile {
  core: Core;
  dir: string;
  close(): Promise<void>;
}

export async function openTestCore(): Promise<TestProfile> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-mailsync-'));
  const core = await Core.open({ profileDir: dir, mode: 'cli', secrets: new MemorySecretStore(), policyPath: null, logger: silentLogger });
  return {
    core,
    dir,
    async close() {
      await core.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A Core on a new temporary profile (its folder pushed to `dirs` for the test's clean-up) holding `user`'s account
 * added through accounts.add as the app adds it, mail servers only: IMAP over implicit TLS and submission.
 */
export function mailOnlyCore(user: TestUser, dirs: string[]): Promise<{ core: Core; accountId: string; dir: string }> {
  return coreWithAccount(user, dirs, 'ostal-mail-only-');
}

export function imapUrl(tls = false): string {
  const s = getServers();
  return tls ? `imaps://localhost:${s.imap.tlsPort}` : `imap://localhost:${s.imap.port}`;
}

/** Insert an account row and its password the way src/accounts/ stores them. */
export async function addAccount(
  core: Core,
  user: TestUser,
  settings: Partial<ServerSettings> = {},
  password = user.password,
): Promise<string> {
  const s = getServers();
  const id = crypto.randomUUID();
  const full: ServerSettings = { imap: imapUrl(), smtp: `smtp://localhost:${s.smtp.port}`, username: user.username, ...settings };
  core.ctx.db
    .prepare('INSERT INTO accounts (id, email, name, settings, created_at) VALUES (?, ?, ?, ?, ?)')
    .run(id, user.email, user.name, JSON.stringify(full), new Date().toISOString());
  await core.ctx.secrets.set(`account:${id}:password`, password);
  return id;
}

/** An independent IMAP connection (implicit TLS) to check what the server really holds. */
export async function serverConnection(user: TestUser): Promise<ImapFlow> {
  const s = getServers();
  const client = new ImapFlow({
    host: 'localhost',
    port: s.imap.tlsPort,
    secure: true,
    auth: { user: user.username, pass: user.password },
    logger: false,
  });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** A plain TCP relay in front of a test server (Dovecot, Postfix, Radicale…): closing it makes the server unreachable for the account using it, without disturbing other test files. Reopening keeps its port unless told otherwise. */
export class TcpRelay {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  port = 0;

  constructor(private readonly targetPort: number) {}

  async open(port = this.port): Promise<void> {
    const server = net.createServer((client) => {
      const upstream = net.connect({ host: '127.0.0.1', port: this.targetPort });
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as net.AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

export async function waitFor<T>(what: string, fn: () => T | Promise<T>, timeoutMs = 15_000): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
