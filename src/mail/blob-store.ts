import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** Folders this process made already (one mkdir per folder, not one per message of a download of thousands). */
const madeDirs = new Set<string>();
let tmpCounter = 0;

/**
 * Where a source goes: its folder (made once per process), its file and the path relative to the blobs folder that a
 * row keeps.
 */
function blobPlace(blobsDir: string, accountId: string, source: Buffer): { dir: string; file: string; rel: string } {
  const dir = path.join(blobsDir, 'mail', accountId);
  if (!madeDirs.has(dir)) {
    fs.mkdirSync(dir, { recursive: true });
    madeDirs.add(dir);
  }
  const name = blobName(source);
  return { dir, file: path.join(dir, name), rel: path.join('mail', accountId, name) };
}

/**
 * Write a message source content-addressed under blobs/mail/<account>/ (tmp file then rename, so a crash never
 * leaves a half-written source under its final name); returns the path relative to the blobs folder.
 */
export function storeMessageSource(blobsDir: string, accountId: string, source: Buffer): string {
  const { dir, file, rel } = blobPlace(blobsDir, accountId, source);
  if (!isWhole(file, source.length)) {
    const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${++tmpCounter}.tmp`);
    try {
      fs.writeFileSync(tmp, source, { mode: 0o600 });
    } catch (err) {
      // The folder went away since this process made it (a profile emptied by hand): make it again, once.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(tmp, source, { mode: 0o600 });
    }
    fs.renameSync(tmp, file);
  }
  return rel;
}

/** A source's name: the SHA-256 of its bytes (one-shot hash: no Hash object per message). */
function blobName(source: Buffer): string {
  return crypto.hash('sha256', source, 'hex') + '.eml';
}

/** Names this store gives (`<sha256>.eml`): the bytes read can be checked against them. */
const CHECKABLE_NAME = /^([0-9a-f]{64})\.eml$/;

/**
 * What was read of a stored source: its bytes, or why there are none. `damaged`: the file's bytes are not the ones
 * its name was computed from (a power cut before the disk had written them all — the file can then be empty or
 * short —, a bad sector); the file is removed (a later download writes it again) and the caller treats the body as
 * not downloaded.
 */
export type StoredSource = { source: Buffer } | { missing: true } | { damaged: true };

/** Read and check a source stored by storeMessageSource(Later), `bodyPath` relative to the blobs folder. */
export async function readMessageSource(blobsDir: string, bodyPath: string): Promise<StoredSource> {
  let source: Buffer;
  try {
    source = await fs.promises.readFile(path.join(blobsDir, bodyPath));
  } catch {
    return { missing: true };
  }
  return checked(blobsDir, bodyPath, source);
}

function checked(blobsDir: string, bodyPath: string, source: Buffer): StoredSource {
  const expected = CHECKABLE_NAME.exec(path.basename(bodyPath))?.[1];
  // A name of another layout carries no checksum: its bytes are taken as they are.
  if (expected === undefined || crypto.hash('sha256', source, 'hex') === expected) return { source };
  try {
    fs.unlinkSync(path.join(blobsDir, bodyPath));
  } catch {
    /* gone meanwhile, or read-only: the row is cleared all the same */
  }
  return { damaged: true };
}

/** True when a blob of this name and size is there (a content-addressed name: same name and size, same bytes). */
function isWhole(file: string, size: number): boolean {
  try {
    return fs.statSync(file).size === size;
  } catch {
    return false;
  }
}

/**
 * storeMessageSource for a thread that may block (the store worker): written straight under its final name, as
 * storeMessageSourceLater does (no tmp file and rename; a kill in the middle leaves a short file no row points at,
 * replaced by the next write of that source), without a round trip through the disk's threads per file operation.
 */
export function storeMessageSourceNow(blobsDir: string, accountId: string, source: Buffer): string {
  const { dir, file, rel } = blobPlace(blobsDir, accountId, source);
  try {
    fs.writeFileSync(file, source, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') fs.mkdirSync(dir, { recursive: true });
    else if (code !== 'EEXIST') throw err;
    else if (isWhole(file, source.length)) return rel;
    fs.writeFileSync(file, source, { mode: 0o600, flag: 'w' });
  }
  return rel;
}

/**
 * storeMessageSource without waiting for the disk: the name is computed at once, the file is written by the thread
 * pool while the caller goes on; `written` settles once the whole source is under its name. Written straight under
 * its final name (no tmp file and rename: one directory operation less per message): a kill in the middle can leave a
 * short file there, which no row points at (the caller points a row at `path` only after `written`, for a batch of
 * them awaited together before its commit), and which the next write of that source replaces, a blob of the right
 * size being the only one taken as whole (here and in storeMessageSource).
 */
export function storeMessageSourceLater(blobsDir: string, accountId: string, source: Buffer): { path: string; written: Promise<void> } {
  const { dir, file, rel } = blobPlace(blobsDir, accountId, source);
  // The callback API rather than fs.promises: no FileHandle object per file (a third less CPU on the main thread).
  const write = (flag: string) =>
    new Promise<void>((resolve, reject) => fs.writeFile(file, source, { mode: 0o600, flag }, (err) => (err ? reject(err) : resolve())));
  const written = write('wx').catch(async (err: unknown) => {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') await fs.promises.mkdir(dir, { recursive: true });
    else if (code !== 'EEXIST') throw err;
    else if ((await fs.promises.stat(file)).size === source.length) return;
    await write('w');
  });
  written.catch(() => undefined); // awaited by the caller; never an unhandled rejection if its run stops first
  return { path: rel, written };
}
