/**
 * Reading a message: its source from the local blob when cached, else fetched from the server on
 * demand (and then kept as a blob and indexed for search); MIME parsing, HTML sanitising, the
 * user's « Afficher les images » choices.
 */
import type { MessageInvitation, MessagePartInfo, MessageView, RemoteContentScope } from '../shared/contract.js';
import { OstalError } from '../errors.js';
import type { CoreContext } from '../context.js';
import { t } from '../i18n/index.js';
import { getAccountRow, loadMailAccount } from '../accounts/account-rows.js';
import { isConnectivityError, imapErrorToOstal } from './errors.js';
import { readMessageSource, storeMessageSource } from './blob-store.js';
import { sanitizeMailHtml } from './html-sanitizer.js';
import { connectImap, parseImapUrl } from './imap-client.js';
import { htmlToText, parseMessage, type ParsedMessage } from './mime.js';
import { MailRepository, type StoredMessageForReading } from './repository.js';
import { senderAuthentication, type SenderAuthentication } from './sender-authentication.js';

/** Inline images larger than this are not embedded as data: URLs (they stay listed as parts). */
export const INLINE_IMAGE_MAX_BYTES = 2 * 1024 * 1024;
/** Total of inline images embedded in one message. */
export const INLINE_IMAGES_TOTAL_MAX_BYTES = 10 * 1024 * 1024;
const INLINE_IMAGE_TYPES = new Set(['image/png', 'image/gif', 'image/jpeg', 'image/jpg', 'image/webp', 'image/bmp']);
/** Time allowed to reach the server when a message must be fetched on demand. */
const ON_DEMAND_TIMEOUT_MS = 8000;

export interface MessageRef {
  accountId: string;
  folder: string;
  uid: number;
}

/** The message's account must exist (the shape of the reference was checked by the API schema). */
function checkRef(ctx: CoreContext, params: MessageRef): MessageRef {
  if (!getAccountRow(ctx, params.accountId)) throw new OstalError('not_found', t('errors.accountNotFound'));
  return { accountId: params.accountId, folder: params.folder, uid: params.uid };
}

function findStored(repo: MailRepository, ref: MessageRef): StoredMessageForReading {
  const stored = repo.messageForReading(ref.accountId, ref.folder, ref.uid);
  if (!stored) throw new OstalError('not_found', t('mail.reader.messageNotFound'));
  return stored;
}

/** The key of a message for the « Afficher les images » choice: its Message-ID, which survives moves. */
function messageKey(stored: StoredMessageForReading): string {
  return stored.messageId ?? `folder:${stored.folderId}:uid:${stored.uid}`;
}

/**
 * A stored message's source from its local blob, checked against its name; null when there is none. A vanished or
 * damaged blob (see blob-store.ts) is forgotten: its row no longer counts as downloaded, and the caller fetches the
 * source from the server.
 */
export async function readCachedSource(
  ctx: CoreContext,
  stored: Pick<StoredMessageForReading, 'folderId' | 'uid' | 'bodyPath'>,
  repo: MailRepository,
): Promise<{ source: Buffer | null; damaged: boolean }> {
  if (!stored.bodyPath) return { source: null, damaged: false };
  const read = await readMessageSource(ctx.blobsDir, stored.bodyPath);
  if ('source' in read) return { source: read.source, damaged: false };
  repo.clearBodyPaths(stored.folderId, [stored.uid]);
  if ('damaged' in read) ctx.log.warn('mail: stored source damaged, fetched again', { bodyPath: stored.bodyPath, uid: stored.uid });
  return { source: null, damaged: 'damaged' in read };
}

