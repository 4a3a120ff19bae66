import type { HandlerMap } from '../handler-types.js';
import { OstalError } from '../../errors.js';
import { t } from '../../i18n/index.js';
import { getAccountRow } from '../../accounts/account-rows.js';
import { MailRepository } from '../../mail/repository.js';
import { allowRemoteContent, readAttachment, readMessage } from '../../mail/message-reader.js';

/** Mail queries: read from the local store only, never from the network. */
export const mailHandlers: Pick<
  HandlerMap,
  'mail.folders' | 'mail.messages' | 'mail.list' | 'mail.attachment' | 'mail.message' | 'mail.allowRemoteContent'
> = {
  'mail.folders': (ctx, params) => {
    if (!getAccountRow(ctx, params.accountId)) throw new OstalError('not_found', t('errors.accountNotFound'));
    return new MailRepository(ctx.db).folderInfos(params.accountId);
  },
  'mail.message': (ctx, params) => readMessage(ctx, ctx.services.invitations, params),
  'mail.attachment': (ctx, params) => readAttachment(ctx, params),
  'mail.allowRemoteContent': (ctx, params) => allowRemoteContent(ctx, params),
  'mail.messages': (ctx, params) => {
    if (!getAccountRow(ctx, params.accountId)) throw new OstalError('not_found', t('errors.accountNotFound'));
    const { offset, limit } = listWindow(params);
    const messages = new MailRepository(ctx.db).listMessages(params.accountId, params.folder, offset, limit);
    if (!messages) throw new OstalError('not_found', t('mail.errors.folderNotFound'));
    return messages;
  },
  'mail.list': (ctx, params) => {
    if (!getAccountRow(ctx, params.accountId)) throw new OstalError('not_found', t('errors.accountNotFound'));
    const { offset, limit } = listWindow(params);
    const page = new MailRepository(ctx.db).listPage(params.accountId, params.folder, offset, limit, params.filter ?? 'all');
    if (!page) throw new OstalError('not_found', t('mail.errors.folderNotFound'));
    return page;
  },
};

/** A window of a folder's list: from `offset` (0 or more), 1 to 1000 messages (100 by default). */
function listWindow(params: { offset?: number; limit?: number }): { offset: number; limit: number } {
  const offset = Math.max(0, Math.floor(params.offset ?? 0));
  const limit = Math.min(1000, Math.max(1, Math.floor(params.limit ?? 100)));
  return { offset, limit };
}
