/**
 * Reading hostile mail end to end in the core: messages delivered to agent3 over SMTP submission
 * (and the monsters too big for SMTP appended over IMAP), synced headers only, then opened through
 * Core.handle('mail.message'): fetched on demand, kept as blobs, sanitised; offline answers in French.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageSummary, MessageView } from '../../src/shared/contract.js';
import { OstalError } from '../../src/errors.js';
import { getServers, testUser } from '../servers/testing.js';
import { bigAttachmentMessage, hostileSource, manyRecipientsMessage } from '../fixtures/hostile/corpus.js';
import { addAccount, openTestCore, serverConnection, TcpRelay, waitFor, type TestProfile } from './mail-sync-fixture.js';

const stamp = crypto.randomBytes(4).toString('hex');
const SMTP_FIXTURES = [
  'script.eml',
  'remote-images.eml',
  'charset-windows-1252.eml',
  'malformed-no-boundary.eml',
  'event-handlers.eml',
  'cid-inline.eml',
];

/** The fixture with a subject and Message-ID unique to this run. */
function stamped(source: Buffer, tag: string): Buffer {
  return Buffer.from(
    source
      .toString('latin1')
      .replace(/^Subject: (.*)$/m, `Subject: $1 [${tag}-${stamp}]`)
      .replace(/^Message-ID: <([^@>]+)@/m, `Message-ID: <$1-${stamp}@`),
    'latin1',
  );
}

async function apiError(p: Promise<unknown>): Promise<OstalError> {
  try {
    await p;
  } catch (err) {
    return err as OstalError;
  }
  throw new Error('expected an error');
}

