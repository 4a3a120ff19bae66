/**
 * Sent copies in Envoyés (IMAP APPEND with \Seen), and the check that tells whether a message left: a copy with
 * its Message-ID in Envoyés. The check guards both the filing (no second copy) and « Renvoyer » on an uncertain
 * message (found = it left, nothing is sent again).
 */
import type { ImapFlow } from 'imapflow';
import { OstalError } from '../errors.js';
import type { CoreContext } from '../context.js';
import { t } from '../i18n/index.js';
import { getAccountRow, loadMailAccount } from '../accounts/account-rows.js';
import { connectImap } from './imap-client.js';
import type { OutboxQueue } from './outbox-queue.js';
import type { OutboxRecord } from './outbox-store.js';
import { MailRepository } from './repository.js';

/** Envoyés, Éléments envoyés (é written \u00e9: the CLI's bundle stays ASCII, see REPLY_PREFIX in ./compose.ts). */
const USUAL_NAMES: Record<'\\Sent' | '\\Drafts', RegExp> = {
  '\\Sent': /^(sent|sent items|sent messages|envoy[e\u00e9]s|[e\u00e9]l[e\u00e9]ments envoy[e\u00e9]s)$/i,
  '\\Drafts': /^(drafts?|brouillons?)$/i,
};

/** Find the account's Envoyés or Brouillons: from the mail store, else from the server's LIST (special-use, then usual names). */
export async function specialFolderPath(
  ctx: CoreContext,
  accountId: string,
  client: ImapFlow,
  use: '\\Sent' | '\\Drafts',
): Promise<string | null> {
  const stored = new MailRepository(ctx.db).listFolders(accountId).find((f) => f.specialUse === use);
  if (stored) return stored.path;
  const list = await client.list();
  const bySpecialUse = list.find((f) => f.specialUse === use);
  if (bySpecialUse) return bySpecialUse.path;
  const byName = list.find((f) => USUAL_NAMES[use].test(f.name));
  return byName?.path ?? null;
}

/** UIDs in a folder of the messages with this Message-ID. */
export async function findByMessageId(client: ImapFlow, folder: string, messageId: string): Promise<number[]> {
  const lock = await client.getMailboxLock(folder, { readOnly: true });
  try {
    const found = await client.search({ header: { 'message-id': messageId } }, { uid: true });
    return Array.isArray(found) ? found : [];
  } finally {
    lock.release();
  }
}

/** Remove from a folder the messages with this Message-ID, except `keepUid`; returns how many were removed. */
export async function removeByMessageId(client: ImapFlow, folder: string, messageId: string, keepUid?: number): Promise<number> {
  const lock = await client.getMailboxLock(folder);
  try {
    const found = await client.search({ header: { 'message-id': messageId } }, { uid: true });
    const uids = (Array.isArray(found) ? found : []).filter((uid) => uid !== keepUid);
    if (uids.length) await client.messageDelete(uids.join(','), { uid: true });
    return uids.length;
  } finally {
    lock.release();
  }
}

/** Whether Envoyés of the account holds a message with this Message-ID (connects to the IMAP server; throws its errors). */
export async function isInSent(ctx: CoreContext, accountId: string, messageId: string): Promise<boolean> {
  const row = getAccountRow(ctx, accountId);
  if (!row) throw new OstalError('not_found', t('errors.accountNotFound'));
  const account = await loadMailAccount(ctx, row);
  const client = await connectImap(account, { log: ctx.log });
  try {
    const sent = await specialFolderPath(ctx, accountId, client, '\\Sent');
    const found = sent ? await findByMessageId(client, sent, messageId) : [];
    return found.length > 0;
  } finally {
    await client.logout().catch(() => client.close());
  }
}

/**
 * Put a copy of each sent message in Envoyés with \Seen, unless a message with its Message-ID is already there.
 * Errors are logged: the copies left unfiled are tried again at the next drain.
 */
export async function fileSentCopies(ctx: CoreContext, queue: OutboxQueue, accountId: string, records: OutboxRecord[]): Promise<void> {
  const row = getAccountRow(ctx, accountId);
  if (!row) return;
  let client: ImapFlow | null = null;
  try {
    const account = await loadMailAccount(ctx, row);
    client = await connectImap(account, { log: ctx.log });
    const sent = await specialFolderPath(ctx, accountId, client, '\\Sent');
    let filedAny = false;
    const drafts = await specialFolderPath(ctx, accountId, client, '\\Drafts');
    let removedDrafts = false;
    for (const rec of records) {
      if (!sent) {
        ctx.log.warn('outbox: no Sent folder on the server, copy not filed', { id: rec.id });
        queue.store.markFiled(rec.id);
        if (drafts && (await removeByMessageId(client, drafts, rec.messageId)) > 0) removedDrafts = true;
        continue;
      }
      const already = await findByMessageId(client, sent, rec.messageId);
      if (!already.length) {
        const raw = await queue.readRaw(rec);
        if (raw) {
          await client.append(sent, raw, ['\\Seen']);
          filedAny = true;
        }
      }
      queue.store.markFiled(rec.id);
      queue.removeBlob(rec);
      // A message written as a draft leaves Brouillons once it is sent (on this computer or any other).
      if (drafts && (await removeByMessageId(client, drafts, rec.messageId)) > 0) removedDrafts = true;
      queue.changed(accountId, [rec.id]);
    }
    if (filedAny && sent) ctx.emit('mail.changed', { accountId, folders: [sent] });
    if (removedDrafts && drafts) ctx.emit('mail.changed', { accountId, folders: [drafts] });
    // The copy is on the server: bring it into this computer's Envoyés now (a resync, one round trip per folder), not
    // at the next period, so that the agent finds the message just sent where Outlook shows it.
    if (filedAny || removedDrafts) ctx.sync.requestReplay(accountId, 'mail');
  } catch (err) {
    ctx.log.warn('outbox: filing in Sent failed, will retry', { account: accountId, err: err as Error });
  } finally {
    if (client) await client.logout().catch(() => client?.close());
  }
}
