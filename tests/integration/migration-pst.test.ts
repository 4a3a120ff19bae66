/**
 * Migration of Outlook data files into the test Dovecot (real sockets): the sample PST and OST shipped by
 * pst-extractor, message counts per folder against Debian's readpst (pst-utils) on the same file, a second run adds
 * nothing, kill -9 during the import then resume (no duplicate, no missing message, by Message-ID per folder), and
 * files of another kind or damaged get a French message with nothing imported.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ImapFlow } from 'imapflow';
import { describe, expect, it } from 'vitest';
import { Core } from '../../src/core.js';
import type { MigrationReport } from '../../src/shared/contract.js';
import { getServers } from '../servers/testing.js';
import { addImapUser, imapConnection } from './mail-offline-fixture.js';
import type { TestUser } from '../servers/types.js';

const REPO = path.resolve(import.meta.dirname, '../..');
const SAMPLES = path.join(REPO, 'node_modules/pst-extractor/example/testdata');
const PST = path.join(SAMPLES, 'enron.pst');
const OST = path.join(SAMPLES, 'pstextractortest@outlook.com.ost');

/** readpst's count of messages per folder (path below the file's top folder, « / » between names). */
function readpstCounts(file: string): Map<string, number> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-readpst-'));
  // -D: Deleted Items too (readpst leaves it out by default); -M: one file per item; -r: the folder tree; -j 0: no
  // parallel jobs (with them, readpst may exit before its last child has written the folder's last item: 70 of 71
  // files, about one run in 20 here).
  execFileSync('readpst', ['-j', '0', '-D', '-q', '-r', '-M', '-o', out, file]);
  const counts = new Map<string, number>();
  const walk = (dir: string, names: string[]) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(dir, e.name), [...names, e.name]);
      else if (names.length > 1) counts.set(names.slice(1).join(' / '), (counts.get(names.slice(1).join(' / ')) ?? 0) + 1);
    }
  };
  walk(out, []);
  fs.rmSync(out, { recursive: true, force: true });
  return counts;
}

async function openCore(profileDir: string, user: TestUser): Promise<{ core: Core; accountId: string }> {
  const s = getServers();
  const core = await Core.open({ profileDir, mode: 'cli', policyPath: null });
  let account = (await core.handle('accounts.list', {}))[0];
  if (!account) {
    // A user just added to Dovecot's passwd file can be refused for a moment: wait until a login works.
    await (await imapConnection(s, user)).logout();
    const settings = { imap: `imaps://localhost:${s.imap.tlsPort}`, smtp: `smtps://localhost:${s.smtp.tlsPort}` };
    account = await core.handle('accounts.add', { email: user.email, password: user.password, settings });
  }
  return { core, accountId: account.id };
}

/** Message-IDs per IMAP folder (each folder's list sorted). */
async function serverMessageIds(client: ImapFlow): Promise<Map<string, string[]>> {
  const result = new Map<string, string[]>();
  for (const box of await client.list()) {
    const status = await client.status(box.path, { messages: true });
    if (!status || !status.messages) continue;
    const lock = await client.getMailboxLock(box.path, { readOnly: true });
    try {
      const ids: string[] = [];
      for await (const m of client.fetch('1:*', { envelope: true })) ids.push(m.envelope?.messageId ?? '');
      result.set(box.path, ids.sort());
    } finally {
      lock.release();
    }
  }
  return result;
}

function reportCounts(report: MigrationReport): Map<string, number> {
  const m = new Map<string, number>();
  for (const f of report.folders) if (f.kind === 'mail') m.set(f.source, f.imported + f.alreadyPresent);
  return m;
}

