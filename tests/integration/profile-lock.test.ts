import { spawn, execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Core } from '../../src/core.js';
import { OstalError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';

const REPO = path.resolve(import.meta.dirname, '../..');
let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-lock-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A second Ostal in its own process: opens the profile, keeps writing to the journal until killed. */
const HOLDER = (profile: string) => `
  import { Core } from ${JSON.stringify(path.join(REPO, 'src/core.ts'))};
  import { AccountRepository } from ${JSON.stringify(path.join(REPO, 'src/store/account-repository.ts'))};
  import { OperationsJournal } from ${JSON.stringify(path.join(REPO, 'src/store/operations-journal.ts'))};
  const core = await Core.open({ profileDir: ${JSON.stringify(profile)}, mode: 'cli', policyPath: null });
  const account = new AccountRepository(core.ctx.db).insert({ email: 'agent1@ostal.test', name: 'Camille Martin',
    settings: { imap: 'imaps://localhost:993', smtp: 'smtp://localhost:587', caldav: null, carddav: null, webdav: null, username: null } });
  const journal = new OperationsJournal(core.ctx.db);
  let n = 0;
  const batch = () => { for (let i = 0; i < 50; i++) journal.enqueue(account.id, 'mail.flags', { uid: ++n }); };
  batch(); // at least one committed batch before READY, so the kill always lands on a journal with rows
  setInterval(batch, 5);
  process.stdout.write('READY\\n');
`;

const OPENER = (profile: string) => `
  import { Core } from ${JSON.stringify(path.join(REPO, 'src/core.ts'))};
  try {
    const core = await Core.open({ profileDir: ${JSON.stringify(profile)}, mode: 'cli', policyPath: null });
    await core.close();
    process.stdout.write(JSON.stringify({ opened: true }));
  } catch (err) {
    process.stdout.write(JSON.stringify({ code: err.code, message: err.message }));
  }
`;

function script(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

describe('one profile, one Ostal', () => {
  it('refuses a second instance from another process in French; the database stays intact, even after the holder is killed', async () => {
    const profile = path.join(dir, 'profil');
    const child = spawn(process.execPath, ['--import', 'tsx', script('holder.mts', HOLDER(profile))], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => d.toString().includes('READY') && resolve());
        child.once('exit', (code) => reject(new Error(`holder exited early (${code})`)));
      });

      try {
        await Core.open({ profileDir: profile, mode: 'browser', policyPath: null, logger: silentLogger });
        expect.unreachable();
      } catch (err) {
        expect(err).toBeInstanceOf(OstalError);
        expect((err as OstalError).code).toBe('profile_locked');
        expect((err as OstalError).message).toBe(
          `Ostal est déjà ouvert avec ce profil (${profile}). Fermez l’autre fenêtre d’Ostal, ou choisissez un autre profil.`,
        );
      }
    } finally {
      // A crash, not a clean exit: the operating system must drop the lock by itself.
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    }

    const core = await Core.open({ profileDir: profile, mode: 'browser', policyPath: null, logger: silentLogger });
    try {
      expect(core.ctx.db.pragma('integrity_check', { simple: true })).toBe('ok');
      const accounts = core.ctx.db.prepare('SELECT email FROM accounts').all();
      expect(accounts).toEqual([{ email: 'agent1@ostal.test' }]);
      const ops = core.ctx.db.prepare('SELECT count(*) AS n, max(id) AS last FROM operations').get() as { n: number; last: number };
      expect(ops.n).toBeGreaterThan(0);
      expect(ops.n).toBe(ops.last); // no hole: every committed enqueue survived

      // And now this process holds it: another process is refused in turn.
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script('opener.mts', OPENER(profile))], {
        cwd: REPO,
        timeout: 60_000,
      });
      expect(JSON.parse(stdout)).toEqual({
        code: 'profile_locked',
        message: `Ostal est déjà ouvert avec ce profil (${profile}). Fermez l’autre fenêtre d’Ostal, ou choisissez un autre profil.`,
      });
    } finally {
      await core.close();
    }
    const raw = new Database(path.join(profile, 'ostal.sqlite'), { readonly: true });
    expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
    raw.close();

    // Closed cleanly: the next instance gets in.
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', path.join(dir, 'opener.mts')], {
      cwd: REPO,
      timeout: 60_000,
    });
    expect(JSON.parse(stdout)).toEqual({ opened: true });
  });

  it('refuses a second Core.open on the same profile inside one process', async () => {
    const profile = path.join(dir, 'profil');
    const first = await Core.open({ profileDir: profile, mode: 'cli', policyPath: null, logger: silentLogger });
    try {
      await expect(Core.open({ profileDir: profile, mode: 'cli', policyPath: null, logger: silentLogger })).rejects.toMatchObject({
        code: 'profile_locked',
      });
      expect(fs.existsSync(path.join(profile, 'blobs'))).toBe(true);
    } finally {
      await first.close();
    }
    const again = await Core.open({ profileDir: profile, mode: 'cli', policyPath: null, logger: silentLogger });
    await again.close();
  });
});
