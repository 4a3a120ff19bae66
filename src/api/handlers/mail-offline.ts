import type { HandlerMap } from '../handler-types.js';
import { OstalError } from '../../errors.js';
import { t } from '../../i18n/index.js';
import { getAccountRow } from '../../accounts/account-rows.js';
import { MailRepository } from '../../mail/repository.js';
import { freeOfflineSpace, offlineSpace } from '../../mail/offline-space.js';

/**
 * Offline reading: a folder's own « Disponible hors ligne », « Suspendre » / « Reprendre » of the download, the space
 * used and « Libérer de l'espace ».
 */
export const offlineHandlers: Pick<
  HandlerMap,
  'mail.setFolderOffline' | 'mail.download.state' | 'mail.download.pause' | 'mail.download.resume' | 'mail.offlineSpace' | 'mail.freeSpace'
> = {
  'mail.setFolderOffline': (ctx, params) => {
    if (!params?.accountId || !getAccountRow(ctx, params.accountId)) throw new OstalError('not_found', t('errors.accountNotFound'));
    if (typeof params.folder !== 'string' || !(params.offline === null || typeof params.offline === 'boolean')) {
      throw new OstalError('invalid_input', t('errors.invalidRequest'));
    }
    const repo = new MailRepository(ctx.db);
    const folder = repo.getFolder(params.accountId, params.folder);
    if (!folder) throw new OstalError('not_found', t('mail.errors.folderNotFound'));
    repo.setFolderOffline(folder.id, params.offline);
    ctx.emit('mail.changed', { accountId: params.accountId, folders: [params.folder] });
    // The bodies come with the next sync (now, when the app runs).
    if (params.offline !== false) void ctx.sync.run({ accountId: params.accountId, only: 'mail' }).catch(() => undefined);
    return repo.folderInfos(params.accountId).find((f) => f.path === params.folder)!;
  },
  'mail.download.state': (ctx) => ctx.services.mailDownload.downloadState(),
  'mail.download.pause': (ctx) => ctx.services.mailDownload.pause(),
  'mail.download.resume': (ctx) => ctx.services.mailDownload.resume(),
  'mail.offlineSpace': (ctx) => offlineSpace(ctx),
  'mail.freeSpace': (ctx) => freeOfflineSpace(ctx, (accountId, folders) => ctx.emit('mail.changed', { accountId, folders })),
};
