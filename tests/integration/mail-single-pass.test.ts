/**
 * `ostal sync` with every body wanted fetches headers and sources in one pass (MailSyncEngine.fetchWhole) and reads
 * the headers from the sources: the rows it stores are those the header pass (ENVELOPE, BODYSTRUCTURE) stores, field
 * by field, on messages with encoded words, groups, missing fields, attachments and threads; and the bodies are
 * stored and indexed at once (searchable, body_indexed = 1, each blob named by its SHA-256). They are stored by the
 * store worker (whole-store-host.ts), which stores exactly what the calling thread stores without it.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Core } from '../../src/core.js';
import type { Logger } from '../../src/log.js';
import { getServers } from '../servers/testing.js';
import type { TestUser } from '../servers/types.js';
import { addAccount, MemorySecretStore, openTestCore, type TestProfile } from './mail-sync-fixture.js';
import { addImapUser, appendMessages, generateMessages, type GeneratedMessage } from './mail-offline-fixture.js';

const enc = (s: string) => `=?UTF-8?B?${Buffer.from(s, 'utf8').toString('base64')}?=`;

function handmade(domain: string, to: string): GeneratedMessage[] {
  const raw = (lines: string[]) => Buffer.from(lines.join('\r\n'), 'utf8');
  const date = (d: number) => new Date(Date.UTC(2025, 2, d, 9, 30));
  const list: { folder: string; lines: string[] }[] = [
    {
      folder: 'INBOX',
      lines: [
        `From: ${enc('Élodie Garnier')} <elodie.garnier@${domain}>`,
        `To: ${to}, "Dupré, Anaïs" <anais.dupre@${domain}>`,
        `Cc: ${enc('Noël Faure')} <noel.faure@${domain}>, jerome@${domain}`,
        `Subject: ${enc('Réunion de service')} =?ISO-8859-1?Q?=E0_la_m=E9diath=E8que?=`,
        'Date: Tue, 4 Mar 2025 10:30:00 +0100 (CET)',
        `Message-ID: <reunion-1@${domain}>`,
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: 8bit',
        '',
        'Ordre du jour : déménagement du service état civil.',
        '',
      ],
    },
    {
      folder: 'INBOX',
      lines: [
        `From: "Camille Martin" <camille.martin@${domain}>`,
        `To: Conseil municipal: ${to}, bernard@${domain};`,
        'Subject: Re: Compte rendu',
        'Date: Wed, 5 Mar 2025 08:00:00 +0000',
        `Message-ID: <reponse-2@${domain}>`,
        `In-Reply-To: <reunion-1@${domain}>`,
        `References: <origine-0@${domain}>`,
        ` <reunion-1@${domain}>`,
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="limite"',
        '',
        '--limite',
        'Content-Type: text/plain; charset=iso-8859-15',
        'Content-Transfer-Encoding: quoted-printable',
        '',
        'Le proc=E8s-verbal est joint.',
        '--limite',
        'Content-Type: application/pdf; name="=?UTF-8?Q?proc=C3=A8s-verbal.pdf?="',
        "Content-Disposition: attachment; filename*=utf-8''proc%C3%A8s-verbal.pdf",
        'Content-Transfer-Encoding: base64',
        '',
        'JVBERi0xLjQK',
        '--limite--',
        '',
      ],
    },
    {
      folder: 'Archive',
      lines: [`From: dominique@${domain}`, 'Subject: sans date ni identifiant', '', 'Un message minimal.', ''],
    },
    {
      folder: 'Archive',
      lines: [
        `From: Bénédicte Roux <benedicte.roux@${domain}>`,
        `To: ${to}`,
        'Subject: Budget primitif',
        'Date: Thu, 6 Mar 2025 12:00:00 +0100',
        `Message-ID: <budget-4@${domain}>`,
        'MIME-Version: 1.0',
        'Content-Type: multipart/alternative; boundary=alt',
        '',
        '--alt',
        'Content-Type: text/html; charset=utf-8',
        '',
        '<p>Premières <b>estimations</b> du budget.</p>',
        '--alt--',
        '',
      ],
    },
  ];
  return list.map((m, i) => ({ folder: m.folder, raw: raw(m.lines), date: date(i + 1) }) as GeneratedMessage);
}

/** Every search entry, by message (what a search can find). */
const SEARCH_SQL = `SELECT f.path, m.uid, s.subject, s.sender, s.recipients, s.body, s.attachments
  FROM mail_messages m JOIN mail_folders f ON f.id = m.folder_id JOIN mail_search s ON s.rowid = m.id ORDER BY f.path, m.uid`;

const ROW_SQL = `SELECT f.path, m.uid, m.modseq, m.message_id, m.subject, m.from_name, m.from_addr, m.to_json, m.cc_json, m.date, m.internal_date,
    m.flags_json, m.seen, m.size, m.has_attachments, m.in_reply_to, m.references_json, m.attachment_names
  FROM mail_messages m JOIN mail_folders f ON f.id = m.folder_id ORDER BY f.path, m.uid`;

