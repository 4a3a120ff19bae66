import type { HandlerMap } from '../handler-types.js';
import type { MessageListFilter } from '../../shared/contract.js';
import { OstalError } from '../../errors.js';
import { t } from '../../i18n/index.js';
import { getAccountRow } from '../../accounts/account-rows.js';
import { MailRepository } from '../../mail/repository.js';
import { actionHandlers } from './mail-actions.js';
import { searchHandlers } from './mail-search.js';
import { allowRemoteContent, readAttachment, readMessage } from '../../mail/message-reader.js';
import { outboxHandlers } from './mail-outbox.js';
import { composeHandlers } from './mail-compose.js';
import { offlineHandlers } from './mail-offline.js';

/** Mail queries: read from the local store only, never from the network. */
export const mailHandlers: Pick<HandlerMap, 'mail.folders' | 'mail.messages' | 'mail.list' | 'mail.attachment' | 'mail.message' | 'mail.allowRemoteContent' | keyof typeof outboxHandlers | keyof typeof composeHandlers | keyof typeof actionHandlers | keyof typeof searchHandlers | keyof typeof offlineHandlers> = {
  ...actionHandlers,
  ...offlineHandlers,
  ...searchHandlers,
  ...outboxHandlers,
  ...composeHandlers,
  'mail.folders': (ctx, params) => {
    if (!params?.accountId || !getAccountRow(ctx, params.accountId)) throw new OstalError('not_found', t('errors.accountNotFound'));
    return new MailRepository(ctx.db).folderInfos(params.accountId);
  },
  'mail.message': (ctx, params) => readMessage(ctx, ctx.services.invitations, params),
  'mail.attachment': (ctx, params) => readAttachment(ctx, params),
  'mail.allowRemoteContent': (ctx, params) => allowRemoteContent(ctx, params),
  'mail.messages': (ctx, params) => {
    if (!params?.accountId || !getAccountRow(ctx, params.accountId)) throw new OstalError('not_found', t('errors.accountNotFound'));
    if (typeof params.folder !== 'string') throw new OstalError('invalid_input', t('errors.invalidRequest'));
    const offset = Math.max(0, Math.floor(Number(params.offset ?? 0)) || 0);
    const limit = Math.min(1000, Math.max(1, Math.floor(Number(params.limit ?? 100)) || 100));
    const messages = new MailRepository(ctx.db).listMessages(params.accountId, params.folder, offset, limit);
    if (!messages) throw new OstalError('not_found', t('mail.errors.folderNotFound'));
    return messages;
  },
  'mail.list': (ctx, params) => {
    if (!params?.accountId || !getAccountRow(ctx, params.accountId)) throw new OstalError('not_found', t('errors.accountNotFound'));
    if (typeof params.folder !== 'string') throw new OstalError('invalid_input', t('errors.invalidRequest'));
    const filter = params.filter ?? 'all';
    if (!LIST_FILTERS.includes(filter)) throw new OstalError('invalid_input', t('errors.invalidRequest'));
    const offset = Math.max(0, Math.floor(Number(params.offset ?? 0)) || 0);
    const limit = Math.min(1000, Math.max(1, Math.floor(Number(params.limit ?? 100)) || 100));
    const page = new MailRepository(ctx.db).listPage(params.accountId, params.folder, offset, limit, filter);
    if (!page) throw new OstalError('not_found', t('mail.errors.folderNotFound'));
    return page;
  },
};

const LIST_FILTERS: readonly MessageListFilter[] = ['all', 'unread', 'flagged', 'attachments'];
