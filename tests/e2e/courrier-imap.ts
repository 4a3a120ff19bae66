/** IMAP access to a test user's mailbox for the Courrier specs: setup by APPEND, checks by subject, clean-up by Message-ID. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ImapFlow, type MessageEnvelopeObject } from 'imapflow';
import { addImapUser, imapConnection } from '../integration/mail-offline-fixture.js';
import { ensureVmailUser } from '../servers/daemons.js';
import { runLayout } from '../servers/layout.js';
import type { TestUser } from '../servers/types.js';
import { ostalEnv, servers, tempProfile } from './ostal.js';

/**
 * A new mailbox on the test Dovecot for this spec alone, its home made and owned by the mail user before the first
 * login (so that Sieve and the first APPEND find it), holding in its INBOX the messages `messages` makes for it.
 */
export async function newMailbox(
  prefix: string,
  messages: (user: TestUser) => Promise<(Buffer | string)[]> = () => Promise.resolve([]),
): Promise<TestUser> {
  const s = servers();
  const user = addImapUser(s, prefix);
  const [local, domain] = user.username.split('@') as [string, string];
  const home = path.join(runLayout(s.dir).dovecot.mail, domain, local);
  const vmail = await ensureVmailUser();
  fs.mkdirSync(home, { recursive: true, mode: 0o700 });
  fs.chownSync(home, vmail.uid, vmail.gid);
  const raws = await messages(user);
  const imap = await imapConnection(s, user);
  try {
    for (const raw of raws) await imap.append('INBOX', raw);
  } finally {
    await imap.logout().catch(() => undefined);
  }
  return user;
}

/**
 * A new profile holding `user`'s account with its mail servers given by hand, as IT would (plus `servers`, e.g. the
 * ManageSieve one), added and then synced (`sync: false` only adds) through the real CLI.
 */
export function profileWithMailAccount(user: TestUser, options: { servers?: string[]; sync?: boolean } = {}): string {
  const s = servers();
  const profileDir = tempProfile();
  const env = ostalEnv(s, { OSTAL_E2E_PASSWORD: user.password });
  const add = ['account', 'add', '--email', user.email, '--name', user.name, '--password-env', 'OSTAL_E2E_PASSWORD'];
  const mail = ['--imap', `imap://localhost:${s.imap.port}`, '--smtp', `smtp://localhost:${s.smtp.port}`, ...(options.servers ?? [])];
  for (const args of [[...add, ...mail], ...(options.sync === false ? [] : [['sync', '--only', 'mail']])]) {
    const r = spawnSync(process.execPath, ['bin/ostal.mjs', ...args, '--profile', profileDir], { env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`ostal ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
  return profileDir;
}

/** A logged-in IMAP client for `servers().users[index]` (implicit TLS, the run's CA). */
export async function imapFor(index: number): Promise<ImapFlow> {
  const s = servers();
  const user = s.users[index];
  const client = new ImapFlow({
    host: 'localhost',
    port: s.imap.tlsPort,
    secure: true,
    auth: { user: user.username, pass: user.password },
    tls: { ca: fs.readFileSync(s.caCertPath, 'utf8') },
    logger: false,
  });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** Deletes from the user's INBOX the messages whose Message-ID contains `fragment`. */
export async function deleteFromInbox(index: number, fragment: string): Promise<void> {
  const client = await imapFor(index);
  try {
    await client.mailboxOpen('INBOX');
    const uids = (await client.search({ header: { 'message-id': fragment } }, { uid: true })) || [];
    if (uids.length) await client.messageDelete(uids, { uid: true });
  } finally {
    await client.logout().catch(() => undefined);
  }
}

/** The envelope of the newest message of the user's INBOX whose subject contains `subject` (null when none). */
export async function lastEnvelope(index: number, subject: string): Promise<MessageEnvelopeObject | null> {
  const client = await imapFor(index);
  try {
    const lock = await client.getMailboxLock('INBOX');
    try {
      const uids = await client.search({ subject }, { uid: true });
      if (!Array.isArray(uids) || uids.length === 0) return null;
      const msg = await client.fetchOne(String(uids[uids.length - 1]), { envelope: true }, { uid: true });
      return msg ? (msg.envelope ?? null) : null;
    } finally {
      lock.release();
    }
  } finally {
    await client.logout().catch(() => undefined);
  }
}

/** The raw sources of the messages of a folder whose subject contains `subject` (oldest first). */
export async function sourcesBySubject(index: number, folder: string, subject: string): Promise<string[]> {
  const client = await imapFor(index);
  try {
    const lock = await client.getMailboxLock(folder);
    try {
      const uids = await client.search({ subject }, { uid: true });
      const out: string[] = [];
      for (const uid of Array.isArray(uids) ? uids : []) {
        const msg = await client.fetchOne(String(uid), { source: true }, { uid: true });
        if (msg && msg.source) out.push(msg.source.toString('utf8'));
      }
      return out;
    } finally {
      lock.release();
    }
  } finally {
    await client.logout().catch(() => undefined);
  }
}
