/**
 * What the iMIP integration tests share: a message with a text/calendar part delivered through the test submission
 * server (as Ostal's peers or a forger would send it), and a message opened through the reader once the mail sync
 * has brought it.
 */
import type { Core } from '../../src/core.js';
import { deliverItip as deliverTo, type ItipDelivery } from '../servers/itip.js';
import { getServers } from '../servers/testing.js';

/** Send an iMIP message through the test submission server (tests/servers/itip.ts). */
export function deliverItip(options: ItipDelivery): Promise<void> {
  return deliverTo(getServers(), options);
}

/** Sync the account's mail until a message of `folder` whose subject holds `needle` is there (30 s at most); open it. */
export async function openBySubject(core: Core, accountId: string, needle: string, folder = 'INBOX') {
  const deadline = Date.now() + 30_000;
  for (;;) {
    await core.handle('sync.run', { accountId, only: 'mail' });
    const found = (await core.handle('mail.messages', { accountId, folder, limit: 1000 })).find((m) => m.subject.includes(needle));
    if (found) return core.handle('mail.message', { accountId, folder, uid: found.uid });
    if (Date.now() > deadline) throw new Error(`no message « ${needle} » in ${folder} after 30 s`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
