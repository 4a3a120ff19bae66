/**
 * Migration of mbox files (mboxo and mboxrd quoting, « From » lines inside bodies) and folders of .eml (one with
 * broken MIME, one empty) into the test Dovecot: each message imported or skipped with a French reason, the import
 * never stopping; a second run adds nothing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Core } from '../../src/core.js';
import { getServers } from '../servers/testing.js';
import { addImapUser, imapConnection } from './mail-offline-fixture.js';

const MBOXRD = [
  'From alix@mairie.test Sat Dec  5 10:00:00 2026',
  'From: Alix <alix@mairie.test>',
  'Subject: Premier',
  'Message-ID: <premier@mairie.test>',
  'Date: Sat, 5 Dec 2026 10:00:00 +0100',
  'X-Mozilla-Status: 0005',
  '',
  'Bonjour,',
  '',
  '>From the top, ligne citée (mboxrd)',
  '>>From deux fois citée',
  '',
  'From mon bureau, je vous écris (ligne « From » non citée, mboxo)',
  '',
  'From sacha@mairie.test Sat Dec  5 11:00:00 2026',
  'From: Sacha <sacha@mairie.test>',
  'Subject: Second, sans Message-ID',
  'Date: Sat, 5 Dec 2026 11:00:00 +0100',
  'Status: RO',
  '',
  'Texte du second.',
  '',
].join('\n');

describe('importation de boîtes mbox et de dossiers de .eml', () => {
  it(
    'mbox (mboxo, mboxrd) et .eml abîmés : importés ou ignorés un par un, sans doublon à la seconde fois',
    { timeout: 120_000 },
    async () => {
      const s = getServers();
      const user = addImapUser(s, 'mig-mbox');
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-mig-mbox-'));
      const mbox = path.join(dir, 'Archives 2020.mbox');
      fs.writeFileSync(mbox, MBOXRD);
      const emls = path.join(dir, 'Dossier exporté');
      fs.mkdirSync(emls);
      fs.writeFileSync(
        path.join(emls, 'a.eml'),
        'From: a@b.test\r\nSubject: Réunion\r\nMessage-ID: <a@b.test>\r\nDate: Mon, 2 Nov 2026 09:00:00 +0100\r\n\r\nCorps.\r\n',
      );
      fs.writeFileSync(
        path.join(emls, 'cassé.eml'),
        'From: c@d.test\r\nSubject: MIME cassé\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="jamais"\r\n\r\n--autre\r\nsans fin\r\n',
      );
      fs.writeFileSync(path.join(emls, 'vide.eml'), '');
      fs.writeFileSync(path.join(emls, 'texte.eml'), 'Juste une ligne de texte, sans en-tête.\n');
      await (await imapConnection(s, user)).logout();
      const core = await Core.open({ profileDir: path.join(dir, 'profil'), mode: 'cli', policyPath: null });
      try {
        const account = await core.handle('accounts.add', {
          email: user.email,
          password: user.password,
          settings: { imap: `imaps://localhost:${s.imap.tlsPort}`, smtp: `smtps://localhost:${s.smtp.tlsPort}` },
        });
        const report = await core.handle('migration.run', { paths: [mbox, emls], accountId: account.id });
        expect(report.state).toBe('done');
        const mboxFolder = report.folders.find((f) => f.source === 'Archives 2020');
        expect(mboxFolder?.imported).toBe(2);
        const emlFolder = report.folders.find((f) => f.source === 'Dossier exporté');
        expect(emlFolder?.imported).toBe(2);
        expect(emlFolder?.skipped).toBe(2);
        const reasons = report.skipped.map((x) => `${x.item} : ${x.reason}`).join('\n');
        expect(reasons).toMatch(/vide\.eml : fichier vide/);
        expect(reasons).toMatch(/texte\.eml : ce fichier n’est pas un message/);
        const again = await core.handle('migration.run', { paths: [mbox, emls], accountId: account.id });
        expect(again.totals.imported).toBe(0);
        expect(again.totals.alreadyPresent).toBe(4);

        const client = await imapConnection(s, user);
        try {
          const lock = await client.getMailboxLock(mboxFolder!.target, { readOnly: true });
          try {
            const got: { subject: string; seen: boolean; flagged: boolean; text: string }[] = [];
            for await (const m of client.fetch('1:*', { envelope: true, flags: true, source: true }))
              got.push({
                subject: m.envelope?.subject ?? '',
                seen: m.flags?.has('\\Seen') ?? false,
                flagged: m.flags?.has('\\Flagged') ?? false,
                text: m.source?.toString('utf8') ?? '',
              });
            expect(got.length).toBe(2);
            const first = got.find((g) => g.subject === 'Premier')!;
            // mboxrd: one level of « > » removed; the unquoted « From » body line stayed in the message.
            expect(first.text).toContain('\r\nFrom the top, ligne citée (mboxrd)\r\n');
            expect(first.text).toContain('\r\n>From deux fois citée\r\n');
            expect(first.text).toContain('From mon bureau, je vous écris');
            expect(first.seen && first.flagged).toBe(true);
            expect(got.find((g) => g.subject.startsWith('Second'))?.seen).toBe(true);
          } finally {
            lock.release();
          }
          // « Dossier exporté » (non-ASCII name: modified UTF-7 in the APPEND that carried both messages at once) holds
          // its two messages, each with the date of its Date header.
          expect(emlFolder?.target).toBe('Dossier exporté');
          expect(await client.status('Dossier exporté', { messages: true })).toMatchObject({ messages: 2 });
          const lock2 = await client.getMailboxLock('Dossier exporté', { readOnly: true });
          try {
            const dates: string[] = [];
            for await (const m of client.fetch('1:*', { envelope: true, internalDate: true }))
              if (m.envelope?.messageId === '<a@b.test>') dates.push(new Date(m.internalDate!).toISOString());
            expect(dates).toEqual(['2026-11-02T08:00:00.000Z']);
          } finally {
            lock2.release();
          }
        } finally {
          await client.logout();
        }
      } finally {
        await core.close();
      }
    },
  );
});
