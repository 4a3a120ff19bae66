/**
 * Migration of Outlook items (.msg) into the test Dovecot: files written by tests/integration/msg-writer.ts (checked
 * first against two independent readers: @kenjiuno/msgreader, which Ostal uses, and Debian's msgconvert,
 * libemail-outlook-message-perl), one with attachments whose names are not ASCII, one without body, two damaged
 * (one whose sector chains loop, which made the reader allocate until the process died): each imported or skipped
 * with a French reason, the import never stopping; the attachments arrive intact, with their names; a second run
 * adds nothing.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import MsgReaderModule from '@kenjiuno/msgreader';
import PostalMime from 'postal-mime';
import { describe, expect, it } from 'vitest';
import { Core } from '../../src/core.js';
import { getServers } from '../servers/testing.js';
import { addImapUser, imapConnection } from './mail-offline-fixture.js';
import { writeMsg, type MsgSpec } from './msg-writer.js';

const MsgReader = (MsgReaderModule as unknown as { default?: typeof MsgReaderModule }).default ?? MsgReaderModule;

const PDF_NAME = 'Compte rendu réunion été.pdf';
const TXT_NAME = '会議.txt';
/** Every byte value, so that a lossy transfer encoding or a text conversion shows. */
const PDF = Buffer.concat([
  Buffer.from('%PDF-1.4\n'),
  Buffer.from(Array.from({ length: 6000 }, (_, i) => (i * 131 + 7) % 256)),
  Buffer.from('\n%%EOF\n'),
]);
const TXT = Buffer.from('議事録 : réunion du 15 juin, ordre du jour adopté.\n', 'utf8');

const WITH_ATTACHMENTS: MsgSpec = {
  subject: 'Compte rendu de la réunion d’été — 会議',
  body: 'Bonjour à toutes et à tous,\r\nvoici le compte rendu et l’ordre du jour.\r\nÉlise',
  senderName: 'Élise Martin',
  senderEmail: 'elise.martin@mairie-exemple.fr',
  messageId: '<compte-rendu-ete@mairie-exemple.fr>',
  date: new Date(Date.UTC(2026, 5, 15, 8, 30)),
  read: true,
  recipients: [
    { name: 'Agnès Roux', email: 'agnes.roux@mairie-exemple.fr' },
    { name: 'Bruno Petit', email: 'bruno.petit@mairie-exemple.fr', type: 'cc' },
  ],
  attachments: [
    { name: PDF_NAME, data: PDF, mime: 'application/pdf' },
    { name: TXT_NAME, data: TXT, mime: 'text/plain' },
  ],
};

const NO_BODY: MsgSpec = {
  subject: 'Rappel sans texte',
  senderName: 'Sacha Bernard',
  senderEmail: 'sacha.bernard@mairie-exemple.fr',
  messageId: '<rappel-sans-texte@mairie-exemple.fr>',
  date: new Date(Date.UTC(2026, 6, 1, 14, 0)),
  read: false,
  recipients: [{ name: 'Agnès Roux', email: 'agnes.roux@mairie-exemple.fr' }],
};

