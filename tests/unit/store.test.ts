import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OstalError } from '../../src/errors.js';
import { migrate, openDatabase, readMigrations } from '../../src/store/database.js';
import { acquireProfileLock, defaultProfileDir } from '../../src/store/profile.js';
import { AccountRepository } from '../../src/store/account-repository.js';
import { backoffDelay, OperationsJournal } from '../../src/store/operations-journal.js';
import { SettingsRepository } from '../../src/store/settings-repository.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-store-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const settings = {
  imap: 'imaps://imap.exemple.fr:993',
  smtp: 'smtp://smtp.exemple.fr:587',
  caldav: null,
  carddav: null,
  webdav: null,
  username: null,
};

describe('defaultProfileDir', () => {
  it('follows each OS convention and OSTAL_PROFILE', () => {
    const win = { APPDATA: 'C:\\Users\\agent\\AppData\\Roaming', LOCALAPPDATA: 'C:\\Users\\agent\\AppData\\Local' };
    expect(defaultProfileDir(win, 'win32', () => false)).toBe('C:\\Users\\agent\\AppData\\Local\\Ostal');
    expect(defaultProfileDir({ HOME: '/home/agent', XDG_CONFIG_HOME: '/home/agent/.cfg' }, 'linux')).toBe('/home/agent/.cfg/ostal');
    expect(defaultProfileDir({ HOME: '/home/agent' }, 'linux')).toBe('/home/agent/.config/ostal');
    expect(defaultProfileDir({ HOME: '/Users/agent' }, 'darwin')).toBe('/Users/agent/Library/Application Support/Ostal');
    expect(defaultProfileDir({ HOME: '/home/agent', OSTAL_PROFILE: '/srv/profil' }, 'linux')).toBe('/srv/profil');
  });
});

describe('migrations', () => {
  it('are numbered without gaps and start with 001_init', () => {
    const all = readMigrations();
    expect(all[0]).toMatchObject({ version: 1, name: 'init' });
    all.forEach((m, i) => expect(m.version).toBe(i + 1));
  });

  it('set user_version, enable WAL and foreign keys, and are idempotent', () => {
    const file = path.join(dir, 'ostal.sqlite');
    const db = openDatabase(file);
    const latest = readMigrations().length;
    expect(db.pragma('user_version', { simple: true })).toBe(latest);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name);
    expect(tables).toEqual(expect.arrayContaining(['accounts', 'operations', 'settings']));
    new AccountRepository(db).insert({ email: 'a@exemple.fr', name: 'A', settings });
    db.close();
    const again = openDatabase(file);
    expect(migrate(again, readMigrations())).toEqual([]);
    expect(again.pragma('user_version', { simple: true })).toBe(latest);
    expect(new AccountRepository(again).list()).toHaveLength(1);
    again.close();
  });

  it('roll back a failing step entirely, version included', () => {
    const db = new Database(':memory:');
    const steps = [
      { version: 1, name: 'ok', sql: 'CREATE TABLE a (x INTEGER);' },
      { version: 2, name: 'broken', sql: 'CREATE TABLE b (y INTEGER); INSERT INTO nowhere VALUES (1);' },
    ];
    expect(() => migrate(db, steps)).toThrow(/002_broken/);
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'b'").get()).toEqual({ n: 0 });
  });

  it('refuse a database written by a newer Ostal, in French, without touching it', () => {
    const file = path.join(dir, 'newer.sqlite');
    const raw = new Database(file);
    raw.pragma('user_version = 999');
    raw.close();
    try {
      openDatabase(file);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(OstalError);
      expect((err as OstalError).code).toBe('profile_too_new');
      expect((err as OstalError).message).toMatch(/version plus récente d’Ostal/);
    }
    const check = new Database(file);
    expect(check.pragma('user_version', { simple: true })).toBe(999);
    check.close();
  });

  it('reject gaps in the numbering', () => {
    const mdir = path.join(dir, 'migrations');
    fs.mkdirSync(mdir);
    fs.writeFileSync(path.join(mdir, '001_init.sql'), 'CREATE TABLE a (x);');
    fs.writeFileSync(path.join(mdir, '003_later.sql'), 'CREATE TABLE c (x);');
    expect(() => readMigrations(mdir)).toThrow(/without gap/);
  });
});

describe('profile lock', () => {
  it('refuses a second holder in French and lets it in after release', () => {
    const profile = path.join(dir, 'profil');
    const first = acquireProfileLock(profile);
    expect(fs.statSync(profile).mode & 0o777).toBe(0o700);
    try {
      acquireProfileLock(profile);
      expect.unreachable();
    } catch (err) {
      expect((err as OstalError).code).toBe('profile_locked');
      expect((err as OstalError).message).toContain('Ostal est déjà ouvert avec ce profil');
      expect((err as OstalError).message).toContain(profile);
    }
    first.release();
    const second = acquireProfileLock(profile);
    second.release();
  });

  it('tells a run that ended without releasing the lock (killed, power cut) from one that released it', () => {
    const profile = path.join(dir, 'profil-fin');
    const first = acquireProfileLock(profile);
    expect(first.previousRunUnclean).toBeNull();
    first.release();
    const clean = acquireProfileLock(profile);
    expect(clean.previousRunUnclean).toBeNull();
    clean.release();
    // Another process takes the profile and exits without releasing it: the system drops its lock, its row stays.
    const before = new Date().toISOString();
    const child = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `import('${path.resolve('src/store/profile.ts')}').then((m) => { m.acquireProfileLock(${JSON.stringify(profile)}); process.exit(0); })`,
      ],
      { encoding: 'utf8' },
    );
    expect(child.status, child.stderr).toBe(0);
    const after = acquireProfileLock(profile);
    expect((after.previousRunUnclean?.since ?? '') >= before).toBe(true);
    after.release();
    const next = acquireProfileLock(profile);
    expect(next.previousRunUnclean).toBeNull();
    next.release();
  });
});

