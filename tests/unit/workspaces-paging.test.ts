/**
 * The Discussion paged from the local copy (migration 017, WorkspaceRepository.page): messages of one second keep the
 * archive's order whichever page came first, a page stops at a message with a gap before it (the archive is then
 * asked), reading the page before that message closes the gap, and the archive's start makes the history complete.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/database.js';
import { WorkspaceRepository, type StoredMessage } from '../../src/workspaces/repository.js';

const ROOM = 'pages@conference.ostal.test';
let dir: string;
let db: Database.Database;
let repo: WorkspaceRepository;

/** Archived messages 0…n-1, all in the same second (the archive's stamps have no milliseconds). */
const archived = (from: number, to: number): StoredMessage[] =>
  Array.from({ length: to - from }, (_, k) => ({
    id: `arch-${from + k}`,
    originId: null,
    sender: 'agent2@ostal.test',
    body: `Message ${from + k}`,
    sentAt: '2026-12-06T10:00:00.000Z',
    senderVouched: true,
  }));
const texts = (page: { messages: { text: string }[] }): string[] => page.messages.map((m) => m.text);
const range = (from: number, to: number): string[] => Array.from({ length: to - from }, (_, k) => `Message ${from + k}`);

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-chat-pages-'));
  db = openDatabase(path.join(dir, 'ostal.sqlite'));
  db.prepare(
    "INSERT INTO accounts (id, email, name, settings, created_at) VALUES ('a1', 'agent1@ostal.test', 'Agent', '{}', '2026-01-01T00:00:00Z')",
  ).run();
  repo = new WorkspaceRepository(db);
});

afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('Discussion pages (local copy)', () => {
  it('pages back in the archive order, stopping at gaps until the archive fills them', () => {
    // Nothing kept: the archive must be asked.
    expect(repo.page(ROOM, null, 10)).toEqual({ messages: [], gap: true, complete: false });
    // The latest archive page (20…29): newest first, the page stops at its first message (what came before is unknown).
    repo.storeMessages('a1', ROOM, archived(20, 30), { complete: false });
    const latest = repo.page(ROOM, null, 5);
    expect(texts(latest)).toEqual(range(25, 30));
    expect(latest.gap).toBe(false);
    const rest = repo.page(ROOM, 'arch-25', 10);
    expect(texts(rest)).toEqual(range(20, 25));
    expect(rest).toMatchObject({ gap: true, complete: false });
    // The page before message 20 (10…19), stored after the newer ones, in the same second: ordered before them.
    repo.storeMessages('a1', ROOM, archived(10, 20), { complete: false, before: 'arch-20' });
    expect(texts(repo.page(ROOM, 'arch-25', 10))).toEqual(range(15, 25));
    expect(repo.page(ROOM, 'arch-15', 10)).toMatchObject({ gap: true, complete: false });
    // The archive's first page (0…9, complete): nothing older anywhere.
    repo.storeMessages('a1', ROOM, archived(0, 10), { complete: true, before: 'arch-10' });
    const first = repo.page(ROOM, 'arch-15', 20);
    expect(texts(first)).toEqual(range(0, 15));
    expect(first).toMatchObject({ gap: false, complete: true });
    // The whole history in one page: each message once, in order.
    expect(texts(repo.page(ROOM, null, 100))).toEqual(range(0, 30));
    expect(repo.history(ROOM, 100).map((m) => m.text)).toEqual(range(0, 30));
  });

  it('keeps a gap between an old copy and a newer latest page, and closes it when the page between is read', () => {
    repo.storeMessages('a1', ROOM, archived(0, 10), { complete: true });
    // Offline a while: the latest page (30…39) no longer touches what is kept.
    repo.storeMessages('a1', ROOM, archived(30, 40), { complete: false });
    const page = repo.page(ROOM, null, 30);
    expect(texts(page)).toEqual(range(30, 40));
    expect(page.gap).toBe(true);
    // The archive's page before 30 holds 10…29, overlapping nothing: a gap again before 10? No: 10 follows 9 in the
    // archive, but this copy only knows that once the page before 10 is read. Here the page read is 20…29.
    repo.storeMessages('a1', ROOM, archived(20, 30), { complete: false, before: 'arch-30' });
    expect(repo.page(ROOM, 'arch-30', 30)).toMatchObject({ gap: true });
    // Then 5…19: its first messages are already kept (5…9), which keep what they knew (no gap before 5…9).
    repo.storeMessages('a1', ROOM, archived(5, 20), { complete: false, before: 'arch-20' });
    const all = repo.page(ROOM, null, 100);
    expect(texts(all)).toEqual(range(0, 40));
    expect(all).toMatchObject({ gap: false, complete: true });
  });

  it('an older page holding messages already kept (received live meanwhile) puts each of them in the archive order', () => {
    // An old copy (0…9), then four messages received live while more came (23…26, same second), then the latest page.
    repo.storeMessages('a1', ROOM, archived(0, 10), { complete: true });
    repo.storeMessages('a1', ROOM, archived(23, 27));
    repo.storeMessages('a1', ROOM, archived(30, 40), { complete: false });
    // The gap read back: 20…29 (holding the four kept ones), then 10…19.
    repo.storeMessages('a1', ROOM, archived(20, 30), { complete: false, before: 'arch-30' });
    repo.storeMessages('a1', ROOM, archived(10, 20), { complete: false, before: 'arch-20' });
    expect(texts(repo.page(ROOM, null, 100))).toEqual(range(10, 40));
    // Then the page before 10, already kept: the history is whole and in order.
    repo.storeMessages('a1', ROOM, archived(0, 10), { complete: true, before: 'arch-10' });
    expect(texts(repo.page(ROOM, null, 100))).toEqual(range(0, 40));
    expect(repo.history(ROOM, 100).map((m) => m.text)).toEqual(range(0, 40));
  });

  it('messages received live just before a newer page stay before it, though this computer stamped them a second later', () => {
    repo.storeMessages('a1', ROOM, archived(0, 7), { complete: true });
    // 7…19 received live, stamped by this computer as they came (10:00:02), a moment after the archive (10:00:01).
    repo.storeMessages(
      'a1',
      ROOM,
      archived(7, 20).map((m) => ({ ...m, sentAt: '2026-12-06T10:00:02.010Z' })),
    );
    // Then the latest archive page (10…19), stamped 10:00:01 by the archive: 7…9, not in it, still come first.
    repo.storeMessages(
      'a1',
      ROOM,
      archived(10, 20).map((m) => ({ ...m, sentAt: '2026-12-06T10:00:01.000Z' })),
      { complete: false },
    );
    expect(texts(repo.page(ROOM, null, 100))).toEqual(range(0, 20));
  });

  it('a live message on a copy with no archived message leaves the archive to be asked', () => {
    repo.storeMessages('a1', ROOM, archived(7, 8));
    expect(repo.page(ROOM, null, 10)).toMatchObject({ gap: true, complete: false });
    repo.storeMessages('a1', ROOM, archived(8, 9));
    expect(repo.page(ROOM, 'arch-8', 10)).toMatchObject({ gap: true });
    expect(texts(repo.page(ROOM, null, 10))).toEqual(range(7, 9));
  });
});
