/**
 * « Envoyer plus tard » against the real Postfix submission + Dovecot: a scheduled message is not delivered before its
 * time and is after it (dated when it leaves), does not hold up the account's other messages, leaves at the next
 * start when its time passed while Ostal was closed, is sent once across restarts; « Modifier » makes it a draft
 * again (never delivered), « Envoyer maintenant » sends it at once.
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
import { testUser } from '../servers/testing.js';
import { MemorySecretStore, addAccount, serverConnection, waitFor } from './mail-sync-fixture.js';

const sender = () => testUser(4);
const recipient = () => testUser(5);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A profile that survives a Core restart; `running` opens it as the app does (the Boîte d'envoi's loop and timer). */
class Profile {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-schedule-'));
  readonly secrets = new MemorySecretStore();
  core: Core | null = null;
  async open(running: boolean): Promise<Core> {
    const core = await Core.open({ profileDir: this.dir, mode: 'cli', secrets: this.secrets, policyPath: null, logger: silentLogger });
    // What the background sync does for the Boîte d'envoi (src/mail/mail-sync.ts), without the IMAP sync around it.
    if (running) core.ctx.services.outbox.start();
    this.core = core;
    return core;
  }
  async close(): Promise<void> {
    await this.core?.close();
    this.core = null;
  }
  async dispose(): Promise<void> {
    await this.close();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Source of each copy with this Message-ID in a folder (NOOP first so Dovecot shows new arrivals). */
async function copies(client: ImapFlow, folder: string, messageId: string): Promise<string[]> {
  const lock = await client.getMailboxLock(folder);
  try {
    await client.noop();
    const found = await client.search({ header: { 'message-id': messageId } }, { uid: true });
    const out: string[] = [];
    for (const uid of Array.isArray(found) ? found : []) {
      const msg = await client.fetchOne(String(uid), { source: true }, { uid: true });
      if (msg && msg.source) out.push(msg.source.toString());
    }
    return out;
  } finally {
    lock.release();
  }
}

const dateOf = (source: string) => Date.parse(/^Date: (.+)$/m.exec(source)?.[1] ?? '');
const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();

function entry(list: OutboxEntry[], id: string): OutboxEntry {
  const found = list.find((e) => e.id === id);
  if (!found) throw new Error(`no outbox entry ${id}`);
  return found;
}

describe('Envoyer plus tard (SMTP submission)', () => {
  let inbox: ImapFlow;

  beforeAll(async () => {
    inbox = await serverConnection(recipient());
  });

  afterAll(async () => {
    await inbox?.logout().catch(() => undefined);
  });

  const message = (accountId: string, subject: string, extra: Record<string, unknown> = {}) => ({
    accountId,
    to: [recipient().email],
    subject: `${subject} ${crypto.randomUUID()}`,
    text: 'Bonjour,\nle compte rendu de la réunion.\n',
    ...extra,
  });

  it('leaves at its time, dated when it leaves; a message queued after it leaves at once', async () => {
    const p = new Profile();
    try {
      const core = await p.open(true);
      const accountId = await addAccount(core, sender());
      const sendAt = inSeconds(3);
      const scheduled = await core.handle('mail.send', message(accountId, 'Programmé', { sendAt }));
      expect(scheduled).toMatchObject({ state: 'queued', scheduledAt: sendAt });
      const now = await core.handle('mail.send', message(accountId, 'Immédiat'));
      expect(now.scheduledAt).toBeNull();

      // The second one is delivered while the first waits for its time.
      await waitFor('unscheduled message delivered', async () => (await copies(inbox, 'INBOX', now.messageId)).length === 1, 10_000);
      expect(Date.now()).toBeLessThan(Date.parse(sendAt));
      expect(await copies(inbox, 'INBOX', scheduled.messageId)).toEqual([]);
      expect(entry(await core.handle('mail.outbox.list', {}), scheduled.id)).toMatchObject({ state: 'queued', scheduledAt: sendAt });

      const delivered = await waitFor(
        'scheduled message delivered',
        async () => {
          const found = await copies(inbox, 'INBOX', scheduled.messageId);
          return found.length ? found : null;
        },
        15_000,
      );
      const arrived = Date.now();
      expect(delivered).toHaveLength(1);
      const date = dateOf(delivered[0]!);
      // Dated when it left (the header has whole seconds): not when it was written, 3 s earlier.
      expect(date).toBeGreaterThanOrEqual(Date.parse(sendAt) - 1000);
      expect(date).toBeLessThanOrEqual(arrived + 1000);
      const list = await core.handle('mail.outbox.list', { includeSent: true });
      const sent = entry(list, scheduled.id);
      expect(sent.state).toBe('sent');
      expect(Date.parse(sent.sentAt!)).toBeGreaterThanOrEqual(Date.parse(sendAt));
      await sleep(1500);
      expect(await copies(inbox, 'INBOX', scheduled.messageId)).toHaveLength(1);
    } finally {
      await p.dispose();
    }
  });

  it('a time passed while Ostal was closed leaves at the next start; a restart just before the time sends it once', async () => {
    const p = new Profile();
    try {
      const core = await p.open(true);
      const accountId = await addAccount(core, sender());
      const early = await core.handle('mail.send', message(accountId, 'Pendant la fermeture', { sendAt: inSeconds(2) }));
      const later = await core.handle('mail.send', message(accountId, 'Après redémarrage', { sendAt: inSeconds(7) }));
      await p.close();
      await sleep(3000); // `early`'s time passes while Ostal is closed
      expect(await copies(inbox, 'INBOX', early.messageId)).toEqual([]);

      const reopened = await p.open(true); // about 3 s before `later`'s time
      await waitFor('missed message sent at start', async () => (await copies(inbox, 'INBOX', early.messageId)).length === 1, 10_000);
      expect(Date.now()).toBeLessThan(Date.parse(later.scheduledAt!));
      expect(entry(await reopened.handle('mail.outbox.list', {}), later.id).state).toBe('queued');

      await waitFor('later message sent at its time', async () => (await copies(inbox, 'INBOX', later.messageId)).length === 1, 15_000);
      expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(later.scheduledAt!));
      await p.close();
      const again = await p.open(true);
      await again.handle('mail.outbox.drain', { ignoreBackoff: true });
      await sleep(1500);
      expect(await copies(inbox, 'INBOX', early.messageId)).toHaveLength(1);
      expect(await copies(inbox, 'INBOX', later.messageId)).toHaveLength(1);
      const list = await again.handle('mail.outbox.list', { includeSent: true });
      expect(entry(list, early.id)).toMatchObject({ state: 'sent', attempts: 1 });
      expect(entry(list, later.id)).toMatchObject({ state: 'sent', attempts: 1 });
    } finally {
      await p.dispose();
    }
  });

  it('« Modifier » makes it a draft again, never delivered; « Envoyer maintenant » sends another at once', async () => {
    const p = new Profile();
    try {
      const core = await p.open(false);
      const accountId = await addAccount(core, sender());
      const content = Buffer.from('Ordre du jour : budget 2027').toString('base64');
      const cancelled = await core.handle(
        'mail.send',
        message(accountId, 'Annulé', {
          sendAt: inSeconds(2),
          bcc: ['Archives <archives@ostal.test>'],
          attachments: [{ filename: 'ordre du jour.txt', contentBase64: content }],
        }),
      );
      const draft = await core.handle('mail.outbox.edit', { id: cancelled.id });
      expect(draft).toMatchObject({ mode: 'draft', draftId: cancelled.id, subject: cancelled.subject, to: [recipient().email] });
      expect(draft.bcc).toEqual(['Archives <archives@ostal.test>']);
      expect(draft.text).toContain('compte rendu');
      expect(draft.attachments).toEqual([expect.objectContaining({ filename: 'ordre du jour.txt', contentBase64: content })]);
      await expect(core.handle('mail.outbox.sendNow', { id: cancelled.id })).rejects.toThrow(/n’est plus programmé/);
      // Asked again (another window): the same draft, its attachment now read back from the draft's own copy.
      const again = await core.handle('mail.outbox.edit', { id: cancelled.id });
      expect(again).toMatchObject({ draftId: cancelled.id, bcc: ['Archives <archives@ostal.test>'] });
      expect(again.attachments).toEqual([expect.objectContaining({ filename: 'ordre du jour.txt', contentBase64: content })]);

      const now = await core.handle('mail.send', message(accountId, 'Maintenant', { sendAt: inSeconds(3600) }));
      const list = await core.handle('mail.outbox.drain', { accountId, ignoreBackoff: true });
      expect(entry(list, now.id).state).toBe('queued');
      expect(await core.handle('mail.outbox.sendNow', { id: now.id })).toMatchObject({ state: 'queued', scheduledAt: null });
      const after = await core.handle('mail.outbox.drain', { accountId });
      expect(entry(after, now.id).state).toBe('sent');
      await waitFor('sent now', async () => (await copies(inbox, 'INBOX', now.messageId)).length === 1, 10_000);

      await sleep(2500); // past the cancelled one's time
      await core.handle('mail.outbox.drain', { accountId, ignoreBackoff: true });
      const drafts = await core.handle('mail.outbox.list', { includeDrafts: true });
      expect(entry(drafts, cancelled.id)).toMatchObject({ state: 'draft', scheduledAt: null });
      expect(await copies(inbox, 'INBOX', cancelled.messageId)).toEqual([]);
    } finally {
      await p.dispose();
    }
  });

  it('refuses in French a time already past or more than a year ahead', async () => {
    const p = new Profile();
    try {
      const core = await p.open(false);
      const accountId = await addAccount(core, sender());
      await expect(core.handle('mail.send', message(accountId, 'Passé', { sendAt: inSeconds(-120) }))).rejects.toThrow(
        'Cette heure est déjà passée',
      );
      await expect(core.handle('mail.send', message(accountId, 'Loin', { sendAt: inSeconds(400 * 86400) }))).rejects.toThrow(
        /plus d’un an/,
      );
      await expect(core.handle('mail.send', message(accountId, 'Faux', { sendAt: 'demain matin' }))).rejects.toThrow(/pas une date valide/);
      expect(await core.handle('mail.outbox.list', { includeDrafts: true })).toEqual([]);
    } finally {
      await p.dispose();
    }
  });
});
