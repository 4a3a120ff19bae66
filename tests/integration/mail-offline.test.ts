/**
 * Everything offline by default: a fresh user with 5 000 generated French messages in 10 folders (one accented),
 * default settings. After `sync`, `status --json` shows every body local in every folder, and `mail search` of an
 * accented word and of the same word without accents give the same count, the one computed from the generated texts.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliStatus, MessageSummary } from '../../src/shared/contract.js';
import { getServers } from '../servers/testing.js';
import type { TestUser } from '../servers/types.js';
import { Core } from '../../src/core.js';
import { addAccount, MemorySecretStore, openTestCore, type TestProfile } from './mail-sync-fixture.js';
import {
  addImapUser,
  appendMessages,
  generateMessages,
  imapConnection,
  OFFLINE_FOLDERS,
  referenceCount,
  type GeneratedMessage,
} from './mail-offline-fixture.js';

const REPO = path.resolve(import.meta.dirname, '../..');
const COUNT = 5000;
const run = promisify(execFile);

async function ostal(args: string[], profileDir: string): Promise<string> {
  const env = {
    ...process.env,
    NODE_EXTRA_CA_CERTS: getServers().caCertPath,
    OSTAL_POLICIES: path.join(os.tmpdir(), 'ostal-no-policy.json'),
  };
  const { stdout } = await run(process.execPath, ['bin/ostal.mjs', ...args, '--profile', profileDir], {
    cwd: REPO,
    env,
    timeout: 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

describe('toute la boîte hors ligne (5 000 messages, 10 dossiers)', () => {
  let user: TestUser;
  let messages: GeneratedMessage[];
  let profile: TestProfile;
  let accountId: string;
  let fetchLog: string;

  beforeAll(async () => {
    user = addImapUser(getServers(), 'horsligne');
    messages = generateMessages(COUNT, { seed: 13, domain: getServers().domain, to: `Lou Garnier <${user.email}>` });
    const t0 = Date.now();
    await appendMessages(getServers(), user, messages);
    console.info(`mail-offline: ${COUNT} messages appended in ${Date.now() - t0} ms`);
    profile = await openTestCore();
    fetchLog = path.join(profile.dir, 'fetch.log');
    accountId = await addAccount(profile.core, user, { imap: `imaps://localhost:${getServers().imap.tlsPort}` });
  }, 120_000);

  afterAll(async () => {
    delete process.env.OSTAL_MAIL_FETCH_LOG;
    await profile?.close().catch(() => undefined);
  });

  it('after sync, every body of every folder is local, each fetched once', { timeout: 120_000 }, async () => {
    process.env.OSTAL_MAIL_FETCH_LOG = fetchLog;
    const t0 = Date.now();
    const report = await profile.core.handle('sync.run', { accountId, only: 'mail' });
    console.info(`mail-offline: sync (headers, bodies, index) in ${Date.now() - t0} ms`);
    expect(report.accounts[0].ok, JSON.stringify(report)).toBe(true);

    const status: CliStatus = await profile.core.handle('status.cli', {});
    const folders = status.accounts[0].folders;
    for (const name of OFFLINE_FOLDERS) {
      const f = folders.find((x) => x.path === name);
      expect(f, name).toBeDefined();
      expect(f!.total, name).toBe(messages.filter((m) => m.folder === name).length);
      expect(f!.bodiesCached, name).toBe(f!.total);
    }
    expect(folders.find((f) => f.path === 'Projets/Comptabilité')).toMatchObject({ name: 'Comptabilité' });
    expect(folders.reduce((n, f) => n + f.bodiesCached, 0)).toBe(COUNT);

    // Each body was fetched from the server once, and the text of each is in the index.
    const lines = fs.readFileSync(fetchLog, 'utf8').trim().split('\n');
    const fetched = lines.filter((l) => l.startsWith('fetched\t')).map((l) => l.slice('fetched\t'.length));
    expect(fetched.length).toBe(COUNT);
    expect(new Set(fetched).size).toBe(COUNT);
    expect(
      profile.core.ctx.db.prepare('SELECT count(*) FROM mail_messages WHERE body_path IS NOT NULL AND body_indexed = 0').pluck().get(),
    ).toBe(0);

    // A second sync with nothing new: nothing fetched, nothing parsed.
    const t1 = Date.now();
    expect((await profile.core.handle('sync.run', { accountId, only: 'mail' })).accounts[0].ok).toBe(true);
    console.info(`mail-offline: no-change resync in ${Date.now() - t1} ms`);
    expect(fs.readFileSync(fetchLog, 'utf8').trim().split('\n').length).toBe(lines.length);
  });

  it(
    'search: accented and plain words give the same exact count as the generated texts, --limit 0 returns them all',
    { timeout: 120_000 },
    async () => {
      for (const [accented, plain] of [
        ['déménagement', 'demenagement'],
        ['réunion', 'reunion'],
      ]) {
        const expected = referenceCount(messages, accented);
        expect(expected).toBeGreaterThan(100);
        expect(referenceCount(messages, plain)).toBe(expected);
        for (const word of [accented, plain, word2upper(accented)]) {
          expect((await profile.core.handle('mail.searchCount', { query: word, accountId })).total, word).toBe(expected);
          const all = await profile.core.handle('mail.search', { query: word, accountId, limit: 0 });
          expect(all.length, word).toBe(expected);
        }
        // Default: the 100 best.
        expect((await profile.core.handle('mail.search', { query: plain, accountId })).length).toBe(100);
      }
      // Attachment names and addresses are in the index too.
      const withPlan = messages.filter((m) => m.searchable.includes('Plan-déménagement-')).length;
      expect(withPlan).toBeGreaterThan(10);
      expect((await profile.core.handle('mail.searchCount', { query: 'pj:plan', accountId })).total).toBe(withPlan);
      expect((await profile.core.handle('mail.searchCount', { query: 'de:helene.dupre', accountId })).total).toBe(
        messages.filter((m) => m.searchable.includes('helene.dupre@')).length,
      );

      // The CLI, as IT scripts use it: same array shape, every match with --limit 0, 100 by default.
      await profile.core.close();
      const status = JSON.parse(await ostal(['status', '--json'], profile.dir)) as CliStatus;
      for (const f of status.accounts[0].folders) expect(f.bodiesCached, f.path).toBe(f.total);
      const expected = referenceCount(messages, 'déménagement');
      const accented = JSON.parse(
        await ostal(['mail', 'search', 'déménagement', '--limit', '0', '--json'], profile.dir),
      ) as MessageSummary[];
      const plain = JSON.parse(await ostal(['mail', 'search', 'demenagement', '--limit', '0', '--json'], profile.dir)) as MessageSummary[];
      expect(accented.length).toBe(expected);
      expect(plain.length).toBe(expected);
      expect(new Set(plain.map((m) => `${m.folder}|${m.uid}`))).toEqual(new Set(accented.map((m) => `${m.folder}|${m.uid}`)));
      expect(new Set(accented.map((m) => m.folder)).size).toBeGreaterThan(5);
      expect(Object.keys(accented[0]).sort()).toEqual(
        ['accountId', 'date', 'flags', 'folder', 'from', 'hasAttachments', 'hasBody', 'messageId', 'size', 'subject', 'to', 'uid'].sort(),
      );
      const byDefault = JSON.parse(await ostal(['mail', 'search', 'demenagement', '--json'], profile.dir)) as MessageSummary[];
      expect(byDefault.length).toBe(100);
    },
  );

  it('honours the speed limit, and a folder’s own « Disponible hors ligne » with « Aucun » elsewhere', { timeout: 60_000 }, async () => {
    const other = await openTestCore();
    try {
      const id = await addAccount(other.core, user, { imap: `imaps://localhost:${getServers().imap.tlsPort}` });
      await other.core.handle('settings.set', { key: 'mail.offlineWindow', value: 'none' });
      await other.core.handle('settings.set', { key: 'mail.speedLimitKbps', value: 100 });
      expect((await other.core.handle('sync.run', { accountId: id, only: 'mail' })).accounts[0].ok).toBe(true);
      let folders = await other.core.handle('mail.folders', { accountId: id });
      expect(folders.reduce((n, f) => n + f.bodiesCached, 0)).toBe(0);

      await other.core.handle('mail.setFolderOffline', { accountId: id, folder: 'Projets/Voirie', offline: true });
      const t0 = Date.now();
      expect((await other.core.handle('sync.run', { accountId: id, only: 'mail' })).accounts[0].ok).toBe(true);
      const seconds = (Date.now() - t0) / 1000;
      folders = await other.core.handle('mail.folders', { accountId: id });
      const voirie = folders.find((f) => f.path === 'Projets/Voirie')!;
      expect(voirie).toMatchObject({ offline: true, bodiesCached: voirie.total });
      expect(folders.filter((f) => f.path !== 'Projets/Voirie').reduce((n, f) => n + f.bodiesCached, 0)).toBe(0);
      const bytes = messages.filter((m) => m.folder === 'Projets/Voirie').reduce((n, m) => n + m.raw.length, 0);
      console.info(`mail-offline: ${bytes} bytes at ${(bytes / 1024 / seconds).toFixed(0)} KiB/s under a 100 KiB/s limit`);
      expect(bytes / 1024 / seconds).toBeLessThan(110);
    } finally {
      await other.close();
    }
  });

  it(
    'a changed folder is resynced with QRESYNC: flags and expunges come with the EXAMINE, nothing is fetched again',
    { timeout: 60_000 },
    async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-qresync-'));
      const logged: { msg: string; extra?: Record<string, unknown> }[] = [];
      const logger = { info: (msg: string, extra?: Record<string, unknown>) => logged.push({ msg, extra }), warn() {}, error() {} };
      const core = await Core.open({ profileDir: dir, mode: 'cli', secrets: new MemorySecretStore(), policyPath: null, logger });
      const log = path.join(dir, 'fetch.log');
      try {
        const id = await addAccount(core, user, { imap: `imaps://localhost:${getServers().imap.tlsPort}` });
        await core.handle('settings.set', { key: 'mail.offlineWindow', value: 'none' });
        expect((await core.handle('sync.run', { accountId: id, only: 'mail' })).accounts[0].ok).toBe(true);
        await core.handle('mail.setFolderOffline', { accountId: id, folder: 'Associations', offline: true });
        expect((await core.handle('sync.run', { accountId: id, only: 'mail' })).accounts[0].ok).toBe(true);
        const before = await core.handle('mail.list', { accountId: id, folder: 'Associations', limit: 1000 });
        const [flagged, expunged] = [before.messages[0], before.messages[1]];

        // Another client flags one message and expunges another.
        const other = await imapConnection(getServers(), user);
        try {
          expect(other.capabilities.has('QRESYNC')).toBe(true);
          const lock = await other.getMailboxLock('Associations');
          try {
            await other.messageFlagsAdd(String(flagged.uid), ['\\Flagged'], { uid: true });
            await other.messageDelete(String(expunged.uid), { uid: true });
          } finally {
            lock.release();
          }
        } finally {
          await other.logout();
        }

        process.env.OSTAL_MAIL_FETCH_LOG = log;
        expect((await core.handle('sync.run', { accountId: id, only: 'mail' })).accounts[0].ok).toBe(true);
        const after = await core.handle('mail.list', { accountId: id, folder: 'Associations', limit: 1000 });
        expect(after.total).toBe(before.total - 1);
        expect(after.messages.find((m) => m.uid === flagged.uid)!.flags).toContain('\\Flagged');
        expect(after.messages.some((m) => m.uid === expunged.uid)).toBe(false);
        expect(logged.filter((l) => l.msg === 'mail: folder resynced').map((l) => l.extra)).toEqual([
          expect.objectContaining({ folder: 'Associations', qresync: true, flagsChanged: 1, removed: 1, added: 0 }),
        ]);
        // No body fetched again.
        expect(fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '').toBe('');
      } finally {
        delete process.env.OSTAL_MAIL_FETCH_LOG;
        await core.close();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});

function word2upper(word: string): string {
  return word.toUpperCase();
}
