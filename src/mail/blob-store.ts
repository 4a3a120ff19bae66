import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Write a message source content-addressed under blobs/mail/<account>/ (tmp file then rename, so a crash never
 * leaves a half-written source under its final name); returns the path relative to the blobs folder.
 */
export function storeMessageSource(blobsDir: string, accountId: string, source: Buffer): string {
  const dir = path.join(blobsDir, 'mail', accountId);
  fs.mkdirSync(dir, { recursive: true });
  const name = crypto.createHash('sha256').update(source).digest('hex') + '.eml';
  const file = path.join(dir, name);
  if (!fs.existsSync(file)) {
    const tmp = path.join(dir, `.${name}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`);
    fs.writeFileSync(tmp, source, { mode: 0o600 });
    fs.renameSync(tmp, file);
  }
  return path.join('mail', accountId, name);
}
