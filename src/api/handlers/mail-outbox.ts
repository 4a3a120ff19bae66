import type { HandlerMap } from '../../core.js';
import { OstalError } from '../../errors.js';
import { t } from '../../i18n/index.js';
import { getOutboxSender } from '../../mail/outbox.js';

/** Boîte d'envoi and local drafts (src/mail/outbox.ts). */
export const outboxHandlers: Pick<
  HandlerMap,
  'mail.send' | 'mail.outbox.list' | 'mail.outbox.retry' | 'mail.outbox.discard' | 'mail.outbox.drain' | 'mail.draft.save'
> = {
  'mail.send': (ctx, params) => getOutboxSender(ctx).queue(params),
  'mail.outbox.list': (ctx, params) => getOutboxSender(ctx).list(params ?? {}),
  'mail.outbox.retry': (ctx, params) => {
    if (typeof params?.id !== 'string') throw new OstalError('invalid_input', t('errors.invalidRequest'));
    return getOutboxSender(ctx).retry(params.id);
  },
  'mail.outbox.discard': (ctx, params) => {
    if (typeof params?.id !== 'string') throw new OstalError('invalid_input', t('errors.invalidRequest'));
    return getOutboxSender(ctx).discard(params.id);
  },
  'mail.outbox.drain': async (ctx, params) => {
    const sender = getOutboxSender(ctx);
    await sender.drain({ accountId: params?.accountId, ignoreBackoff: params?.ignoreBackoff === true });
    return sender.list({ accountId: params?.accountId, includeSent: true });
  },
  'mail.draft.save': (ctx, params) => getOutboxSender(ctx).saveDraft(params),
};
