/**
 * Local drafts: « Enregistrer le brouillon » keeps the fields of the message in the Boîte d'envoi table as a
 * 'draft' row (no raw message yet). The draft keeps its Message-ID when it is sent (OutboxQueue.enqueue with
 * draftId).
 */
import crypto from 'node:crypto';
import type { OutgoingMessage } from '../shared/contract.js';
import { OstalError } from '../errors.js';
import type { CoreContext } from '../context.js';
import { t } from '../i18n/index.js';
import { getAccountRow } from '../accounts/account-rows.js';
import { newMessageId } from './compose.js';
import type { OutboxQueue } from './outbox-queue.js';

export type DraftInput = Partial<OutgoingMessage> & { accountId: string; id?: string };

/** Keep a local draft (a new one, or the same `id` again); returns its id. Refused once the message is queued. */
export function saveDraft(ctx: CoreContext, queue: OutboxQueue, params: DraftInput): { id: string; savedAt: string } {
  const row = getAccountRow(ctx, params.accountId);
  if (!row) throw new OstalError('not_found', t('errors.accountNotFound'));
  const existing = params.id ? queue.store.get(params.id) : null;
  const id = existing && existing.accountId === row.id ? existing.id : crypto.randomUUID();
  const ok = queue.store.saveDraft({
    id,
    accountId: row.id,
    messageId: existing?.messageId ?? newMessageId(row.email),
    subject: params.subject ?? '',
    to: params.to ?? [],
    cc: params.cc ?? [],
    bcc: params.bcc ?? [],
    draft: {
      text: params.text ?? '',
      html: params.html ?? null,
      inReplyTo: params.inReplyTo ?? null,
      references: params.references ?? [],
      attachments: (params.attachments ?? []).map((a) => ({ filename: a.filename })),
    },
  });
  if (!ok) throw new OstalError('invalid_input', t('mail.outbox.notRetryable'));
  queue.changed(row.id, [id]);
  return { id, savedAt: new Date().toISOString() };
}
