import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/database.js';
import { MailRepository, type MessageHeaders } from '../../src/mail/repository.js';

/** The virtualised list's query (`mail.list`) on a folder of 100 000 messages: windows, counts, filters, query plan. */
const COUNT = 100_000;
let dir: string;
let db: Database.Database;
let repo: MailRepository;

function headers(uid: number): MessageHeaders {
  const date = new Date(Date.UTC(2020, 0, 1) + uid * 60_000).toISOString();
  return {
    uid,
    modseq: null,
    messageId: `<volume-${uid}@ostal.test>`,
    subject: `Compte rendu n° ${uid}`,
    from: { name: 'Élodie Durand', address: 'elodie@ostal.test' },
    to: [{ name: 'Agent', address: 'agent5@ostal.test' }],
    cc: [],
    date,
    internalDate: date,
    flags: uid % 10 === 0 ? [] : uid % 7 === 0 ? ['\\Flagged', '\\Seen'] : ['\\Seen'],
    size: 2000,
    hasAttachments: uid % 13 === 0,
    inReplyTo: null,
    references: [],
  };
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-maillist-'));
  db = openDatabase(path.join(dir, 'ostal.sqlite'));
  db.prepare(
    "INSERT INTO accounts (id, email, name, settings, created_at) VALUES ('a1', 'agent5@ostal.test', 'Agent', '{}', '2026-01-01T00:00:00Z')",
  ).run();
  repo = new MailRepository(db);
  const [inbox] = repo.replaceFolders('a1', [
    { path: 'INBOX', name: 'Boîte de réception', specialUse: '\\Inbox', delimiter: '/', subscribed: true },
  ]);
  const batch: MessageHeaders[] = [];
  for (let uid = 1; uid <= COUNT; uid++) batch.push(headers(uid));
  repo.upsertMessages('a1', inbox.id, batch);
}, 120_000);

afterAll(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('mail.list windows (100 000 messages)', () => {
  it('gives any window newest first with the total, quickly, at the top and at the very end', () => {
    const first = repo.listPage('a1', 'INBOX', 0, 50)!;
    expect(first.total).toBe(COUNT);
    expect(first.messages.map((m) => m.uid).slice(0, 3)).toEqual([COUNT, COUNT - 1, COUNT - 2]);
    const started = performance.now();
    const last = repo.listPage('a1', 'INBOX', COUNT - 50, 50)!;
    const elapsed = performance.now() - started;
    expect(last.offset).toBe(COUNT - 50);
    expect(last.messages).toHaveLength(50);
    expect(last.messages.at(-1)!.uid).toBe(1);
    expect(last.messages[0].uid).toBe(50);
    // A window at the far end walks the index, not the rows: well under what a frame allows for a scroll.
    expect(elapsed).toBeLessThan(150);
    expect(repo.listPage('a1', 'INBOX', COUNT + 10, 50)!.messages).toEqual([]);
    expect(repo.listPage('a1', 'Absent', 0, 50)).toBeNull();
  });

  it('filters non lus, suivis and avec pièce jointe in the query, with their own totals', () => {
    const unread = repo.listPage('a1', 'INBOX', 0, 20, 'unread')!;
    expect(unread.total).toBe(COUNT / 10);
    expect(unread.messages.every((m) => !m.flags.includes('\\Seen'))).toBe(true);
    const flagged = repo.listPage('a1', 'INBOX', 0, 20, 'flagged')!;
    expect(flagged.messages.every((m) => m.flags.includes('\\Flagged'))).toBe(true);
    expect(flagged.total).toBeGreaterThan(10_000);
    const attachments = repo.listPage('a1', 'INBOX', 100, 20, 'attachments')!;
    expect(attachments.messages.every((m) => m.hasAttachments)).toBe(true);
    expect(attachments.total).toBe(Math.floor(COUNT / 13));
  });

  it('uses the list index for the window and the count, and never sorts the folder', () => {
    const { where, total } = repo.pageQueries('all');
    const plan = (sql: string, ...args: unknown[]) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[]).map((r) => r.detail).join('\n');
    const windowPlan = plan(where, 1, 50, 0);
    expect(windowPlan).toMatch(/COVERING INDEX mail_messages_list \(folder_id=\?\)/);
    // The only sort is of the 50 rows of the window (outer query), never of the folder.
    expect(windowPlan).not.toMatch(/SCAN mail_messages(?! USING)/);
    expect(plan(total, 1)).toMatch(/SEARCH mail_messages USING (COVERING )?INDEX \w+ \(folder_id=\?\)/);
  });
});
