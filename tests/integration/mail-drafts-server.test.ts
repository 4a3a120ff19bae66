/**
 * Drafts on the server (real Dovecot + Postfix): a draft saved on one computer is one copy in Brouillons (replaced at
 * each save, Cci and attachment kept), reopened on a second profile of the same account, finished and sent from
 * there (the copy leaves Brouillons, the recipient gets it once); a draft thrown away leaves the server; offline the
 * draft waits and goes when the server is back.
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImapFlow } from 'imapflow';
import PostalMime from 'postal-mime';
import { getServers, testUser } from '../servers/testing.js';
import { TcpRelay, addAccount, openTestCore, serverConnection, waitFor, type TestProfile } from './mail-sync-fixture.js';

const agent = () => testUser(4);
const recipient = () => testUser(5);

async function copies(client: ImapFlow, folder: string, messageId: string): Promise<{ uid: number; flags: string[]; source: Buffer }[]> {
  const lock = await client.getMailboxLock(folder);
  try {
    await client.noop();
    const found = await client.search({ header: { 'message-id': messageId } }, { uid: true });
    const uids = Array.isArray(found) ? found : [];
    const out: { uid: number; flags: string[]; source: Buffer }[] = [];
    for (const uid of uids) {
      const msg = await client.fetchOne(String(uid), { source: true, flags: true }, { uid: true });
      if (msg && msg.source) out.push({ uid, flags: [...(msg.flags ?? [])], source: msg.source });
    }
    return out;
  } finally {
    lock.release();
  }
}

describe('Brouillons sur le serveur', () => {
  let imap: ImapFlow;
  let recipientImap: ImapFlow;
  const profiles: TestProfile[] = [];

  beforeAll(async () => {
    imap = await serverConnection(agent());
    recipientImap = await serverConnection(recipient());
  });

  afterAll(async () => {
    for (const p of profiles) await p.close().catch(() => undefined);
    await imap?.logout().catch(() => undefined);
    await recipientImap?.logout().catch(() => undefined);
  });

  async function profile(): Promise<TestProfile> {
    const p = await openTestCore();
    profiles.push(p);
    return p;
  }

  it('one copy in Brouillons, replaced at each save; reopened on another computer, finished and sent from there', async () => {
    const a = await profile();
    const accountA = await addAccount(a.core, agent());
    const subject = `Note au maire ${crypto.randomUUID()}`;
    const attachment = {
      filename: 'budget 2027.txt',
      contentBase64: Buffer.from('Budget prévisionnel').toString('base64'),
      contentType: 'text/plain',
    };
    const first = await a.core.handle('mail.draft.save', {
      accountId: accountA,
      to: [`${recipient().name} <${recipient().email}>`],
      bcc: ['direction@ostal.test'],
      subject,
      text: 'Premier jet de la note.',
      attachments: [attachment],
    });
    await a.core.handle('mail.outbox.drain', { accountId: accountA, ignoreBackoff: true });
    const messageId = a.core.ctx.db.prepare('SELECT message_id FROM outbox WHERE id = ?').pluck().get(first.id) as string;
    let onServer = await copies(imap, 'Drafts', messageId);
    expect(onServer).toHaveLength(1);
    expect(onServer[0].flags).toEqual(expect.arrayContaining(['\\Draft', '\\Seen']));

    await a.core.handle('mail.draft.save', {
      accountId: accountA,
      id: first.id,
      to: [`${recipient().name} <${recipient().email}>`],
      bcc: ['direction@ostal.test'],
      subject,
      text: 'Deuxième jet, plus complet.',
      attachments: [attachment],
    });
    await a.core.handle('mail.outbox.drain', { accountId: accountA, ignoreBackoff: true });
    onServer = await copies(imap, 'Drafts', messageId);
    expect(onServer).toHaveLength(1);
    const parsed = await PostalMime.parse(onServer[0].source);
    expect(parsed.text).toContain('Deuxième jet');
    expect(parsed.bcc?.map((x) => x.address)).toEqual(['direction@ostal.test']);
    expect(parsed.attachments.map((x) => x.filename)).toEqual(['budget 2027.txt']);

    // A second computer of the same agent: the draft is in its Brouillons after a sync.
    const b = await profile();
    const accountB = await addAccount(b.core, agent());
    await b.core.handle('sync.run', { accountId: accountB, only: 'mail' });
    const list = await b.core.handle('mail.list', { accountId: accountB, folder: 'Drafts', limit: 1000 });
    const item = list.messages.find((m) => m.subject === subject);
    expect(item).toBeDefined();
    const reopened = await b.core.handle('mail.compose.prepare', { accountId: accountB, folder: 'Drafts', uid: item!.uid, mode: 'draft' });
    expect(reopened).toMatchObject({ mode: 'draft', subject, bcc: ['direction@ostal.test'] });
    expect(reopened.to[0]).toContain(recipient().email);
    expect(reopened.text).toContain('Deuxième jet');
    expect(reopened.attachments.map((x) => x.filename)).toEqual(['budget 2027.txt']);
    expect(reopened.draftId).toBeTruthy();
    // Reopening twice gives the same local draft (same Message-ID).
    const again = await b.core.handle('mail.compose.prepare', { accountId: accountB, folder: 'Drafts', uid: item!.uid, mode: 'draft' });
    expect(again.draftId).toBe(reopened.draftId);

    const sent = await b.core.handle('mail.send', {
      accountId: accountB,
      draftId: reopened.draftId,
      to: reopened.to,
      bcc: reopened.bcc,
      subject,
      text: `${reopened.text}\nTerminé sur le second poste.`,
      attachments: reopened.attachments,
    });
    expect(sent.messageId).toBe(messageId);
    await b.core.handle('mail.outbox.drain', { accountId: accountB, ignoreBackoff: true });
    await waitFor('message delivered to agent5', async () => (await copies(recipientImap, 'INBOX', messageId)).length > 0, 20_000);
    await new Promise((r) => setTimeout(r, 1000));
    const delivered = await copies(recipientImap, 'INBOX', messageId);
    expect(delivered).toHaveLength(1);
    expect((await PostalMime.parse(delivered[0].source)).text).toContain('Terminé sur le second poste.');
    expect(await copies(imap, 'Drafts', messageId)).toHaveLength(0);
    expect(await copies(imap, 'Sent', messageId)).toHaveLength(1);
  });

  it('a draft thrown away leaves Brouillons; offline a draft waits and goes when the server is back', async () => {
    const p = await profile();
    const relay = new TcpRelay(getServers().imap.port);
    await relay.open();
    try {
      const accountId = await addAccount(p.core, agent(), { imap: `imap://localhost:${relay.port}` });
      const thrown = await p.core.handle('mail.draft.save', { accountId, subject: `À jeter ${crypto.randomUUID()}`, text: 'Brouillon' });
      await p.core.handle('mail.outbox.drain', { accountId, ignoreBackoff: true });
      const thrownId = p.core.ctx.db.prepare('SELECT message_id FROM outbox WHERE id = ?').pluck().get(thrown.id) as string;
      expect(await copies(imap, 'Drafts', thrownId)).toHaveLength(1);
      await p.core.handle('mail.outbox.discard', { id: thrown.id });
      await p.core.handle('mail.outbox.drain', { accountId, ignoreBackoff: true });
      expect(await copies(imap, 'Drafts', thrownId)).toHaveLength(0);
      expect(p.core.ctx.db.prepare('SELECT count(*) FROM outbox WHERE id = ?').pluck().get(thrown.id)).toBe(0);

      // Offline: the save works (kept locally), the drain does not throw, nothing on the server yet.
      await relay.close();
      const offline = await p.core.handle('mail.draft.save', {
        accountId,
        subject: `Hors ligne ${crypto.randomUUID()}`,
        text: 'Écrit dans le train',
      });
      await p.core.handle('mail.outbox.drain', { accountId, ignoreBackoff: true });
      const offlineId = p.core.ctx.db.prepare('SELECT message_id FROM outbox WHERE id = ?').pluck().get(offline.id) as string;
      expect(await copies(imap, 'Drafts', offlineId)).toHaveLength(0);
      const drafts = await p.core.handle('mail.outbox.list', { accountId, includeDrafts: true });
      expect(drafts.map((d) => d.id)).toContain(offline.id);
      await relay.open();
      await p.core.handle('mail.outbox.drain', { accountId, ignoreBackoff: true });
      const back = await copies(imap, 'Drafts', offlineId);
      expect(back).toHaveLength(1);
      expect((await PostalMime.parse(back[0].source)).text).toContain('Écrit dans le train');
    } finally {
      await relay.close();
    }
  });
});
