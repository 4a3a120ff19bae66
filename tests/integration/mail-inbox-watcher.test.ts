/**
 * The IDLE watcher of the Boîte de réception against the test Dovecot: a message delivered after the last sync but
 * before the watcher's SELECT is announced by no EXISTS; the watcher asks for one sync as soon as it watches, so such a
 * message is never left waiting for the next periodic sync (it was: the notifications e2e waited 30 s for nothing).
 */
import crypto from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { InboxWatcher } from '../../src/mail/inbox-watcher.js';
import { getServers } from '../servers/testing.js';
import { addImapUser, imapConnection } from './mail-offline-fixture.js';

const watchers: InboxWatcher[] = [];
afterEach(async () => {
  for (const w of watchers.splice(0)) await w.stop();
});

describe('InboxWatcher', () => {
  it('asks for a sync once it watches, then again when a message arrives during IDLE', { timeout: 30_000 }, async () => {
    const s = getServers();
    const user = addImapUser(s, 'idle-gap');
    const server = await imapConnection(s, user);
    try {
      const raw = (subject: string) =>
        [
          `From: a@ostal.test`,
          `To: ${user.email}`,
          `Subject: ${subject}`,
          `Message-ID: <${crypto.randomUUID()}@ostal.test>`,
          '',
          'x',
          '',
        ].join('\r\n');
      // Delivered before the watcher starts (after the last sync, say).
      await server.append('INBOX', raw('avant'), []);
      let changes = 0;
      const watcher = new InboxWatcher(
        {
          id: 'compte-idle',
          email: user.email,
          name: user.name,
          settings: {
            imap: `imaps://localhost:${s.imap.tlsPort}`,
            smtp: `smtps://localhost:${s.smtp.tlsPort}`,
            caldav: null,
            carddav: null,
            webdav: null,
            username: user.username,
          },
          pinnedCertificates: [],
          password: user.password,
        },
        () => changes++,
        () => undefined,
        silentLogger,
        50,
      );
      watchers.push(watcher);
      await watcher.start();
      await expect.poll(() => changes, { timeout: 5_000 }).toBe(1);
      // Nothing more while nothing happens.
      await new Promise((r) => setTimeout(r, 500));
      expect(changes).toBe(1);
      // Delivered during IDLE: announced by EXISTS.
      await server.append('INBOX', raw('pendant'), []);
      await expect.poll(() => changes, { timeout: 10_000 }).toBe(2);
    } finally {
      await server.logout();
    }
  });
});
