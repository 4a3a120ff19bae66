/**
 * Space used on this computer by offline reading (Réglages › « Messages disponibles hors ligne » : « 2,4 Go sur cet
 * ordinateur ») and « Libérer de l'espace »: the local sources of messages outside the chosen window are forgotten
 * (their rows and headers stay, the list does not change; opening one online fetches it again). Nothing unsent is
 * touched: the Boîte d'envoi and drafts live under blobs/outbox/, and rows without a server UID (local changes not
 * yet on the server) keep their source.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { MailOfflineSpace, MailFreeSpaceResult } from '../shared/contract.js';
import type { CoreContext } from '../context.js';
import { AccountRepository } from '../store/account-repository.js';
import { readSetting } from '../store/settings-repository.js';
import { MailRepository } from './repository.js';
import { offlineSince } from './sync-engine.js';

function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

/** Message sources on disk plus the database that holds the headers and the search index. */
export function offlineSpace(ctx: Pick<CoreContext, 'db'>): MailOfflineSpace {
  const { bodies, bytes } = new MailRepository(ctx.db).offlineBodiesSpace();
  // Pages in use (the free ones are reused by SQLite; the write-ahead log is folded back into the file).
  const pages = (ctx.db.pragma('page_count', { simple: true }) as number) - (ctx.db.pragma('freelist_count', { simple: true }) as number);
  const databaseBytes = pages * (ctx.db.pragma('page_size', { simple: true }) as number);
  return { bodies, bodiesBytes: bytes, databaseBytes, bytes: bytes + databaseBytes };
}

/** « Libérer de l'espace »: drop the bodies outside the window in force (the setting, or a folder's own choice). */
export function freeOfflineSpace(
  ctx: Pick<CoreContext, 'db' | 'profileDir' | 'blobsDir' | 'policy' | 'log'>,
  onChanged: (accountId: string, folders: string[]) => void = () => undefined,
): MailFreeSpaceResult {
  const repo = new MailRepository(ctx.db);
  const window = readSetting(ctx, 'mail.offlineWindow');
  const dropped: string[] = [];
  for (const account of new AccountRepository(ctx.db).list()) {
    const changed: string[] = [];
    for (const folder of repo.listFolders(account.id)) {
      const since = offlineSince(folder, window);
      if (since === null) continue; // every message of this folder stays offline
      const paths = repo.dropBodies(folder.id, since ?? null);
      if (paths.length) changed.push(folder.path);
      dropped.push(...paths);
    }
    if (changed.length) onChanged(account.id, changed);
  }
  // A blob goes once no stored message points at it any more (one source can be in two folders).
  const used = repo.usedBodyPaths();
  let freedBytes = 0;
  let removedFiles = 0;
  for (const bodyPath of new Set(dropped)) {
    if (used.has(bodyPath)) continue;
    const file = path.join(ctx.blobsDir, bodyPath);
    const size = fileSize(file);
    try {
      fs.rmSync(file, { force: true });
      freedBytes += size;
      removedFiles++;
    } catch (err) {
      ctx.log.warn('mail: blob could not be removed', { bodyPath, err: err as Error });
    }
  }
  ctx.log.info('mail: offline space freed', { window, droppedBodies: dropped.length, removedFiles, freedBytes });
  return { droppedBodies: dropped.length, freedBytes, space: offlineSpace(ctx) };
}
