/** IMAP access to a test user's mailbox for the Courrier specs: setup by APPEND, clean-up by Message-ID. */
import fs from 'node:fs';
import { ImapFlow } from 'imapflow';
import { servers } from './ostal.js';

/** A logged-in IMAP client for `servers().users[index]` (implicit TLS, the run's CA). */
export async function imapFor(index: number): Promise<ImapFlow> {
  const s = servers();
  const user = s.users[index];
  const client = new ImapFlow({ host: 'localhost', port: s.imap.tlsPort, secure: true, auth: { user: user.username, pass: user.password }, tls: { ca: fs.readFileSync(s.caCertPath, 'utf8') }, logger: false });
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
