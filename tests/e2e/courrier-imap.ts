/** IMAP access to a test user's mailbox for the Courrier specs: setup by APPEND, checks by subject, clean-up by Message-ID. */
import fs from 'node:fs';
import { ImapFlow, type MessageEnvelopeObject } from 'imapflow';
import { servers } from './ostal.js';

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
