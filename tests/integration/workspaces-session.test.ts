/**
 * XmppSession.sendAndWait against the run's Prosody: a stanza that cannot be sent (the connection went away) fails at
 * once and leaves no wait behind. A wait left behind rejects at its timeout with nobody to handle it, and Node ends
 * the core on that unhandled rejection: joinRoom did that before it went through sendAndWait.
 */
import { describe, expect, it } from 'vitest';
import { joinRoom } from '../../src/workspaces/xmpp/muc.js';
import { testUser } from '../servers/testing.js';
import { plainSession } from './workspaces-fixture.js';

describe('XmppSession: send, then wait for the answer', () => {
  it('joining a room on a connection that went away fails at once, and nothing rejects later unhandled', async () => {
    const unhandled: unknown[] = [];
    const listener = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', listener);
    try {
      const session = await plainSession(testUser(5), -1);
      await session.close();
      const started = performance.now();
      await expect(joinRoom(session, 'salle-fermee@conference.ostal.test', 'agent')).rejects.toBeDefined();
      expect(performance.now() - started).toBeLessThan(5_000);
      // Past the wait's timeout (15 s): a wait left behind would have rejected by now.
      await new Promise((r) => setTimeout(r, 16_000));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', listener);
    }
  }, 30_000);
});
