/**
 * « Suspendre » of the background download of bodies is kept across restarts: paused in one run of the app, the
 * next run (same profile) starts paused, syncs headers but downloads no body, until « Reprendre ».
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Core } from '../../src/core.js';
import { silentLogger } from '../../src/log.js';
import { getServers } from '../servers/testing.js';
import { addAccount, MemorySecretStore } from './mail-sync-fixture.js';
import { addImapUser, appendMessages, generateMessages } from './mail-offline-fixture.js';

const COUNT = 300;
const FOLDERS = ['INBOX', 'Archive', 'Sent', 'Projets'] as const;

function storedBodies(core: Core): number {
  return core.ctx.db.prepare('SELECT count(*) FROM mail_messages WHERE body_path IS NOT NULL').pluck().get() as number;
}

async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('« Suspendre » du téléchargement hors ligne', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-download-pause-'));
  const secrets = new MemorySecretStore();
  const open = () => Core.open({ profileDir: dir, mode: 'browser', secrets, policyPath: null, logger: silentLogger });
  let core: Core | null = null;

  afterAll(async () => {
    await core?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('est gardé après un redémarrage, jusqu’à « Reprendre »', { timeout: 120_000 }, async () => {
    const s = getServers();
    const user = addImapUser(s, 'pause');
    await appendMessages(
      s,
      user,
      generateMessages(COUNT, { seed: 7, folders: FOLDERS, bodyBytes: 6000, domain: s.domain, to: user.email }),
    );

    // First run: the background download is slowed down, then paused while it runs.
    core = await open();
    await addAccount(core, user, { imap: `imaps://localhost:${s.imap.tlsPort}` });
    await core.handle('settings.set', { key: 'mail.speedLimitKbps', value: 64 });
    core.startBackgroundSync();
    const first = core;
    await waitFor('the background download', async () => (await first.handle('mail.download.state', {})).running, 60_000);
    const paused = await core.handle('mail.download.pause', {});
    expect(paused).toMatchObject({ paused: true, running: false });
    const storedAtPause = storedBodies(core);
    expect(storedAtPause).toBeLessThan(COUNT);
    await core.close();

    // Second run, same profile: paused from the start; a full mail sync brings headers but no body.
    core = await open();
    expect(await core.handle('mail.download.state', {})).toMatchObject({ paused: true, running: false });
    await core.handle('settings.set', { key: 'mail.speedLimitKbps', value: 0 });
    core.startBackgroundSync();
    const report = await core.handle('sync.run', { only: 'mail' });
    expect(report.accounts.every((a) => a.ok)).toBe(true);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await core.handle('mail.download.state', {})).toMatchObject({ paused: true, running: false });
    expect(storedBodies(core)).toBe(storedAtPause);
    const headers = core.ctx.db.prepare('SELECT count(*) FROM mail_messages WHERE uid > 0').pluck().get() as number;
    expect(headers).toBe(COUNT);

    // « Reprendre »: every body comes down, and the choice is kept as « not paused ».
    expect(await core.handle('mail.download.resume', {})).toMatchObject({ paused: false });
    const second = core;
    await waitFor('every body', () => storedBodies(second) === COUNT, 60_000);
    await core.close();
    core = await open();
    expect(await core.handle('mail.download.state', {})).toMatchObject({ paused: false });
  });
});
