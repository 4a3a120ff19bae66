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

/** Find the account's Envoyés: from the mail store, else from the server's LIST (special-use, then usual names). */
async function sentFolderPath(ctx: CoreContext, accountId: string, client: ImapFlow): Promise<string | null> {
  const stored = new MailRepository(ctx.db).listFolders(accountId).find((f) => f.specialUse === '\\Sent');
  if (stored) return stored.path;
  const list = await client.list();
  const bySpecialUse = list.find((f) => f.specialUse === '\\Sent');
  if (bySpecialUse) return bySpecialUse.path;
  const byName = list.find((f) => /^(sent|sent items|sent messages|envoy[ée]s|[ée]l[ée]ments envoy[ée]s)$/i.test(f.name));
  return byName?.path ?? null;
}

/** UIDs in a folder of the messages with this Message-ID. */
async function findByMessageId(client: ImapFlow, folder: string, messageId: string): Promise<number[]> {
  const lock = await client.getMailboxLock(folder, { readOnly: true });
  try {
    const found = await client.search({ header: { 'message-id': messageId } }, { uid: true });
    return Array.isArray(found) ? found : [];
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
    const sent = await sentFolderPath(ctx, accountId, client);
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
    const sent = await sentFolderPath(ctx, accountId, client);
    let filedAny = false;
    for (const rec of records) {
      if (!sent) {
        ctx.log.warn('outbox: no Sent folder on the server, copy not filed', { id: rec.id });
        queue.store.markFiled(rec.id);
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
      queue.changed(accountId, [rec.id]);
    }
    if (filedAny && sent) ctx.emit('mail.changed', { accountId, folders: [sent] });
  } catch (err) {
    ctx.log.warn('outbox: filing in Sent failed, will retry', { account: accountId, err: err as Error });
  } finally {
    if (client) await client.logout().catch(() => client?.close());
  }
}
