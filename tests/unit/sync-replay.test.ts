/**
 * A replay asked while a run of the same account and scope is under way (a file watcher's run, say) runs once more
 * after it: joining it would leave the change to the next period (60 s), since that run read its state before. Seen as
 * « Garder les deux » whose copy reached the server only a minute later, in a fresh-clone e2e run.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Core } from '../../src/core.js';
import { silentLogger } from '../../src/log.js';
import { SyncScheduler } from '../../src/sync/scheduler.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A core with one account row (no server is reached: each test registers its own scope). */
async function schedulerWithAccount(): Promise<{ core: Core; id: string; scheduler: SyncScheduler }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-replay-'));
  dirs.push(dir);
  const core = await Core.open({ profileDir: dir, mode: 'cli', logger: silentLogger, policyPath: null });
  const id = crypto.randomUUID();
  core.ctx.db
    .prepare('INSERT INTO accounts (id, email, name, settings, created_at) VALUES (?, ?, ?, ?, ?)')
    .run(
      id,
      'agent@mairie.test',
      'Agent',
      JSON.stringify({ imap: 'imap://localhost:1', smtp: 'smtp://localhost:1', username: 'agent' }),
      new Date().toISOString(),
    );
  return { core, id, scheduler: new SyncScheduler(core.ctx) };
}

describe('SyncScheduler: runs and replays under way', () => {
  it('runs again after a run of the same scope already under way, instead of joining it', async () => {
    const { core, id, scheduler } = await schedulerWithAccount();
    try {
      // What each run saw of the folder's state when it started.
      let state = 'avant';
      const seen: string[] = [];
      let release!: () => void;
      const firstRunHeld = new Promise<void>((resolve) => (release = resolve));
      scheduler.registerScope('files', async () => {
        seen.push(state);
        if (seen.length === 1) await firstRunHeld;
      });
      const first = scheduler.run({ accountId: id, only: 'files' });
      await expect.poll(() => seen.length).toBe(1);
      // A change made while that run is under way, then its replay asked once.
      state = 'après';
      scheduler.requestReplay(id, 'files');
      release();
      await first;
      await expect.poll(() => seen).toEqual(['avant', 'après']);
      // No third run comes.
      await new Promise((r) => setTimeout(r, 200));
      expect(seen).toEqual(['avant', 'après']);
    } finally {
      await core.close();
    }
  });

  it('mail: an action made while the previous action is being sent is sent right after it; none in one-shot runs (the CLI)', async () => {
    const { core, id, scheduler } = await schedulerWithAccount();
    try {
      // What each run saw of the actions to send when it started.
      let state = 'rien';
      const seen: string[] = [];
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      scheduler.registerScope(
        'mail',
        async () => {
          seen.push(state);
          if (state === 'non lu') await held;
        },
        { replayOnlyInBackground: true },
      );
      // Without the background loop (the CLI), the command's own sync sends the actions: no replay.
      scheduler.requestReplay(id, 'mail');
      await new Promise((r) => setTimeout(r, 100));
      expect(seen).toEqual([]);
      scheduler.start();
      await expect.poll(() => seen).toEqual(['rien']);
      await expect.poll(() => scheduler.isSettled).toBe(true);
      // « Marquer comme non lu »: its replay starts (and takes its time); « Marquer comme lu » meanwhile.
      state = 'non lu';
      scheduler.requestReplay(id, 'mail');
      await expect.poll(() => seen).toEqual(['rien', 'non lu']);
      state = 'lu';
      scheduler.requestReplay(id, 'mail');
      release();
      // Joining the replay under way would leave « lu » to the next minute.
      await expect.poll(() => seen).toEqual(['rien', 'non lu', 'lu']);
      await new Promise((r) => setTimeout(r, 200));
      expect(seen).toEqual(['rien', 'non lu', 'lu']);
    } finally {
      await scheduler.stop();
      await core.close();
    }
  });

  it('coalesces the replays asked while one waits, and runs once more for one asked while it runs', async () => {
    const { core, id, scheduler } = await schedulerWithAccount();
    try {
      let runs = 0;
      const holds: (() => void)[] = [];
      scheduler.registerScope('files', async () => {
        runs++;
        await new Promise<void>((resolve) => holds.push(resolve));
      });
      const first = scheduler.run({ accountId: id, only: 'files' });
      await expect.poll(() => runs).toBe(1);
      // Three requests while the first run goes on: one replay after it.
      for (let i = 0; i < 3; i++) scheduler.requestReplay(id, 'files');
      holds.shift()!();
      await first;
      await expect.poll(() => runs).toBe(2);
      // A request while that replay runs: one more run after it, and no more.
      scheduler.requestReplay(id, 'files');
      scheduler.requestReplay(id, 'files');
      holds.shift()!();
      await expect.poll(() => runs).toBe(3);
      holds.shift()!();
      await new Promise((r) => setTimeout(r, 200));
      expect(runs).toBe(3);
    } finally {
      await core.close();
    }
  });

  it('a run asked while one of the same scope is under way runs once more after it (shared); join "any" joins it', async () => {
    const { core, id, scheduler } = await schedulerWithAccount();
    try {
      let state = 'avant';
      const seen: string[] = [];
      const holds: (() => void)[] = [];
      scheduler.registerScope('files', async () => {
        seen.push(state);
        await new Promise<void>((resolve) => holds.push(resolve));
      });
      const first = scheduler.run({ accountId: id, only: 'files' });
      // Asked before the first run began (same tick): joined, not doubled.
      const joinedBeforeStart = scheduler.run({ accountId: id, only: 'files' });
      await expect.poll(() => seen.length).toBe(1);
      // Files deleted on the server after that run listed them, then « Synchroniser » twice and the periodic loop.
      state = 'après';
      const second = scheduler.run({ accountId: id, only: 'files' });
      const third = scheduler.run({ accountId: id, only: 'files' });
      const periodic = scheduler.run({ accountId: id, only: 'files', join: 'any' });
      holds.shift()!();
      await Promise.all([first, joinedBeforeStart, periodic]);
      await expect.poll(() => seen).toEqual(['avant', 'après']);
      holds.shift()!();
      const [a, b] = await Promise.all([second, third]);
      expect(a).toEqual(b);
      expect(a.accounts[0].ok).toBe(true);
      await new Promise((r) => setTimeout(r, 200));
      expect(seen).toEqual(['avant', 'après']);
    } finally {
      await core.close();
    }
  });

  it('a run asked while one is under way does not start once the scheduler stops (the core closes)', async () => {
    const { core, id, scheduler } = await schedulerWithAccount();
    try {
      let runs = 0;
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      scheduler.registerScope('files', async () => {
        runs++;
        await held;
      });
      const first = scheduler.run({ accountId: id, only: 'files' });
      await expect.poll(() => runs).toBe(1);
      const second = scheduler.run({ accountId: id, only: 'files' });
      const stopped = scheduler.stop();
      release();
      await stopped;
      expect(await second).toEqual(await first);
      expect(runs).toBe(1);
    } finally {
      await core.close();
    }
  });
});
