/**
 * The store worker of the one-pass mail sync stopping in the middle of a sync (killed, out of memory…): what it was
 * given is stored or refused, never lost silently; what comes after is stored on the calling thread; the store closes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../src/log.js';
import { MailRepository } from '../../src/mail/repository.js';
import { WholeStore } from '../../src/mail/whole-store-host.js';
import type { WholeBatch } from '../../src/mail/whole-store.js';
import { openDatabase } from '../../src/store/database.js';

let dir: string;
let db: Database.Database;
let repo: MailRepository;
let folderId: number;
const logged: string[] = [];
const log: Logger = { info: (m) => logged.push(m), warn: (m) => logged.push(m), error: (m) => logged.push(m) };

function batch(uids: number[]): WholeBatch {
  return {
    accountId: 'a1',
    folderId,
    folderPath: 'INBOX',
    provisional: false,
    messages: uids.map((uid) => ({
      uid,
      modseq: null,
      flags: [],
      internalDate: new Date(Date.UTC(2026, 0, uid)).toISOString(),
      size: 0,
      source: Buffer.from(
        `From: Élodie Durand <elodie@ostal.test>\r\nTo: agent1@ostal.test\r\nSubject: Réunion ${uid}\r\nMessage-ID: <m${uid}@ostal.test>\r\n\r\nCompte rendu de la réunion ${uid}.\r\n`,
      ),
    })),
  };
}

const storedUids = () => db.prepare('SELECT uid FROM mail_messages ORDER BY uid').pluck().all() as number[];

beforeEach(() => {
  logged.length = 0;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-whole-store-'));
  db = openDatabase(path.join(dir, 'ostal.sqlite'));
  db.prepare(
    "INSERT INTO accounts (id, email, name, settings, created_at) VALUES ('a1', 'agent1@ostal.test', 'Agent', '{}', '2026-01-01T00:00:00Z')",
  ).run();
  repo = new MailRepository(db);
  [{ id: folderId }] = repo.replaceFolders('a1', [
    { path: 'INBOX', name: 'Boîte de réception', specialUse: '\\Inbox', delimiter: '/', subscribed: true },
  ]);
});

afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('WholeStore, son fil de travail arrêté en cours de route', () => {
  it('refuses or stores what it was given, stores the rest on this thread, and closes', { timeout: 60_000 }, async () => {
    const store = WholeStore.open(repo, path.join(dir, 'blobs'), log);
    expect(await store.store(batch([1, 2]))).toEqual([1, 2]);
    expect(logged).toContain('mail: store worker ready');

    // The worker stops while a batch is on its way to it.
    const worker = (store as unknown as { worker: Worker }).worker;
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    const given = store.store(batch([3, 4])).then(
      (uids) => ({ stored: uids }),
      (err: unknown) => ({ refused: err as Error }),
    );
    void worker.terminate();
    await exited;
    const outcome = await given;
    expect(logged).toContain('mail: store worker stopped');
    if ('refused' in outcome) {
      // Not committed: the next sync fetches those messages again and stores them (here, on this thread).
      expect(storedUids()).toEqual([1, 2]);
      expect(await store.store(batch([3, 4]))).toEqual([3, 4]);
    } else expect(outcome.stored).toEqual([3, 4]);

    // What comes next is stored on this thread; closing waits for it and ends.
    expect(await store.store(batch([5, 6]))).toEqual([5, 6]);
    await store.close();
    expect(storedUids()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(repo.database.prepare("SELECT count(*) FROM mail_search WHERE mail_search MATCH 'reunion'").pluck().get()).toBe(6);
  });
});
