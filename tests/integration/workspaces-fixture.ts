/**
 * Helpers of the espaces de travail tests: a Core per agent and profile (account with the run's Prosody), and a
 * TCP relay before Prosody that can be cut and restored (the agent's network goes away, not the server that other
 * test files use).
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Core } from '../../src/core.js';
import { silentLogger, type Logger } from '../../src/log.js';
import { getServers } from '../servers/testing.js';
import type { User } from './files-fixture.js';

export interface OpenedCore {
  core: Core;
  accountId: string;
}

export async function openWorkspaceCore(
  user: User,
  profileDir: string,
  xmpp: string | null,
  options: { logger?: Logger } = {},
): Promise<OpenedCore> {
  const s = getServers();
  const core = await Core.open({
    profileDir,
    mode: 'cli',
    logger: options.logger ?? silentLogger,
    policyPath: path.join(profileDir, '..', 'no-policy.json'),
  });
  const existing = (await core.handle('accounts.list', {})).find((a) => a.email === user.email);
  const accountId =
    existing?.id ??
    (
      await core.handle('accounts.add', {
        email: user.email,
        password: user.password,
        name: user.name,
        settings: {
          imap: `imaps://localhost:${s.imap.tlsPort}`,
          smtp: `smtp://localhost:${s.smtp.port}`,
          caldav: null,
          carddav: null,
          webdav: null,
          xmpp,
          username: user.username,
        },
      })
    ).id;
  await core.handle('settings.set', { key: 'workspaces.webdavRoot', value: s.sharedWebdavRoot });
  return { core, accountId };
}

export function tempProfile(dirs: string[], label: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `ostal-espaces-${label}-`));
  dirs.push(dir);
  return path.join(dir, 'profil');
}

/** A loopback TCP relay to `targetPort`: `cut()` drops every connection and refuses new ones until `restore()`. */
export class Relay {
  private readonly sockets = new Set<net.Socket>();
  private up = true;
  private constructor(
    private readonly server: net.Server,
    readonly port: number,
  ) {}

  static async start(targetPort: number): Promise<Relay> {
    let relay: Relay | null = null;
    const server = net.createServer((client) => {
      if (!relay?.up) {
        client.destroy();
        return;
      }
      const upstream = net.connect(targetPort, '127.0.0.1');
      const pair = [client, upstream];
      for (const s of pair) {
        relay.sockets.add(s);
        s.on('error', () => undefined);
        s.on('close', () => {
          relay?.sockets.delete(s);
          for (const other of pair) other.destroy();
        });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    relay = new Relay(server, (server.address() as net.AddressInfo).port);
    return relay;
  }

  cut(): void {
    this.up = false;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  restore(): void {
    this.up = true;
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
