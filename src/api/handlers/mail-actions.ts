import type { HandlerMap } from '../handler-types.js';
import { OstalError } from '../../errors.js';
import { t } from '../../i18n/index.js';
import { getAccountRow } from '../../accounts/account-rows.js';
import { applyMailAction, undoMailAction } from '../../mail/operations.js';

/** Mail actions: local at once, through the operations journal to the server. */
export const actionHandlers: Pick<HandlerMap, 'mail.act' | 'mail.undo'> = {
  'mail.act': (ctx, params) => {
    if (!getAccountRow(ctx, params.accountId)) throw new OstalError('not_found', t('errors.accountNotFound'));
    const result = applyMailAction(ctx, ctx.services.mailUndo, params);
    if (result.applied > 0) ctx.sync.requestReplay(params.accountId, 'mail');
    return result;
  },
  'mail.undo': (ctx, params) => {
    const result = undoMailAction(ctx, ctx.services.mailUndo, params.token);
    const accountId = result.accountId;
    if (result.applied > 0) ctx.sync.requestReplay(accountId, 'mail');
    return { applied: result.applied, target: result.target, undoToken: result.undoToken };
  },
};
