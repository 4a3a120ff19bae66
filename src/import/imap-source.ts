/**
 * Another account configured in Ostal as a source (« copie depuis un autre compte », like imapsync): chosen folders
 * (default: all), each message's exact bytes, flags and date, fetched in batches (bounded memory). Special folders
 * follow their special use (the source's Envoyés goes to the target's Envoyés).
 */
import type { ImapFlow } from 'imapflow';
import type { CoreContext } from '../context.js';
import { OstalError } from '../errors.js';
import { t } from '../i18n/index.js';
import { getAccountRow, loadMailAccount } from '../accounts/account-rows.js';
import { connectImap } from '../mail/imap-client.js';
import { folderSpecialUse } from '../mail/folder-names.js';
import type { ImportSource, MailPayload, SourceFolder, SourceItem } from './source.js';

const BATCH = 50;
const KEPT_FLAGS = new Set(['\\Seen', '\\Flagged', '\\Answered', '\\Draft']);

export async function openImapSource(ctx: CoreContext, accountId: string, only: string[] | undefined): Promise<ImportSource> {
  const row = getAccountRow(ctx, accountId);
  if (!row) throw new OstalError('not_found', t('errors.accountNotFound'));
  const client: ImapFlow = await connectImap(await loadMailAccount(ctx, row), { log: ctx.log });
  const boxes = (await client.list()).filter((b) => !b.flags?.has('\\Noselect') && !b.flags?.has('\\NonExistent'));
  const chosen = only?.length ? boxes.filter((b) => only.includes(b.path)) : boxes;
  const missing = (only ?? []).filter((p) => !boxes.some((b) => b.path === p));
  if (missing.length) {
    await client.logout().catch(() => client.close());
    throw new OstalError('not_found', t('migration.errors.folderMissing', { folder: missing[0], email: row.email }));
  }
  const folders: { path: string; delimiter: string; special: ReturnType<typeof folderSpecialUse>; count: number }[] = [];
  for (const b of chosen) {
    const status = await client.status(b.path, { messages: true });
    folders.push({
      path: b.path,
      delimiter: b.delimiter || '/',
      special: folderSpecialUse(b.path, b.delimiter || '/', b.specialUse),
      count: status ? (status.messages ?? 0) : 0,
    });
  }
  return {
    kind: 'folder',
    total: folders.reduce((n, f) => n + f.count, 0),
    close: () => void client.logout().catch(() => client.close()),
    folders: async function* (): AsyncGenerator<SourceFolder> {
      for (const f of folders) {
        if (f.count === 0) continue;
        const parts = f.path.split(f.delimiter);
        yield {
          path: f.special === '\\Inbox' ? ['INBOX', ...parts.slice(1)] : parts,
          kind: 'mail',
          special: f.special,
          count: f.count,
          items: () => folderMessages(client, f.path),
        };
      }
    },
  };
}

async function* folderMessages(client: ImapFlow, path: string): AsyncGenerator<SourceItem> {
  const lock = await client.getMailboxLock(path, { readOnly: true });
  let uids: number[];
  let validity: string;
  try {
    validity = String(client.mailbox && typeof client.mailbox === 'object' ? client.mailbox.uidValidity : '');
    const found = await client.search({ all: true }, { uid: true });
    uids = Array.isArray(found) ? found : [];
  } finally {
    lock.release();
  }
  for (let i = 0; i < uids.length; i += BATCH) {
    const batch = uids.slice(i, i + BATCH);
    const got: SourceItem[] = [];
    const lock2 = await client.getMailboxLock(path, { readOnly: true });
    try {
      for await (const m of client.fetch(
        batch.join(','),
        { uid: true, source: true, flags: true, internalDate: true, envelope: true },
        { uid: true },
      )) {
        const raw = m.source ?? Buffer.alloc(0);
        const date = m.internalDate instanceof Date ? m.internalDate : new Date(m.internalDate ?? 0);
        const payload: MailPayload = {
          raw,
          messageId: m.envelope?.messageId ?? `<copie-${validity}-${m.uid}@import.ostal>`,
          date,
          flags: [...(m.flags ?? [])].filter((f) => KEPT_FLAGS.has(f) || !f.startsWith('\\')),
        };
        got.push({
          type: 'mail',
          key: `imap:${path}:${validity}:${m.uid}`,
          label: m.envelope?.subject || t('migration.noSubject'),
          build: async () => payload,
        });
      }
    } finally {
      lock2.release();
    }
    yield* got;
  }
}
