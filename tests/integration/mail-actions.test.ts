/**
 * Mail actions against the real Dovecot: applied locally at once, replayed through the journal,
 * checked on the server with an independent connection. agent5's mailbox is shared with other
 * files: every message here has a unique subject and assertions only look at those.
 * The account reaches Dovecot through a TCP relay owned by this file to go « hors ligne ».
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImapFlow } from 'imapflow';
import type { MailAction, MessageSummary } from '../../src/shared/contract.js';
import { loadMailAccount, getAccountRow } from '../../src/accounts/account-rows.js';
import { MAIL_ACTION_PREFIX, MAIL_FLAGS_KIND, MAIL_MOVE_KIND } from '../../src/mail/operations.js';
import { MailOperationReplayer } from '../../src/mail/operations-replayer.js';
import { MailRepository } from '../../src/mail/repository.js';
import { OperationsJournal } from '../../src/store/operations-journal.js';
import { silentLogger } from '../../src/log.js';
import { getServers, testUser } from '../servers/testing.js';
import { addAccount, openTestCore, serverConnection, TcpRelay, type TestProfile } from './mail-sync-fixture.js';

const agent = () => testUser(5);
const stamp = `${process.pid}-${Date.now()}`;

function raw(subject: string, messageId: string): string {
  return [
    `From: Agent Quatre <${testUser(4).email}>`,
    `To: ${agent().email}`,
    `Subject: ${subject}`,
    `Message-ID: ${messageId}`,
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    `Texte de ${subject}.`,
    '',
  ].join('\r\n');
}

describe('mail actions: local at once, replayed to Dovecot, offline too', () => {
  let profile: TestProfile;
  let relay: TcpRelay;
  let server: ImapFlow;
  let accountId: string;
  const ids: Record<string, string> = {};
  const subjects: Record<string, string> = {};

  const journal = () => new OperationsJournal(profile.core.ctx.db);
  const list = (folder: string): Promise<MessageSummary[]> => profile.core.handle('mail.messages', { accountId, folder, limit: 1000 });
  const mine = async (folder: string) => (await list(folder)).filter((m) => m.subject.includes(stamp));
  const find = async (folder: string, key: string) => (await list(folder)).find((m) => m.messageId === ids[key]);
  const act = (folder: string, uids: number[], action: MailAction, target?: string) =>
    profile.core.handle('mail.act', { accountId, folder, uids, action, target });
  const sync = () => profile.core.handle('sync.run', { accountId, only: 'mail' });

  /** Where the message is on the server, and its flags (independent connection). */
  async function onServer(key: string): Promise<{ folder: string; flags: string[] }[]> {
    const found: { folder: string; flags: string[] }[] = [];
    for (const folder of ['INBOX', 'Archive', 'Trash', 'Junk']) {
      const lock = await server.getMailboxLock(folder, { readOnly: true });
      try {
        const uids = await server.search({ header: { 'message-id': ids[key] } }, { uid: true });
        if (!Array.isArray(uids) || uids.length === 0) continue;
        for (const msg of await server.fetchAll(uids.join(','), { uid: true, flags: true }, { uid: true })) {
          if (!msg.flags?.has('\\Deleted')) found.push({ folder, flags: [...(msg.flags ?? [])].filter((f) => f !== '\\Recent').sort() });
        }
      } finally {
        lock.release();
      }
    }
    return found;
  }

  beforeAll(async () => {
    relay = new TcpRelay(getServers().imap.port);
    await relay.open();
    server = await serverConnection(agent());
    for (const key of ['lu', 'suivi', 'deplace', 'supprime', 'horsligne1', 'horsligne2', 'horsligne3', 'efface', 'annule', 'copie']) {
      ids[key] = `<${key}-${stamp}@ostal.test>`;
      subjects[key] = `Action ${key} ${stamp}`;
      await server.append('INBOX', raw(subjects[key], ids[key]), []);
    }
    profile = await openTestCore();
    accountId = await addAccount(profile.core, agent(), { imap: `imap://localhost:${relay.port}` });
    expect((await sync()).accounts[0].ok).toBe(true);
    expect(await mine('INBOX')).toHaveLength(10);
  });
  afterAll(async () => {
    await profile?.close();
    await server?.logout().catch(() => undefined);
    await relay?.close();
  });

  it('read, suivi, move and delete show at once, then the server matches after the replay', async () => {
    const lu = (await find('INBOX', 'lu'))!;
    const suivi = (await find('INBOX', 'suivi'))!;
    const deplace = (await find('INBOX', 'deplace'))!;
    const supprime = (await find('INBOX', 'supprime'))!;
    const unreadBefore = (await profile.core.handle('mail.folders', { accountId })).find((f) => f.path === 'INBOX')!.unread;

    expect(await act('INBOX', [lu.uid], 'read')).toMatchObject({ applied: 1, undoToken: expect.any(String) });
    expect(await act('INBOX', [suivi.uid], 'flag')).toMatchObject({ applied: 1 });
    expect(await act('INBOX', [deplace.uid], 'move', 'Archive')).toMatchObject({ applied: 1, target: 'Archive' });
    expect(await act('INBOX', [supprime.uid], 'delete')).toMatchObject({ applied: 1, target: 'Trash' });

    // At once, before any network.
    expect((await find('INBOX', 'lu'))!.flags).toContain('\\Seen');
    expect((await find('INBOX', 'suivi'))!.flags).toContain('\\Flagged');
    expect(await find('INBOX', 'deplace')).toBeUndefined();
    expect((await find('Archive', 'deplace'))!.uid).toBeLessThan(0);
    expect(await find('Trash', 'supprime')).toBeDefined();
    expect((await profile.core.handle('mail.folders', { accountId })).find((f) => f.path === 'INBOX')!.unread).toBe(unreadBefore - 3);
    expect(journal().pendingCount(accountId)).toBe(4);

    expect((await sync()).accounts[0].ok).toBe(true);
    expect(journal().pendingCount(accountId)).toBe(0);
    expect(await onServer('lu')).toEqual([{ folder: 'INBOX', flags: ['\\Seen'] }]);
    expect(await onServer('suivi')).toEqual([{ folder: 'INBOX', flags: ['\\Flagged'] }]);
    expect(await onServer('deplace')).toEqual([{ folder: 'Archive', flags: [] }]);
    expect(await onServer('supprime')).toEqual([{ folder: 'Trash', flags: [] }]);
    // The moved rows have their real UIDs (UIDPLUS), once.
    const archived = (await list('Archive')).filter((m) => m.messageId === ids.deplace);
    expect(archived).toHaveLength(1);
    expect(archived[0].uid).toBeGreaterThan(0);
    expect((await list('Trash')).filter((m) => m.messageId === ids.supprime)).toHaveLength(1);
    // A resync keeps the local changes (nothing flips back) and adds no duplicate.
    await sync();
    expect((await find('INBOX', 'lu'))!.flags).toContain('\\Seen');
    expect((await list('Archive')).filter((m) => m.messageId === ids.deplace)).toEqual(archived);
  });

  it('offline: actions apply locally and wait in the journal without error storm; back online they replay once', async () => {
    const h1 = (await find('INBOX', 'horsligne1'))!;
    const h2 = (await find('INBOX', 'horsligne2'))!;
    const h3 = (await find('INBOX', 'horsligne3'))!;
    const port = relay.port;
    await relay.close();

    await act('INBOX', [h1.uid], 'flag');
    await act('INBOX', [h2.uid], 'archive');
    await act('INBOX', [h3.uid], 'junk');
    // A message moved offline is acted on again in its new folder (provisional UID).
    const provisional = (await find('Archive', 'horsligne2'))!;
    expect(provisional.uid).toBeLessThan(0);
    await act('Archive', [provisional.uid], 'read');
    expect((await find('Archive', 'horsligne2'))!.flags).toContain('\\Seen');
    expect((await find('INBOX', 'horsligne1'))!.flags).toContain('\\Flagged');
    expect(await find('Junk', 'horsligne3')).toBeDefined();

    for (let i = 0; i < 4; i++) {
      const report = await sync();
      expect(report.accounts[0].ok).toBe(false);
      expect(report.accounts[0].error?.message).toMatch(/Vos données restent disponibles sur cet ordinateur/);
    }
    const waiting = journal().due({ accountId, kindPrefix: MAIL_ACTION_PREFIX, now: Number.MAX_SAFE_INTEGER });
    expect(waiting).toHaveLength(4);
    // Connecting failed before anything was claimed: no attempt spent, no back-off storm.
    expect(waiting.every((op) => op.attempts === 0 && op.state === 'pending')).toBe(true);
    expect((await profile.core.handle('status.cli', {})).accounts[0]).toMatchObject({ online: false, pendingOperations: 4 });
    // The local view stays as the user left it.
    expect((await find('INBOX', 'horsligne1'))!.flags).toContain('\\Flagged');
    expect(await find('INBOX', 'horsligne2')).toBeUndefined();

    await relay.open(port);
    expect((await sync()).accounts[0].ok).toBe(true);
    expect(journal().pendingCount(accountId)).toBe(0);
    expect(journal().failed(accountId)).toEqual([]);
    expect(await onServer('horsligne1')).toEqual([{ folder: 'INBOX', flags: ['\\Flagged'] }]);
    expect(await onServer('horsligne2')).toEqual([{ folder: 'Archive', flags: ['\\Seen'] }]);
    expect(await onServer('horsligne3')).toEqual([{ folder: 'Junk', flags: [] }]);
    await sync();
    for (const folder of ['INBOX', 'Archive', 'Junk', 'Trash']) {
      const rows = await mine(folder);
      expect(
        rows.every((m) => m.uid > 0),
        folder,
      ).toBe(true);
      expect(new Set(rows.map((m) => m.messageId)).size, folder).toBe(rows.length);
    }
    expect((await list('Archive')).filter((m) => m.messageId === ids.horsligne2)).toHaveLength(1);
    expect((await find('Archive', 'horsligne2'))!.flags).toContain('\\Seen');
  });

  it('a message deleted on the server meanwhile: the replay of its flag ends without error; replaying twice is harmless', async () => {
    const efface = (await find('INBOX', 'efface'))!;
    await act('INBOX', [efface.uid], 'flag');
    const [flagOp] = journal().due({ accountId, kindPrefix: MAIL_ACTION_PREFIX });
    expect(flagOp.kind).toBe(MAIL_FLAGS_KIND);
    // Another client deletes it for good before we replay.
    const lock = await server.getMailboxLock('INBOX');
    try {
      await server.messageDelete({ header: { 'message-id': ids.efface } });
    } finally {
      lock.release();
    }
    const report = await sync();
    expect(report.accounts[0].ok).toBe(true);
    expect(journal().get(flagOp.id)).toMatchObject({ state: 'done', attempts: 1, lastError: null });
    expect(await find('INBOX', 'efface')).toBeUndefined();

    // The same operations replayed again (as after a crash between the server's answer and markDone).
    const row = getAccountRow(profile.core.ctx, accountId)!;
    const account = await loadMailAccount(profile.core.ctx, row);
    const replayer = new MailOperationReplayer(new MailRepository(profile.core.ctx.db), journal(), silentLogger);
    const lu = (await find('INBOX', 'lu'))!;
    const deplace = (await find('Archive', 'deplace'))!;
    journal().enqueue(accountId, MAIL_FLAGS_KIND, {
      folder: 'INBOX',
      items: [{ uid: lu.uid, messageId: ids.lu }],
      add: ['\\Seen'],
      remove: [],
    });
    journal().enqueue(accountId, MAIL_FLAGS_KIND, {
      folder: 'INBOX',
      items: [{ uid: lu.uid, messageId: ids.lu }],
      add: ['\\Seen'],
      remove: [],
    });
    // A move replayed twice: the second finds the UID gone from the source and does nothing.
    const moved = (await list('INBOX')).find((m) => m.messageId === ids.annule)!;
    const payload = { folder: 'INBOX', target: 'Archive', items: [{ uid: moved.uid, messageId: ids.annule, provisionalUid: -999_999 }] };
    journal().enqueue(accountId, MAIL_MOVE_KIND, payload);
    journal().enqueue(accountId, MAIL_MOVE_KIND, payload);
    const outcome = await replayer.replay(account);
    expect(outcome).toMatchObject({ done: 4, failed: 0, remaining: 0 });
    expect(await onServer('lu')).toEqual([{ folder: 'INBOX', flags: ['\\Seen'] }]);
    expect(await onServer('annule')).toEqual([{ folder: 'Archive', flags: [] }]);
    expect(await onServer('deplace')).toEqual([{ folder: 'Archive', flags: [] }]);
    expect(deplace.uid).toBeGreaterThan(0);
    await sync();
    expect((await list('Archive')).filter((m) => m.messageId === ids.annule)).toHaveLength(1);
    expect(await find('INBOX', 'annule')).toBeUndefined();
  });

  it('« Annuler » after the replay moves the message back on the server; COPY + EXPUNGE when MOVE is not used', async () => {
    const inArchive = (await find('Archive', 'annule'))!;
    const back = await act('Archive', [inArchive.uid], 'move', 'INBOX');
    await sync();
    expect(await onServer('annule')).toEqual([{ folder: 'INBOX', flags: [] }]);
    await profile.core.handle('mail.undo', { token: back.undoToken! });
    expect(await find('INBOX', 'annule')).toBeUndefined();
    expect(await find('Archive', 'annule')).toBeDefined();
    await sync();
    expect(await onServer('annule')).toEqual([{ folder: 'Archive', flags: [] }]);
    await expect(profile.core.handle('mail.undo', { token: back.undoToken! })).rejects.toMatchObject({ code: 'not_found' });

    // The fallback of servers without MOVE, against the real Dovecot.
    const copie = (await find('INBOX', 'copie'))!;
    const row = getAccountRow(profile.core.ctx, accountId)!;
    const account = await loadMailAccount(profile.core.ctx, row);
    profile.core.ctx.db.transaction(() => {
      journal().enqueue(accountId, MAIL_MOVE_KIND, {
        folder: 'INBOX',
        target: 'Trash',
        items: [{ uid: copie.uid, messageId: ids.copie, provisionalUid: -999_998 }],
      });
    })();
    const replayer = new MailOperationReplayer(new MailRepository(profile.core.ctx.db), journal(), silentLogger, { useMove: false });
    expect(await replayer.replay(account)).toMatchObject({ done: 1, failed: 0 });
    expect(await onServer('copie')).toEqual([{ folder: 'Trash', flags: [] }]);
  });

  it('a server refusal ends failed with a French message after a few attempts, without blocking forever', async () => {
    const row = getAccountRow(profile.core.ctx, accountId)!;
    const account = await loadMailAccount(profile.core.ctx, row);
    const lu = (await find('INBOX', 'lu'))!;
    const op = journal().enqueue(accountId, MAIL_MOVE_KIND, {
      folder: 'INBOX',
      target: 'Dossier inexistant',
      items: [{ uid: lu.uid, messageId: ids.lu, provisionalUid: -999_997 }],
    });
    const replayer = new MailOperationReplayer(
      new MailRepository(profile.core.ctx.db),
      new OperationsJournal(profile.core.ctx.db, { baseMs: 1, maxMs: 1, maxAttempts: 20 }),
      silentLogger,
      { maxServerAttempts: 2 },
    );
    await replayer.replay(account);
    expect(journal().get(op.id)).toMatchObject({ state: 'pending', attempts: 1 });
    await new Promise((r) => setTimeout(r, 5));
    await replayer.replay(account);
    const failed = journal().get(op.id)!;
    expect(failed).toMatchObject({ state: 'failed', attempts: 2 });
    expect(failed.lastError).toMatch(/^Le serveur de courrier a refusé une action \(déplacement\)/);
    expect(await onServer('lu')).toEqual([{ folder: 'INBOX', flags: ['\\Seen'] }]);
  });
});
