/**
 * kill -9 of the core at random moments during mail sync and send, 20 rounds: no message lost, none sent twice,
 * the database intact. A child process (the "app") queues a message then syncs and drains the Boîte d'envoi in a
 * loop; the test kills it with SIGKILL at a random moment, reopens the profile and checks, then starts the next round.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ImapFlow } from 'imapflow';
import { describe, expect, it } from 'vitest';
import { Core } from '../../src/core.js';
import { silentLogger } from '../../src/log.js';
import { caCert, getServers, testUser } from '../servers/testing.js';

const REPO = path.resolve(import.meta.dirname, '../..');
const ROUNDS = 20;

const APP = `
  import { Core } from ${JSON.stringify(path.join(REPO, 'src/core.ts'))};
  const [profileDir, settingsJson, email, password, to, subject] = process.argv.slice(2);
  const core = await Core.open({ profileDir, mode: 'cli', policyPath: null });
  let account = (await core.handle('accounts.list', {}))[0];
  if (!account) account = await core.handle('accounts.add', { email, password, settings: JSON.parse(settingsJson) });
  const entry = await core.handle('mail.send', { accountId: account.id, to: [to], subject, text: 'Message de test : arrêt brutal pendant la synchronisation et l’envoi.' });
  process.stdout.write(JSON.stringify({ id: entry.id, messageId: entry.messageId }) + '\\n');
  for (;;) {
    await core.handle('sync.run', { only: 'mail' });
    await core.handle('mail.outbox.drain', { ignoreBackoff: true });
  }
`;

async function countByMessageId(user: { email: string; password: string }, folder: string, messageId: string): Promise<number> {
  const s = getServers();
  const client = new ImapFlow({
    host: 'localhost',
    port: s.imap.tlsPort,
    secure: true,
    auth: { user: user.email, pass: user.password },
    tls: { ca: caCert() },
    logger: false,
  });
  await client.connect();
  try {
    const lock = await client.getMailboxLock(folder);
    try {
      const uids = await client.search({ header: { 'message-id': messageId } }, { uid: true });
      return Array.isArray(uids) ? uids.length : 0;
    } finally {
      lock.release();
    }
  } finally {
    await client.logout();
  }
}

describe('arrêt brutal du cœur (kill -9) pendant la synchronisation et l’envoi', () => {
  it(`${ROUNDS} arrêts : aucun message perdu, aucun envoyé deux fois, base intacte`, { timeout: 300_000 }, async () => {
    const s = getServers();
    const sender = testUser(2);
    const recipient = testUser(3);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-crash-'));
    const profileDir = path.join(dir, 'profil');
    const appFile = path.join(dir, 'app.mts');
    fs.writeFileSync(appFile, APP);
    const settings = JSON.stringify({ imap: `imaps://localhost:${s.imap.tlsPort}`, smtp: `smtps://localhost:${s.smtp.tlsPort}` });
    const tag = `crash-${Date.now().toString(36)}`;
    const acknowledged: { id: string; messageId: string }[] = [];
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;

    for (let round = 0; round < ROUNDS; round++) {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', appFile, profileDir, settings, sender.email, sender.password, recipient.email, `${tag} n° ${round}`],
        {
          cwd: REPO,
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let out = '';
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      const ack = await new Promise<{ id: string; messageId: string } | null>((resolve) => {
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const line = out.split('\n').find((l) => l.startsWith('{'));
          if (line) resolve(JSON.parse(line) as { id: string; messageId: string });
        });
        void exited.then(() => resolve(null));
      });
      expect(ack, `round ${round}: the app died before queueing: ${err}`).not.toBeNull();
      acknowledged.push(ack!);
      // Kill at a random moment of the sync/send loop (0 to 1.5 s after the message was queued).
      await new Promise((r) => setTimeout(r, Math.floor(random() * 1500)));
      child.kill('SIGKILL');
      await exited;

      const core = await Core.open({ profileDir, mode: 'cli', policyPath: null, logger: silentLogger });
      try {
        expect(core.ctx.db.pragma('integrity_check', { simple: true }), `round ${round}`).toBe('ok');
        const ids = new Set((await core.handle('mail.outbox.list', { includeSent: true })).map((e) => e.id));
        for (const a of acknowledged) expect(ids.has(a.id), `round ${round}: queued message ${a.id} lost`).toBe(true);
        const dupes = core.ctx.db
          .prepare(
            'SELECT folder_id, message_id, count(*) AS n FROM mail_messages WHERE message_id IS NOT NULL AND uid > 0 GROUP BY folder_id, message_id HAVING n > 1',
          )
          .all();
        expect(dupes, `round ${round}: duplicated messages in the store`).toEqual([]);
      } finally {
        await core.close();
      }
    }

    // Back to normal: the app runs to the end; whatever was merely queued is sent, uncertain sends wait for the user.
    const core = await Core.open({ profileDir, mode: 'cli', policyPath: null, logger: silentLogger });
    try {
      for (let i = 0; i < 30; i++) {
        const pending = (await core.handle('mail.outbox.drain', { ignoreBackoff: true })).filter(
          (e) => e.state === 'queued' || e.state === 'sending',
        );
        if (pending.length === 0) break;
      }
      const entries = await core.handle('mail.outbox.list', { includeSent: true });
      const byId = new Map(entries.map((e) => [e.id, e]));
      let sent = 0;
      let uncertain = 0;
      for (const a of acknowledged) {
        const e = byId.get(a.id)!;
        expect(['sent', 'uncertain'], `${a.id} ended ${e.state}: ${e.lastError}`).toContain(e.state);
        // Delivery by Postfix → LMTP takes a moment: poll until the count settles.
        let delivered = 0;
        for (let t = 0; t < 50; t++) {
          delivered = await countByMessageId(recipient, 'INBOX', a.messageId);
          if (e.state === 'uncertain' || delivered > 0) break;
          await new Promise((r) => setTimeout(r, 200));
        }
        if (e.state === 'sent') {
          sent++;
          expect(delivered, `${a.messageId} sent but delivered ${delivered} times`).toBe(1);
          expect(await countByMessageId(sender, 'Sent', a.messageId), `${a.messageId} in Envoyés`).toBeLessThanOrEqual(1);
        } else {
          uncertain++;
          expect(delivered, `${a.messageId} uncertain but delivered ${delivered} times`).toBeLessThanOrEqual(1);
        }
      }
      expect(sent + uncertain).toBe(ROUNDS);
      expect(sent).toBeGreaterThan(0);
    } finally {
      await core.close();
    }
  });
});
