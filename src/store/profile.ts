import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { OstalError } from '../errors.js';
import { t } from '../i18n/index.js';
import { profilePlacement } from './placement.js';

/**
 * The profile folder holds everything of one user: ostal.sqlite, secrets.json (browser mode
 * and CLI), blobs/, logs/ and the lock file `ostal.lock`.
 *
 * Default location per OS (./placement.ts: on Windows %LOCALAPPDATA%\Ostal, not the roaming profile);
 * `OSTAL_PROFILE` overrides it (the CLI's `--profile DIR` too).
 */
export function defaultProfileDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  exists: (dir: string) => boolean = (dir) => fs.existsSync(dir),
): string {
  return profilePlacement({ platform, env, homedir: os.homedir(), exists, documentsFolder: () => null });
}

/** Held while a Core has the profile open; release() lets another instance in. */
export interface ProfileLock {
  readonly profileDir: string;
  /**
   * The run before this one did not end cleanly (killed, crashed, or the computer lost power): when it started (ISO
   * time), else null. What it wrote without the disk's confirmation may be damaged (see src/mail/blob-recheck.ts).
   */
  readonly previousRunUnclean: { since: string } | null;
  release(): void;
}

export const LOCK_FILE = 'ostal.lock';

/**
 * Take the profile for this process, or throw `profile_locked` (French) when another
 * instance — in this process or another one — holds it.
 *
 * The lock is an exclusive SQLite lock on `<profile>/ostal.lock` (POSIX fcntl / Windows
 * LockFileEx under the hood): the operating system drops it when the holder exits or
 * crashes, so a stale lock can never keep the user out, and there is no PID guessing.
 * SQLite also tracks locks per file inside one process, so a second Core.open on the same
 * profile in the same process is refused as well. The holder's PID and start time are
 * written in the file for diagnostics; its start time also in a `running` table, emptied on
 * release: a row found there at the next start tells that run ended without releasing
 * (`previousRunUnclean`).
 */
export function acquireProfileLock(dir: string): ProfileLock {
  const profileDir = path.resolve(dir);
  fs.mkdirSync(profileDir, { recursive: true, mode: 0o700 });
  if (process.platform !== 'win32') {
    try {
      const st = fs.statSync(profileDir);
      if ((st.mode & 0o077) !== 0 && st.uid === process.getuid?.()) fs.chmodSync(profileDir, 0o700);
    } catch {
      /* best effort: a profile on a foreign file system may refuse chmod */
    }
  }
  const file = path.join(profileDir, LOCK_FILE);
  const db = new Database(file, { timeout: 0 });
  let previousRunUnclean: ProfileLock['previousRunUnclean'] = null;
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    // WAL in exclusive locking mode (no shared memory, the lock held until close) with synchronous NORMAL: taking and
    // releasing the lock waits for 4 fsyncs (the WAL's creation, the checkpoint at close) where the rollback journal
    // took ~9, each some milliseconds on a journaled disk, more on Windows. A power cut can lose the last row written,
    // never damage the file.
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    // A write transaction in exclusive locking mode keeps the EXCLUSIVE lock until close().
    db.exec('BEGIN EXCLUSIVE');
    db.exec('CREATE TABLE IF NOT EXISTS holder (pid INTEGER, host TEXT, since TEXT)');
    // `running` has a row while a run holds the lock, deleted when it releases it: a row still there is a run that ended
    // without releasing it (a table of its own: the holder rows of versions before it were never deleted).
    db.exec('CREATE TABLE IF NOT EXISTS running (since TEXT)');
    const left = db.prepare('SELECT since FROM running ORDER BY since LIMIT 1').get() as { since: unknown } | undefined;
    previousRunUnclean = left && typeof left.since === 'string' ? { since: left.since } : null;
    const now = new Date().toISOString();
    db.exec('DELETE FROM holder');
    db.exec('DELETE FROM running');
    db.prepare('INSERT INTO holder (pid, host, since) VALUES (?, ?, ?)').run(process.pid, os.hostname(), now);
    db.prepare('INSERT INTO running (since) VALUES (?)').run(now);
    db.exec('COMMIT');
  } catch (err) {
    db.close();
    const code = (err as { code?: string }).code ?? '';
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
      throw new OstalError('profile_locked', t('errors.profileLocked', { profile: profileDir }), { cause: err });
    }
    throw err;
  }
  let released = false;
  return {
    profileDir,
    previousRunUnclean,
    release() {
      if (released) return;
      released = true;
      try {
        db.exec('DELETE FROM running');
      } finally {
        db.close();
      }
    },
  };
}
