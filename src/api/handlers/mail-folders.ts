import type { HandlerMap } from '../handler-types.js';
import { OstalError } from '../../errors.js';
import { t } from '../../i18n/index.js';
import { getAccountRow } from '../../accounts/account-rows.js';
import { createFolder, deleteFolder, renameFolder } from '../../mail/folders.js';
import type { CoreContext } from '../../context.js';

function checkAccount(ctx: CoreContext, accountId: string): void {
  if (!getAccountRow(ctx, accountId)) throw new OstalError('not_found', t('errors.accountNotFound'));
}

/** Folder operations: local at once, through the operations journal to the server. */
export const folderHandlers: Pick<HandlerMap, 'mail.folder.create' | 'mail.folder.rename' | 'mail.folder.delete'> = {
  'mail.folder.create': (ctx, params) => {
    checkAccount(ctx, params.accountId);
    const folders = createFolder(ctx, params.accountId, params.parent ?? null, params.name);
    ctx.sync.requestReplay(params.accountId, 'mail');
    ctx.emit('mail.changed', { accountId: params.accountId, folders: [] });
    return folders;
  },
  'mail.folder.rename': (ctx, params) => {
    checkAccount(ctx, params.accountId);
    const folders = renameFolder(ctx, params.accountId, params.folder, params.name);
    ctx.sync.requestReplay(params.accountId, 'mail');
    ctx.emit('mail.changed', { accountId: params.accountId, folders: [] });
    return folders;
  },
  'mail.folder.delete': (ctx, params) => {
    checkAccount(ctx, params.accountId);
    const folders = deleteFolder(ctx, params.accountId, params.folder, params.confirm === true);
    ctx.sync.requestReplay(params.accountId, 'mail');
    ctx.emit('mail.changed', { accountId: params.accountId, folders: [] });
    return folders;
  },
};
