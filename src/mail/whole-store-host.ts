/**
 * Where the one-pass initial sync stores what it fetches (see whole-store.ts): a worker_thread with its own database
 * connection, so that the thread driving IMAP does nothing but receive (imapflow's parser was waiting behind the
 * reading of sources, the hashing, the blob writes and the SQLite and FTS5 inserts, on a saturated thread); or, when
 * no worker can start (no worker file next to the bundle, an in-memory database, OSTAL_MAIL_STORE_WORKER=0), the
 * calling thread, with the same code.
 *
 * The worker is dist/<cli|main>/mail-store-worker.cjs next to a bundle (built with it), else whole-store-worker.dev.mjs
 * next to the sources (tsx compiles the TypeScript in the worker: tests, `npm run bench`). Batches are stored in the
 * order given, one transaction each; a batch's promise settles once it is committed (or failed: then nothing of it is
 * in the database). A batch the worker had not answered when it failed to start is stored on the calling thread.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../log.js';
import { collectGarbage } from '../memory.js';
import type { MailRepository } from './repository.js';
import { storeWholeBatch, type WholeBatch, type WholeMessage } from './whole-store.js';

export interface WholeStoreWorkerData {
  dbFile: string;
  blobsDir: string;
  busyTimeoutMs: number;
}

/** A batch as posted to the worker: each source a Uint8Array owning its ArrayBuffer (transferred). */
export type PostedBatch = Omit<WholeBatch, 'messages'> & { messages: (Omit<WholeMessage, 'source'> & { source: Uint8Array })[] };

export type WholeStoreRequest = { type: 'batch'; id: number; batch: PostedBatch } | { type: 'close' };

export type WholeStoreReply =
  | { type: 'ready' }
  | { type: 'stored'; id: number; uids: number[] }
  | { type: 'failed'; id: number; message: string; stack: string | null; code: string | null }
  | { type: 'notice'; message: string; fields: Record<string, unknown> };

/** The worker's script: next to the bundle when the core runs from one, else next to the sources. Null: none here. */
function workerFile(): URL | null {
  for (const name of ['./mail-store-worker.cjs', './whole-store-worker.dev.mjs']) {
    const url = new URL(name, import.meta.url);
    if (url.protocol === 'file:' && fs.existsSync(fileURLToPath(url))) return url;
  }
  return null;
}

/** Flags of this process a worker keeps (profiling); others (a test runner's, a loader's) are not its business. */
function workerExecArgv(): string[] {
  return process.execArgv.filter((a) => a.startsWith('--cpu-prof') || a.startsWith('--heap-prof') || a === '--enable-source-maps');
}

/** Downloads of at least this many bytes end with a full garbage collection (see src/memory.ts). */
const RELEASE_AFTER_BYTES = 32 * 1024 * 1024;

interface Pending {
  resolve: (uids: number[]) => void;
  reject: (err: Error) => void;
}

export class WholeStore {
  private worker: Worker | null = null;
  private ready = false;
  private closing = false;
  private nextId = 1;
  /** Posted to the worker, not answered yet. */
  private readonly pending = new Map<number, Pending>();
  /** Given before the worker said it was ready: posted then, or stored here if it never starts. */
  private queued: { batch: WholeBatch; keepSources: boolean; settle: Pending }[] = [];
  private readonly outstanding = new Set<Promise<unknown>>();
  /** Batches stored on this thread, in order (no worker, or the worker could not start). */
  private local: Promise<unknown> = Promise.resolve();
  private exited: Promise<void> = Promise.resolve();
  private readonly started = performance.now();
  /** Bytes of the sources given to this store (a large download's garbage is collected when the store closes). */
  private bytes = 0;

  private constructor(
    private readonly repo: MailRepository,
    private readonly blobsDir: string,
    private readonly log: Logger,
  ) {}

  /** Start the store (the worker starts in the background: batches given meanwhile wait for it). */
  static open(repo: MailRepository, blobsDir: string, log: Logger): WholeStore {
    const store = new WholeStore(repo, blobsDir, log);
    const db = repo.database;
    const file = process.env.OSTAL_MAIL_STORE_WORKER === '0' || db.memory ? null : workerFile();
    if (!file) return store;
    try {
      const data: WholeStoreWorkerData = {
        dbFile: db.name,
        blobsDir,
        busyTimeoutMs: Number(db.pragma('busy_timeout', { simple: true })) || 5000,
      };
      const worker = new Worker(file, { workerData: data, execArgv: workerExecArgv() });
      store.worker = worker;
      store.exited = new Promise((resolve) => worker.once('exit', () => resolve()));
      worker.on('message', (reply: WholeStoreReply) => store.onReply(reply));
      worker.on('error', (err) => store.onWorkerGone(err));
      worker.on('exit', (code) => store.onWorkerGone(new Error(`mail store worker exited (code ${code})`)));
    } catch (err) {
      log.warn('mail: store worker not started, storing on this thread', { err: err as Error });
      store.worker = null;
    }
    return store;
  }