/** Fetch a message source from the server, store it as a blob and index its text. French 'offline' error when the server cannot be reached. */
async function fetchSource(
  ctx: CoreContext,
  ref: MessageRef,
  stored: StoredMessageForReading,
  repo: MailRepository,
  damaged = false,
): Promise<Buffer> {
  const row = getAccountRow(ctx, ref.accountId)!;
  const offline = t(damaged ? 'mail.reader.damagedOffline' : 'mail.reader.notDownloaded');
  // The last probe or sync found the server unreachable: answer at once rather than after a timeout.
  if (ctx.connections.seenOnline(row.id) === false) {
    throw new OstalError('offline', offline);
  }
  const account = await loadMailAccount(ctx, row);
  const endpoint = parseImapUrl(account.settings.imap);
  let source: Buffer | undefined;
  try {
    const client = await connectImap(account, { log: ctx.log, timeoutMs: ON_DEMAND_TIMEOUT_MS });
    try {
      const lock = await client.getMailboxLock(ref.folder, { readOnly: true });
      try {
        const msg = await client.fetchOne(String(ref.uid), { uid: true, source: true }, { uid: true });
        source = msg && msg.source ? msg.source : undefined;
      } finally {
        lock.release();
      }
    } finally {
      await client.logout().catch(() => client.close());
    }
  } catch (err) {
    const mapped = err instanceof OstalError ? err : imapErrorToOstal(err, endpoint.host, endpoint.port);
    if (isConnectivityError(mapped)) throw new OstalError('offline', offline, { cause: err });
    throw mapped;
  }
  if (!source) throw new OstalError('not_found', t('mail.reader.messageNotFound'));
  const bodyPath = storeMessageSource(ctx.blobsDir, ref.accountId, source);
  repo.setBodyPath(stored.folderId, stored.uid, bodyPath);
  return source;
}

function toDataUrl(mimeType: string, content: Uint8Array): string {
  return `data:${mimeType === 'image/jpg' ? 'image/jpeg' : mimeType};base64,${Buffer.from(content.buffer, content.byteOffset, content.byteLength).toString('base64')}`;
}

/** Inline images of a message as data: URLs by Content-ID, within the size caps. */
export function inlineImagesOf(parsed: ParsedMessage): Map<string, string> {
  const out = new Map<string, string>();
  let total = 0;
  for (const part of parsed.parts) {
    if (!part.contentId || !INLINE_IMAGE_TYPES.has(part.mimeType) || part.size > INLINE_IMAGE_MAX_BYTES) continue;
    if (total + part.size > INLINE_IMAGES_TOTAL_MAX_BYTES) continue;
    total += part.size;
    out.set(part.contentId, toDataUrl(part.mimeType, part.content));
  }
  return out;
}

/** Text indexed for search: the plain text and the attachment names. */
function searchText(parsed: ParsedMessage, text: string): string {
  const names = parsed.parts
    .map((p) => p.filename ?? '')
    .filter(Boolean)
    .join(' ');
  return `${text}\n${names}`.slice(0, 200_000);
}

/** Build the view of a parsed message (pure; exported for tests). */
export function buildMessageView(
  ref: MessageRef,
  parsed: ParsedMessage,
  opts: { flags: string[]; remoteContentAllowed: boolean },
): MessageView {
  const sanitized =
    parsed.html !== null
      ? sanitizeMailHtml(parsed.html, { allowRemote: opts.remoteContentAllowed, inlineImages: inlineImagesOf(parsed) })
      : null;
  const text = parsed.text ?? (parsed.html !== null ? htmlToText(parsed.html) : '');
  const attachments: MessagePartInfo[] = parsed.parts.map((p) => ({
    id: p.id,
    filename: p.filename,
    mimeType: p.mimeType,
    size: p.size,
    inline: p.inline,
    contentId: p.contentId,
  }));
  return {
    accountId: ref.accountId,
    folder: ref.folder,
    uid: ref.uid,
    messageId: parsed.messageId,
    subject: parsed.subject,
    from: parsed.from,
    to: parsed.to,
    cc: parsed.cc,
    replyTo: parsed.replyTo,
    date: parsed.date,
    text,
    html: sanitized?.html ?? null,
    hasRemoteContent: sanitized?.hasRemoteContent ?? false,
    remoteContentAllowed: opts.remoteContentAllowed,
    attachments,
    flags: opts.flags,
    notice: parsed.malformed ? t('mail.reader.malformed') : null,
  };
}

/** `mail.message`: open a message for reading. */
export async function readMessage(ctx: CoreContext, invitations: InvitationReader, params: MessageRef): Promise<MessageView> {
  const ref = checkRef(ctx, params);
  const repo = new MailRepository(ctx.db);
  const stored = findStored(repo, ref);
  const cached = await readCachedSource(ctx, stored, repo);
  const fetched = cached.source === null;
  const source = cached.source ?? (await fetchSource(ctx, ref, stored, repo, cached.damaged));
  const parsed = await parseMessage(source);
  const sender = (parsed.from?.address || stored.fromAddr || '').toLowerCase();
  const allowed = repo.isRemoteContentAllowed(ref.accountId, [
    { scope: 'message', key: messageKey(stored) },
    { scope: 'sender', key: sender },
  ]);
  const view = buildMessageView(ref, parsed, { flags: stored.flags, remoteContentAllowed: allowed });
  if (fetched) repo.indexBody(stored.folderId, stored.uid, searchText(parsed, view.text));
  view.invitation = readInvitation(invitations, ref.accountId, parsed);
  return view;
}

