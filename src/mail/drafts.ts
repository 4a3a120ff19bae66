/**
 * Drafts: while the agent writes, the composer saves the message every few seconds. Each save keeps the fields in
 * the Boîte d'envoi table as a 'draft' row AND writes the draft's raw message (Cci kept, attachments included) to
 * the blob folder; server-drafts.ts then puts that raw message in the server's Brouillons, replacing the previous
 * copy, so the draft can be reopened on another computer or in the webmail. The draft keeps its Message-ID when it
 * is sent (OutboxQueue.enqueue with draftId), which is how the server copies are found and removed.
 *
 * draft_json holds `rev` (raised by each save), `uploadedRev` (the revision on the server) and `discarded` (thrown
 * away while a copy is still on the server).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import PostalMime from 'postal-mime';
import type { ComposeDraft, OutgoingAttachment, OutgoingMessage } from '../shared/contract.js';
import { OstalError } from '../errors.js';
import type { CoreContext } from '../context.js';
import { t } from '../i18n/index.js';
import { getAccountRow } from '../accounts/account-rows.js';
import { buildRawMessage, newMessageId, parseRecipients, type RawAttachment } from './compose.js';
import { writeFileDurably, type OutboxQueue } from './outbox-queue.js';
import type { OutboxRecord } from './outbox-store.js';

export type DraftInput = Partial<OutgoingMessage> & { accountId: string; id?: string };

/** Revision numbers kept in draft_json. */
export function draftRevisions(rec: OutboxRecord): { rev: number; uploadedRev: number | null; discarded: boolean } {
  const rev = typeof rec.draft.rev === 'number' ? rec.draft.rev : 0;
  const uploadedRev = typeof rec.draft.uploadedRev === 'number' ? rec.draft.uploadedRev : null;
  return { rev, uploadedRev, discarded: rec.draft.discarded === true };
}

/** Attachments of a draft save: only those whose content came with it (a draft cannot read local paths). */
function draftAttachments(list: DraftInput['attachments']): RawAttachment[] {
  const out: RawAttachment[] = [];
  for (const a of list ?? []) {
    if (a.contentBase64 === undefined) continue;
    out.push({
      filename: a.filename.trim() || 'piece-jointe',
      content: Buffer.from(a.contentBase64, 'base64'),
      contentType: a.contentType || undefined,
    });
  }
  return out;
}

/**
 * Keep a draft (a new one, or the same `id` again) with its raw message; returns its id. Refused once the
 * message is queued. Addresses still being typed are kept as typed in the row; only valid ones go in the raw copy.
 */
export async function saveDraft(ctx: CoreContext, queue: OutboxQueue, params: DraftInput): Promise<{ id: string; savedAt: string }> {
  const row = getAccountRow(ctx, params.accountId);
  if (!row) throw new OstalError('not_found', t('errors.accountNotFound'));
  const existing = params.id ? queue.store.get(params.id) : null;
  const own = existing && existing.accountId === row.id ? existing : null;
  if (own && own.state !== 'draft') throw new OstalError('invalid_input', t('mail.outbox.notRetryable'));
  const id = own ? own.id : crypto.randomUUID();
  const messageId = own?.messageId ?? newMessageId(row.email);
  const revisions = own ? draftRevisions(own) : { rev: 0, uploadedRev: null };
  const attachments = draftAttachments(params.attachments);
  const built = await buildRawMessage({
    from: { name: row.name, address: row.email },
    to: parseRecipients(params.to ?? []).addresses,
    cc: parseRecipients(params.cc ?? []).addresses,
    bcc: parseRecipients(params.bcc ?? []).addresses,
    subject: params.subject ?? '',
    text: params.text ?? '',
    html: params.html,
    attachments,
    messageId,
    inReplyTo: params.inReplyTo ?? null,
    references: params.references ?? [],
    keepBcc: true,
  });
  const rawPath = path.join('outbox', `draft-${id}-${crypto.randomBytes(4).toString('hex')}.eml`);
  writeFileDurably(path.join(ctx.blobsDir, rawPath), built.raw);
  const rev = revisions.rev + 1;
  const ok = queue.store.saveDraft({
    id,
    accountId: row.id,
    messageId,
    subject: params.subject ?? '',
    to: params.to ?? [],
    cc: params.cc ?? [],
    bcc: params.bcc ?? [],
    draft: {
      text: params.text ?? '',
      html: params.html ?? null,
      inReplyTo: params.inReplyTo ?? null,
      references: params.references ?? [],
      attachments: attachments.map((a) => ({ filename: a.filename, size: a.content.length, contentType: a.contentType ?? null })),
      rev,
      ...(revisions.uploadedRev !== null ? { uploadedRev: revisions.uploadedRev } : {}),
    },
    rawPath,
    size: built.raw.length,
  });
  if (!ok) {
    fs.rmSync(path.join(ctx.blobsDir, rawPath), { force: true });
    throw new OstalError('invalid_input', t('mail.outbox.notRetryable'));
  }
  if (own?.rawPath && own.rawPath !== rawPath) fs.rmSync(path.join(ctx.blobsDir, own.rawPath), { force: true });
  queue.changed(row.id, [id]);
  return { id, savedAt: new Date().toISOString() };
}

