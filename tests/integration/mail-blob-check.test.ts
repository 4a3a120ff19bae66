/**
 * Blobs that vanish from disk are fetched again, and an `ostal sync` with nothing new does not read every stored
 * path to find out: each start of the core checks an account's blob folder only when its inode or modification time
 * differs from the last check (kept in the settings table). Real Dovecot, a user of its own, a core reopened on the
 * same profile as `ostal sync` does at every run.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Core } from '../../src/core.js';
import { silentLogger } from '../../src/log.js';
import { getServers } from '../servers/testing.js';
import type { TestUser } from '../servers/types.js';
import { addAccount, MemorySecretStore } from './mail-sync-fixture.js';
import { addImapUser, appendMessages, generateMessages } from './mail-offline-fixture.js';

const COUNT = 12;

describe('check of the blobs on disk at each start', () => {
  let user: TestUser;
  let dir: string;
  let accountId: string;
  let folderCount = 0;
  const secrets = new MemorySecretStore();

  /** One `ostal sync`: the core opened on the profile, one mail sync, closed. Returns bodiesCached and total. */
  async function syncOnce(): Promise<{ cached: number; total: number }> {
    const core = await Core.open({ profileDir: dir, mode: 'cli', secrets, policyPath: null, logger: silentLogger });
    try {
      accountId ??= await addAccount(core, user);
      const report = await core.handle('sync.run', { accountId, only: 'mail' });
      expect(report.accounts.every((a) => a.ok)).toBe(true);
      const folders = (await core.handle('status.cli', {})).accounts[0].folders;
      folderCount = folders.length;
      return { cached: folders.reduce((n, f) => n + f.bodiesCached, 0), total: folders.reduce((n, f) => n + f.total, 0) };
    } finally {
      await core.close();
    }
  }

  const blobDir = () => path.join(dir, 'blobs', 'mail', accountId);
  const checkState = (): unknown => {
    const db = new Database(path.join(dir, 'ostal.sqlite'), { readonly: true });
    try {
      const row = db.prepare('SELECT value FROM settings WHERE key = ?').get(`state.mail.blobsChecked.${accountId}`) as
        { value: string } | undefined;
      return row ? JSON.parse(row.value) : undefined;
    } finally {
      db.close();
    }
  };
  /** Give the blob folder a modification time in the past (whole seconds, so it can be set back exactly). */
  const ageBlobFolder = (seconds: number) => {
    const when = Math.floor(Date.now() / 1000) - seconds;
    fs.utimesSync(blobDir(), when, when);
    return when;
  };

  beforeAll(async () => {
    user = addImapUser(getServers(), 'blobcheck');
    await appendMessages(
      getServers(),
      user,
      generateMessages(COUNT, { seed: 17, folders: ['INBOX', 'Archive'], domain: getServers().domain, to: `Lou Garnier <${user.email}>` }),
    );
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-blobcheck-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('fetches again a blob deleted on disk, and skips the check while the blob folder is unchanged', async () => {
    expect(await syncOnce()).toEqual({ cached: COUNT, total: COUNT });
    // The folder was just written: not taken as checked (a coarse file-system clock could hide a deletion).
    expect(checkState()).toBeUndefined();

    const past = ageBlobFolder(60);
    expect(await syncOnce()).toEqual({ cached: COUNT, total: COUNT });
    const state = checkState() as { stamp: string; folders: number[] };
    expect(state.stamp).toMatch(/^\d+:\d+$/);
    expect(state.folders.length).toBe(folderCount); // every folder of the account, Dovecot's own ones included

    // A blob deleted while the folder keeps its modification time (set back by hand): the check is skipped, so the
    // body still counts as local. This is what makes an unchanged resync cheap.
    const [victim] = fs.readdirSync(blobDir()).filter((n) => n.endsWith('.eml'));
    fs.rmSync(path.join(blobDir(), victim));
    fs.utimesSync(blobDir(), past, past);
    expect(await syncOnce()).toEqual({ cached: COUNT, total: COUNT });
    expect(fs.existsSync(path.join(blobDir(), victim))).toBe(false);

    // Any change of the folder (here, its time) and the next start checks it: the body is fetched again.
    ageBlobFolder(30);
    expect(await syncOnce()).toEqual({ cached: COUNT, total: COUNT });
    expect(fs.existsSync(path.join(blobDir(), victim))).toBe(true);

    // A plain deletion changes the folder's time: found at the next start, fetched again.
    ageBlobFolder(20);
    expect(await syncOnce()).toEqual({ cached: COUNT, total: COUNT });
    fs.rmSync(path.join(blobDir(), victim));
    expect(await syncOnce()).toEqual({ cached: COUNT, total: COUNT });
    expect(fs.existsSync(path.join(blobDir(), victim))).toBe(true);
  }, 60_000);

  it('after a run that did not end cleanly (a power cut), the sources it wrote are checked at the next start and the damaged ones downloaded again', async () => {
    expect(await syncOnce()).toEqual({ cached: COUNT, total: COUNT });
    const [emptied, altered] = fs.readdirSync(blobDir()).filter((n) => n.endsWith('.eml'));
    // What a power cut can leave of the last files written: a name without bytes; and, from a bad sector, other bytes.
    fs.truncateSync(path.join(blobDir(), emptied), 0);
    const bytes = fs.readFileSync(path.join(blobDir(), altered));
    bytes[Math.floor(bytes.length / 2)] ^= 0x20;
    fs.writeFileSync(path.join(blobDir(), altered), bytes);
    // The run that wrote them ended without releasing the profile: its row is still in the lock file.
    const lock = new Database(path.join(dir, 'ostal.lock'));
    try {
      expect(lock.prepare('SELECT count(*) AS n FROM running').get()).toEqual({ n: 0 }); // the clean closes above
      lock.prepare('INSERT INTO running (since) VALUES (?)').run(new Date(Date.now() - 5 * 60_000).toISOString());
    } finally {
      lock.close();
    }
    const sha = (name: string) =>
      crypto
        .createHash('sha256')
        .update(fs.readFileSync(path.join(blobDir(), name)))
        .digest('hex') + '.eml';
    const core = await Core.open({ profileDir: dir, mode: 'cli', secrets, policyPath: null, logger: silentLogger });
    try {
      // In the background, from the start: both damaged sources removed and forgotten by their rows.
      const deadline = Date.now() + 15_000;
      while (fs.existsSync(path.join(blobDir(), emptied)) || fs.existsSync(path.join(blobDir(), altered))) {
        if (Date.now() > deadline) throw new Error('the damaged sources were not found by the check after an unclean end');
        await new Promise((r) => setTimeout(r, 50));
      }
      const before = (await core.handle('status.cli', {})).accounts[0].folders.reduce((n, f) => n + f.bodiesCached, 0);
      expect(before).toBe(COUNT - 2);
      const report = await core.handle('sync.run', { accountId, only: 'mail' });
      expect(report.accounts.every((a) => a.ok)).toBe(true);
      const folders = (await core.handle('status.cli', {})).accounts[0].folders;
      expect(folders.reduce((n, f) => n + f.bodiesCached, 0)).toBe(COUNT);
    } finally {
      await core.close();
    }
    expect(sha(emptied)).toBe(emptied);
    expect(sha(altered)).toBe(altered);
    // Over: not checked again at the next start.
    const db = new Database(path.join(dir, 'ostal.sqlite'), { readonly: true });
    try {
      expect(db.prepare(`SELECT count(*) AS n FROM settings WHERE key = 'state.mail.recheckBlobsSince'`).get()).toEqual({ n: 0 });
    } finally {
      db.close();
    }
  }, 60_000);
});
