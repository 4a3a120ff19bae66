/**
 * The import's batches of messages against the test Dovecot: several messages in one APPEND (MULTIAPPEND) into a
 * folder with a non-ASCII name, with their flags and dates; a message already there (or twice in the batch) is not
 * sent; a batch the server refuses is tried one message at a time and the refusal is thrown.
 */
import { describe, expect, it } from 'vitest';
import { ImapTarget, encodeModifiedUtf7, imapDateTime } from '../../src/import/imap-target.js';
import type { MailPayload } from '../../src/import/source.js';
import { getServers } from '../servers/testing.js';
import { addImapUser, imapConnection } from './mail-offline-fixture.js';

function payload(n: number, flags: string[]): MailPayload {
  const messageId = `<lot-${n}@mairie.test>`;
  const date = new Date(Date.UTC(2025, 2, n, 8, 30, 15));
  const raw = Buffer.from(
    `From: agent@mairie.test\r\nTo: lou@mairie.test\r\nSubject: Compte rendu n° ${n}\r\nMessage-ID: ${messageId}\r\n` +
      `Date: ${date.toUTCString()}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nRéunion n° ${n}.\r\n`,
  );
  return { raw, messageId, date, flags };
}

describe('envoi des messages importés par lots (MULTIAPPEND)', () => {
  it('nom de dossier en UTF-7 modifié et date IMAP', () => {
    expect(encodeModifiedUtf7('Envoyés')).toBe('Envoy&AOk-s');
    expect(encodeModifiedUtf7('Réunions & comptes rendus')).toBe('R&AOk-unions &- comptes rendus');
    expect(encodeModifiedUtf7('日本語')).toBe('&ZeVnLIqe-');
    expect(encodeModifiedUtf7('~peter/mail/台北/日本語')).toBe('~peter/mail/&U,BTFw-/&ZeVnLIqe-');
    expect(imapDateTime(new Date(Date.UTC(2025, 2, 4, 8, 5, 9)))).toBe(' 4-Mar-2025 08:05:09 +0000');
  });

  it('un seul APPEND pour le lot, drapeaux et dates gardés, rien de renvoyé la seconde fois', { timeout: 60_000 }, async () => {
    const s = getServers();
    const user = addImapUser(s, 'mig-lot');
    const client = await imapConnection(s, user);
    try {
      const appends: number[] = [];
      const inner = client as unknown as { exec(command: string, ...rest: unknown[]): Promise<unknown> };
      const exec = inner.exec.bind(client);
      inner.exec = (command: string, ...rest: unknown[]) => {
        if (command === 'APPEND') appends.push(((rest[0] as unknown[]).length - 1) / 3);
        return exec(command, ...rest);
      };
      const target = new ImapTarget(client);
      await target.init();
      const folder = await target.folderFor(['Réunions & comptes rendus'], null);
      expect(folder).toBe('Réunions & comptes rendus');
      const batch = [payload(1, ['\\Seen']), payload(2, ['\\Seen', '\\Flagged']), payload(1, ['\\Seen']), payload(3, [])];
      expect(await target.appendMany(folder, batch)).toEqual([true, true, false, true]);
      // One APPEND command carrying the three distinct messages.
      expect(appends).toEqual([3]);
      const lock = await client.getMailboxLock(folder, { readOnly: true });
      try {
        const got: string[] = [];
        for await (const m of client.fetch('1:*', { envelope: true, flags: true, internalDate: true }))
          got.push(
            `${m.envelope?.messageId} ${new Date(m.internalDate!).toISOString()} ${[...(m.flags ?? [])]
              .filter((f) => f !== '\\Recent')
              .sort()
              .join(',')}`,
          );
        expect(got.sort()).toEqual([
          '<lot-1@mairie.test> 2025-03-01T08:30:15.000Z \\Seen',
          '<lot-2@mairie.test> 2025-03-02T08:30:15.000Z \\Flagged,\\Seen',
          '<lot-3@mairie.test> 2025-03-03T08:30:15.000Z ',
        ]);
      } finally {
        lock.release();
      }
      // A new run (new target: keys read from the server) sends nothing again.
      const again = new ImapTarget(client);
      await again.init();
      expect(await again.appendMany(folder, batch)).toEqual([false, false, false, false]);
      expect(appends).toEqual([3]);
      // A batch the server refuses (a system flag that does not exist) stores nothing; it is tried one message at a time: the
      // first is stored, the refusal of the second is thrown.
      await expect(target.appendMany(folder, [payload(4, []), payload(5, ['\\Inconnu'])])).rejects.toThrow();
      expect(appends).toEqual([3, 2, 1, 1]);
      expect(await client.status(folder, { messages: true })).toMatchObject({ messages: 4 });
    } finally {
      await client.logout();
    }
  });
});
