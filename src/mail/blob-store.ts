import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** Folders this process made already (one mkdir per folder, not one per message of a download of thousands). */
const madeDirs = new Set<string>();
let tmpCounter = 0;

/**
 * Write a message source content-addressed under blobs/mail/<account>/ (tmp file then rename, so a crash never
 * leaves a half-written source under its final name); returns the path relative to the blobs folder.
 */
export function storeMessageSource(blobsDir: string, accountId: string, source: Buffer): string {
  const dir = path.join(blobsDir, 'mail', accountId);
  if (!madeDirs.has(dir)) {
    fs.mkdirSync(dir, { recursive: true });
    madeDirs.add(dir);
  }
  const name = crypto.createHash('sha256').update(source).digest('hex') + '.eml';
  const file = path.join(dir, name);
  if (!isWhole(file, source.length)) {
    const tmp = path.join(dir, `.${name}.${process.pid}.${++tmpCounter}.tmp`);
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
  return path.join('mail', accountId, name);
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
 * storeMessageSource without waiting for the disk: the name is computed at once, the file is written by the thread
 * pool while the caller goes on; `written` settles once the whole source is under its name. Written straight under
 * its final name (no tmp file and rename: one directory operation less per message): a kill in the middle can leave a
 * short file there, which no row points at (the caller points a row at `path` only after `written`, for a batch of
 * them awaited together before its commit), and which the next write of that source replaces, a blob of the right
 * size being the only one taken as whole (here and in storeMessageSource).
 */
export function storeMessageSourceLater(blobsDir: string, accountId: string, source: Buffer): { path: string; written: Promise<void> } {
  const dir = path.join(blobsDir, 'mail', accountId);
  if (!madeDirs.has(dir)) {
    fs.mkdirSync(dir, { recursive: true });
    madeDirs.add(dir);
  }
  const name = crypto.createHash('sha256').update(source).digest('hex') + '.eml';
  const file = path.join(dir, name);
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
  return { path: path.join('mail', accountId, name), written };
}