describe('AccountRepository', () => {
  it('stores accounts with unique case-insensitive e-mail and cascades removal to the journal', () => {
    const db = openDatabase(path.join(dir, 'db.sqlite'));
    const repo = new AccountRepository(db);
    const a = repo.insert({ email: 'Camille.Martin@exemple.fr', name: 'Camille Martin', settings, pinnedCertificates: ['PEM'] });
    expect(a.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(repo.findByEmail('camille.martin@EXEMPLE.fr')?.id).toBe(a.id);
    expect(() => repo.insert({ email: 'camille.martin@exemple.fr', name: 'x', settings })).toThrow(/UNIQUE/);
    expect(repo.update(a.id, { name: 'C. Martin' })).toMatchObject({ name: 'C. Martin', pinnedCertificates: ['PEM'], settings });
    repo.recordSync(a.id, { lastSync: '2026-11-23T10:00:00.000Z', lastError: null });
    expect(repo.get(a.id)?.lastSync).toBe('2026-11-23T10:00:00.000Z');
    const journal = new OperationsJournal(db);
    journal.enqueue(a.id, 'mail.flags', { uid: 1 });
    expect(journal.pendingCount(a.id)).toBe(1);
    expect(repo.remove(a.id)).toBe(true);
    expect(journal.pendingCount()).toBe(0);
    expect(db.prepare('SELECT count(*) AS n FROM operations').get()).toEqual({ n: 0 });
    db.close();
  });
});

describe('OperationsJournal', () => {
  it('claims due operations once, backs off on failure, and gives up after maxAttempts', () => {
    const db = openDatabase(path.join(dir, 'db.sqlite'));
    const account = new AccountRepository(db).insert({ email: 'a@exemple.fr', name: 'A', settings });
    const journal = new OperationsJournal(db, { baseMs: 1000, maxMs: 8000, maxAttempts: 3 });
    const t0 = 1_000_000;
    const op = journal.enqueue(account.id, 'mail.flags', { uid: 7, add: ['\\Seen'] }, t0);
    journal.enqueue(account.id, 'calendar.put', { uid: 'x' }, t0);
    expect(journal.pendingCount(account.id)).toBe(2);

    const claimed = journal.claimNext<{ uid: number }>({ kindPrefix: 'mail.', now: t0 });
    expect(claimed).toMatchObject({ id: op.id, state: 'running', attempts: 1, payload: { uid: 7 } });
    expect(journal.claimNext({ kindPrefix: 'mail.', now: t0 })).toBeNull();

    expect(journal.markFailed(op.id, 'réseau', { now: t0 })).toMatchObject({ state: 'pending', nextAttemptAt: t0 + 1000 });
    expect(journal.claimNext({ kindPrefix: 'mail.', now: t0 + 999 })).toBeNull();
    expect(journal.claimNext({ kindPrefix: 'mail.', now: t0 + 1000 })?.attempts).toBe(2);
    expect(journal.markFailed(op.id, 'réseau', { now: t0 + 1000 })?.nextAttemptAt).toBe(t0 + 1000 + 2000);
    journal.claimNext({ kindPrefix: 'mail.', now: t0 + 5000 });
    expect(journal.markFailed(op.id, 'réseau', { now: t0 + 5000 })?.state).toBe('failed');
    expect(journal.failed(account.id).map((o) => o.id)).toEqual([op.id]);

    journal.retryNow(op.id, t0 + 6000);
    journal.claimNext({ kindPrefix: 'mail.', now: t0 + 6000 });
    expect(journal.requeueInterrupted()).toBe(1);
    const again = journal.claimNext({ kindPrefix: 'mail.', now: t0 + 6000 })!;
    journal.markDone(again.id);
    expect(journal.get(again.id)?.state).toBe('done');
    expect(journal.pendingCount(account.id)).toBe(1);
    expect(backoffDelay(10, { baseMs: 1000, maxMs: 8000, maxAttempts: 3 })).toBe(8000);
    db.close();
  });
});

describe('SettingsRepository', () => {
  it('falls back to defaults and lets a locked policy value win', () => {
    const db = openDatabase(path.join(dir, 'db.sqlite'));
    const repo = new SettingsRepository(db);
    expect(repo.effective('mail.offlineWindow', null)).toBe('all');
    expect(repo.effective('mail.speedLimitKbps', null)).toBe(0);
    expect(repo.effective('files.localRoot', null)).toBe(path.join(os.homedir(), 'Documents', 'Ostal'));
    repo.set('mail.offlineWindow', '3months');
    expect(repo.effective('mail.offlineWindow', null)).toBe('3months');
    expect(repo.effective('mail.offlineWindow', { value: '12months', locked: false })).toBe('3months');
    expect(repo.effective('mail.offlineWindow', { value: '12months', locked: true })).toBe('12months');
    expect(repo.effective('mail.offlineWindow', { value: 'six mois', locked: true })).toBe('3months');
    expect(repo.effective('visio.serverUrl', { value: 'https://visio.exemple.fr', locked: false })).toBe('https://visio.exemple.fr');
    db.close();
  });
});
