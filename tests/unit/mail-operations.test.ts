import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventData } from '../../src/shared/contract.js';
import { MailRepository, type FolderRecord, type MessageHeaders } from '../../src/mail/repository.js';
import { applyMailAction, pendingLocalChanges, undoMailAction, withPendingFlags, MAIL_ACTION_PREFIX } from '../../src/mail/operations.js';
import { OperationsJournal } from '../../src/store/operations-journal.js';
import { openTestCore, type TestProfile } from '../integration/mail-sync-fixture.js';

function message(uid: number, over: Partial<MessageHeaders> = {}): MessageHeaders {
  return {
    uid,
    modseq: null,
    messageId: `<op${uid}@ostal.test>`,
    subject: `Message ${uid}`,
    from: { name: 'Élodie', address: 'elodie@ostal.test' },
    to: [],
    cc: [],
    date: new Date(Date.UTC(2026, 2, uid)).toISOString(),
    internalDate: new Date(Date.UTC(2026, 2, uid)).toISOString(),
    flags: [],
    size: 100,
    hasAttachments: false,
    inReplyTo: null,
    references: [],
    ...over,
  };
}

describe('mail actions applied locally and journaled', () => {
  let profile: TestProfile;
  let repo: MailRepository;
  let journal: OperationsJournal;
  let inbox: FolderRecord;
  let events: EventData<'mail.changed'>[];

  beforeEach(async () => {
    profile = await openTestCore();
    const db = profile.core.ctx.db;
    db.prepare(
      "INSERT INTO accounts (id, email, name, settings, created_at) VALUES ('a1', 'agent@ostal.test', 'Agent', '{}', '2026-01-01T00:00:00Z')",
    ).run();
    repo = new MailRepository(db);
    journal = new OperationsJournal(db);
    const folders = repo.replaceFolders('a1', [
      { path: 'INBOX', name: 'Boîte de réception', specialUse: '\\Inbox', delimiter: '/', subscribed: true },
      { path: 'Archive', name: 'Archives', specialUse: '\\Archive', delimiter: '/', subscribed: true },
      { path: 'Trash', name: 'Corbeille', specialUse: '\\Trash', delimiter: '/', subscribed: true },
      { path: 'Junk', name: 'Indésirables', specialUse: '\\Junk', delimiter: '/', subscribed: true },
    ]);
    inbox = folders.find((f) => f.path === 'INBOX')!;
    repo.upsertMessages('a1', inbox.id, [message(1), message(2, { flags: ['\\Seen'] }), message(3)]);
    repo.setFolderCounts(inbox.id, 3, 2);
    events = [];
    profile.core.onEvent((event, data) => event === 'mail.changed' && events.push(data as EventData<'mail.changed'>));
  });
  afterEach(async () => profile.close());

  const ctx = () => profile.core.ctx;
  const history = () => profile.core.ctx.services.mailUndo;
  const uids = (path: string) =>
    repo
      .listMessages('a1', path, 0, 100)!
      .map((m) => m.uid)
      .sort((a, b) => a - b);
  const flagsOf = (path: string, uid: number) => repo.listMessages('a1', path, 0, 100)!.find((m) => m.uid === uid)?.flags;
  const unread = (path: string) => repo.getFolder('a1', path)!.unread;

  it('marks read at once, adjusts the unread count, journals the STORE and undoes only what changed', () => {
    const result = applyMailAction(ctx(), history(), { accountId: 'a1', folder: 'INBOX', uids: [1, 2], action: 'read' });
    expect(result).toMatchObject({ applied: 1, target: null });
    expect(result.undoToken).toEqual(expect.any(String));
    expect(flagsOf('INBOX', 1)).toEqual(['\\Seen']);
    expect(unread('INBOX')).toBe(1);
    const [op] = journal.due({ kindPrefix: MAIL_ACTION_PREFIX });
    expect(op).toMatchObject({
      kind: 'mail.act.flags',
      accountId: 'a1',
      payload: { folder: 'INBOX', add: ['\\Seen'], remove: [], items: [{ uid: 1 }, { uid: 2 }] },
    });
    expect(events).toEqual([{ accountId: 'a1', folders: ['INBOX'] }]);

    undoMailAction(ctx(), history(), result.undoToken!);
    expect(flagsOf('INBOX', 1)).toEqual([]);
    expect(flagsOf('INBOX', 2)).toEqual(['\\Seen']); // was read before: stays read
    expect(unread('INBOX')).toBe(2);
    expect(journal.pendingCount('a1')).toBe(2);
    expect(() => undoMailAction(ctx(), history(), result.undoToken!)).toThrow(/ne peut plus être annulée/);
  });

  it('archive, junk and delete move rows under provisional UIDs; the sync hides the source UIDs; undo moves back', () => {
    const archived = applyMailAction(ctx(), history(), { accountId: 'a1', folder: 'INBOX', uids: [1], action: 'archive' });
    expect(archived).toMatchObject({ applied: 1, target: 'Archive' });
    expect(uids('INBOX')).toEqual([2, 3]);
    expect(uids('Archive')).toEqual([-1]);
    expect(repo.getFolder('a1', 'Archive')!).toMatchObject({ total: 1, unread: 1 });
    expect(unread('INBOX')).toBe(1);
    expect(pendingLocalChanges(repo, 'a1', 'INBOX').hidden).toEqual(new Set([1]));
    expect(pendingLocalChanges(repo, 'a1', 'Archive').any).toBe(true);

    applyMailAction(ctx(), history(), { accountId: 'a1', folder: 'INBOX', uids: [3], action: 'junk' });
    expect(uids('Junk')).toEqual([-2]);
    applyMailAction(ctx(), history(), { accountId: 'a1', folder: 'INBOX', uids: [2], action: 'delete' });
    expect(uids('Trash')).toEqual([-3]);
    expect(uids('INBOX')).toEqual([]);

    undoMailAction(ctx(), history(), archived.undoToken!);
    expect(uids('Archive')).toEqual([]);
    expect(uids('INBOX')).toEqual([-4]);
    const kinds = journal.due({ kindPrefix: MAIL_ACTION_PREFIX }).map((o) => o.kind);
    expect(kinds).toEqual(['mail.act.move', 'mail.act.move', 'mail.act.move', 'mail.act.move']);
    const last = journal.due({ kindPrefix: MAIL_ACTION_PREFIX }).at(-1)!;
    expect(last.payload).toMatchObject({
      folder: 'Archive',
      target: 'INBOX',
      items: [{ uid: -1, messageId: '<op1@ostal.test>', provisionalUid: -4 }],
    });
  });

  it('delete in Corbeille removes for good (no undo); copy keeps the source', () => {
    applyMailAction(ctx(), history(), { accountId: 'a1', folder: 'INBOX', uids: [3], action: 'copy', target: 'Archive' });
    expect(uids('INBOX')).toEqual([1, 2, 3]);
    expect(uids('Archive')).toEqual([-1]);
    applyMailAction(ctx(), history(), { accountId: 'a1', folder: 'INBOX', uids: [1], action: 'delete' });
    const gone = applyMailAction(ctx(), history(), { accountId: 'a1', folder: 'Trash', uids: [-2], action: 'delete' });
    expect(gone).toEqual({ applied: 1, target: null, undoToken: null });
    expect(uids('Trash')).toEqual([]);
    expect(journal.due({ kindPrefix: MAIL_ACTION_PREFIX }).map((o) => o.kind)).toEqual([
      'mail.act.copy',
      'mail.act.move',
      'mail.act.expunge',
    ]);
  });

  it('refuses unknown actions, folders and empty selections in French', () => {
    expect(() => applyMailAction(ctx(), history(), { accountId: 'a1', folder: 'INBOX', uids: [], action: 'read' })).toThrow(
      /La demande n’est pas valide/,
    );
    expect(() => applyMailAction(ctx(), history(), { accountId: 'a1', folder: 'Nulle part', uids: [1], action: 'read' })).toThrow(
      /n’existe pas/,
    );
    expect(() => applyMailAction(ctx(), history(), { accountId: 'a1', folder: 'INBOX', uids: [1], action: 'move' })).toThrow(
      /La demande n’est pas valide/,
    );
    expect(journal.pendingCount('a1')).toBe(0);
  });

  it('pending flag changes win over the server until replayed; provisional rows take the real UID by Message-ID', () => {
    applyMailAction(ctx(), history(), { accountId: 'a1', folder: 'INBOX', uids: [1], action: 'flag' });
    applyMailAction(ctx(), history(), { accountId: 'a1', folder: 'INBOX', uids: [2], action: 'unread' });
    const pending = pendingLocalChanges(repo, 'a1', 'INBOX');
    expect(withPendingFlags(pending, 1, ['\\Seen'])).toEqual(['\\Flagged', '\\Seen']);
    expect(withPendingFlags(pending, 2, ['\\Seen'])).toEqual([]);
    expect(withPendingFlags(pending, 3, ['\\Answered'])).toEqual(['\\Answered']);

    applyMailAction(ctx(), history(), { accountId: 'a1', folder: 'INBOX', uids: [3], action: 'archive' });
    const archive = repo.getFolder('a1', 'Archive')!;
    expect(repo.adoptProvisional(archive.id, [{ uid: 57, messageId: '<op3@ostal.test>' }])).toBe(1);
    expect(uids('Archive')).toEqual([57]);
    repo.upsertMessages('a1', archive.id, [message(57, { messageId: '<op3@ostal.test>', subject: 'Message 3' })]);
    expect(uids('Archive')).toEqual([57]);
  });
});
