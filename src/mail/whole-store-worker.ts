/**
 * The store worker of the one-pass initial sync (a worker_thread, see whole-store-host.ts): it owns a connection of
 * its own to the profile's database (WAL: the core's connection reads what it commits) and stores the batches of raw
 * sources the IMAP thread hands it (sources transferred, not copied), one transaction per batch, in the order received.
 * It answers each batch once committed, or with the error that stopped it (the batch then left no trace).
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { MailRepository } from './repository.js';
import { storeWholeBatch, type WholeBatch } from './whole-store.js';
import type { WholeStoreReply, WholeStoreRequest, WholeStoreWorkerData } from './whole-store-host.js';

const data = workerData as WholeStoreWorkerData;
const port = parentPort!;
const db = new Database(data.dbFile, { timeout: data.busyTimeoutMs });
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.pragma('foreign_keys = ON');
db.pragma(`busy_timeout = ${data.busyTimeoutMs}`);
const repo = new MailRepository(db);
port.postMessage({ type: 'ready' } satisfies WholeStoreReply);

let queue: Promise<void> = Promise.resolve();
port.on('message', (req: WholeStoreRequest) => {
  if (req.type === 'close') {
    queue = queue.then(() => {
      db.close();
      port.close();
    });
    return;
  }
  const batch: WholeBatch = {
    ...req.batch,
    messages: req.batch.messages.map((m) => ({ ...m, source: Buffer.from(m.source.buffer, m.source.byteOffset, m.source.byteLength) })),
  };
  queue = queue.then(async () => {
    let reply: WholeStoreReply;
    try {
      // This thread may block: each blob written at once, no round trip through the disk's threads per file.
      const uids = await storeWholeBatch(
        repo,
        data.blobsDir,
        batch,
        (message, fields) => port.postMessage({ type: 'notice', message, fields } satisfies WholeStoreReply),
        true,
      );
      reply = { type: 'stored', id: req.id, uids };
    } catch (err) {
      const e = err as Error & { code?: unknown };
      reply = {
        type: 'failed',
        id: req.id,
        message: e?.message ?? String(err),
        stack: e?.stack ?? null,
        code: typeof e?.code === 'string' ? e.code : null,
      };
    }
    port.postMessage(reply);
  });
});
