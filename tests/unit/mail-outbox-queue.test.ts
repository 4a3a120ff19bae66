/**
 * The Boîte d'envoi queue without a server: a queued message is written before any attempt; what each SMTP
 * outcome does to its row (sent, back-off for the whole account, failure that stops the account, uncertain);
 * « Renvoyer » on an uncertain message found in Envoyés; local drafts keep their Message-ID when sent.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CoreContext } from '../../src/context.js';
import { OstalError } from '../../src/errors.js';
import { saveDraft } from '../../src/mail/drafts.js';
import { OutboxQueue } from '../../src/mail/outbox-queue.js';
import { openDatabase } from '../../src/store/database.js';

let dir: string;
let db: Database.Database;
let ctx: CoreContext;
let queue: OutboxQueue;
let changes: { accountId: string; ids: string[] }[];

const BACKOFF = { backoffMs: 1000, maxBackoffMs: 4000 };
const offline = new OstalError('offline', 'En attente du réseau');

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-outbox-queue-'));
  db = openDatabase(path.join(dir, 'ostal.sqlite'));
  db.prepare(
    "INSERT INTO accounts (id, email, name, settings, created_at) VALUES ('a1', 'agent1@ostal.test', 'Agent', '{}', '2026-01-01T00:00:00Z')",
  ).run();
  changes = [];
  const quiet = () => undefined;
  ctx = {
    db,
    blobsDir: path.join(dir, 'blobs'),
    mode: 'browser',
    log: { info: quiet, warn: quiet, error: quiet },
    emit: (event: string, data: { accountId: string; ids: string[] }) => {
      if (event === 'outbox.changed') changes.push(data);
    },
  } as unknown as CoreContext;
  queue = new OutboxQueue(ctx, BACKOFF);
});

afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const enqueue = (subject: string) => queue.enqueue({ accountId: 'a1', to: ['agent2@ostal.test'], subject, text: 'Bonjour' });

/** The due message, claimed ('sending') as a drain does before opening SMTP. */
function claimed(id: string) {
  const rec = [...queue.dueByAccount('a1', false).values()].flat().find((r) => r.id === id)!;
  expect(queue.claim(rec)).toBe(true);
  return rec;
}

