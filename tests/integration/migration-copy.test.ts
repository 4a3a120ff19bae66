/**
 * Copy from another account (like imapsync): two fresh users on the test Dovecot, 2 000 messages in three folders
 * of the first copied into the second; counts and flags equal per folder, a second run adds nothing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ImapFlow } from 'imapflow';
import { describe, expect, it } from 'vitest';
import { Core } from '../../src/core.js';
import { silentLogger } from '../../src/log.js';
import { getServers } from '../servers/testing.js';
import { addImapUser, appendMessages, generateMessages, imapConnection } from './mail-offline-fixture.js';

const FOLDERS = ['INBOX', 'Projets', 'Archives 2024'] as const;

async function flagsOf(client: ImapFlow, folder: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const lock = await client.getMailboxLock(folder, { readOnly: true });
  try {
    for await (const m of client.fetch('1:*', { envelope: true, flags: true }))
      out.set(
        m.envelope?.messageId ?? '',
        // \Recent belongs to the session that first sees a message, not to the message.
        [...(m.flags ?? [])]
          .filter((f) => f !== '\\Recent')
          .sort()
          .join(' '),
      );
  } finally {
    lock.release();
  }
  return out;
}

describe('copie depuis un autre compte', () => {
  it(
    '2 000 messages en trois dossiers : mêmes nombres et mêmes drapeaux, rien de plus à la seconde copie',
    { timeout: 600_000 },
    async () => {
      const s = getServers();
      const from = addImapUser(s, 'mig-de');
      const to = addImapUser(s, 'mig-vers');
      await (await imapConnection(s, from)).logout();
      await (await imapConnection(s, to)).logout();
      const messages = generateMessages(2000, { seed: 16, folders: FOLDERS, domain: 'mairie-exemple.fr', to: from.email, bodyBytes: 800 });
      await appendMessages(s, from, messages);
      // A few flagged in the source too.
      const src = await imapConnection(s, from);
      try {
        const lock = await src.getMailboxLock('Projets');
        try {
          await src.messageFlagsAdd('1:20', ['\\Flagged']);
        } finally {
          lock.release();
        }
      } finally {
        await src.logout();
      }
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-mig-copie-'));
      const core = await Core.open({ profileDir: path.join(dir, 'profil'), mode: 'cli', logger: silentLogger, policyPath: null });
      try {
        const settings = { imap: `imaps://localhost:${s.imap.tlsPort}`, smtp: `smtps://localhost:${s.smtp.tlsPort}` };
        const a = await core.handle('accounts.add', { email: from.email, password: from.password, settings });
        const b = await core.handle('accounts.add', { email: to.email, password: to.password, settings });
        const report = await core.handle('migration.copyAccount', { fromAccountId: a.id, accountId: b.id, folders: [...FOLDERS] });
        expect(report.state).toBe('done');
        expect(report.totals.imported).toBe(2000);
        const again = await core.handle('migration.copyAccount', { fromAccountId: a.id, accountId: b.id, folders: [...FOLDERS] });
        expect(again.totals.imported).toBe(0);
        expect(again.totals.alreadyPresent).toBe(2000);
      } finally {
        await core.close();
      }
      const c1 = await imapConnection(s, from);
      const c2 = await imapConnection(s, to);
      try {
        for (const folder of FOLDERS) {
          const source = await flagsOf(c1, folder);
          const target = await flagsOf(c2, folder);
          expect(target.size, folder).toBe(source.size);
          const diff = [...source].filter(([id, f]) => target.get(id) !== f).map(([id, f]) => `${id}: ${f} → ${target.get(id)}`);
          expect(diff.slice(0, 5), folder).toEqual([]);
        }
      } finally {
        await c1.logout();
        await c2.logout();
      }
    },
  );
});
