import PostalMime from 'postal-mime';
import type { Address, ComposeDraft } from '../../shared/contract.js';
import { OstalError } from '../../errors.js';
import type { CoreContext } from '../../context.js';
import type { HandlerContext, HandlerMap } from '../handler-types.js';
import { t } from '../../i18n/index.js';
import { getAccountRow, loadMailAccount } from '../../accounts/account-rows.js';
import { attributionLine, formatAddress, forwardHeaderBlock, htmlToText, prepareFields, type OriginalMessage } from '../../mail/compose.js';
import { imapErrorToOstal, isConnectivityError } from '../../mail/errors.js';
import { connectImap } from '../../mail/imap-client.js';
import { MailRepository } from '../../mail/repository.js';
import { cleanPastedHtml, inlineCidImages, quotedHtml } from '../../mail/html-compose.js';
import { parseMessage } from '../../mail/mime.js';
import { inlineImagesOf, readCachedSource } from '../../mail/message-reader.js';

/** The raw source of a stored message: the cached blob, else fetched from the server (French 'offline' error when it cannot be). */
export async function originalSource(ctx: CoreContext, accountId: string, folderPath: string, uid: number): Promise<Buffer> {
  const repo = new MailRepository(ctx.db);
  const folder = repo.getFolder(accountId, folderPath);
  if (!folder) throw new OstalError('not_found', t('mail.errors.folderNotFound'));
  const stored = repo.listBodyPaths(folder.id).find((b) => b.uid === uid);
  if (stored) {
    // Vanished or damaged (blob-store.ts): no longer counted as downloaded, and fetched from the server below.
    const cached = await readCachedSource(ctx, { folderId: folder.id, uid, bodyPath: stored.bodyPath }, repo);
    if (cached.source) return cached.source;
  }
  if (uid <= 0) throw new OstalError('offline', t('mail.compose.originalOffline'));
  const row = getAccountRow(ctx, accountId);
  if (!row) throw new OstalError('not_found', t('errors.accountNotFound'));
  const account = await loadMailAccount(ctx, row);
  let client;
  try {
    client = await connectImap(account, { log: ctx.log });
  } catch (err) {
    const e = err instanceof OstalError ? err : imapErrorToOstal(err, '', 0);
    if (isConnectivityError(e)) throw new OstalError('offline', t('mail.compose.originalOffline'), { cause: err });
    throw e;
  }
  try {
    const lock = await client.getMailboxLock(folderPath, { readOnly: true });
    try {
      const msg = await client.fetchOne(String(uid), { source: true }, { uid: true });
      if (!msg || !msg.source) throw new OstalError('not_found', t('mail.compose.originalNotFound'));
      return msg.source;
    } finally {
      lock.release();
    }
  } finally {
    await client.logout().catch(() => client.close());
  }
}

function addr(a: { name?: string; address?: string } | undefined | null): Address | null {
  if (!a || !a.address) return null;
  return { name: a.name ?? '', address: a.address };
}

function addrs(list: { name?: string; address?: string; group?: { name?: string; address?: string }[] }[] | undefined): Address[] {
  const out: Address[] = [];
  for (const a of list ?? []) {
    if (a.group)
      for (const g of a.group) {
        const x = addr(g);
        if (x) out.push(x);
      }
    else {
      const x = addr(a);
      if (x) out.push(x);
    }
  }
  return out;
}

/** Headers and text of a raw message, as the composer needs them. */
export async function parseOriginal(source: Buffer): Promise<OriginalMessage> {
  const email = await PostalMime.parse(source);
  const header = (name: string) => email.headers.find((h) => h.key === name)?.value ?? '';
  const ids = (v: string) => v.match(/<[^<>\s]+>/g) ?? [];
  let date: string | null = null;
  if (email.date) {
    const d = new Date(email.date);
    date = Number.isNaN(d.getTime()) ? null : d.toISOString();
  }
  return {
    messageId: email.messageId ? (email.messageId.startsWith('<') ? email.messageId : `<${email.messageId}>`) : null,
    subject: email.subject ?? '',
    from: addr(email.from as { name?: string; address?: string } | undefined),
    replyTo: addrs(email.replyTo as never),
    to: addrs(email.to as never),
    cc: addrs(email.cc as never),
    date,
    references: ids(header('references')),
    inReplyTo: ids(header('in-reply-to'))[0] ?? null,
    text: email.text?.trim() ? email.text : email.html ? htmlToText(email.html) : '',
  };
}

