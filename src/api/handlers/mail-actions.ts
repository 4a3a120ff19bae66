import type { HandlerMap } from '../../core.js';
import { OstalError } from '../../errors.js';
import { t } from '../../i18n/index.js';
import { getSyncCoordinator } from '../../sync/coordinator.js';
import { getAccountRow } from '../../accounts/account-rows.js';
import { applyMailAction, undoMailAction } from '../../mail/operations.js';

/** Mail actions: local at once, through the operations journal to the server. */
export const actionHandlers: Pick<HandlerMap, 'mail.act' | 'mail.undo'> = {
  'mail.act': (ctx, params) => {
    if (!params?.accountId || !getAccountRow(ctx, params.accountId)) throw new OstalError('not_found', t('errors.accountNotFound'));
    if (typeof params.folder !== 'string' || !Array.isArray(params.uids)) throw new OstalError('invalid_input', t('errors.invalidRequest'));
    const result = applyMailAction(ctx, params);
    if (result.applied > 0) getSyncCoordinator(ctx).requestMailReplay(params.accountId);
    return result;
  },
  'mail.undo': (ctx, params) => {
    if (typeof params?.token !== 'string') throw new OstalError('invalid_input', t('errors.invalidRequest'));
    const result = undoMailAction(ctx, params.token);
    const accountId = result.accountId;
    if (result.applied > 0) getSyncCoordinator(ctx).requestMailReplay(accountId);
    return { applied: result.applied, target: result.target, undoToken: result.undoToken };
  },
};
