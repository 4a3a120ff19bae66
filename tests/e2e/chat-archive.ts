/**
 * Fills a room's archive on the run's Prosody through a plain XMPP session of one agent (the messages the room
 * archives, as members would have written them over months): used by espaces-historique.spec.ts and by
 * `npm run bench -- espaces` (tests/bench/espaces-ui.ts).
 */
import { randomUUID } from 'node:crypto';
import { xml } from '@xmpp/client';
import { silentLogger } from '../../src/log.js';
import { XmppSession, NS } from '../../src/workspaces/xmpp/session.js';
import { joinRoom } from '../../src/workspaces/xmpp/muc.js';

export async function fillRoomArchive(opts: {
  prosodyPort: number;
  email: string;
  password: string;
  room: string;
  count: number;
  text: (i: number) => string;
}): Promise<void> {
  const [username, domain] = opts.email.split('@') as [string, string];
  const session = await XmppSession.open({
    service: `xmpp://localhost:${opts.prosodyPort}`,
    domain,
    username,
    password: opts.password,
    log: silentLogger,
    // Negative priority: what the server keeps for the agent's Ostal stays kept.
    priority: -1,
  });
  try {
    await joinRoom(session, opts.room, `${opts.email}/archive-${randomUUID().slice(0, 6)}`);
    // In batches, each waited for (its last message's echo): the room archives them in this order.
    for (let from = 0; from < opts.count; from += 200) {
      const ids = Array.from({ length: Math.min(opts.count, from + 200) - from }, () => randomUUID());
      const last = ids.at(-1)!;
      const echo = session.waitFor((st) => st.is('message') && st.getChild('origin-id', NS.sid)?.attrs.id === last, 60_000);
      for (const [k, id] of ids.entries()) {
        await session.send(
          xml(
            'message',
            { to: opts.room, type: 'groupchat', id },
            xml('body', {}, opts.text(from + k)),
            xml('origin-id', { xmlns: NS.sid, id }),
          ),
        );
      }
      await echo.promise;
    }
  } finally {
    await session.close();
  }
}
