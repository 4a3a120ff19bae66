import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/database.js';
import { MailRepository, type MessageHeaders } from '../../src/mail/repository.js';
import { MailSearch, resultLimit, withoutAccents } from '../../src/mail/search.js';
import { frenchCount, offlineSince } from '../../src/mail/sync-engine.js';

let dir: string;
let db: Database.Database;
let repo: MailRepository;

function message(uid: number, subject: string, daysAgo: number): MessageHeaders {
  const date = new Date(Date.now() - daysAgo * 86_400_000).toISOString();
  return {
    uid,
    modseq: null,
    messageId: `<m${uid}@ostal.test>`,
    subject,
    from: { name: 'Élodie Durand', address: 'elodie@ostal.test' },
    to: [],
    cc: [],
    date,
    internalDate: date,
    flags: [],
    size: 1000,
    hasAttachments: false,
    inReplyTo: null,
    references: [],
  };
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-mailoffline-'));
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

describe('offline window', () => {
  const now = new Date('2026-12-05T12:00:00Z');
  it('« Tous », « Les 12 derniers mois », « Les 3 derniers mois », « Aucun », and the folder’s own choice first', () => {
    expect(offlineSince({ offline: null }, 'all', now)).toBeNull();
    expect(offlineSince({ offline: null }, '12months', now)).toBe('2025-12-05T12:00:00.000Z');
    expect(offlineSince({ offline: null }, '3months', now)).toBe('2026-09-05T12:00:00.000Z');
    expect(offlineSince({ offline: null }, 'none', now)).toBeUndefined();
    expect(offlineSince({ offline: true }, 'none', now)).toBeNull();
    expect(offlineSince({ offline: false }, 'all', now)).toBeUndefined();
  });

  it('formats progress numbers the French way', () => {
    expect(frenchCount(48000)).toBe('48\u202f000');
    expect(frenchCount(3420)).toBe('3\u202f420');
    expect(frenchCount(12)).toBe('12');
  });
});

describe('bodies stored one by one, indexed after', () => {
  it('lists what is missing newest first within the window, and indexes a stored body later', () => {
    const [inbox] = repo.replaceFolders('a1', [
      { path: 'INBOX', name: 'Boîte de réception', specialUse: '\\Inbox', delimiter: '/', subscribed: true },
    ]);
    repo.upsertMessages('a1', inbox.id, [message(1, 'Ancien', 400), message(2, 'Récent', 10), message(3, 'Moyen', 200)]);
    expect(repo.listMissingBodies(inbox.id, null, 10).map((m) => m.uid)).toEqual([2, 3, 1]);
    const since = new Date(Date.now() - 365 * 86_400_000).toISOString();
    expect(repo.listMissingBodies(inbox.id, since, 10).map((m) => m.uid)).toEqual([2, 3]);
    expect(repo.countMissingBodies(inbox.id, since)).toBe(2);

    // Stored: no longer missing, not yet indexed (a kill here leaves body_indexed = 0).
    expect(repo.setBodyPath(inbox.id, 2, 'mail/a1/x.eml')).toBe(true);
    expect(repo.setBodyPath(inbox.id, 99, 'mail/a1/y.eml')).toBe(false);
    expect(repo.listMissingBodies(inbox.id, null, 10).map((m) => m.uid)).toEqual([3, 1]);
    expect(repo.listUnindexedBodies(inbox.id, 10)).toEqual([{ uid: 2, bodyPath: 'mail/a1/x.eml' }]);
    const search = new MailSearch(repo);
    expect(search.countLocal('déménagement')).toBe(0);
    repo.indexBodies(inbox.id, [{ uid: 2, text: 'Le déménagement des archives.' }]);
    expect(repo.listUnindexedBodies(inbox.id, 10)).toEqual([]);
    expect(search.countLocal('demenagement')).toBe(1);
    expect(search.countLocal('DÉMÉNAGEMENT')).toBe(1);
  });

  it('the missing-bodies queries use their partial index', () => {
    const plan = db
      .prepare(
        `EXPLAIN QUERY PLAN SELECT uid, size FROM mail_messages INDEXED BY mail_messages_missing_body WHERE folder_id = 1 AND body_path IS NULL AND uid > 0 ORDER BY internal_date DESC, uid DESC LIMIT 10`,
      )
      .all() as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toContain('mail_messages_missing_body');
  });
});

describe('search: exact count and every match', () => {
  it('counts every match and returns them all with limit 0 (default 100)', () => {
    const [inbox, archive] = repo.replaceFolders('a1', [
      { path: 'INBOX', name: 'Boîte de réception', specialUse: '\\Inbox', delimiter: '/', subscribed: true },
      { path: 'Archive', name: 'Archives', specialUse: '\\Archive', delimiter: '/', subscribed: true },
    ]);
    repo.upsertMessages(
      'a1',
      inbox.id,
      Array.from({ length: 150 }, (_, i) => message(i + 1, `Réunion ${i + 1}`, i)),
    );
    repo.upsertMessages(
      'a1',
      archive.id,
      Array.from({ length: 80 }, (_, i) => message(i + 1, `Reunion archivée ${i + 1}`, 300 + i)),
    );
    const search = new MailSearch(repo);
    expect(search.countLocal('réunion')).toBe(230);
    expect(search.countLocal('reunion', { folder: 'Archive' })).toBe(80);
    expect(search.searchLocal('reunion')).toHaveLength(100);
    expect(search.searchLocal('reunion', { limit: 0 })).toHaveLength(230);
    expect(search.searchLocal('réunion', { limit: 7 })).toHaveLength(7);
  });

  it('a word most messages hold lists its newest matches over every folder, a rarer one its most relevant', () => {
    const [inbox, archive] = repo.replaceFolders('a1', [
      { path: 'INBOX', name: 'Boîte de réception', specialUse: '\\Inbox', delimiter: '/', subscribed: true },
      { path: 'Archive', name: 'Archives', specialUse: '\\Archive', delimiter: '/', subscribed: true },
    ]);
    // 6 000 messages (above the 5 000 where the walk starts), every one holding « mairie », one in three « réunion »;
    // the newest ones are split between the two folders.
    const subject = (i: number) => `Mairie ${i % 3 === 0 ? 'réunion ' : ''}n° ${i}`;
    repo.upsertMessages(
      'a1',
      inbox.id,
      Array.from({ length: 3000 }, (_, i) => message(i + 1, subject(2 * i), 2 * i)),
    );
    repo.upsertMessages(
      'a1',
      archive.id,
      Array.from({ length: 3000 }, (_, i) => message(i + 1, subject(2 * i + 1), 2 * i + 1)),
    );
    const search = new MailSearch(repo);
    const newest = search.searchLocal('mairi', { limit: 5 });
    expect(newest.map((m) => m.subject)).toEqual([
      'Mairie réunion n° 0',
      'Mairie n° 1',
      'Mairie n° 2',
      'Mairie réunion n° 3',
      'Mairie n° 4',
    ]);
    expect(newest.map((m) => m.folder)).toEqual(['INBOX', 'Archive', 'INBOX', 'Archive', 'INBOX']);
    // The same with the account named (the only one) and two common words.
    expect(search.searchLocal('MAIRIE réunion', { limit: 3, accountId: 'a1' }).map((m) => m.subject)).toEqual([
      'Mairie réunion n° 0',
      'Mairie réunion n° 3',
      'Mairie réunion n° 6',
    ]);
    // A word few messages hold is ranked by relevance, as in a small mailbox (the walk would look at too many messages).
    repo.upsertMessages('a1', inbox.id, [message(5000, 'Déneigement du parvis', 9000)]);
    expect(search.searchLocal('deneig', { limit: 5 }).map((m) => m.subject)).toEqual(['Déneigement du parvis']);
    expect(search.countLocal('mairie')).toBe(6000);
    expect(search.searchLocal('mairie', { limit: 0 })).toHaveLength(6000);
  });

  it('limits and accents', () => {
    expect(resultLimit(undefined)).toBe(100);
    expect(resultLimit(0)).toBeNull();
    expect(resultLimit(5000)).toBe(5000);
    expect(withoutAccents('Déménagement à Noël')).toBe('Demenagement a Noel');
  });
});