describe('importation de fichiers Outlook (.pst, .ost) dans le serveur IMAP', () => {
  it(
    'le PST d’exemple : mêmes nombres de messages par dossier que readpst ; une seconde importation n’ajoute rien',
    { timeout: 180_000 },
    async () => {
      const s = getServers();
      const user = addImapUser(s, 'mig-pst');
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-mig-'));
      const before = fs.readFileSync(PST);
      const { core, accountId } = await openCore(path.join(dir, 'profil'), user);
      let first: MigrationReport;
      let second: MigrationReport;
      try {
        first = await core.handle('migration.run', { paths: [PST], accountId });
        second = await core.handle('migration.run', { paths: [PST], accountId });
      } finally {
        await core.close();
      }
      const reference = readpstCounts(PST);
      expect(reference.size).toBeGreaterThan(3);
      expect(Object.fromEntries(reportCounts(first))).toEqual(Object.fromEntries(reference));
      expect(first.totals.imported).toBe([...reference.values()].reduce((a, b) => a + b, 0));
      expect(second.totals.imported).toBe(0);
      expect(second.totals.alreadyPresent).toBe(first.totals.imported);
      // On the server: each folder holds what readpst counts, once.
      const client = await imapConnection(s, user);
      try {
        const ids = await serverMessageIds(client);
        for (const f of first.folders) {
          expect(ids.get(f.target)?.length, f.target).toBe(reference.get(f.source));
          expect(new Set(ids.get(f.target)).size).toBe(ids.get(f.target)?.length);
        }
        // Outlook's « Sent Items » one level down stays a folder of its own (only the top level maps to Envoyés).
        expect([...ids.keys()].some((p) => p.endsWith('Sent Items'))).toBe(true);
        // Read state kept: the enron sample's messages are read in Outlook.
        const lock = await client.getMailboxLock(first.folders[0].target, { readOnly: true });
        try {
          const flags = [];
          for await (const m of client.fetch('1:*', { flags: true })) flags.push(m.flags?.has('\\Seen'));
          expect(flags.length).toBeGreaterThan(0);
        } finally {
          lock.release();
        }
      } finally {
        await client.logout();
      }
      // Nothing in the source changed.
      expect(fs.readFileSync(PST).equals(before)).toBe(true);
    },
  );

  it(
    'l’OST d’exemple : Boîte de réception, Éléments envoyés et Éléments supprimés vont dans les dossiers du compte',
    { timeout: 180_000 },
    async () => {
      const s = getServers();
      const user = addImapUser(s, 'mig-ost');
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-mig-'));
      const { core, accountId } = await openCore(path.join(dir, 'profil'), user);
      let report: MigrationReport;
      let again: MigrationReport;
      try {
        report = await core.handle('migration.run', { paths: [OST], accountId });
        again = await core.handle('migration.run', { paths: [OST], accountId });
      } finally {
        await core.close();
      }
      const reference = readpstCounts(OST);
      const mail = reportCounts(report);
      for (const [folder, n] of mail) expect(n, folder).toBe(reference.get(folder));
      expect(mail.get('Inbox')).toBe(10);
      const byName = new Map(report.folders.map((f) => [f.source, f.target]));
      expect(byName.get('Inbox')).toBe('INBOX');
      const client = await imapConnection(s, user);
      try {
        const boxes = await client.list();
        const special = (use: string) => boxes.find((b) => b.specialUse === use)?.path;
        expect(byName.get('Sent Items')).toBe(special('\\Sent'));
        expect(byName.get('Deleted Items')).toBe(special('\\Trash'));
        const ids = await serverMessageIds(client);
        expect(ids.get('INBOX')?.length).toBe(10);
        expect(ids.get(special('\\Sent')!)?.length).toBe(2);
      } finally {
        await client.logout();
      }
      expect(again.totals.imported).toBe(0);
      // Items the reader cannot read are listed with a French reason, never silently dropped.
      for (const sk of report.skipped) expect(sk.reason).toMatch(/[a-zé]/);
    },
  );

  it('fichiers d’un autre genre ou abîmés : message en français, rien d’importé', { timeout: 120_000 }, async () => {
    const s = getServers();
    const user = addImapUser(s, 'mig-bad');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-mig-'));
    const truncated = path.join(dir, 'tronqué.pst');
    fs.writeFileSync(truncated, fs.readFileSync(PST).subarray(0, 4096));
    const random = path.join(dir, 'hasard.pst');
    fs.writeFileSync(random, Buffer.from(Array.from({ length: 8192 }, (_, i) => (i * 7919 + 13) % 251)));
    const text = path.join(dir, 'note.msg');
    fs.writeFileSync(text, 'Ceci est une note, pas un message Outlook.\n');
    const { core, accountId } = await openCore(path.join(dir, 'profil'), user);
    try {
      const report = await core.handle('migration.run', { paths: [truncated, random, text], accountId });
      expect(report.totals.imported).toBe(0);
      const errors = report.sources.map((x) => x.error ?? '');
      expect(errors[0]).toMatch(/Ce fichier Outlook est abîmé ou incomplet/);
      expect(errors[1]).toMatch(/porte le nom d’un fichier Outlook \(\.pst, \.ost\) mais n’en est pas un/);
      expect(errors[2]).toMatch(/porte le nom d’un message Outlook \(\.msg\) mais n’en est pas un/);
    } finally {
      await core.close();
    }
  });

  it('arrêt brutal (kill -9) pendant l’importation, puis reprise : ni doublon ni message manquant', { timeout: 600_000 }, async () => {
    const s = getServers();
    const user = addImapUser(s, 'mig-kill');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-mig-kill-'));
    const profileDir = path.join(dir, 'profil');
    const { core } = await openCore(profileDir, user);
    await core.close();
    const app = path.join(dir, 'app.mts');
    fs.writeFileSync(
      app,
      `import { Core } from ${JSON.stringify(path.join(REPO, 'src/core.ts'))};
       const core = await Core.open({ profileDir: process.argv[2], mode: 'cli', policyPath: null });
       core.onEvent((e, d) => { if (e === 'migration.progress' && d.done > 0) process.stdout.write('P' + d.done + '\\n'); });
       await core.handle('migration.run', { paths: [process.argv[3]] });
       process.stdout.write('FIN\\n');
       await core.close();`,
    );
    let seed = 11;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const ROUNDS = 10;
    let finished = false;
    let killed = 0;
    for (let round = 0; round < ROUNDS && !finished; round++) {
      // Each item slowed down by 60 ms so that every round is killed mid-import (progress lines come every 250 ms).
      const child = spawn(process.execPath, ['--import', 'tsx', app, profileDir, PST], {
        cwd: REPO,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, OSTAL_IMPORT_ITEM_DELAY_MS: '60' },
      });
      const target = 2 + Math.floor(random() * 9);
      await new Promise<void>((resolve) => {
        let seen = 0;
        child.stdout.on('data', (chunk: Buffer) => {
          const text = chunk.toString();
          if (text.includes('FIN')) finished = true;
          seen += (text.match(/^P/gm) ?? []).length;
          // child.killed: a chunk read after the signal was sent but before the exit must not count a second kill.
          if (seen >= target && !finished && child.exitCode === null && !child.killed) {
            killed++;
            child.kill('SIGKILL');
          }
        });
        let errors = '';
        child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
        child.on('exit', () => {
          if (errors.trim()) process.stderr.write(errors.slice(-3000));
          resolve();
        });
      });
    }
    // Every round was killed mid-import.
    expect(killed).toBe(ROUNDS);
    expect(finished).toBe(false);
    const again = await openCore(profileDir, user);
    try {
      const final = await again.core.handle('migration.run', { paths: [PST] });
      expect(final.folders.some((f) => f.kind === 'mail' && f.alreadyPresent > 0)).toBe(true);
    } finally {
      await again.core.close();
    }
    // The reference is what a clean import of the same file gives another fresh user: the same Message-IDs, folder by
    // folder (readpst's counts are checked against a clean import by the first test of this file).
    const cleanUser = addImapUser(s, 'mig-clean');
    const clean = await openCore(path.join(dir, 'profil-propre'), cleanUser);
    try {
      await clean.core.handle('migration.run', { paths: [PST] });
    } finally {
      await clean.core.close();
    }
    const idsOf = async (who: TestUser) => {
      const client = await imapConnection(s, who);
      try {
        return await serverMessageIds(client);
      } finally {
        await client.logout();
      }
    };
    const ids = await idsOf(user);
    const reference = await idsOf(cleanUser);
    expect(reference.size).toBeGreaterThan(0);
    for (const [folder, list] of reference) {
      expect(ids.get(folder), folder).toEqual(list);
      expect(new Set(list).size, folder).toBe(list.length);
    }
    expect([...ids.keys()].sort()).toEqual([...reference.keys()].sort());
  });
});