/** A message of Brouillons as the composer's fields, with the local draft that now stands for it. */
async function reopenDraft(ctx: HandlerContext, accountId: string, source: Buffer): Promise<ComposeDraft> {
  const email = await PostalMime.parse(source);
  const parsed = await parseMessage(source);
  const inline = inlineImagesOf(parsed);
  const html = email.html ? inlineCidImages(email.html, inline) : null;
  const referenced = new Set(html ? [...(email.html ?? '').matchAll(/cid:([^"'\s>]+)/gi)].map((m) => decodeURIComponent(m[1]!)) : []);
  const header = (name: string) => email.headers.find((h) => h.key === name)?.value ?? '';
  const ids = (v: string) => v.match(/<[^<>\s]+>/g) ?? [];
  const list = (value: unknown) => addrs(value as never).map(formatAddress);
  const fields = {
    to: list(email.to),
    cc: list(email.cc),
    bcc: list(email.bcc),
    subject: email.subject ?? '',
    text: email.text ?? (email.html ? htmlToText(email.html) : ''),
    inReplyTo: ids(header('in-reply-to'))[0] ?? null,
    references: ids(header('references')),
    html: html ?? undefined,
    attachments: email.attachments
      .filter((a) => !(a.contentId && referenced.has(a.contentId.replace(/^<|>$/g, ''))))
      .map((a) => ({
        filename: a.filename ?? t('mail.compose.attachmentDefaultName'),
        contentBase64: Buffer.from(a.content as ArrayBuffer).toString('base64'),
        contentType: a.mimeType || undefined,
      })),
  };
  const messageId = email.messageId ? (email.messageId.startsWith('<') ? email.messageId : `<${email.messageId}>`) : null;
  if (!messageId) throw new OstalError('invalid_input', t('mail.compose.draftWithoutId'));
  const draftId = ctx.services.outbox.adoptServerDraft({ accountId, messageId, source, fields });
  return { accountId, mode: 'draft', ...fields, html, draftId };
}

export const composeHandlers: Pick<HandlerMap, 'mail.compose.prepare' | 'mail.html.clean' | 'mail.launch.take'> = {
  'mail.html.clean': (_ctx, params) => ({ html: cleanPastedHtml(params.html) }),
  'mail.launch.take': (ctx) => ctx.services.launchCompose.take(),

  'mail.compose.prepare': async (ctx, params) => {
    const row = getAccountRow(ctx, params.accountId);
    if (!row) throw new OstalError('not_found', t('errors.accountNotFound'));
    const source = await originalSource(ctx, row.id, params.folder, params.uid);
    if (params.mode === 'draft') return reopenDraft(ctx, row.id, source);
    const original = await parseOriginal(source);
    let timeZone: string | undefined;
    if (params.timeZone !== undefined) {
      try {
        timeZone = new Intl.DateTimeFormat('fr-FR', { timeZone: params.timeZone }).resolvedOptions().timeZone;
      } catch {
        timeZone = undefined; // unknown zone: the system's
      }
    }
    const fields = prepareFields(params.mode, original, [row.email], timeZone);
    const draft: ComposeDraft = { accountId: row.id, mode: params.mode, bcc: [], attachments: [], html: null, ...fields };
    // A formatted original is answered formatted (quoted through the reader's sanitiser); a plain-text one stays plain.
    const parsed = await parseMessage(source);
    if (parsed.html !== null) {
      const header =
        params.mode === 'forward'
          ? forwardHeaderBlock(original, timeZone)
          : params.mode === 'forwardAsAttachment'
            ? null
            : attributionLine(original, timeZone);
      draft.html = header === null ? '<p></p>' : quotedHtml(header, { html: parsed.html, text: original.text }, inlineImagesOf(parsed));
    }
    if (params.mode === 'forwardAsAttachment') {
      const name = original.subject
        .replace(/[\\/:*?"<>|\r\n]+/g, ' ')
        .trim()
        .slice(0, 80);
      draft.attachments = [
        {
          filename: name ? `${name}.eml` : t('mail.compose.forwardedFilename'),
          contentBase64: source.toString('base64'),
          contentType: 'message/rfc822',
        },
      ];
    }
    return draft;
  },
};