describe('synchronisation en une passe (en-têtes et corps ensemble)', () => {
  let user: TestUser;
  let messages: GeneratedMessage[];
  let whole: TestProfile;
  let headersOnly: TestProfile;
  let onThisThread: TestProfile;
  const logged: string[] = [];
  const capture: Logger = { info: (m) => logged.push(m), warn: (m) => logged.push(m), error: (m) => logged.push(m) };

  beforeAll(async () => {
    const s = getServers();
    user = addImapUser(s, 'unepasse');
    messages = [
      ...handmade(s.domain, user.email),
      ...generateMessages(300, { seed: 41, folders: ['INBOX', 'Archive'], bodyBytes: 1500, domain: s.domain, to: user.email }),
    ];
    await appendMessages(s, user, messages);
    // The one-pass sync's log: says whether its store worker started.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-mailsync-'));
    const core = await Core.open({ profileDir: dir, mode: 'cli', secrets: new MemorySecretStore(), policyPath: null, logger: capture });
    whole = { core, dir, close: async () => (await core.close(), fs.rmSync(dir, { recursive: true, force: true })) };
    headersOnly = await openTestCore();
    onThisThread = await openTestCore();
  }, 120_000);
  afterAll(async () => {
    await whole?.close();
    await headersOnly?.close();
    await onThisThread?.close();
  });

  it('stores the rows the header pass stores, with every body indexed at once', { timeout: 120_000 }, async () => {
    const a = await addAccount(whole.core, user);
    const b = await addAccount(headersOnly.core, user);
    // « Aucun »: no body wanted, so the header pass (ENVELOPE, BODYSTRUCTURE) runs, as before the one-pass fetch.
    await headersOnly.core.handle('settings.set', { key: 'mail.offlineWindow', value: 'none' });
    expect((await whole.core.handle('sync.run', { accountId: a, only: 'mail' })).accounts[0].ok).toBe(true);
    expect((await headersOnly.core.handle('sync.run', { accountId: b, only: 'mail' })).accounts[0].ok).toBe(true);

    const rowsWhole = whole.core.ctx.db.prepare(ROW_SQL).all();
    const rowsHeaders = headersOnly.core.ctx.db.prepare(ROW_SQL).all();
    expect(rowsWhole.length).toBe(messages.length);
    expect(rowsWhole).toEqual(rowsHeaders);
    // Stored by the worker thread, not by the thread that drives IMAP.
    expect(logged).toContain('mail: store worker ready');
    expect(logged.filter((m) => m.includes('store worker') && m !== 'mail: store worker ready')).toEqual([]);

    // Every body local and indexed, each blob named by its content.
    const stored = whole.core.ctx.db.prepare('SELECT body_path AS p, body_indexed AS i FROM mail_messages').all() as {
      p: string | null;
      i: number;
    }[];
    expect(stored.every((r) => r.p !== null && r.i === 1)).toBe(true);
    for (const { p } of stored) {
      const data = fs.readFileSync(path.join(whole.dir, 'blobs', p!));
      expect(crypto.createHash('sha256').update(data).digest('hex') + '.eml').toBe(path.basename(p!));
    }
    // Bodies, subjects, addresses and attachment names are searchable, accents aside.
    const count = async (query: string) => (await whole.core.handle('mail.searchCount', { query })).total;
    expect(await count('demenagement')).toBeGreaterThanOrEqual(1);
    expect(await count('estimations')).toBeGreaterThanOrEqual(1);
    expect(await count('proces-verbal.pdf')).toBe(await count('procès-verbal.pdf'));
    expect(await count('mediatheque')).toBeGreaterThanOrEqual(1);
    expect(await count('noel')).toBeGreaterThanOrEqual(1);

    // A resync changes nothing and fetches nothing again.
    const report = await whole.core.handle('sync.run', { accountId: a, only: 'mail' });
    expect(report.accounts[0].ok).toBe(true);
    expect(whole.core.ctx.db.prepare(ROW_SQL).all()).toEqual(rowsWhole);
  });

  it('stores on the calling thread what its store worker stores (OSTAL_MAIL_STORE_WORKER=0)', { timeout: 120_000 }, async () => {
    const c = await addAccount(onThisThread.core, user);
    process.env.OSTAL_MAIL_STORE_WORKER = '0';
    try {
      expect((await onThisThread.core.handle('sync.run', { accountId: c, only: 'mail' })).accounts[0].ok).toBe(true);
    } finally {
      delete process.env.OSTAL_MAIL_STORE_WORKER;
    }
    const rows = onThisThread.core.ctx.db.prepare(ROW_SQL).all();
    expect(rows.length).toBe(messages.length);
    expect(rows).toEqual(whole.core.ctx.db.prepare(ROW_SQL).all());
    expect(onThisThread.core.ctx.db.prepare(SEARCH_SQL).all()).toEqual(whole.core.ctx.db.prepare(SEARCH_SQL).all());
    // The same blobs (named by content, under each profile's own account folder).
    const paths = (t: TestProfile) =>
      (t.core.ctx.db.prepare('SELECT body_path FROM mail_messages').pluck().all() as string[]).map((p) => path.basename(p)).sort();
    expect(paths(onThisThread)).toEqual(paths(whole));
  });
});