describe('importation de messages Outlook (.msg)', () => {
  it('le fichier écrit pour le test est lu pareil par msgreader et par msgconvert (lecteur indépendant)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-mig-msg-lecteurs-'));
    const file = path.join(dir, 'compte-rendu.msg');
    const bytes = writeMsg(WITH_ATTACHMENTS);
    fs.writeFileSync(file, bytes);

    const reader = new MsgReader(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    const data = reader.getFileData();
    expect(data.error).toBeUndefined();
    expect(data.subject).toBe(WITH_ATTACHMENTS.subject);
    expect(data.body).toBe(WITH_ATTACHMENTS.body);
    expect(data.senderEmail).toBe(WITH_ATTACHMENTS.senderEmail);
    expect(data.recipients?.map((r) => [r.name, r.smtpAddress, r.recipType])).toEqual([
      ['Agnès Roux', 'agnes.roux@mairie-exemple.fr', 'to'],
      ['Bruno Petit', 'bruno.petit@mairie-exemple.fr', 'cc'],
    ]);
    const attachments = (data.attachments ?? []).map((a) => reader.getAttachment(a));
    expect(attachments.map((a) => a.fileName)).toEqual([PDF_NAME, TXT_NAME]);
    expect(Buffer.from(attachments[0].content).equals(PDF)).toBe(true);
    expect(Buffer.from(attachments[1].content).equals(TXT)).toBe(true);

    // Debian's msgconvert (Perl, OLE::Storage_Lite): another reading of the same container and property streams.
    const eml = path.join(dir, 'compte-rendu.eml');
    execFileSync('msgconvert', ['--outfile', eml, file], { stdio: ['ignore', 'ignore', 'pipe'] });
    const converted = await PostalMime.parse(fs.readFileSync(eml));
    expect(converted.subject).toBe(WITH_ATTACHMENTS.subject);
    expect(converted.from?.address).toBe(WITH_ATTACHMENTS.senderEmail);
    expect(converted.messageId).toBe(WITH_ATTACHMENTS.messageId);
    expect(converted.attachments.map((a) => a.filename)).toEqual([PDF_NAME, TXT_NAME]);
    expect(Buffer.from(converted.attachments[0].content as ArrayBuffer).equals(PDF)).toBe(true);
    expect(Buffer.from(converted.attachments[1].content as ArrayBuffer).equals(TXT)).toBe(true);
  });

  it(
    'pièces jointes aux noms non ASCII, message sans corps, .msg abîmés : importés ou ignorés un par un, sans doublon à la seconde fois',
    { timeout: 120_000 },
    async () => {
      const s = getServers();
      const user = addImapUser(s, 'mig-msg');
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-mig-msg-'));
      const folder = path.join(dir, 'Messages Outlook');
      fs.mkdirSync(folder);
      const good = writeMsg(WITH_ATTACHMENTS);
      fs.writeFileSync(path.join(folder, 'Compte rendu été.msg'), good);
      fs.writeFileSync(path.join(folder, 'Rappel.msg'), writeMsg(NO_BODY));
      // The header intact, every sector after it zeroed: all sector chains loop on sector 0.
      fs.writeFileSync(path.join(folder, 'abîmé.msg'), Buffer.concat([good.subarray(0, 512), Buffer.alloc(good.length - 512)]));
      fs.writeFileSync(path.join(folder, 'tronqué.msg'), good.subarray(0, good.length >> 1));
      await (await imapConnection(s, user)).logout();
      const core = await Core.open({ profileDir: path.join(dir, 'profil'), mode: 'cli', policyPath: null });
      try {
        const account = await core.handle('accounts.add', {
          email: user.email,
          password: user.password,
          settings: { imap: `imaps://localhost:${s.imap.tlsPort}`, smtp: `smtps://localhost:${s.smtp.tlsPort}` },
        });
        const report = await core.handle('migration.run', { paths: [folder], accountId: account.id });
        expect(report.state).toBe('done');
        const f = report.folders.find((x) => x.source === 'Messages Outlook');
        expect(f?.imported).toBe(2);
        expect(f?.skipped).toBe(2);
        const reasons = report.skipped.map((x) => `${x.item} : ${x.reason}`).join('\n');
        expect(reasons).toMatch(/abîmé\.msg : message Outlook \(\.msg\) abîmé\u00a0: sa structure interne est incohérente/);
        expect(reasons).toMatch(/tronqué\.msg : message Outlook \(\.msg\) abîmé/);
        const again = await core.handle('migration.run', { paths: [folder], accountId: account.id });
        expect(again.totals.imported).toBe(0);
        expect(again.totals.alreadyPresent).toBe(2);

        const client = await imapConnection(s, user);
        try {
          const lock = await client.getMailboxLock(f!.target, { readOnly: true });
          try {
            const got = [];
            for await (const m of client.fetch('1:*', { flags: true, source: true }))
              got.push({ seen: m.flags?.has('\\Seen') ?? false, mail: await PostalMime.parse(m.source!) });
            expect(got.length).toBe(2);
            const cr = got.find((g) => g.mail.messageId === WITH_ATTACHMENTS.messageId)!;
            expect(cr.mail.subject).toBe(WITH_ATTACHMENTS.subject);
            expect(cr.mail.from?.name).toBe('Élise Martin');
            expect(cr.mail.text?.replace(/\r\n/g, '\n').trim()).toBe(WITH_ATTACHMENTS.body!.replace(/\r\n/g, '\n'));
            expect(cr.mail.to?.map((x) => x.address)).toEqual(['agnes.roux@mairie-exemple.fr']);
            expect(cr.mail.cc?.map((x) => x.address)).toEqual(['bruno.petit@mairie-exemple.fr']);
            expect(new Date(cr.mail.date!).toISOString()).toBe(WITH_ATTACHMENTS.date!.toISOString());
            expect(cr.seen).toBe(true);
            expect(cr.mail.attachments.map((a) => [a.filename, a.mimeType])).toEqual([
              [PDF_NAME, 'application/pdf'],
              [TXT_NAME, 'text/plain'],
            ]);
            expect(Buffer.from(cr.mail.attachments[0].content as ArrayBuffer).equals(PDF)).toBe(true);
            expect(Buffer.from(cr.mail.attachments[1].content as ArrayBuffer).equals(TXT)).toBe(true);
            const reminder = got.find((g) => g.mail.messageId === NO_BODY.messageId)!;
            expect(reminder.mail.subject).toBe('Rappel sans texte');
            expect(reminder.mail.text ?? '').toBe('');
            expect(reminder.mail.attachments).toEqual([]);
            expect(reminder.seen).toBe(false);
          } finally {
            lock.release();
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
