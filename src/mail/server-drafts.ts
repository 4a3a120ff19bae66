/**
 * Drafts on the server: each saved revision of a draft is APPENDed to the account's Brouillons (\Draft \Seen), then
 * the older copies with the same Message-ID are removed, so there is one copy, the newest. A draft thrown away
 * here has its copy removed. Offline, nothing is lost: the revision stays pending in the local row and goes at the
 * next drain of the Boîte d'envoi (with a growing wait after connectivity errors).
 */
import type { ImapFlow } from 'imapflow';
import type { CoreContext } from '../context.js';
import { getAccountRow, loadMailAccount } from '../accounts/account-rows.js';
import { draftRevisions } from './drafts.js';
import { connectImap } from './imap-client.js';
import type { OutboxQueue } from './outbox-queue.js';
import type { OutboxRecord } from './outbox-store.js';
import { removeByMessageId, specialFolderPath } from './sent-filing.js';

/** Write or remove the server copies of these drafts of one account. Errors are logged; pending work stays pending. */
export async function syncServerDrafts(ctx: CoreContext, queue: OutboxQueue, accountId: string, records: OutboxRecord[]): Promise<void> {
  const row = getAccountRow(ctx, accountId);
  if (!row) return;
  let client: ImapFlow | null = null;
  try {
    const account = await loadMailAccount(ctx, row);
    client = await connectImap(account, { log: ctx.log });
    const drafts = await specialFolderPath(ctx, accountId, client, '\\Drafts');
    if (!drafts) {
      ctx.log.warn('drafts: no Drafts folder on the server, drafts stay on this computer', { account: accountId });
      for (const rec of records) if (draftRevisions(rec).discarded) queue.store.delete(rec.id);
      return;
    }
    for (const rec of records) {
      const { rev, discarded } = draftRevisions(rec);
      if (discarded) {
        await removeByMessageId(client, drafts, rec.messageId);
        queue.store.delete(rec.id);
        continue;
      }
      const raw = await queue.readRaw(rec);
      if (!raw) continue;
      const appended = await client.append(drafts, raw, ['\\Draft', '\\Seen']);
      const uid = appended && typeof appended === 'object' && typeof appended.uid === 'number' ? appended.uid : undefined;
      // Without UIDPLUS the new copy's UID is unknown: keep the highest UID, the one just appended.
      await removeByMessageId(client, drafts, rec.messageId, uid ?? (await newestUid(client, drafts, rec.messageId)));
      queue.store.markDraftUploaded(rec.id, rev);
    }
    ctx.emit('mail.changed', { accountId, folders: [drafts] });
  } finally {
    if (client) await client.logout().catch(() => client?.close());
  }
}

async function newestUid(client: ImapFlow, folder: string, messageId: string): Promise<number | undefined> {
  const lock = await client.getMailboxLock(folder, { readOnly: true });
  try {
    const found = await client.search({ header: { 'message-id': messageId } }, { uid: true });
    return Array.isArray(found) && found.length ? Math.max(...found) : undefined;
  } finally {
    lock.release();
  }
}
