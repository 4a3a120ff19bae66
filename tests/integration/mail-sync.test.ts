/**
 * Mail sync against the real Dovecot of tests/servers/. agent1's mailbox is only read here (other
 * tests count its seeded messages); every change on the server happens in agent5's mailbox
 * (agent4 writes to it by SMTP submission), so parallel test files keep their data.
 */
import fs from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FolderInfo, MessageSummary } from '../../src/shared/contract.js';
import { getServers, testUser } from '../servers/testing.js';
import { addAccount, openTestCore, serverConnection, waitFor, type TestProfile } from './mail-sync-fixture.js';

const FRENCH: Record<string, string> = {
  '\\Inbox': 'Boîte de réception',
  '\\Sent': 'Envoyés',
  '\\Drafts': 'Brouillons',
  '\\Trash': 'Corbeille',
  '\\Junk': 'Indésirables',
  '\\Archive': 'Archives',
};

describe('mail sync of agent1 (read only)', () => {
  let profile: TestProfile;
  let accountId: string;

  beforeAll(async () => {
    profile = await openTestCore();
    accountId = await addAccount(profile.core, testUser(1));
  });
  afterAll(async () => profile.close());

  it('initial sync gives the server folders with French names, STATUS counts and newest-first headers', async () => {
    const report = await profile.core.handle('sync.run', { accountId, only: 'mail' });
    expect(report.accounts).toEqual([{ email: testUser(1).email, ok: true, scopes: ['mail'] }]);

    const folders: FolderInfo[] = await profile.core.handle('mail.folders', { accountId });
    const server = await serverConnection(testUser(1));
    try {
      const listed = (await server.list({ statusQuery: { messages: true, unseen: true } })).filter((f) => !f.flags.has('\\Noselect'));
      expect(folders.map((f) => f.path).sort()).toEqual(listed.map((f) => f.path).sort());
      for (const l of listed) {
        const f = folders.find((x) => x.path === l.path)!;
        expect(f.total, l.path).toBe(l.status?.messages);
        expect(f.unread, l.path).toBe(l.status?.unseen);
        if (l.path === 'INBOX') expect(f.name).toBe('Boîte de réception');
        if (l.specialUseSource === 'extension' && l.specialUse && FRENCH[l.specialUse]) {
          expect(f.specialUse).toBe(l.specialUse);
          expect(f.name).toBe(FRENCH[l.specialUse]);
        }
      }
      const inbox = folders.find((f) => f.path === 'INBOX')!;
      expect(inbox.total).toBeGreaterThan(0);
      expect(folders[0].path).toBe('INBOX');

      // Headers: as many as on the server, newest first, the same UIDs.
      const messages: MessageSummary[] = await profile.core.handle('mail.messages', { accountId, folder: 'INBOX', limit: 1000 });
      expect(messages.length).toBe(inbox.total);
      await server.mailboxOpen('INBOX', { readOnly: true });
      const serverUids = ((await server.search({ all: true }, { uid: true })) as number[]).sort((a, b) => a - b);
      expect(messages.map((m) => m.uid).sort((a, b) => a - b)).toEqual(serverUids);
      // Newest first by arrival date on the server.
      const arrival = new Map<number, number>();
      for (const m of await server.fetchAll('1:*', { uid: true, internalDate: true }, { uid: true }))
        arrival.set(m.uid, new Date(m.internalDate!).getTime());
      const order = messages.map((m) => arrival.get(m.uid)!);
      expect(order).toEqual([...order].sort((a, b) => b - a));
      const page2 = await profile.core.handle('mail.messages', { accountId, folder: 'INBOX', offset: 1, limit: 2 });
      expect(page2.map((m) => m.uid)).toEqual(messages.slice(1, 3).map((m) => m.uid));

      // Every body of every folder is on disk (blobs, default « Tous »), counted in bodiesCached.
      for (const f of folders) expect(f.bodiesCached, f.path).toBe(f.total);
      expect(messages.every((m) => m.hasBody)).toBe(true);
      const blobDir = path.join(profile.dir, 'blobs', 'mail', accountId);
      const blobs = fs.existsSync(blobDir) ? fs.readdirSync(blobDir) : [];
      // Content-addressed: a message in two folders is one blob.
      expect(blobs.filter((n) => /^[0-9a-f]{64}\.eml$/.test(n)).length).toBeGreaterThanOrEqual(inbox.total);
    } finally {
      await server.logout();
    }

    // A second run changes nothing and reports the scopes not available yet.
    const again = await profile.core.handle('sync.run', {});
    expect(again.accounts[0]).toMatchObject({ ok: true, scopes: ['mail'], skipped: ['calendar', 'contacts', 'files'] });
    const after = await profile.core.handle('mail.messages', { accountId, folder: 'INBOX', limit: 1000 });
    expect(after.length).toBe(folders.find((f) => f.path === 'INBOX')!.total);
  });

  it('reads from the store only: folders and messages stay available when the account cannot connect', async () => {
    profile.core.ctx.db
      .prepare('UPDATE accounts SET settings = json_set(settings, ?, ?) WHERE id = ?')
      .run('$.imap', 'imap://127.0.0.1:1', accountId);
    const report = await profile.core.handle('sync.run', { accountId, only: 'mail' });
    expect(report.accounts[0].ok).toBe(false);
    expect(report.accounts[0].error?.code).toBe('connection_refused');
    expect(report.accounts[0].error?.message).toMatch(/refuse la connexion/);
    const folders = await profile.core.handle('mail.folders', { accountId });
    expect(folders.find((f) => f.path === 'INBOX')!.total).toBeGreaterThan(0);
    const status = await profile.core.handle('status.get', {});
    expect(status.state).toBe('offline');
    expect(status.accounts[0]).toMatchObject({ online: false });
    expect(status.accounts[0].lastError).toMatch(/Vos données restent disponibles sur cet ordinateur/);
  });

  it('a wrong password is reported in French as auth_failed', async () => {
    const other = await openTestCore();
    try {
      const id = await addAccount(other.core, testUser(1), {}, 'pas-le-bon');
      const report = await other.core.handle('sync.run', { accountId: id, only: 'mail' });
      expect(report.accounts[0].ok).toBe(false);
      expect(report.accounts[0].error?.code).toBe('auth_failed');
      expect(report.accounts[0].error?.message).toContain('mot de passe');
      const row = other.core.ctx.db.prepare('SELECT last_error FROM accounts WHERE id = ?').pluck().get(id);
      expect(row).toBe(report.accounts[0].error?.message);
    } finally {
      await other.close();
    }
  });
});