describe('OutboxQueue', () => {
  it('writes the raw message before queueing it, and tells the views', async () => {
    const entry = await enqueue('Compte rendu');
    expect(entry).toMatchObject({ state: 'queued', attempts: 0, subject: 'Compte rendu' });
    const rec = queue.store.get(entry.id)!;
    expect(fs.readFileSync(path.join(ctx.blobsDir, rec.rawPath!), 'utf8')).toContain('Subject: Compte rendu');
    expect((await queue.readRaw(rec))?.length).toBe(rec.size);
    expect(changes).toEqual([{ accountId: 'a1', ids: [entry.id] }]);
  });

  it('claims a message once; sent keeps the partial-rejection note and waits for its copy in Envoyés', async () => {
    const { id } = await enqueue('Un');
    const rec = claimed(id);
    expect(queue.claim(rec)).toBe(false);
    expect(queue.store.get(id)!.state).toBe('sending');
    expect(queue.settle(rec, { kind: 'sent', note: { code: 'partially_rejected', message: 'refusé : x@y' } }, 10)).toBe('next');
    expect(queue.store.get(id)).toMatchObject({ state: 'sent', attempts: 1, lastError: 'refusé : x@y' });
    expect([...queue.unfiledByAccount(undefined).keys()]).toEqual(['a1']);
  });

  it('a connectivity error backs off the whole account (doubling, capped) and stops its drain', async () => {
    const first = await enqueue('Premier');
    const second = await enqueue('Second');
    const before = Date.now();
    expect(queue.settle(claimed(first.id), { kind: 'retry', error: offline }, 10)).toBe('stop');
    const a = queue.store.get(first.id)!;
    const b = queue.store.get(second.id)!;
    expect(a).toMatchObject({ state: 'queued', attempts: 1, lastError: 'En attente du réseau' });
    const delay = Date.parse(a.nextAttemptAt!) - before;
    expect(delay).toBeGreaterThanOrEqual(900 - 50);
    expect(delay).toBeLessThanOrEqual(1100 + 50);
    // The other message waits as long (one attempt per back-off, not one per message).
    expect(b).toMatchObject({ state: 'queued', nextAttemptAt: a.nextAttemptAt, lastError: 'En attente du réseau' });
    expect(queue.dueByAccount('a1', false).size).toBe(0);
    expect([...queue.dueByAccount('a1', true).values()].flat().map((r) => r.id)).toEqual([first.id, second.id]);
    expect(changes.at(-1)).toEqual({ accountId: 'a1', ids: [first.id, second.id] });
    // Third attempt: 4 × the first back-off, the cap.
    db.prepare('UPDATE outbox SET attempts = 2, next_attempt_at = NULL').run();
    queue.settle(claimed(first.id), { kind: 'retry', error: offline }, 10);
    expect(Date.parse(queue.store.get(first.id)!.nextAttemptAt!) - Date.now()).toBeGreaterThan(3500);
  });

  it('a refused password fails the message and stops the account; a refused message lets the next one go', async () => {
    const { id } = await enqueue('Mot de passe');
    expect(queue.settle(claimed(id), { kind: 'failed', error: new OstalError('auth_failed', 'Mot de passe refusé') }, 10)).toBe('stop');
    expect(queue.store.get(id)).toMatchObject({ state: 'failed', lastError: 'Mot de passe refusé' });
    const other = await enqueue('Refusé');
    expect(queue.settle(claimed(other.id), { kind: 'failed', error: new OstalError('server_error', 'Refusé par le serveur') }, 10)).toBe(
      'next',
    );
    expect(queue.store.get(other.id)!.state).toBe('failed');
  });

  it('uncertain is never due again; « Renvoyer » marks it sent when Envoyés has it, queues it otherwise', async () => {
    const kept = await enqueue('Incertain trouvé');
    const lost = await enqueue('Incertain absent');
    for (const id of [kept.id, lost.id])
      queue.settle(claimed(id), { kind: 'uncertain', error: new OstalError('server_error', 'incertain') }, 10);
    expect(queue.store.get(kept.id)!.state).toBe('uncertain');
    expect(queue.dueByAccount('a1', true).size).toBe(0);
    const found = await queue.retry(kept.id, async () => true);
    expect(found.state).toBe('sent');
    expect(queue.store.get(kept.id)!.rawPath).toBeNull();
    expect(queue.unfiledByAccount('a1').size).toBe(0);
    expect((await queue.retry(lost.id, async () => false)).state).toBe('queued');
    await expect(queue.retry(kept.id, async () => true)).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('an interrupted send (row left in sending by a dead process) becomes uncertain', async () => {
    const { id } = await enqueue('Interrompu');
    claimed(id);
    new OutboxQueue(ctx, BACKOFF).recoverInterrupted();
    expect(queue.store.get(id)!.state).toBe('uncertain');
  });
});

describe('drafts', () => {
  it('a draft keeps its id and Message-ID when saved again and when sent; a sent one is no longer a draft', async () => {
    const { id } = await saveDraft(ctx, queue, { accountId: 'a1', to: ['agent2@ostal.test'], subject: 'Brouillon' });
    const messageId = queue.store.get(id)!.messageId;
    expect((await saveDraft(ctx, queue, { accountId: 'a1', id, subject: 'Brouillon 2' })).id).toBe(id);
    expect(queue.list({ includeDrafts: true })).toMatchObject([{ id, state: 'draft', subject: 'Brouillon 2' }]);
    const sent = await queue.enqueue({ accountId: 'a1', draftId: id, to: ['agent2@ostal.test'], subject: 'Brouillon 2', text: '' });
    expect(sent).toMatchObject({ id, state: 'queued', messageId });
    await expect(saveDraft(ctx, queue, { accountId: 'a1', id, subject: 'Trop tard' })).rejects.toThrow(OstalError);
    await expect(saveDraft(ctx, queue, { accountId: 'inconnu', subject: 'x' })).rejects.toThrow(OstalError);
  });

  it('each save writes the raw draft (Cci kept, attachments included) and raises its revision; the older raw file is removed', async () => {
    const first = await saveDraft(ctx, queue, {
      accountId: 'a1',
      to: ['agent2@ostal.test', 'pas-encore'],
      bcc: ['cache@ostal.test'],
      subject: 'Note',
      text: 'Premier jet',
      attachments: [{ filename: 'plan.txt', contentBase64: Buffer.from('plan du service').toString('base64'), contentType: 'text/plain' }],
    });
    const rec1 = queue.store.get(first.id)!;
    const raw1 = (await queue.readRaw(rec1))!.toString('utf8');
    expect(raw1).toMatch(/^Bcc: cache@ostal\.test/m);
    expect(raw1).toContain('plan.txt');
    expect(rec1.draft).toMatchObject({ rev: 1 });
    expect(rec1.to).toEqual(['agent2@ostal.test', 'pas-encore']);
    await saveDraft(ctx, queue, { accountId: 'a1', id: first.id, subject: 'Note', text: 'Deuxième jet' });
    const rec2 = queue.store.get(first.id)!;
    expect(rec2.draft).toMatchObject({ rev: 2 });
    expect(fs.existsSync(path.join(ctx.blobsDir, rec1.rawPath!))).toBe(false);
    expect((await queue.readRaw(rec2))!.toString('utf8')).toContain('Deuxi');
    // Not on the server yet: pending. Once revision 2 is marked uploaded, nothing is pending.
    expect(queue.store.draftsForServer().map((r) => r.id)).toEqual([first.id]);
    expect(queue.store.markDraftUploaded(first.id, 1)).toBe(false);
    expect(queue.store.markDraftUploaded(first.id, 2)).toBe(true);
    expect(queue.store.draftsForServer()).toEqual([]);
    // Thrown away while a copy is on the server: hidden from the list, pending removal of that copy.
    queue.discard(first.id);
    expect(queue.list({ includeDrafts: true }).some((e) => e.id === first.id)).toBe(false);
    expect(queue.store.draftsForServer().map((r) => [r.id, r.draft.discarded])).toEqual([[first.id, true]]);
  });
});