  /**
   * Store a batch; settles once it is committed. With a worker, each source's memory moves to it (the Buffers given
   * here are emptied) unless `keepSources` (the caller reads them afterwards: they are copied).
   */
  store(batch: WholeBatch, keepSources = false): Promise<number[]> {
    for (const m of batch.messages) this.bytes += m.source.length;
    let settle!: Pending;
    const done = new Promise<number[]>((resolve, reject) => (settle = { resolve, reject }));
    this.outstanding.add(done);
    const forget = () => this.outstanding.delete(done);
    done.then(forget, forget);
    if (!this.worker) this.storeHere(batch).then(settle.resolve, settle.reject);
    else if (!this.ready) this.queued.push({ batch, keepSources, settle });
    else this.post(batch, keepSources, settle);
    return done;
  }

  /** Wait for what was given, then stop the worker (its connection closed). */
  async close(): Promise<void> {
    await Promise.allSettled([...this.outstanding]);
    const worker = this.worker;
    if (worker) {
      this.closing = true;
      worker.postMessage({ type: 'close' } satisfies WholeStoreRequest);
      const timer = setTimeout(() => void worker.terminate(), 5000);
      await this.exited;
      clearTimeout(timer);
      this.worker = null;
    }
    await this.local;
    if (this.bytes >= RELEASE_AFTER_BYTES) {
      const before = process.memoryUsage().rss;
      const t = performance.now();
      if (collectGarbage())
        this.log.info('mail: memory of the download given back', {
          bytes: this.bytes,
          ms: Math.round(performance.now() - t),
          rssBefore: before,
          rssAfter: process.memoryUsage().rss,
        });
    }
  }

  private post(batch: WholeBatch, keepSources: boolean, settle: Pending): void {
    const id = this.nextId++;
    const transfer: ArrayBuffer[] = [];
    const posted: PostedBatch = {
      ...batch,
      messages: batch.messages.map((m) => {
        const s = m.source;
        // A source owning its whole ArrayBuffer moves as it is; one sharing it (a slice of a larger buffer) is copied.
        const own = !keepSources && s.buffer instanceof ArrayBuffer && s.byteOffset === 0 && s.byteLength === s.buffer.byteLength;
        const source = own ? s : new Uint8Array(s);
        transfer.push(source.buffer as ArrayBuffer);
        return { ...m, source };
      }),
    };
    this.pending.set(id, settle);
    this.worker!.postMessage({ type: 'batch', id, batch: posted } satisfies WholeStoreRequest, transfer);
  }

  private storeHere(batch: WholeBatch): Promise<number[]> {
    const run = this.local.then(() =>
      storeWholeBatch(this.repo, this.blobsDir, batch, (message, fields) => this.log.info(message, fields)),
    );
    this.local = run.catch(() => undefined);
    return run;
  }

  private onReply(reply: WholeStoreReply): void {
    if (reply.type === 'ready') {
      this.ready = true;
      this.log.info('mail: store worker ready', { ms: Math.round(performance.now() - this.started) });
      const queued = this.queued;
      this.queued = [];
      for (const q of queued) this.post(q.batch, q.keepSources, q.settle);
      return;
    }
    if (reply.type === 'notice') {
      this.log.info(reply.message, reply.fields);
      return;
    }
    const p = this.pending.get(reply.id);
    if (!p) return;
    this.pending.delete(reply.id);
    if (reply.type === 'stored') p.resolve(reply.uids);
    else {
      const err = Object.assign(new Error(reply.message), reply.code ? { code: reply.code } : {});
      if (reply.stack) err.stack = reply.stack;
      p.reject(err);
    }
  }

  private onWorkerGone(err: Error): void {
    if (!this.worker || this.closing) return;
    this.worker = null;
    const queued = this.queued;
    this.queued = [];
    if (!this.ready) {
      // It never started (its script, the native module…): this thread stores what was given, in order.
      this.log.warn('mail: store worker did not start, storing on this thread', { err });
      for (const q of queued) this.storeHere(q.batch).then(q.settle.resolve, q.settle.reject);
      return;
    }
    this.log.warn('mail: store worker stopped', { err });
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