describe('incremental mail sync (agent5 mailbox, changed by agent4 and another client)', () => {
  let profile: TestProfile;
  let accountId: string;
  const agent5 = () => testUser(5);
  const stamp = `${process.pid}-${Date.now()}`;

  async function inbox(): Promise<MessageSummary[]> {
    return profile.core.handle('mail.messages', { accountId, folder: 'INBOX', limit: 1000 });
  }
  async function sync(): Promise<void> {
    const report = await profile.core.handle('sync.run', { accountId, only: 'mail' });
    expect(report.accounts[0]).toMatchObject({ ok: true });
  }

  beforeAll(async () => {
    profile = await openTestCore();
    accountId = await addAccount(profile.core, agent5(), { imap: `imaps://localhost:${getServers().imap.tlsPort}` });
    await sync();
  });
  afterAll(async () => profile.close());

  it('a message sent by SMTP appears after a resync, once', async () => {
    const s = getServers();
    const sender = testUser(4);
    const transport = nodemailer.createTransport({
      host: 'localhost',
      port: s.smtp.port,
      secure: false,
      requireTLS: true,
      auth: { user: sender.username, pass: sender.password },
    });
    const subject = `Compte rendu de la réunion ${stamp}`;
    await transport.sendMail({
      from: `${sender.name} <${sender.email}>`,
      to: agent5().email,
      subject,
      text: 'Bonjour, voici le compte rendu.',
    });
    transport.close();

    const events: unknown[] = [];
    const off = profile.core.onEvent((event, data) => event === 'mail.changed' && events.push(data));
    const found = await waitFor('delivered message', async () => {
      await sync();
      return (await inbox()).find((m) => m.subject === subject);
    });
    off();
    expect(found.from).toEqual({ name: sender.name, address: sender.email });
    expect(found.hasBody).toBe(true);
    // Its source is a content-addressed blob on disk, and its body is searchable without accents.
    const blobDir = path.join(profile.dir, 'blobs', 'mail', accountId);
    const blobs = fs.readdirSync(blobDir);
    expect(blobs.length).toBeGreaterThan(0);
    expect(blobs.every((n) => /^[0-9a-f]{64}\.eml$/.test(n))).toBe(true);
    expect(blobs.some((n) => fs.readFileSync(path.join(blobDir, n), 'utf8').includes('voici le compte rendu'))).toBe(true);
    const hits = profile.core.ctx.db
      .prepare('SELECT m.subject FROM mail_search s JOIN mail_messages m ON m.id = s.rowid WHERE mail_search MATCH ?')
      .pluck()
      .all('"voici le compte rendu"') as string[];
    expect(hits).toContain(subject);
    expect(events).toContainEqual({ accountId, folders: expect.arrayContaining(['INBOX']) });
    await sync();
    expect((await inbox()).filter((m) => m.subject === subject)).toHaveLength(1);
    const uids = (await inbox()).map((m) => m.uid);
    expect(new Set(uids).size).toBe(uids.length);
  });

  it('a flag set by another client shows after a resync, and an expunge removes the message', async () => {
    const server = await serverConnection(agent5());
    try {
      await server.mailboxOpen('INBOX');
      const raw = `From: Sacha <agent4@ostal.test>\r\nTo: agent5@ostal.test\r\nSubject: A suivre ${stamp}\r\nMessage-ID: <suivi-${stamp}@ostal.test>\r\n\r\nTexte.\r\n`;
      const appended = await server.append('INBOX', raw, []);
      const uid = (appended as { uid: number }).uid;
      await sync();
      expect((await inbox()).find((m) => m.uid === uid)?.flags).toEqual([]);

      await server.messageFlagsAdd(String(uid), ['\\Seen', '\\Flagged'], { uid: true });
      await sync();
      expect((await inbox()).find((m) => m.uid === uid)?.flags).toEqual(['\\Flagged', '\\Seen']);
      const folder = (await profile.core.handle('mail.folders', { accountId })).find((f) => f.path === 'INBOX')!;
      const status = await server.status('INBOX', { messages: true, unseen: true });
      expect(folder.unread).toBe((status as { unseen: number }).unseen);

      await server.messageDelete(String(uid), { uid: true });
      await sync();
      expect((await inbox()).find((m) => m.uid === uid)).toBeUndefined();
      // Same UIDs as the server (resync until equal: another test may deliver to this mailbox meanwhile).
      await waitFor('same UIDs as the server', async () => {
        const serverUids = ((await server.search({ all: true }, { uid: true })) as number[]).sort((a, b) => a - b);
        const local = (await inbox()).map((m) => m.uid).sort((a, b) => a - b);
        if (JSON.stringify(local) === JSON.stringify(serverUids)) return true;
        await sync();
        return false;
      });
    } finally {
      await server.logout();
    }
  });

  it('a folder deleted and recreated under the same UTF-8 name (new UIDVALIDITY) is refetched without duplicates', async () => {
    const folderPath = `Élus ${stamp}`;
    const server = await serverConnection(agent5());
    const append = (n: number) =>
      server.append(
        folderPath,
        `From: agent4@ostal.test\r\nSubject: Délibération ${n}\r\nMessage-ID: <delib-${n}-${stamp}@ostal.test>\r\n\r\nTexte ${n}.\r\n`,
        ['\\Seen'],
      );
    try {
      await server.mailboxCreate(folderPath);
      for (const n of [1, 2, 3]) await append(n);
      await sync();
      const list = async () => profile.core.handle('mail.messages', { accountId, folder: folderPath, limit: 100 });
      expect((await list()).map((m) => m.subject).sort()).toEqual(['Délibération 1', 'Délibération 2', 'Délibération 3']);
      const folder = (await profile.core.handle('mail.folders', { accountId })).find((f) => f.path === folderPath)!;
      expect(folder.name).toBe(folderPath);

      const before = (await server.status(folderPath, { uidValidity: true })) as { uidValidity: bigint };
      await server.mailboxDelete(folderPath);
      await new Promise((r) => setTimeout(r, 1100)); // Dovecot derives UIDVALIDITY from the clock
      await server.mailboxCreate(folderPath);
      const after = (await server.status(folderPath, { uidValidity: true })) as { uidValidity: bigint };
      expect(after.uidValidity).not.toBe(before.uidValidity);
      for (const n of [4, 5]) await append(n);
      await sync();
      const now = await list();
      expect(now.map((m) => m.subject).sort()).toEqual(['Délibération 4', 'Délibération 5']);
      expect(now.map((m) => m.uid).sort()).toEqual([1, 2]);
      await server.mailboxDelete(folderPath);
      await sync();
      expect((await profile.core.handle('mail.folders', { accountId })).some((f) => f.path === folderPath)).toBe(false);
    } finally {
      await server.logout();
    }
  });
});
