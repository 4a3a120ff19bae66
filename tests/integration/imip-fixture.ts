/**
 * What the iMIP integration tests share: a message with a text/calendar part delivered through the test submission
 * server (as Ostal's peers or a forger would send it), and a message opened through the reader once the mail sync
 * has brought it.
 */
import nodemailer from 'nodemailer';
import type { Core } from '../../src/core.js';
import { getServers, type testUser } from '../servers/testing.js';

type TestUser = ReturnType<typeof testUser>;

/** Send an iMIP message authenticated as `login`, with any From header (`from`, default the login's address). */
export async function deliverItip(options: { login: TestUser; from?: string; to: string; subject: string; method: string; ics: string }): Promise<void> {
  const { login, to, subject, method, ics } = options;
  const transport = nodemailer.createTransport({ host: 'localhost', port: getServers().smtp.port, secure: false, requireTLS: true, tls: { rejectUnauthorized: false }, auth: { user: login.username, pass: login.password } });
  try {
    await transport.sendMail({
      envelope: { from: login.email, to },
      from: options.from ?? login.email,
      to,
      subject,
      text: 'Voir l’invitation jointe.',
      attachments: [{ filename: 'invitation.ics', content: ics, contentType: `text/calendar; charset=utf-8; method=${method}` }],
    });
  } finally {
    transport.close();
  }
}

/** Sync the account's mail until a message of `folder` whose subject holds `needle` is there (30 s at most); open it. */
export async function openBySubject(core: Core, accountId: string, needle: string, folder = 'INBOX') {
  const deadline = Date.now() + 30_000;
  for (;;) {
    await core.handle('sync.run', { accountId, only: 'mail' });
    const found = (await core.handle('mail.messages', { accountId, folder, limit: 1000 })).find((m) => m.subject.includes(needle));
    if (found) return core.handle('mail.message', { accountId, folder, uid: found.uid });
    if (Date.now() > deadline) throw new Error(`no message « ${needle} » in ${folder} after 30 s`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
