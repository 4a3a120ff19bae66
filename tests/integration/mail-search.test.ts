/**
 * Search against the real Dovecot (agent4's mailbox, unique subjects): « reunion » finds
 * « Réunion » in a subject, in a body and in an attachment name; it works with the server
 * unreachable; when online, IMAP SEARCH completes the hits for bodies that are not local.
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImapFlow } from 'imapflow';
import type { MessageSummary } from '../../src/shared/contract.js';
import { getServers, testUser } from '../servers/testing.js';
import { addAccount, openTestCore, serverConnection, TcpRelay, type TestProfile } from './mail-sync-fixture.js';

const REPO = path.resolve(import.meta.dirname, '../..');
const agent = () => testUser(4);
const stamp = `s${process.pid}x${Date.now()}`;

function message(subject: string, id: string, body: string, attachment?: string): string {
  const head = [
    `From: Élodie Durand <elodie@ostal.test>`,
    `To: ${agent().email}`,
    `Subject: =?UTF-8?Q?${Buffer.from(subject).toString('hex').replace(/../g, '=$&').toUpperCase()}?=`,
    `Message-ID: ${id}`,
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
  ];
  if (!attachment)
    return [...head, 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', body, ''].join('\r\n');
  return [
    ...head,
    'Content-Type: multipart/mixed; boundary="b1"',
    '',
    '--b1',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    body,
    '--b1',
    `Content-Type: application/pdf; name*=UTF-8''${encodeURIComponent(attachment)}`,
    `Content-Disposition: attachment; filename*=UTF-8''${encodeURIComponent(attachment)}`,
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from('%PDF-1.4 test').toString('base64'),
    '--b1--',
    '',
  ].join('\r\n');
}

describe('mail search', () => {
  let profile: TestProfile;
  let relay: TcpRelay;
  let server: ImapFlow;
  let accountId: string;
  const search = (query: string, extra: Record<string, unknown> = {}): Promise<MessageSummary[]> =>
    profile.core.handle('mail.search', { query, accountId, ...extra });
  const mine = (hits: MessageSummary[]) => hits.filter((m) => m.messageId?.includes(stamp)).map((m) => m.subject);

  beforeAll(async () => {
    relay = new TcpRelay(getServers().imap.port);
    await relay.open();
    server = await serverConnection(agent());
    // Subject (INBOX, body local), body only (INBOX), attachment name only (Archives: kept headers only, see below).
    await server.append('INBOX', message(`Réunion du conseil ${stamp}`, `<sujet-${stamp}@ostal.test>`, 'Ordre du jour joint.'), []);
    await server.append('INBOX', message(`Note interne ${stamp}`, `<corps-${stamp}@ostal.test>`, 'La réunion est reportée à jeudi.'), []);
    await server.append(
      'Archive',
      message(`Documents ${stamp}`, `<pj-${stamp}@ostal.test>`, 'Voir la pièce jointe.', 'compte-rendu-réunion.pdf'),
      ['\\Seen'],
    );
    // Only on the server side: its body is not local (only the Boîte de réception is « Disponible hors ligne » here).
    await server.append('Archive', message(`Divers ${stamp}`, `<serveur-${stamp}@ostal.test>`, `Le mot clé est zanzibar${stamp}.`), [
      '\\Seen',
    ]);
    profile = await openTestCore();
    accountId = await addAccount(profile.core, agent(), { imap: `imap://localhost:${relay.port}` });
    // Headers only, then the Boîte de réception « Disponible hors ligne » by itself (the folder's own choice).
    await profile.core.handle('settings.set', { key: 'mail.offlineWindow', value: 'none' });
    expect((await profile.core.handle('sync.run', { accountId, only: 'mail' })).accounts[0].ok).toBe(true);
    expect(await profile.core.handle('mail.setFolderOffline', { accountId, folder: 'INBOX', offline: true })).toMatchObject({
      path: 'INBOX',
      offline: true,
    });
    expect((await profile.core.handle('sync.run', { accountId, only: 'mail' })).accounts[0].ok).toBe(true);
    const folders = await profile.core.handle('mail.folders', { accountId });
    const inbox = folders.find((f) => f.path === 'INBOX')!;
    expect(inbox.bodiesCached).toBe(inbox.total);
    expect(folders.find((f) => f.path === 'Archive')!.bodiesCached).toBe(0);
  });
  afterAll(async () => {
    await profile?.close();
    await server?.logout().catch(() => undefined);
    await relay?.close();
  });

  it('« reunion » finds « Réunion » in the subject, the body and an attachment name, subject first', async () => {
    // Every word is required: the stamp (in the three subjects) and « reunion » (subject, body, attachment name).
    expect(mine(await search(`reunion ${stamp}`, { server: false })).sort()).toEqual([
      `Documents ${stamp}`,
      `Note interne ${stamp}`,
      `Réunion du conseil ${stamp}`,
    ]);
    expect(mine(await search(`reunion interne conseil ${stamp}`, { server: false }))).toEqual([]);
    const all = mine(await search('reunion', { server: false, limit: 500 }));
    expect(all).toEqual(expect.arrayContaining([`Réunion du conseil ${stamp}`, `Note interne ${stamp}`, `Documents ${stamp}`]));
    expect(all.indexOf(`Réunion du conseil ${stamp}`)).toBe(0);
    const withAttachment = await search(`pj:reunion objet:${stamp}`, { server: false });
    expect(withAttachment.map((m) => m.subject)).toEqual([`Documents ${stamp}`]);
    expect(withAttachment[0]).toMatchObject({ folder: 'Archive', hasBody: false, hasAttachments: true });
    expect(mine(await search(`objet:RÉUNION ${stamp}`, { server: false }))).toEqual([`Réunion du conseil ${stamp}`]);
  });

  it('asks the server for bodies that are not local, marked hasBody false, after the local hits', async () => {
    const hits = await search(`zanzibar${stamp}`);
    expect(hits.map((m) => m.subject)).toEqual([`Divers ${stamp}`]);
    expect(hits[0]).toMatchObject({ folder: 'Archive', hasBody: false });
    expect(await search(`zanzibar${stamp}`, { server: false })).toEqual([]);
  });

  it('works with the server unreachable, quickly, and the CLI prints the same objects best first', async () => {
    const port = relay.port;
    await relay.close();
    try {
      const started = Date.now();
      const hits = mine(await search('reunion', { limit: 500 }));
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(hits).toEqual(expect.arrayContaining([`Réunion du conseil ${stamp}`, `Note interne ${stamp}`, `Documents ${stamp}`]));

      // CLI on the same profile (closed first: one process at a time).
      await profile.core.close();
      const run = spawnSync(
        process.execPath,
        ['bin/ostal.mjs', 'mail', 'search', `objet:${stamp} objet:reunion`, '--json', '--profile', profile.dir, '--account', agent().email],
        {
          cwd: REPO,
          encoding: 'utf8',
          env: { ...process.env, OSTAL_POLICIES: path.join(os.tmpdir(), 'ostal-no-policy.json') },
          timeout: 30_000,
        },
      );
      expect(run.status, run.stderr).toBe(0);
      const out = JSON.parse(run.stdout) as MessageSummary[];
      expect(out.map((m) => m.subject)).toEqual([`Réunion du conseil ${stamp}`]);
      expect(Object.keys(out[0]).sort()).toEqual(
        ['accountId', 'date', 'flags', 'folder', 'from', 'hasAttachments', 'hasBody', 'messageId', 'size', 'subject', 'to', 'uid'].sort(),
      );
      expect(out[0]).toMatchObject({ folder: 'INBOX', messageId: `<sujet-${stamp}@ostal.test>` });
    } finally {
      await relay.open(port);
    }
  });
});
