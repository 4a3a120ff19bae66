import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/database.js';
import { MailRepository, type MessageHeaders } from '../../src/mail/repository.js';

let dir: string;
let db: Database.Database;
let repo: MailRepository;

function message(uid: number, over: Partial<MessageHeaders> = {}): MessageHeaders {
  return {
    uid,
    modseq: String(uid),
    messageId: `<m${uid}@ostal.test>`,
    subject: `Message ${uid}`,
    from: { name: 'Élodie Durand', address: 'elodie@ostal.test' },
    to: [{ name: 'Zoé Martin', address: 'zoe@ostal.test' }],
    cc: [],
    date: new Date(Date.UTC(2026, 0, uid)).toISOString(),
    internalDate: new Date(Date.UTC(2026, 0, uid)).toISOString(),
    flags: [],
    size: 1000 + uid,
    hasAttachments: false,
    inReplyTo: null,
    references: [],
    ...over,
  };
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-mailstore-'));
  db = openDatabase(path.join(dir, 'ostal.sqlite'));
  db.prepare(
    "INSERT INTO accounts (id, email, name, settings, created_at) VALUES ('a1', 'agent1@ostal.test', 'Agent', '{}', '2026-01-01T00:00:00Z')",
  ).run();
  repo = new MailRepository(db);
});

afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('MailRepository', () => {
  it('replaces the folder list, keeps ids of kept folders and drops vanished ones with their messages', () => {
    const first = repo.replaceFolders('a1', [
      { path: 'INBOX', name: 'Boîte de réception', specialUse: '\\Inbox', delimiter: '/', subscribed: true },
      { path: 'Ancien', name: 'Ancien', specialUse: null, delimiter: '/', subscribed: true },
    ]);
    const old = first.find((f) => f.path === 'Ancien')!;
    repo.upsertMessages('a1', old.id, [message(1)]);
    const second = repo.replaceFolders('a1', [
      { path: 'INBOX', name: 'Boîte de réception', specialUse: '\\Inbox', delimiter: '/', subscribed: true },
      { path: 'Sent', name: 'Envoyés', specialUse: '\\Sent', delimiter: '/', subscribed: true },
    ]);
    expect(second.map((f) => f.path)).toEqual(['INBOX', 'Sent']);
    expect(second[0].id).toBe(first[0].id);
    expect(db.prepare('SELECT count(*) FROM mail_messages').pluck().get()).toBe(0);
  });

  it('upserts without duplicates, lists newest first with offset/limit and updates flags', () => {
    const [inbox] = repo.replaceFolders('a1', [
      { path: 'INBOX', name: 'Boîte de réception', specialUse: '\\Inbox', delimiter: '/', subscribed: true },
    ]);
    repo.upsertMessages('a1', inbox.id, [message(1), message(2), message(3)]);
    repo.upsertMessages('a1', inbox.id, [message(2, { flags: ['\\Seen'] })]);
    expect(repo.countMessages(inbox.id)).toBe(3);
    const page = repo.listMessages('a1', 'INBOX', 0, 2)!;
    expect(page.map((m) => m.uid)).toEqual([3, 2]);
    expect(page[1].flags).toEqual(['\\Seen']);
    expect(repo.listMessages('a1', 'INBOX', 2, 2)!.map((m) => m.uid)).toEqual([1]);
    expect(
      repo.updateFlags(inbox.id, [
        { uid: 1, flags: ['\\Flagged'], modseq: '9' },
        { uid: 99, flags: [], modseq: null },
      ]),
    ).toBe(1);
    expect(repo.listMessages('a1', 'INBOX', 0, 10)!.find((m) => m.uid === 1)!.flags).toEqual(['\\Flagged']);
    expect(repo.listMessages('a1', 'Nope', 0, 10)).toBeNull();
  });

  it('deletes expunged UIDs, resets a folder on UIDVALIDITY change and counts cached bodies', () => {
    const [inbox] = repo.replaceFolders('a1', [
      { path: 'INBOX', name: 'Boîte de réception', specialUse: '\\Inbox', delimiter: '/', subscribed: true },
    ]);
    repo.upsertMessages('a1', inbox.id, [message(1), message(2), message(3)]);
    expect(repo.deleteUids(inbox.id, [2, 42])).toBe(1);
    expect(repo.listUids(inbox.id)).toEqual([1, 3]);
    repo.setBodyPath(inbox.id, 3, 'mail/a1/x.eml');
    expect(repo.folderInfos('a1')[0].bodiesCached).toBe(1);
    repo.setFolderSyncState(inbox.id, { uidValidity: '7', uidNext: 4, highestModseq: '12', syncedAt: '2026-01-01T00:00:00Z' });
    repo.resetFolder(inbox.id);
    expect(repo.listUids(inbox.id)).toEqual([]);
    expect(repo.getFolder('a1', 'INBOX')!.uidValidity).toBeNull();
  });

  it('a message fetched whole gets one search entry, body included, and a header-only row still gets its own', () => {
    const [inbox] = repo.replaceFolders('a1', [
      { path: 'INBOX', name: 'Boîte de réception', specialUse: '\\Inbox', delimiter: '/', subscribed: true },
    ]);
    repo.storeDownloaded('a1', inbox.id, [
      { headers: message(1, { subject: 'Délibération budgétaire' }), bodyPath: 'mail/a1/x.eml', text: 'Le préau sera repeint.' },
    ]);
    repo.upsertMessages('a1', inbox.id, [message(2, { subject: 'Délibération suivante' })]);
    const search = (q: string) =>
      db
        .prepare('SELECT m.uid FROM mail_search s JOIN mail_messages m ON m.id = s.rowid WHERE mail_search MATCH ? ORDER BY m.uid')
        .pluck()
        .all(q);
    expect(search('deliberation')).toEqual([1, 2]);
    expect(search('preau')).toEqual([1]);
    expect(search('zoe')).toEqual([1, 2]);
    // One entry per row (migration 016: the insert trigger skips the row stored whole, which writes its own entry).
    db.exec('CREATE VIRTUAL TABLE temp.terms USING fts5vocab(main, mail_search, instance)');
    expect(db.prepare("SELECT count(*) FROM temp.terms WHERE term = 'deliberation'").pluck().get()).toBe(2);
    expect(db.prepare('SELECT count(*) FROM mail_search').pluck().get()).toBe(2);
    repo.deleteUids(inbox.id, [1]);
    expect(search('preau')).toEqual([]);
  });

  it('finds messages accent- and case-insensitively in subject, addresses and body, and forgets deleted ones', () => {
    const [inbox] = repo.replaceFolders('a1', [
      { path: 'INBOX', name: 'Boîte de réception', specialUse: '\\Inbox', delimiter: '/', subscribed: true },
    ]);
    repo.upsertMessages('a1', inbox.id, [message(1, { subject: 'Réunion du conseil municipal' }), message(2, { subject: 'Budget' })]);
    repo.indexBody(inbox.id, 2, 'Le déjeuner est prévu à midi.');
    const search = (q: string) =>
      db
        .prepare('SELECT m.uid FROM mail_search s JOIN mail_messages m ON m.id = s.rowid WHERE mail_search MATCH ? ORDER BY m.uid')
        .pluck()
        .all(q);
    expect(search('reunion')).toEqual([1]);
    expect(search('ZOE')).toEqual([1, 2]);
    expect(search('dejeuner')).toEqual([2]);
    expect(search('budget')).toEqual([2]);
    repo.deleteUids(inbox.id, [1]);
    expect(search('reunion')).toEqual([]);
    db.prepare("DELETE FROM accounts WHERE id = 'a1'").run();
    expect(search('dejeuner')).toEqual([]);
    expect(db.prepare('SELECT count(*) FROM mail_folders').pluck().get()).toBe(0);
  });
});
