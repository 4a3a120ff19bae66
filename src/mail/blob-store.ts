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
  if (!fs.existsSync(file)) {
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

/**
 * storeMessageSource without waiting for the disk: the name is computed at once, the file is written by the thread
 * pool (tmp file then rename, as above) while the caller goes on; `written` settles once the file is under its name.
 * The caller points a row at `path` only after `written` (a batch of them awaited together before its commit).
 */
export function storeMessageSourceLater(blobsDir: string, accountId: string, source: Buffer): { path: string; written: Promise<void> } {
  const dir = path.join(blobsDir, 'mail', accountId);
  if (!madeDirs.has(dir)) {
    fs.mkdirSync(dir, { recursive: true });
    madeDirs.add(dir);
  }
  const name = crypto.createHash('sha256').update(source).digest('hex') + '.eml';
  const file = path.join(dir, name);
  const tmp = path.join(dir, `.${name}.${process.pid}.${++tmpCounter}.tmp`);
  const write = () => fs.promises.writeFile(tmp, source, { mode: 0o600 });
  const written = write()
    .catch(async (err: unknown) => {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      await fs.promises.mkdir(dir, { recursive: true });
      await write();
    })
    .then(() => fs.promises.rename(tmp, file));
  written.catch(() => undefined); // awaited by the caller; never an unhandled rejection if its run stops first
  return { path: path.join('mail', accountId, name), written };
}
