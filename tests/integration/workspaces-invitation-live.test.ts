/**
 * An invitation delivered live to an Ostal that closes right after (the agent shuts the computer): the server keeps no
 * copy of an invitation it delivered, so the space must already be in the agent's bookmarks, where its other computers
 * find it. Against the run's Prosody; agent5's Ostal and a plain client of agent5 online together (both get the
 * invitation, the plain one tells the test when it came).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { xml } from '@xmpp/client';
import { bareJid, type XmppSession, NS } from '../../src/workspaces/xmpp/session.js';
import { listBookmarks } from '../../src/workspaces/xmpp/muc.js';
import { getServers, testUser } from '../servers/testing.js';
import { plainSession, refreshUntilListed, WorkspaceCores } from './workspaces-fixture.js';

const cores = new WorkspaceCores();
const sessions: XmppSession[] = [];

afterAll(async () => {
  for (const s of sessions) await s.close();
  await cores.closeAll();
});

describe('espaces de travail : invitation reçue juste avant la fermeture (Prosody)', () => {
  it('the space is in the agent’s bookmarks once its Ostal is closed, and its other computer finds it', async () => {
    const s = getServers();
    const a1 = testUser(1);
    const a5 = testUser(5);
    const five = await cores.open(a5, 'live-a5');
    await five.core.handle('workspaces.refresh', {}); // its session is open: invitations come live
    const plain = await plainSession(a5);
    sessions.push(plain);
    // Forged case first: agent4 itself (not a room) sends agent5 an invitation claiming agent1 invites; Ostal, online,
    // gets it as the plain client does, and must not bookmark anything for it.
    const a4 = testUser(4);
    const intruder = await plainSession(a4);
    sessions.push(intruder);
    const forgedSeen = plain.waitFor((st) => st.is('message') && bareJid(st.attrs.from ?? '') === a4.email, 20_000);
    await intruder.send(
      xml(
        'message',
        { to: a5.email },
        xml('x', { xmlns: NS.mucUser }, xml('invite', { from: a1.email }, xml('reason', {}, 'Projet médiathèque'))),
      ),
    );
    await forgedSeen.promise;
    const one = await cores.open(a1, 'live-a1');
    const name = `Invitation en direct ${randomUUID().slice(0, 6)}`;
    const invited = plain.waitFor((st) => st.is('message') && st.getChild('x', NS.mucUser)?.getChild('invite') !== undefined, 20_000);
    const space = await one.core.handle('workspaces.create', { name, members: [a5.email] });
    const invite = await invited.promise;
    expect(invite.attrs.from).toBe(space.id);
    // Closed at once, well before the refresh that used to bookmark the space (200 ms after the invitation).
    await new Promise((r) => setTimeout(r, 30));
    await cores.close(five.core);
    const bookmarks = (await listBookmarks(plain)).map((b) => b.room);
    expect(bookmarks).toContain(space.id);
    expect(bookmarks.filter((room) => !room.endsWith(`@${s.prosody.mucService}`))).toEqual([]);
    // Another computer of agent5 (a new profile) lists the space.
    const other = await cores.open(a5, 'live-a5-other');
    expect(await refreshUntilListed(other.core, space.id)).toContain(space.id);
  });
});
