/**
 * kill -9 of the core while it sends Discussion messages, 20 rounds, against the run's Prosody: a child process opens
 * agent5's Ostal, sends messages one after another and is killed at a random moment (often while a message is on the
 * wire: the server may still take the last stanza the dead client sent). The next round starts by reading the
 * history, which sends what the queue holds after asking the room's archive. At the end, in the room's archive: every
 * message whose sending had returned is there once, no message is there twice, and the order is the writing order.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { XmppSession } from '../../src/workspaces/xmpp/session.js';
import { roomArchive } from '../../src/workspaces/xmpp/muc.js';
import { getServers, testUser } from '../servers/testing.js';
import { tempProfile, openWorkspaceCore, refreshUntilListed } from './workspaces-fixture.js';

const REPO = path.resolve(import.meta.dirname, '../..');
const dirs: string[] = [];

afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('espaces de travail : arrêt brutal pendant l’envoi', () => {
  it('20 kill -9 pendant l’envoi : aucun message perdu ni en double dans l’archive du salon', { timeout: 600_000 }, async () => {
    const s = getServers();
    const xmpp = `xmpp://localhost:${s.prosody.port}`;
    const a5 = testUser(5);
    const one = await openWorkspaceCore(testUser(1), tempProfile(dirs, 'k-a1'), xmpp);
    const space = await one.core.handle('workspaces.create', { name: `Arrêt brutal ${randomUUID().slice(0, 6)}`, members: [a5.email] });
    await one.core.close();
    const profileDir = tempProfile(dirs, 'k-a5');
    const five = await openWorkspaceCore(a5, profileDir, xmpp);
    expect(await refreshUntilListed(five.core, space.id)).toContain(space.id);
    await five.core.close();

    const app = path.join(path.dirname(profileDir), 'app.mts');
    fs.writeFileSync(
      app,
      `import { Core } from ${JSON.stringify(path.join(REPO, 'src/core.ts'))};
       const [profileDir, room, round] = process.argv.slice(2);
       const core = await Core.open({ profileDir, mode: 'cli', policyPath: null });
       await core.handle('chat.history', { workspaceId: room });
       process.stdout.write('READY\\n');
       for (let i = 0; ; i++) {
         const text = 'r' + round + '-m' + String(i).padStart(3, '0');
         process.stdout.write('S ' + text + '\\n');
         const m = await core.handle('chat.send', { workspaceId: room, text });
         process.stdout.write('OK ' + text + ' ' + (m.pending ? 'pending' : 'sent') + '\\n');
       }`,
    );
    let seed = 15;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const ROUNDS = 20;
    const started: string[] = [];
    const confirmed: string[] = [];
    let killedMidSend = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const child = spawn(process.execPath, ['--import', 'tsx', app, profileDir, space.id, String(round).padStart(2, '0')], {
        cwd: REPO,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, OSTAL_LOG_LEVEL: 'warn' },
      });
      const target = 1 + Math.floor(random() * 6);
      const delayMs = Math.floor(random() * 15);
      await new Promise<void>((resolve) => {
        let ok = 0;
        let buffered = '';
        let errors = '';
        child.stdout.on('data', (chunk: Buffer) => {
          buffered += chunk.toString();
          const lines = buffered.split('\n');
          buffered = lines.pop() ?? '';
          for (const line of lines) {
            if (line.startsWith('S ')) started.push(line.slice(2));
            if (line.startsWith('OK ')) {
              confirmed.push(line.split(' ')[1]!);
              ok++;
              if (ok === target) setTimeout(() => child.kill('SIGKILL'), delayMs);
            }
          }
        });
        child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
        child.on('exit', (code, signal) => {
          if (signal !== 'SIGKILL' && errors.trim()) process.stderr.write(errors.slice(-3000));
          resolve();
        });
      });
      const lastStarted = started[started.length - 1];
      if (lastStarted && !confirmed.includes(lastStarted)) killedMidSend++;
    }
    // Some rounds were killed while a message was being sent (the case that matters).
    expect(killedMidSend).toBeGreaterThan(0);

    // A last start sends what is left in the queue.
    const last = await openWorkspaceCore(a5, profileDir, xmpp);
    try {
      const history = await last.core.handle('chat.history', { workspaceId: space.id, limit: 500 });
      expect(history.filter((m) => m.pending)).toEqual([]);
    } finally {
      await last.core.close();
    }
    const reader = await XmppSession.open({
      service: xmpp,
      domain: 'ostal.test',
      username: 'agent1',
      password: testUser(1).password,
      log: silentLogger,
    });
    let archived: string[];
    try {
      archived = (await roomArchive(reader, space.id, 500)).map((m) => m.body);
    } finally {
      await reader.close();
    }
    expect(archived.length).toBeGreaterThan(ROUNDS);
    // Never twice.
    expect(new Set(archived).size).toBe(archived.length);
    // Never lost: every message whose sending returned is there.
    expect(confirmed.filter((t) => !archived.includes(t))).toEqual([]);
    // Nothing else than what was written, in the writing order.
    expect(archived.filter((t) => !started.includes(t))).toEqual([]);
    expect(archived).toEqual([...archived].sort());
  });
});