/**
 * A draft reopened from the server's Brouillons (written on another computer or in the webmail): the local draft
 * row that stands for it, keyed by its Message-ID, so the next saves replace that server copy and sending removes
 * it. The server copy is this revision already.
 */
export function adoptServerDraft(
  ctx: CoreContext,
  queue: OutboxQueue,
  params: { accountId: string; messageId: string; source: Buffer; fields: Omit<DraftInput, 'accountId' | 'id'> },
): string {
  const known = queue.store.findByMessageId(params.accountId, params.messageId);
  if (known && known.state === 'draft' && draftRevisions(known).discarded !== true) return known.id;
  if (known) {
    // Sent or thrown away here already: this server copy is a stale one; a new local draft would clash on the
    // Message-ID, so the reopened message gets a new identity (and the old copy is removed with the next upload).
    throw new OstalError('invalid_input', t('mail.compose.draftAlreadyUsed'));
  }
  const id = crypto.randomUUID();
  const rawPath = path.join('outbox', `draft-${id}-${crypto.randomBytes(4).toString('hex')}.eml`);
  writeFileDurably(path.join(ctx.blobsDir, rawPath), params.source);
  const f = params.fields;
  queue.store.saveDraft({
    id,
    accountId: params.accountId,
    messageId: params.messageId,
    subject: f.subject ?? '',
    to: f.to ?? [],
    cc: f.cc ?? [],
    bcc: f.bcc ?? [],
    draft: {
      text: f.text ?? '',
      html: f.html ?? null,
      inReplyTo: f.inReplyTo ?? null,
      references: f.references ?? [],
      attachments: (f.attachments ?? []).map((a) => ({ filename: a.filename })),
      rev: 1,
      uploadedRev: 1,
    },
    rawPath,
    size: params.source.length,
  });
  queue.changed(params.accountId, [id]);
  return id;
}

/**
 * « Modifier » in the Boîte d'envoi: a scheduled (or failed) message becomes a local draft again — never sent — and
 * its fields come back for the composer, through the same draft path as any draft (saveDraft: new revision, server
 * copy in Brouillons at the next drain, same Message-ID). The attachments are read back from the raw message.
 */
export async function reopenQueued(ctx: CoreContext, queue: OutboxQueue, id: string): Promise<ComposeDraft> {
  const rec = queue.backToDraft(id);
  const raw = await queue.readRaw(rec);
  const wanted = Array.isArray(rec.draft.attachments) ? (rec.draft.attachments as { filename?: string }[]) : [];
  const attachments: OutgoingAttachment[] = [];
  if (raw && wanted.length) {
    const parsed = await PostalMime.parse(raw);
    const pool = [...parsed.attachments];
    for (const w of wanted) {
      const at = pool.findIndex((a) => a.filename === w.filename);
      if (at === -1) continue;
      const [a] = pool.splice(at, 1);
      attachments.push({
        filename: a!.filename ?? t('mail.compose.attachmentDefaultName'),
        contentBase64: Buffer.from(a!.content as ArrayBuffer).toString('base64'),
        contentType: a!.mimeType || undefined,
      });
    }
  }
  const text = typeof rec.draft.text === 'string' ? rec.draft.text : '';
  const html = typeof rec.draft.html === 'string' ? rec.draft.html : null;
  const inReplyTo = typeof rec.draft.inReplyTo === 'string' ? rec.draft.inReplyTo : null;
  const references = Array.isArray(rec.draft.references) ? (rec.draft.references as string[]) : [];
  const fields = { to: rec.to, cc: rec.cc, bcc: rec.bcc, subject: rec.subject, text, inReplyTo, references, attachments };
  await saveDraft(ctx, queue, { accountId: rec.accountId, id: rec.id, ...fields, ...(html !== null ? { html } : {}) });
  return { accountId: rec.accountId, mode: 'draft', ...fields, html, draftId: rec.id };
}