describe('reading hostile mail through mail.message (agent3)', () => {
  let profile: TestProfile;
  let accountId: string;
  const relay = new TcpRelay(getServers().imap.port);
  const byTag = new Map<string, MessageSummary>();

  beforeAll(async () => {
    const s = getServers();
    const sender = testUser(4);
    const to = testUser(3).email;
    const transport = nodemailer.createTransport({
      host: 'localhost',
      port: s.smtp.port,
      secure: false,
      requireTLS: true,
      auth: { user: sender.username, pass: sender.password },
    });
    try {
      for (const file of SMTP_FIXTURES) {
        await transport.sendMail({ envelope: { from: sender.email, to }, raw: stamped(hostileSource(file), file.replace('.eml', '')) });
      }
    } finally {
      transport.close();
    }
    // Too big for SMTP submission (50 MiB limit) or too long a header for comfort: appended over IMAP.
    const server = await serverConnection(testUser(3));
    try {
      await server.append('INBOX', stamped(bigAttachmentMessage(), 'big'));
      await server.append('INBOX', stamped(manyRecipientsMessage(), 'many'));
    } finally {
      await server.logout();
    }

    await relay.open();
    profile = await openTestCore();
    accountId = await addAccount(profile.core, testUser(3), { imap: `imap://localhost:${relay.port}` });
    await profile.core.handle('settings.set', { key: 'mail.offlineWindow', value: 'none' });
    const tags = [...SMTP_FIXTURES.map((f) => f.replace('.eml', '')), 'big', 'many'];
    await waitFor(
      'hostile messages delivered and synced',
      async () => {
        await profile.core.handle('sync.run', { accountId, only: 'mail' });
        const list: MessageSummary[] = await profile.core.handle('mail.messages', { accountId, folder: 'INBOX', limit: 1000 });
        for (const tag of tags) {
          const m = list.find((x) => x.subject.endsWith(`[${tag}-${stamp}]`));
          if (m) byTag.set(tag, m);
        }
        return byTag.size === tags.length;
      },
      30_000,
    );
  }, 120_000);

  afterAll(async () => {
    // Leave agent3's mailbox as light as it was: other files sync it with prefetch on.
    const server = await serverConnection(testUser(3));
    try {
      await server.mailboxOpen('INBOX');
      const uids = (await server.search({ subject: stamp }, { uid: true })) || [];
      if (uids.length) await server.messageDelete(uids, { uid: true });
    } finally {
      await server.logout();
    }
    await relay.close();
    await profile?.close();
  });

  const open = (tag: string): Promise<MessageView> =>
    profile.core.handle('mail.message', { accountId, folder: 'INBOX', uid: byTag.get(tag)!.uid });

  it('fetches an uncached message on demand, keeps it as a blob and reads it again from there', async () => {
    expect(byTag.get('script')!.hasBody).toBe(false);
    const view = await open('script');
    expect(view.subject).toBe(`Hostile : balises script [script-${stamp}]`);
    expect(view.from).toEqual({ name: 'Pirate', address: 'pirate@example.invalid' });
    expect(view.html).toContain('Fin du message.');
    expect(view.html).not.toMatch(/<script|alert\(1\)/i);
    const list: MessageSummary[] = await profile.core.handle('mail.messages', { accountId, folder: 'INBOX', limit: 1000 });
    expect(list.find((m) => m.uid === view.uid)!.hasBody).toBe(true);
    const blobs = fs.readdirSync(path.join(profile.dir, 'blobs', 'mail', accountId)).filter((f) => f.endsWith('.eml'));
    expect(blobs.length).toBeGreaterThan(0);
    expect(await open('script')).toEqual(view);
  });

  it('event handlers are stripped and the legitimate link keeps its address', async () => {
    const view = await open('event-handlers');
    expect(view.html).not.toMatch(/\son[a-z]+=/i);
    expect(view.html).toContain('href="https://www.service-public.fr/"');
  });

  it('remote images stay blocked until « Afficher les images » for this message', async () => {
    const before = await open('remote-images');
    expect(before.hasRemoteContent).toBe(true);
    expect(before.remoteContentAllowed).toBe(false);
    expect(before.html).not.toContain('127.0.0.2');
    expect(await profile.core.handle('mail.allowRemoteContent', { accountId, folder: 'INBOX', uid: before.uid, scope: 'message' })).toEqual(
      { allowed: true },
    );
    const after = await open('remote-images');
    expect(after.remoteContentAllowed).toBe(true);
    expect(after.html).toContain('src="http://127.0.0.2:9/banniere.png"');
    // Only this message: another message of another sender stays blocked.
    expect((await open('script')).remoteContentAllowed).toBe(false);
  });

  it('« Toujours pour cet expéditeur » allows every message of that sender', async () => {
    const script = await open('script');
    const events = await open('event-handlers');
    expect(events.remoteContentAllowed).toBe(false);
    await profile.core.handle('mail.allowRemoteContent', { accountId, folder: 'INBOX', uid: script.uid, scope: 'sender' });
    expect((await open('event-handlers')).remoteContentAllowed).toBe(true);
  });

  it('decodes Windows-1252 and encoded words', async () => {
    const view = await open('charset-windows-1252');
    expect(view.subject).toBe(`“Réunion” décalée – coût 80 € [charset-windows-1252-${stamp}]`);
    expect(view.text.trim()).toBe('L’ordre du jour : “budget” – 50 €, œuvre, cœur.');
  });

  it('malformed MIME gives a French notice and the raw text', async () => {
    const view = await open('malformed-no-boundary');
    expect(view.notice).toMatch(/^Ce message est mal construit/);
    expect(view.text).toContain('Structure illisible');
    expect(view.html).toBeNull();
  });

  it('inline cid: image embedded, attachment listed', async () => {
    const view = await open('cid-inline');
    expect(view.html).toMatch(/src="data:image\/png;base64,/);
    expect(view.attachments.map((a) => [a.filename, a.mimeType, a.inline])).toEqual([
      ['logo.png', 'image/png', true],
      ['compte-rendu réunion.odt', 'application/vnd.oasis.opendocument.text', false],
    ]);
  });

  it('« Enregistrer »: mail.attachment gives the attachment with its name, type and exact bytes; an unknown part is refused in French', async () => {
    const view = await open('cid-inline');
    const part = view.attachments.find((a) => !a.inline)!;
    const file = await profile.core.handle('mail.attachment', { accountId, folder: 'INBOX', uid: view.uid, partId: part.id });
    expect([file.filename, file.mimeType, file.size]).toEqual([
      'compte-rendu réunion.odt',
      'application/vnd.oasis.opendocument.text',
      part.size,
    ]);
    expect(Buffer.from(file.contentBase64, 'base64').byteLength).toBe(part.size);
    const missing = await apiError(profile.core.handle('mail.attachment', { accountId, folder: 'INBOX', uid: view.uid, partId: '99' }));
    expect(missing.code).toBe('not_found');
    expect(missing.message).toBe('Cette pièce jointe est introuvable dans le message.');
  });

  it('a 50 MB attachment and 10 000 recipients open without crash', async () => {
    const big = await open('big');
    expect(big.attachments).toEqual([
      { id: '1', filename: 'archive.zip', mimeType: 'application/zip', size: 52_428_800, inline: false, contentId: null },
    ]);
    const many = await open('many');
    expect(many.to).toHaveLength(10_000);
  }, 60_000);

  /** The blob a message's row points at (absolute path), read from the profile's database. */
  const blobOf = (uid: number): string => {
    const db = new Database(path.join(profile.dir, 'ostal.sqlite'), { readonly: true });
    try {
      const row = db
        .prepare(
          `SELECT m.body_path AS p FROM mail_messages m JOIN mail_folders f ON f.id = m.folder_id
           WHERE m.account_id = ? AND f.path = 'INBOX' AND m.uid = ?`,
        )
        .get(accountId, uid) as { p: string | null } | undefined;
      if (!row?.p) throw new Error(`no blob for uid ${uid}`);
      return path.join(profile.dir, 'blobs', row.p);
    } finally {
      db.close();
    }
  };
  const hashOf = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex') + '.eml';

  it('a local copy damaged on disk (a power cut before the disk wrote it, a bad sector) is fetched again, never shown', async () => {
    const view = await open('script');
    const file = blobOf(view.uid);
    expect(hashOf(file)).toBe(path.basename(file));
    // What ext4 can leave of a file written just before a power cut: its name, no bytes.
    fs.truncateSync(file, 0);
    expect(await open('script')).toEqual(view);
    expect(hashOf(file)).toBe(path.basename(file));
    // Same size, other bytes: a size check would take it; the name (the SHA-256 of the bytes) does not.
    const bytes = fs.readFileSync(file);
    const at = bytes.indexOf('Fin du message.');
    expect(at).toBeGreaterThan(0);
    bytes.write('Fin du massage.', at);
    fs.writeFileSync(file, bytes);
    const again = await open('script');
    expect(again.html).toContain('Fin du message.');
    expect(again).toEqual(view);
    expect(hashOf(file)).toBe(path.basename(file));
  });

  it('offline: a cached message still opens; an uncached one gives a French « offline » error', async () => {
    // Put a new uncached message on the server, sync its header, then cut the line.
    const transport = nodemailer.createTransport({
      host: 'localhost',
      port: getServers().smtp.port,
      secure: false,
      requireTLS: true,
      auth: { user: testUser(4).username, pass: testUser(4).password },
    });
    await transport.sendMail({
      envelope: { from: testUser(4).email, to: testUser(3).email },
      raw: stamped(hostileSource('plain-text.eml'), 'offline'),
    });
    transport.close();
    const offline = await waitFor('offline test message', async () => {
      await profile.core.handle('sync.run', { accountId, only: 'mail' });
      const list: MessageSummary[] = await profile.core.handle('mail.messages', { accountId, folder: 'INBOX', limit: 1000 });
      return list.find((m) => m.subject.endsWith(`[offline-${stamp}]`));
    });
    await relay.close();
    const cached = await open('charset-windows-1252');
    expect(cached.text).toContain('budget');
    const err = await apiError(profile.core.handle('mail.message', { accountId, folder: 'INBOX', uid: offline.uid }));
    expect(err).toBeInstanceOf(OstalError);
    expect(err.code).toBe('offline');
    expect(err.message).toBe(
      'Ce message n’a pas encore été téléchargé et le serveur de courrier est injoignable. Il s’affichera dès que la connexion reviendra.',
    );

    // A cached copy found damaged while the server cannot be reached: said so, and no longer counted as downloaded.
    const damaged = byTag.get('script')!.uid;
    fs.truncateSync(blobOf(damaged), 10);
    const err2 = await apiError(profile.core.handle('mail.message', { accountId, folder: 'INBOX', uid: damaged }));
    expect(err2.code).toBe('offline');
    expect(err2.message).toBe(
      'La copie de ce message sur cet ordinateur est abîmée et le serveur de courrier est injoignable. Ostal le téléchargera de nouveau dès que la connexion reviendra.',
    );
    const list: MessageSummary[] = await profile.core.handle('mail.messages', { accountId, folder: 'INBOX', limit: 1000 });
    expect(list.find((m) => m.uid === damaged)!.hasBody).toBe(false);
  });

  it('an unknown message or a bad request is refused in French', async () => {
    const missing = await apiError(profile.core.handle('mail.message', { accountId, folder: 'INBOX', uid: 999_999_999 }));
    expect(missing.code).toBe('not_found');
    expect(missing.message).toMatch(/^Ce message n’existe plus/);
    const bad = await apiError(
      profile.core.handle('mail.allowRemoteContent', {
        accountId,
        folder: 'INBOX',
        uid: byTag.get('script')!.uid,
        scope: 'tout' as 'message',
      }),
    );
    expect(bad.code).toBe('invalid_input');
  });
});
