/**
 * « Nouveau dossier », « Renommer », « Supprimer »: applied to the local store at once and enqueued in the operations
 * journal in the same transaction (like the mail actions of operations.ts), so they work offline and reach the server
 * at the next replay (operations-replayer.ts). A deleted folder's messages go to the Corbeille on the server.
 */
import type { FolderInfo } from '../shared/contract.js';
import { OstalError } from '../errors.js';
import type { CoreContext } from '../context.js';
import { t } from '../i18n/index.js';
import { OperationsJournal } from '../store/operations-journal.js';
import { MailRepository } from './repository.js';

export const MAIL_FOLDER_CREATE_KIND = 'mail.act.folderCreate';
export const MAIL_FOLDER_RENAME_KIND = 'mail.act.folderRename';
export const MAIL_FOLDER_DELETE_KIND = 'mail.act.folderDelete';

export interface FolderCreatePayload {
  path: string;
}
export interface FolderRenamePayload {
  from: string;
  to: string;
}
export interface FolderDeletePayload {
  path: string;
  /** Where its messages go first (the Corbeille), null when the account has none. */
  trash: string | null;
}

type Ctx = Pick<CoreContext, 'db'>;

/** A folder name as typed: trimmed, not empty, no separator, no control character, not too long. */
function checkName(name: string, delimiter: string): string {
  const clean = name.trim().normalize('NFC');
  if (!clean) throw new OstalError('invalid_input', t('mail.folderOps.emptyName'));
  if (clean.length > 100 || /[\p{Cc}]/u.test(clean) || (delimiter && clean.includes(delimiter)) || clean === '.' || clean === '..') {
    throw new OstalError('invalid_input', t('mail.folderOps.badName', { delimiter }));
  }
  return clean;
}

function delimiterOf(repo: MailRepository, accountId: string): string {
  return repo.listFolders(accountId)[0]?.delimiter || '/';
}

/** Creates `name` under `parent` (or at the top). Returns the new folder list. */
export function createFolder(ctx: Ctx, accountId: string, parent: string | null, name: string): FolderInfo[] {
  const repo = new MailRepository(ctx.db);
  const delimiter = delimiterOf(repo, accountId);
  const clean = checkName(name, delimiter);
  if (parent && !repo.getFolder(accountId, parent)) throw new OstalError('not_found', t('mail.errors.folderNotFound'));
  const path = parent ? `${parent}${delimiter}${clean}` : clean;
  if (repo.getFolder(accountId, path) || path.toUpperCase() === 'INBOX') {
    throw new OstalError('already_exists', t('mail.folderOps.exists', { name: clean }));
  }
  ctx.db.transaction(() => {
    ctx.db
      .prepare('INSERT INTO mail_folders (account_id, path, name, special_use, delimiter, subscribed) VALUES (?, ?, ?, NULL, ?, 1)')
      .run(accountId, path, clean, delimiter);
    new OperationsJournal(ctx.db).enqueue<FolderCreatePayload>(accountId, MAIL_FOLDER_CREATE_KIND, { path });
  })();
  return repo.folderInfos(accountId);
}

/** Renames a folder (its sub-folders follow). Special folders (Boîte de réception, Envoyés…) cannot be renamed. */
export function renameFolder(ctx: Ctx, accountId: string, path: string, name: string): FolderInfo[] {
  const repo = new MailRepository(ctx.db);
  const folder = repo.getFolder(accountId, path);
  if (!folder) throw new OstalError('not_found', t('mail.errors.folderNotFound'));
  if (folder.specialUse) throw new OstalError('invalid_input', t('mail.folderOps.special'));
  const clean = checkName(name, folder.delimiter);
  const cut = folder.delimiter ? path.lastIndexOf(folder.delimiter) : -1;
  const to = cut >= 0 ? `${path.slice(0, cut + 1)}${clean}` : clean;
  if (to === path) return repo.folderInfos(accountId);
  if (repo.getFolder(accountId, to)) throw new OstalError('already_exists', t('mail.folderOps.exists', { name: clean }));
  ctx.db.transaction(() => {
    const rows = ctx.db.prepare('SELECT id, path FROM mail_folders WHERE account_id = ?').all(accountId) as { id: number; path: string }[];
    const update = ctx.db.prepare('UPDATE mail_folders SET path = ?, name = ? WHERE id = ?');
    for (const row of rows) {
      if (row.path === path) update.run(to, clean, row.id);
      else if (row.path.startsWith(path + folder.delimiter)) {
        const next = to + row.path.slice(path.length);
        update.run(next, next.slice(next.lastIndexOf(folder.delimiter) + 1), row.id);
      }
    }
    new OperationsJournal(ctx.db).enqueue<FolderRenamePayload>(accountId, MAIL_FOLDER_RENAME_KIND, { from: path, to });
  })();
  return repo.folderInfos(accountId);
}

/**
 * Deletes a folder and its sub-folders; their messages go to the Corbeille on the server. A folder that holds
 * messages needs `confirm` (the view asks « Supprimer le dossier … ? » first).
 */
export function deleteFolder(ctx: Ctx, accountId: string, path: string, confirm: boolean): FolderInfo[] {
  const repo = new MailRepository(ctx.db);
  const folder = repo.getFolder(accountId, path);
  if (!folder) throw new OstalError('not_found', t('mail.errors.folderNotFound'));
  if (folder.specialUse) throw new OstalError('invalid_input', t('mail.folderOps.special'));
  const all = repo.folderInfos(accountId);
  const inside = all.filter((f) => f.path === path || f.path.startsWith(path + folder.delimiter));
  const messages = inside.reduce((n, f) => n + f.total, 0);
  if (messages > 0 && !confirm) {
    throw new OstalError(
      'precondition_failed',
      t(messages === 1 ? 'mail.folderOps.confirmDeleteOne' : 'mail.folderOps.confirmDeleteMany', { name: folder.name, count: messages }),
      {
        details: { messages },
      },
    );
  }
  const trash = all.find((f) => f.specialUse === '\\Trash')?.path ?? null;
  ctx.db.transaction(() => {
    const remove = ctx.db.prepare('DELETE FROM mail_folders WHERE account_id = ? AND path = ?');
    for (const f of inside) remove.run(accountId, f.path);
    new OperationsJournal(ctx.db).enqueue<FolderDeletePayload>(accountId, MAIL_FOLDER_DELETE_KIND, { path, trash });
  })();
  return repo.folderInfos(accountId);
}
