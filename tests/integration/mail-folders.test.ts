/**
 * « Nouveau dossier », « Renommer », « Supprimer » against the real Dovecot: local at once, then the server's LIST
 * matches after the replay; done offline (the account reaches Dovecot through a relay this file closes), they wait
 * in the journal and are replayed once the server answers again. A user of this file only.
 */
import type { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OperationsJournal } from '../../src/store/operations-journal.js';
import type { TestUser } from '../servers/types.js';
import { getServers } from '../servers/testing.js';
import { addImapUser, imapConnection } from './mail-offline-fixture.js';
import { addAccount, openTestCore, TcpRelay, type TestProfile } from './mail-sync-fixture.js';

describe('folders: create, rename, delete, online and offline', () => {
  let profile: TestProfile;
  let user: TestUser;
  let relay: TcpRelay;
  let accountId: string;
  let server: ImapFlow;

  const serverList = async (): Promise<string[]> =>
    (await server.list())
      .map((f) => f.path)
      .filter((p) => !['INBOX', 'Drafts', 'Sent', 'Trash', 'Junk', 'Archive'].includes(p))
      .sort();
  const localList = async (): Promise<string[]> =>
    (await profile.core.handle('mail.folders', { accountId }))
      .filter((f) => !f.specialUse)
      .map((f) => f.path)
      .sort();
  const sync = () => profile.core.handle('sync.run', { accountId, only: 'mail' });
  const pending = () => new OperationsJournal(profile.core.ctx.db).pendingCount(accountId);

  beforeAll(async () => {
    user = addImapUser(getServers(), 'test-dossiers');
    server = await imapConnection(getServers(), user);
    await server.mailboxCreate('Projets');
    await server.append('Projets', 'From: a@ostal.test\r\nSubject: Budget 2027\r\n\r\nTexte.\r\n', []);
    relay = new TcpRelay(getServers().imap.port);
    await relay.open();
    profile = await openTestCore();
    accountId = await addAccount(profile.core, user, { imap: `imap://localhost:${relay.port}` });
    await sync();
  });

  afterAll(async () => {
    await server?.logout();
    await profile?.close();
    await relay?.close();
  });

  it('online: create (also under a parent), rename with its sub-folder, the server LIST matches', async () => {
    const created = await profile.core.handle('mail.folder.create', { accountId, name: 'Secrétariat' });
    expect(created.map((f) => f.path)).toContain('Secrétariat');
    await profile.core.handle('mail.folder.create', { accountId, parent: 'Secrétariat', name: 'Courriers reçus' });
    await sync();
    expect(await serverList()).toEqual(['Projets', 'Secrétariat', 'Secrétariat/Courriers reçus']);
    await profile.core.handle('mail.folder.rename', { accountId, folder: 'Secrétariat', name: 'Secrétariat général' });
    expect(await localList()).toEqual(['Projets', 'Secrétariat général', 'Secrétariat général/Courriers reçus']);
    await sync();
    expect(await serverList()).toEqual(['Projets', 'Secrétariat général', 'Secrétariat général/Courriers reçus']);
    expect(await localList()).toEqual(await serverList());
    expect(pending()).toBe(0);
  });

  it('refuses in French: an existing name, a separator in the name, a special folder, deleting a non-empty folder without confirmation', async () => {
    await expect(profile.core.handle('mail.folder.create', { accountId, name: 'Projets' })).rejects.toMatchObject({
      code: 'already_exists',
      message: expect.stringContaining('existe déjà'),
    });
    await expect(profile.core.handle('mail.folder.create', { accountId, name: 'a/b' })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(profile.core.handle('mail.folder.rename', { accountId, folder: 'INBOX', name: 'Courrier' })).rejects.toMatchObject({
      message: expect.stringContaining('ne peuvent être ni renommés ni supprimés'),
    });
    await expect(profile.core.handle('mail.folder.delete', { accountId, folder: 'Projets' })).rejects.toMatchObject({
      code: 'precondition_failed',
      message: expect.stringContaining('contient 1 message. Il ira dans la Corbeille'),
    });
    expect(await serverList()).toContain('Projets');
  });

  it('offline: create, rename and delete wait in the journal, then the replay makes the server LIST match; the messages go to the Corbeille', async () => {
    const port = relay.port;
    await relay.close();
    await profile.core.handle('mail.folder.create', { accountId, name: 'Hors ligne' });
    await profile.core.handle('mail.folder.rename', { accountId, folder: 'Secrétariat général/Courriers reçus', name: 'Arrivées' });
    await profile.core.handle('mail.folder.delete', { accountId, folder: 'Projets', confirm: true });
    expect(await localList()).toEqual(['Hors ligne', 'Secrétariat général', 'Secrétariat général/Arrivées']);
    const report = await sync();
    expect(report.accounts.every((a) => a.ok)).toBe(false);
    expect(pending()).toBe(3);
    expect(await serverList()).toEqual(['Projets', 'Secrétariat général', 'Secrétariat général/Courriers reçus']);

    await relay.open(port);
    await sync();
    expect(pending()).toBe(0);
    expect(await serverList()).toEqual(['Hors ligne', 'Secrétariat général', 'Secrétariat général/Arrivées']);
    expect(await localList()).toEqual(await serverList());
    const lock = await server.getMailboxLock('Trash', { readOnly: true });
    try {
      const subjects: string[] = [];
      for await (const m of server.fetch('1:*', { envelope: true })) subjects.push(m.envelope?.subject ?? '');
      expect(subjects).toContain('Budget 2027');
    } finally {
      lock.release();
    }
  });
});