export const CALENDAR_TYPES = new Set(['text/calendar', 'application/ics']);

/**
 * What the Agenda makes of a message's invitation (its text/calendar part): the card for the reader, with where it
 * stands in the agenda. Wired from the composition root; mail never imports the Agenda.
 */
export interface InvitationReader {
  /** Never throws: the message stays readable. */
  read(accountId: string, ics: string, message: InvitationMessage): MessageInvitation | null;
}

/** What is known of the message that carries an iTIP part: who sent it, and what the receiving server says of that. */
export interface InvitationMessage {
  messageId: string | null;
  /** The From address. */
  sender: string | null;
  authentication: SenderAuthentication;
}

/** The sender of a parsed message, as the Agenda checks it against the organiser or the participant. */
export function invitationMessage(parsed: ParsedMessage): InvitationMessage {
  const sender = parsed.from?.address ?? null;
  return { messageId: parsed.messageId, sender, authentication: senderAuthentication(parsed.authenticationResults, sender) };
}

/** The invitation of a message (its first text/calendar part), completed with the sender's name. */
function readInvitation(invitations: InvitationReader, accountId: string, parsed: ParsedMessage): MessageInvitation | null {
  const part = parsed.parts.find((p) => CALENDAR_TYPES.has(p.mimeType));
  if (!part) return null;
  const ics = new TextDecoder('utf-8').decode(part.content);
  const invitation = invitations.read(accountId, ics, invitationMessage(parsed));
  // Names missing from the iCalendar text (no CN) are taken from the sender when it is the same address.
  const from = parsed.from;
  if (invitation && from?.name) {
    const same = (address: string | undefined) => !!address && address.toLowerCase() === from.address.toLowerCase();
    if (invitation.organizer && !invitation.organizer.name && same(invitation.organizer.address))
      invitation.organizer = { ...invitation.organizer, name: from.name };
    if (invitation.reply && !invitation.reply.name && same(invitation.reply.email))
      invitation.reply = { ...invitation.reply, name: from.name };
  }
  return invitation;
}

/** `mail.attachment`: one attachment of a message, for « Enregistrer ». */
export async function readAttachment(
  ctx: CoreContext,
  params: MessageRef & { partId: string },
): Promise<{ filename: string; mimeType: string; size: number; contentBase64: string }> {
  const ref = checkRef(ctx, params);
  const repo = new MailRepository(ctx.db);
  const stored = findStored(repo, ref);
  const cached = await readCachedSource(ctx, stored, repo);
  const source = cached.source ?? (await fetchSource(ctx, ref, stored, repo, cached.damaged));
  const part = (await parseMessage(source)).parts.find((p) => p.id === params.partId);
  if (!part) throw new OstalError('not_found', t('mail.reader.attachmentNotFound'));
  const content = Buffer.from(part.content.buffer, part.content.byteOffset, part.content.byteLength);
  return {
    filename: part.filename || t('mail.reader.attachmentDefaultName'),
    mimeType: part.mimeType || 'application/octet-stream',
    size: part.size,
    contentBase64: content.toString('base64'),
  };
}

/** `mail.allowRemoteContent`: remember « Afficher les images » for the message or its sender. */
export function allowRemoteContent(ctx: CoreContext, params: MessageRef & { scope: RemoteContentScope }): { allowed: true } {
  const ref = checkRef(ctx, params);
  const scope = params.scope;
  const repo = new MailRepository(ctx.db);
  const stored = findStored(repo, ref);
  if (scope === 'sender') {
    const sender = (stored.fromAddr ?? '').toLowerCase();
    if (!sender) throw new OstalError('invalid_input', t('errors.invalidRequest'));
    repo.allowRemoteContent(ref.accountId, 'sender', sender);
  } else {
    repo.allowRemoteContent(ref.accountId, 'message', messageKey(stored));
  }
  return { allowed: true };
}
