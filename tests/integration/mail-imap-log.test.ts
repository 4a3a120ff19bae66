/**
 * imapflow's log through Ostal's, against the test Dovecot: by default only its warnings and errors reach the core's
 * log, and imapflow is told so (it asks `isLevelEnabled` before turning a command or a response back into text for a
 * debug line: that cost ~40 ms of a no-change resync for lines nobody kept). With OSTAL_DEBUG_IMAP=1 the commands
 * and responses are in the log at info. A user of this file only.
 */
import type { ImapFlow } from 'imapflow';
import { afterEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../src/log.js';
import { connectImap, type MailAccount } from '../../src/mail/imap-client.js';
import { getServers } from '../servers/testing.js';
import type { TestUser } from '../servers/types.js';
import { addImapUser, imapConnection } from './mail-offline-fixture.js';

function capture(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const log: Logger = {
    info: (msg) => lines.push(`info ${msg}`),
    warn: (msg) => lines.push(`warn ${msg}`),
    error: (msg) => lines.push(`error ${msg}`),
  };
  return { log, lines };
}

function accountOf(user: TestUser): MailAccount {
  const s = getServers();
  return {
    id: 'journal-imap',
    email: user.email,
    name: user.name,
    settings: { imap: `imap://localhost:${s.imap.port}`, smtp: `smtp://localhost:${s.smtp.port}`, username: user.username },
    pinnedCertificates: [],
    password: user.password,
  };
}

/** imapflow's own question before building a line (internal, not in its types). */
const builds = (client: ImapFlow, level: string): boolean =>
  (client as unknown as { isLogLevelEnabled(level: string): boolean }).isLogLevelEnabled(level);

describe('IMAP: what imapflow logs through the core', () => {
  const before = process.env.OSTAL_DEBUG_IMAP;
  afterEach(() => {
    if (before === undefined) delete process.env.OSTAL_DEBUG_IMAP;
    else process.env.OSTAL_DEBUG_IMAP = before;
  });

  it('by default: no line for a whole session, and imapflow builds no debug or trace text', async () => {
    delete process.env.OSTAL_DEBUG_IMAP;
    const user = addImapUser(getServers(), 'test-journal-imap');
    await (await imapConnection(getServers(), user)).logout(); // Dovecot knows the new user
    const { log, lines } = capture();
    const client = await connectImap(accountOf(user), { log });
    await client.mailboxOpen('INBOX');
    await client.status('INBOX', { messages: true, uidNext: true });
    expect(builds(client, 'debug')).toBe(false);
    expect(builds(client, 'info')).toBe(false);
    expect(builds(client, 'trace')).toBe(false);
    expect(builds(client, 'warn')).toBe(true);
    expect(builds(client, 'error')).toBe(true);
    await client.logout();
    expect(lines).toEqual([]);
  });

  it('with OSTAL_DEBUG_IMAP=1: the commands and the server’s answers are in the log', async () => {
    process.env.OSTAL_DEBUG_IMAP = '1';
    const user = addImapUser(getServers(), 'test-journal-imap-debug');
    await (await imapConnection(getServers(), user)).logout();
    const { log, lines } = capture();
    const client = await connectImap(accountOf(user), { log });
    await client.mailboxOpen('INBOX');
    expect(builds(client, 'debug')).toBe(true);
    expect(builds(client, 'trace')).toBe(false);
    await client.logout();
    expect(lines.some((l) => /^info imap: .*SELECT "?INBOX"?/.test(l))).toBe(true);
    expect(lines.some((l) => /^info imap: .*OK/.test(l))).toBe(true);
    // The password never reaches the log, even in this mode.
    expect(lines.join('\n')).not.toContain(user.password);
  });
});
