/**
 * Connection state seen by the UI: the background probe switches an account to « Hors ligne »
 * within seconds when its IMAP server stops answering, and back to « En ligne » (with a sync)
 * when it returns. The account reaches Dovecot through a TCP relay owned by this test, so
 * « stopping the server » here does not disturb the other test files that share Dovecot.
 */
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppStatus } from '../../src/shared/contract.js';
import { getServers, testUser } from '../servers/testing.js';
import { addAccount, openTestCore, TcpRelay, waitFor, type TestProfile } from './mail-sync-fixture.js';

describe('status and background sync', () => {
  let profile: TestProfile;
  let relay: TcpRelay;
  let accountId: string;
  const statuses: AppStatus[] = [];
  const previousProbe = process.env.OSTAL_PROBE_INTERVAL_MS;

  beforeAll(async () => {
    process.env.OSTAL_PROBE_INTERVAL_MS = '300';
    relay = new TcpRelay(getServers().imap.port);
    await relay.open();
    profile = await openTestCore();
    profile.core.onEvent((event, data) => event === 'status.changed' && statuses.push(data as AppStatus));
  });
  afterAll(async () => {
    await profile.close();
    await relay.close();
    if (previousProbe === undefined) delete process.env.OSTAL_PROBE_INTERVAL_MS;
    else process.env.OSTAL_PROBE_INTERVAL_MS = previousProbe;
  });

  it('with no account the status is online and status.cli is empty', async () => {
    expect(await profile.core.handle('status.get', {})).toEqual({ state: 'online', progress: null, accounts: [] });
    expect(await profile.core.handle('status.cli', {})).toEqual({ accounts: [] });
    expect(await profile.core.handle('sync.run', {})).toEqual({ accounts: [] });
  });

  it('syncs in the background with progress, then follows the server going away and coming back', async () => {
    accountId = await addAccount(profile.core, testUser(1), { imap: `imap://localhost:${relay.port}` });
    expect(profile.core.startBackgroundSync()).toBe(profile.core.ctx.services.sync);

    await waitFor('first sync', () => profile.core.ctx.db.prepare('SELECT last_sync FROM accounts WHERE id = ?').pluck().get(accountId));
    await waitFor('idle', async () => (await profile.core.handle('status.get', {})).state === 'online');
    const syncing = statuses.filter((s) => s.state === 'syncing');
    expect(syncing.length).toBeGreaterThan(0);
    expect(syncing.some((s) => s.progress && /^Courrier\u202f: /.test(s.progress.label))).toBe(true);
    expect(syncing.some((s) => s.progress?.label.startsWith('Courrier\u202f: Boîte de réception ('))).toBe(true);
    expect(profile.core.ctx.connections.seenOnline(accountId)).toBe(true);
    expect(profile.core.ctx.connections.lastError(accountId, 'not this one')).toBeNull();

    const cli = await profile.core.handle('status.cli', {});
    expect(cli.accounts).toHaveLength(1);
    expect(Object.keys(cli.accounts[0]).sort()).toEqual(['email', 'folders', 'lastSync', 'online', 'pendingOperations']);
    expect(cli.accounts[0]).toMatchObject({ email: testUser(1).email, online: true, pendingOperations: 0 });
    const inbox = cli.accounts[0].folders.find((f) => f.path === 'INBOX')!;
    expect(Object.keys(inbox).sort()).toEqual(['bodiesCached', 'name', 'path', 'specialUse', 'total', 'unread']);
    expect(inbox).toMatchObject({ name: 'Boîte de réception', specialUse: '\\Inbox' });

    // The server goes away: « Hors ligne » within a few probe periods, with a French reason.
    const stoppedAt = Date.now();
    await relay.close();
    const offline = await waitFor(
      'offline',
      async () => {
        const s = await profile.core.handle('status.get', {});
        return s.state === 'offline' ? s : null;
      },
      5_000,
    );
    expect(Date.now() - stoppedAt).toBeLessThan(3_000);
    expect(offline.accounts[0].online).toBe(false);
    // Refused by the probe, or cut in the middle of a sync: both say so in French and keep the mail readable.
    expect(offline.accounts[0].lastError).toMatch(
      /^Le serveur localhost (\(port \d+\) refuse la connexion|est injoignable)\. Vos données restent disponibles sur cet ordinateur/,
    );
    expect(profile.core.ctx.connections.seenOnline(accountId)).toBe(false);
    expect(profile.core.ctx.db.prepare('SELECT last_error FROM accounts WHERE id = ?').pluck().get(accountId)).toBe(
      offline.accounts[0].lastError,
    );
    expect(statuses.some((s) => s.state === 'offline')).toBe(true);
    // The local data stays readable.
    expect((await profile.core.handle('mail.folders', { accountId })).length).toBeGreaterThan(0);

    // It returns: « En ligne » again, a sync runs and clears the error.
    const lastSyncBefore = profile.core.ctx.db.prepare('SELECT last_sync FROM accounts WHERE id = ?').pluck().get(accountId) as string;
    await relay.open(relay.port);
    await waitFor(
      'back online',
      async () => {
        const s = await profile.core.handle('status.get', {});
        return s.state === 'online' && s.accounts[0].online && s.accounts[0].lastError === null;
      },
      5_000,
    );
    await waitFor(
      'resync after return',
      () => (profile.core.ctx.db.prepare('SELECT last_sync FROM accounts WHERE id = ?').pluck().get(accountId) as string) > lastSyncBefore,
    );
    expect(profile.core.ctx.db.prepare('SELECT last_error FROM accounts WHERE id = ?').pluck().get(accountId)).toBeNull();
  });
});

describe('IDLE on the Boîte de réception (agent4, written to by agent3)', () => {
  let profile: TestProfile;
  const previous = process.env.OSTAL_SYNC_INTERVAL_MS;

  beforeAll(async () => {
    process.env.OSTAL_SYNC_INTERVAL_MS = '600000'; // no periodic sync during the test: only IDLE can bring the message
    profile = await openTestCore();
  });
  afterAll(async () => {
    await profile.close();
    if (previous === undefined) delete process.env.OSTAL_SYNC_INTERVAL_MS;
    else process.env.OSTAL_SYNC_INTERVAL_MS = previous;
  });

  it('a delivered message reaches the store within seconds without a periodic sync', async () => {
    const accountId = await addAccount(profile.core, testUser(4));
    profile.core.startBackgroundSync();
    await waitFor('first sync', () => profile.core.ctx.db.prepare('SELECT last_sync FROM accounts WHERE id = ?').pluck().get(accountId));
    await new Promise((r) => setTimeout(r, 500)); // let the watcher enter IDLE

    const changed = new Promise<void>((resolve) => {
      const off = profile.core.onEvent((event, data) => {
        if (event === 'mail.changed' && (data as { accountId: string }).accountId === accountId) {
          off();
          resolve();
        }
      });
    });
    const sender = testUser(3);
    const subject = `Arrivée immédiate ${process.pid}-${Date.now()}`;
    const transport = nodemailer.createTransport({
      host: 'localhost',
      port: getServers().smtp.port,
      secure: false,
      requireTLS: true,
      auth: { user: sender.username, pass: sender.password },
    });
    await transport.sendMail({ from: sender.email, to: testUser(4).email, subject, text: 'Bonjour.' });
    transport.close();
    const sentAt = Date.now();
    await waitFor(
      'message through IDLE',
      async () =>
        (await profile.core.handle('mail.messages', { accountId, folder: 'INBOX', limit: 50 })).some((m) => m.subject === subject),
      8_000,
    );
    await changed;
    expect(Date.now() - sentAt).toBeLessThan(5_000);
  });
});
