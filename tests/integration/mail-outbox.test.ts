/**
 * Boîte d'envoi against the real Postfix submission + Dovecot: delivered exactly once, filed in Envoyés,
 * offline without error storm, interrupted sends become uncertain and are never resent silently.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImapFlow } from 'imapflow';
import { Core } from '../../src/core.js';
import { silentLogger } from '../../src/log.js';
import type { OutboxEntry } from '../../src/shared/contract.js';
import { getServers, testUser } from '../servers/testing.js';
import { MemorySecretStore, TcpRelay, addAccount, serverConnection, waitFor } from './mail-sync-fixture.js';

const sender = () => testUser(4);
const recipient = () => testUser(5);

/** A profile that survives a Core restart (same folder, same secrets). */
class Profile {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-outbox-'));
  readonly secrets = new MemorySecretStore();
  core!: Core;
  async open(): Promise<Core> {
    this.core = await Core.open({ profileDir: this.dir, mode: 'cli', secrets: this.secrets, policyPath: null, logger: silentLogger });
    return this.core;
  }
  async reopen(): Promise<Core> {
    await this.core.close();
    return this.open();
  }
  async dispose(): Promise<void> {
    await this.core?.close();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

async function countByMessageId(client: ImapFlow, folder: string, messageId: string): Promise<number> {
  const lock = await client.getMailboxLock(folder);
  try {
    // Dovecot updates a selected mailbox's view at command boundaries: NOOP first so SEARCH sees new arrivals.
    await client.noop();
    const found = await client.search({ header: { 'message-id': messageId } }, { uid: true });
    return Array.isArray(found) ? found.length : 0;
  } finally {
    lock.release();
  }
}

/** Wait until the message is there, then a little more, and return the count (to catch a second delivery). */
async function settledCount(client: ImapFlow, folder: string, messageId: string, expectAtLeast = 1): Promise<number> {
  await waitFor(`${messageId} in ${folder}`, async () => (await countByMessageId(client, folder, messageId)) >= expectAtLeast, 20_000);
  await new Promise((r) => setTimeout(r, 1500));
  return countByMessageId(client, folder, messageId);
}

function entry(list: OutboxEntry[], id: string): OutboxEntry {
  const found = list.find((e) => e.id === id);
  if (!found) throw new Error(`no outbox entry ${id}`);
  return found;
}

describe('Boîte d’envoi (SMTP submission, Envoyés)', () => {
  let senderImap: ImapFlow;
  let recipientImap: ImapFlow;

  beforeAll(async () => {
    senderImap = await serverConnection(sender());
    recipientImap = await serverConnection(recipient());
  });

  afterAll(async () => {
    await senderImap?.logout().catch(() => undefined);
    await recipientImap?.logout().catch(() => undefined);
  });

  it('sends agent4 → agent5 with an attachment exactly once and files a \\Seen copy in Envoyés', async () => {
    const p = new Profile();
    try {
      const core = await p.open();
      const accountId = await addAccount(core, sender());
      const subject = `Envoi avec pièce jointe ${crypto.randomUUID()}`;
      const events: string[] = [];
      core.onEvent((e) => events.push(e));
      const queued = await core.handle('mail.send', {
        accountId,
        to: [`${recipient().name} <${recipient().email}>`],
        subject,
        text: 'Bonjour,\nveuillez trouver le compte rendu ci-joint.\n',
        attachments: [{ filename: 'compte rendu.txt', contentBase64: Buffer.from('Ordre du jour : budget 2027').toString('base64') }],
      });
      expect(queued.state).toBe('queued');
      expect(queued.messageId).toMatch(/^<[0-9a-f-]{36}@ostal\.test>$/);
      expect(events).toContain('outbox.changed');

      const after = await core.handle('mail.outbox.drain', { accountId });
      const sent = entry(after, queued.id);
      expect(sent).toMatchObject({ state: 'sent', filedInSent: true, attempts: 1, lastError: null });
      expect(await core.handle('mail.outbox.list', {})).toEqual([]);

      expect(await settledCount(recipientImap, 'INBOX', queued.messageId)).toBe(1);
      expect(await countByMessageId(senderImap, 'Sent', queued.messageId)).toBe(1);
      const lock = await senderImap.getMailboxLock('Sent');
      try {
        const uids = await senderImap.search({ header: { 'message-id': queued.messageId } }, { uid: true });
        const msg = await senderImap.fetchOne(String((uids as number[])[0]), { flags: true, source: true }, { uid: true });
        expect(msg && [...(msg.flags ?? [])]).toContain('\\Seen');
        expect(msg && msg.source?.toString()).toContain('compte rendu.txt');
      } finally {
        lock.release();
      }

      // Draining again sends nothing twice.
      await core.handle('mail.outbox.drain', { accountId, ignoreBackoff: true });
      expect(await settledCount(recipientImap, 'INBOX', queued.messageId)).toBe(1);
      expect(await countByMessageId(senderImap, 'Sent', queued.messageId)).toBe(1);

      // The recipient replies from its own profile: fields come from the stored message, the reply threads.
      const r = new Profile();
      try {
        const rcore = await r.open();
        const rAccount = await addAccount(rcore, recipient());
        await rcore.handle('sync.run', { accountId: rAccount, only: 'mail' });
        const inbox = await rcore.handle('mail.messages', { accountId: rAccount, folder: 'INBOX', limit: 1000 });
        const original = inbox.find((m) => m.messageId === queued.messageId);
        expect(original).toBeDefined();
        const draft = await rcore.handle('mail.compose.prepare', {
          accountId: rAccount,
          folder: 'INBOX',
          uid: original!.uid,
          mode: 'reply',
        });
        expect(draft.to).toEqual([`${sender().name} <${sender().email}>`]);
        expect(draft.subject).toBe(`Re\u00a0: ${subject}`);
        expect(draft.inReplyTo).toBe(queued.messageId);
        expect(draft.text).toMatch(/a écrit\u00a0:\n> Bonjour,\n> veuillez trouver/);
        const fwd = await rcore.handle('mail.compose.prepare', {
          accountId: rAccount,
          folder: 'INBOX',
          uid: original!.uid,
          mode: 'forwardAsAttachment',
        });
        expect(fwd.attachments[0]).toMatchObject({ contentType: 'message/rfc822' });
        expect(Buffer.from(fwd.attachments[0].contentBase64!, 'base64').toString()).toContain(queued.messageId);
      } finally {
        await r.dispose();
      }
    } finally {
      await p.dispose();
    }
  });

  it('stays queued while the submission server is unreachable, without retrying in a loop, then is sent once', async () => {
    const s = getServers();
    const relay = new TcpRelay(s.smtp.port);
    await relay.open();
    const port = relay.port;
    await relay.close();
    const p = new Profile();
    try {
      const core = await p.open();
      const accountId = await addAccount(core, sender(), { smtp: `smtp://localhost:${port}` });
      const queued = await core.handle('mail.send', {
        accountId,
        to: [recipient().email],
        subject: `Hors ligne ${crypto.randomUUID()}`,
        text: 'Envoyé plus tard.',
      });

      let list = await core.handle('mail.outbox.drain', { accountId });
      let e = entry(list, queued.id);
      expect(e.state).toBe('queued');
      expect(e.attempts).toBe(1);
      expect(e.lastError).toContain('injoignable');
      expect(e.nextAttemptAt && Date.parse(e.nextAttemptAt)).toBeGreaterThan(Date.now());

      // Within the back-off, further drains make no new attempt.
      for (let i = 0; i < 5; i++) await core.handle('mail.outbox.drain', {});
      list = await core.handle('mail.outbox.list', {});
      expect(entry(list, queued.id).attempts).toBe(1);

      await relay.open(port);
      try {
        list = await core.handle('mail.outbox.drain', { accountId, ignoreBackoff: true });
        e = entry(list, queued.id);
        expect(e).toMatchObject({ state: 'sent', attempts: 2, filedInSent: true });
        expect(await settledCount(recipientImap, 'INBOX', queued.messageId)).toBe(1);
      } finally {
        await relay.close();
      }
    } finally {
      await p.dispose();
    }
  });

  it('after a crash during a send the message is uncertain and not resent; « Renvoyer » sends it once when Envoyés lacks it', async () => {
    const p = new Profile();
    try {
      const core = await p.open();
      const accountId = await addAccount(core, sender());
      const queued = await core.handle('mail.send', {
        accountId,
        to: [recipient().email],
        subject: `Interrompu ${crypto.randomUUID()}`,
        text: 'Le processus est mort.',
      });
      // The state the sender commits just before opening the SMTP connection, then the process dies.
      core.ctx.db.prepare(`UPDATE outbox SET state = 'sending', attempts = 1 WHERE id = ?`).run(queued.id);
      const reopened = await p.reopen();

      let list = await reopened.handle('mail.outbox.list', {});
      expect(entry(list, queued.id)).toMatchObject({
        state: 'uncertain',
        lastError: 'Ce message a peut-être déjà été envoyé. Vérifiez vos Envoyés avant de le renvoyer.',
      });
      list = await reopened.handle('mail.outbox.drain', { ignoreBackoff: true });
      expect(entry(list, queued.id).state).toBe('uncertain');
      await new Promise((r) => setTimeout(r, 1500));
      expect(await countByMessageId(recipientImap, 'INBOX', queued.messageId)).toBe(0);

      const retried = await reopened.handle('mail.outbox.retry', { id: queued.id });
      expect(retried.state).toBe('queued');
      list = await reopened.handle('mail.outbox.drain', {});
      expect(entry(list, queued.id)).toMatchObject({ state: 'sent', filedInSent: true });
      expect(await settledCount(recipientImap, 'INBOX', queued.messageId)).toBe(1);
    } finally {
      await p.dispose();
    }
  });

  it('« Renvoyer » on an uncertain message already in Envoyés marks it sent without a second delivery', async () => {
    const p = new Profile();
    try {
      const core = await p.open();
      const accountId = await addAccount(core, sender());
      const queued = await core.handle('mail.send', {
        accountId,
        to: [recipient().email],
        subject: `Déjà parti ${crypto.randomUUID()}`,
        text: 'Une seule fois.',
      });
      expect(entry(await core.handle('mail.outbox.drain', { accountId }), queued.id)).toMatchObject({ state: 'sent', filedInSent: true });
      expect(await settledCount(recipientImap, 'INBOX', queued.messageId)).toBe(1);
      expect(await countByMessageId(senderImap, 'Sent', queued.messageId)).toBe(1);

      // As if the process had died after the server accepted it (and the copy reached Envoyés).
      core.ctx.db.prepare(`UPDATE outbox SET state = 'sending' WHERE id = ?`).run(queued.id);
      const reopened = await p.reopen();
      expect(entry(await reopened.handle('mail.outbox.list', {}), queued.id).state).toBe('uncertain');
      const retried = await reopened.handle('mail.outbox.retry', { id: queued.id });
      expect(retried.state).toBe('sent');
      await reopened.handle('mail.outbox.drain', { ignoreBackoff: true });
      expect(await settledCount(recipientImap, 'INBOX', queued.messageId)).toBe(1);
      expect(await countByMessageId(senderImap, 'Sent', queued.messageId)).toBe(1);
    } finally {
      await p.dispose();
    }
  });

  it('refuses invalid recipients in French and fails for good on a refused password', async () => {
    const p = new Profile();
    try {
      const core = await p.open();
      await expect(
        core.handle('mail.send', { accountId: await addAccount(core, sender()), to: ['pas une adresse'], subject: 'x', text: 'x' }),
      ).rejects.toMatchObject({
        code: 'invalid_input',
        message: expect.stringContaining('ne sont pas valides'),
      });
      const other = new Profile();
      const badCore = await other.open();
      try {
        const bad = await addAccount(badCore, sender(), {}, 'mauvais-mot-de-passe');
        const queued = await badCore.handle('mail.send', {
          accountId: bad,
          to: [recipient().email],
          subject: `Mot de passe ${crypto.randomUUID()}`,
          text: 'x',
        });
        const list = await badCore.handle('mail.outbox.drain', { accountId: bad });
        expect(entry(list, queued.id)).toMatchObject({ state: 'failed' });
        expect(entry(list, queued.id).lastError).toContain('mot de passe');
        const discarded = await badCore.handle('mail.outbox.discard', { id: queued.id });
        expect(discarded).toEqual({ removed: true });
        expect(await badCore.handle('mail.outbox.list', {})).toEqual([]);
      } finally {
        await other.dispose();
      }
    } finally {
      await p.dispose();
    }
  });

  it('keeps a local draft and sends it under the same Message-ID; a second send of it does not queue twice', async () => {
    const p = new Profile();
    try {
      const core = await p.open();
      const accountId = await addAccount(core, sender());
      const subject = `Brouillon ${crypto.randomUUID()}`;
      const saved = await core.handle('mail.draft.save', { accountId, to: [recipient().email], subject, text: 'Premier jet' });
      const again = await core.handle('mail.draft.save', { accountId, id: saved.id, to: [recipient().email], subject, text: 'Second jet' });
      expect(again.id).toBe(saved.id);
      const drafts = (await core.handle('mail.outbox.list', { includeDrafts: true })).filter((e) => e.state === 'draft');
      expect(drafts.map((d) => d.id)).toEqual([saved.id]);
      const first = await core.handle('mail.send', {
        accountId,
        draftId: saved.id,
        to: [recipient().email],
        subject,
        text: 'Version finale',
      });
      const second = await core.handle('mail.send', {
        accountId,
        draftId: saved.id,
        to: [recipient().email],
        subject,
        text: 'Version finale',
      });
      expect(second.id).toBe(first.id);
      expect(first.messageId).toBe(drafts[0].messageId);
      expect((await core.handle('mail.outbox.list', { includeDrafts: true })).map((e) => e.id)).toEqual([first.id]);
    } finally {
      await p.dispose();
    }
  });
});
