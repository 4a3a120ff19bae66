import type { HandlerMap } from '../handler-types.js';

/** Boîte d'envoi and local drafts (src/mail/outbox.ts). */
export const outboxHandlers: Pick<
  HandlerMap,
  | 'mail.send'
  | 'mail.outbox.list'
  | 'mail.outbox.retry'
  | 'mail.outbox.discard'
  | 'mail.outbox.sendNow'
  | 'mail.outbox.edit'
  | 'mail.outbox.drain'
  | 'mail.draft.save'
> = {
  'mail.send': (ctx, params) => ctx.services.outbox.queue(params),
  'mail.outbox.list': (ctx, params) => ctx.services.outbox.list(params),
  'mail.outbox.retry': (ctx, params) => ctx.services.outbox.retry(params.id),
  'mail.outbox.discard': (ctx, params) => ctx.services.outbox.discard(params.id),
  'mail.outbox.sendNow': (ctx, params) => ctx.services.outbox.sendNow(params.id),
  'mail.outbox.edit': (ctx, params) => ctx.services.outbox.edit(params.id),
  'mail.outbox.drain': async (ctx, params) => {
    const sender = ctx.services.outbox;
    await sender.drain({ accountId: params.accountId, ignoreBackoff: params.ignoreBackoff === true });
    return sender.list({ accountId: params.accountId, includeSent: true });
  },
  'mail.draft.save': (ctx, params) => ctx.services.outbox.saveDraft(params),
};
