/**
 * Réglages › « Messages disponibles hors ligne » : the space used on this computer (« 2,4 Go sur cet ordinateur ») and
 * « Libérer de l'espace » against the test Dovecot: with « Les 3 derniers mois », the bodies of older messages leave
 * the disk (their rows and headers stay, the list is unchanged), nothing unsent is touched (Boîte d'envoi, brouillon,
 * a copy not yet on the server), a dropped message opens again online, and `ostal mail free-space --json` says the same.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MailFreeSpaceResult, MailOfflineSpace } from '../../src/shared/contract.js';
import { getServers } from '../servers/testing.js';
import type { TestUser } from '../servers/types.js';
import { addAccount, openTestCore, type TestProfile } from './mail-sync-fixture.js';
import { addImapUser, appendMessages, generateMessages, type GeneratedMessage } from './mail-offline-fixture.js';

const REPO = path.resolve(import.meta.dirname, '../..');
const COUNT = 400;
const FOLDERS = ['INBOX', 'Archive', 'Sent', 'Projets'] as const;
const run = promisify(execFile);

function blobFiles(profileDir: string, accountId: string): string[] {
  const dir = path.join(profileDir, 'blobs', 'mail', accountId);
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => n.endsWith('.eml')) : [];
}

describe('« Libérer de l’espace » (courrier hors ligne)', () => {
  let user: TestUser;
  let messages: GeneratedMessage[];
  let profile: TestProfile;
  let accountId: string;
  /** Messages received before the « 3 derniers mois » window (computed from the generated dates). */
  let older = 0;

  beforeAll(async () => {
    const s = getServers();
    user = addImapUser(s, 'espace');
    messages = generateMessages(COUNT, { seed: 31, folders: FOLDERS, bodyBytes: 3000, domain: s.domain, to: user.email });
    await appendMessages(s, user, messages);
    profile = await openTestCore();
    accountId = await addAccount(profile.core, user, { imap: `imaps://localhost:${s.imap.tlsPort}`, smtp: 'smtp://localhost:9' });
  }, 120_000);

  afterAll(async () => {
    await profile?.close().catch(() => undefined);
  });

  it('shows the space used, drops bodies outside the window only, never anything unsent', { timeout: 120_000 }, async () => {
    const { core } = profile;
    const report = await core.handle('sync.run', { accountId, only: 'mail' });
    expect(report.accounts[0].ok, JSON.stringify(report)).toBe(true);

    // Space: every body local; the bytes are those of the files on disk.
    const before: MailOfflineSpace = await core.handle('mail.offlineSpace', {});
    const files = blobFiles(profile.dir, accountId);
    expect(before.bodies).toBe(COUNT);
    expect(files.length).toBe(COUNT);
    const onDisk = files.reduce((n, f) => n + fs.statSync(path.join(profile.dir, 'blobs', 'mail', accountId, f)).size, 0);
    expect(before.bodiesBytes).toBe(onDisk);
    expect(before.databaseBytes).toBeGreaterThan(0);
    expect(before.bytes).toBe(before.bodiesBytes + before.databaseBytes);

    // Nothing unsent may go: a message in the Boîte d'envoi (SMTP unreachable: it stays queued), a draft, and a copy
    // of an old message into Projets not yet replayed on the server (a row without server UID pointing at its blob).
    const queued = await core.handle('mail.send', { accountId, to: [user.email], subject: 'Pas encore parti', text: 'Texte à envoyer.' });
    const draft = await core.handle('mail.draft.save', { accountId, to: [user.email], subject: 'Brouillon', text: 'Pas fini.' });
    // The draft also goes to the server's Brouillons now (the queued message stays: SMTP is unreachable); the next
    // sync brings that copy back as one more recent message, inside every window.
    await core.handle('mail.outbox.drain', { accountId, ignoreBackoff: true });
    const archive = (await core.handle('mail.messages', { accountId, folder: 'Archive', offset: 0, limit: 1000 })).filter((m) => m.uid > 0);
    const old = archive.sort((a, b) => (a.date ?? '').localeCompare(b.date ?? ''))[0];
    await core.handle('mail.act', { accountId, folder: 'Archive', uids: [old.uid], action: 'copy', target: 'Projets' });
    const copyPath = core.ctx.db
      .prepare(`SELECT m.body_path FROM mail_messages m JOIN mail_folders f ON f.id = m.folder_id WHERE f.path = 'Projets' AND m.uid <= 0`)
      .pluck()
      .get() as string;
    expect(copyPath).toBeTruthy();

    // « Tous »: nothing to free.
    const none: MailFreeSpaceResult = await core.handle('mail.freeSpace', {});
    expect(none.droppedBodies).toBe(0);
    expect(none.freedBytes).toBe(0);

    // « Les 3 derniers mois »: exactly the messages received before the window lose their local body.
    await core.handle('settings.set', { key: 'mail.offlineWindow', value: '3months' });
    const since = new Date();
    since.setUTCMonth(since.getUTCMonth() - 3);
    older = messages.filter((m) => m.date < since).length;
    expect(older).toBeGreaterThan(COUNT / 2);
    const freed: MailFreeSpaceResult = await core.handle('mail.freeSpace', {});
    expect(freed.droppedBodies).toBe(older);
    const left = blobFiles(profile.dir, accountId);
    // The old message copied into Projets keeps its blob (one file for both rows).
    expect(left.length).toBe(COUNT - older + 1);
    expect(fs.existsSync(path.join(profile.dir, 'blobs', copyPath))).toBe(true);
    expect(freed.freedBytes).toBe(
      onDisk - left.reduce((n, f) => n + fs.statSync(path.join(profile.dir, 'blobs', 'mail', accountId, f)).size, 0),
    );
    expect(freed.space.bodiesBytes).toBe(before.bodiesBytes - freed.freedBytes);

    // The list and the headers stay (the copy is one more row); Boîte d'envoi and draft are untouched.
    const status = await core.handle('status.cli', {});
    const folders = status.accounts[0].folders;
    expect(folders.filter((f) => (FOLDERS as readonly string[]).includes(f.path)).reduce((n, f) => n + f.total, 0)).toBe(COUNT + 1);
    expect(folders.reduce((n, f) => n + f.bodiesCached, 0)).toBe(COUNT - older + 1);
    const outbox = await core.handle('mail.outbox.list', { accountId, includeDrafts: true });
    expect(outbox.map((e) => e.id).sort()).toEqual([queued.id, draft.id].sort());
    const rawPaths = core.ctx.db.prepare('SELECT raw_path FROM outbox WHERE raw_path IS NOT NULL').pluck().all() as string[];
    expect(rawPaths.length).toBeGreaterThan(0);
    for (const p of rawPaths) expect(fs.existsSync(path.join(profile.dir, 'blobs', p)), p).toBe(true);

    // A dropped message opens again online (fetched and kept), and a resync does not bring the others back.
    const dropped = (await core.handle('mail.messages', { accountId, folder: 'Archive', offset: 0, limit: 1000 })).find(
      (m) => m.uid > 0 && m.uid !== old.uid && m.date !== null && new Date(m.date) < since,
    )!;
    const opened = await core.handle('mail.message', { accountId, folder: 'Archive', uid: dropped.uid });
    expect(opened.text).toMatch(/\S/);
    await core.handle('sync.run', { accountId, only: 'mail' });
    // Kept: the window, the copy into Projets, the message opened online, and the draft's copy from Brouillons.
    expect(blobFiles(profile.dir, accountId).length).toBe(COUNT - older + 3);
  });

  it('`ostal mail space` and `mail free-space --json` answer in the same shape', { timeout: 60_000 }, async () => {
    await profile.core.close();
    const env = {
      ...process.env,
      NODE_EXTRA_CA_CERTS: getServers().caCertPath,
      OSTAL_POLICIES: path.join(os.tmpdir(), 'ostal-no-policy.json'),
    };
    const dir = profile.dir;
    const space = await run(process.execPath, ['bin/ostal.mjs', 'mail', 'space', '--profile', dir], { cwd: REPO, env });
    expect(space.stdout).toMatch(
      /^Courrier hors ligne\u00a0: [\d\u202f,]+\u00a0(Ko|Mo|Go) sur cet ordinateur \([\d\u202f]+ messages lisibles sans connexion\)\.\n$/,
    );
    const json = await run(process.execPath, ['bin/ostal.mjs', 'mail', 'free-space', '--json', '--profile', dir], { cwd: REPO, env });
    const r = JSON.parse(json.stdout) as MailFreeSpaceResult;
    // Outside the window again: the message opened online above, and the copy into Projets now on the server.
    expect(r.droppedBodies).toBe(2);
    expect(r.space.bodies).toBe(COUNT - older + 1);
    expect(blobFiles(dir, accountId).length).toBe(COUNT - older + 1);
  });
});
