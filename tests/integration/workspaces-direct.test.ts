/**
 * Direct discussions (one-to-one XMPP messages) against the test run's Prosody: agent4 writes to agent5 while
 * agent5's Ostal is closed; agent5 opens it and gets both messages once, in order, from its own archive, with the
 * unread count; agent5 answers; a message whose body and extra elements claim another author is credited to the
 * agent the server named in `from`.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { xml } from '@xmpp/client';
import { testUser } from '../servers/testing.js';
import type { User } from './files-fixture.js';
import { type OpenedCore, plainSession, refreshUntilListed, WorkspaceCores } from './workspaces-fixture.js';

const cores = new WorkspaceCores();

const openCore = (user: User, label: string): Promise<OpenedCore> => cores.open(user, label);

describe('discussions directes (Prosody)', () => {
  afterAll(async () => {
    await cores.closeAll();
  });

  it('agent5, offline, gets agent4’s two messages once and in order from its archive; a forged author is ignored', async () => {
    const a3 = testUser(3);
    const a4 = testUser(4);
    const a5 = testUser(5);
    const tag = randomUUID().slice(0, 8);
    const four = await openCore(a4, 'd4');
    await expect(four.core.handle('direct.send', { peer: a4.email, text: 'moi' })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(four.core.handle('direct.send', { peer: 'pas-une-adresse', text: 'x' })).rejects.toMatchObject({ code: 'invalid_input' });
    const first = await four.core.handle('direct.send', { peer: a5.email, text: `Premier ${tag}` });
    expect(first.pending).toBe(false);
    const second = await four.core.handle('direct.send', { peer: a5.email, text: `Second ${tag}` });
    expect(second.pending).toBe(false);

    // Forged case: agent3 writes to agent5 claiming, in every way it can inside the message, to be agent4.
    const intruder = await plainSession(a3, -1);
    try {
      await intruder.send(
        xml(
          'message',
          { to: a5.email, type: 'chat', id: `faux-${tag}` },
          xml('body', {}, `De : ${a4.email} — faux ${tag}`),
          xml('nick', { xmlns: 'http://jabber.org/protocol/nick' }, a4.name),
          xml('addresses', { xmlns: 'http://jabber.org/protocol/address' }, xml('address', { type: 'ofrom', jid: a4.email })),
          xml('origin-id', { xmlns: 'urn:xmpp:sid:0', id: `faux-${tag}` }),
        ),
      );
      await intruder.request(xml('iq', { type: 'get', to: 'ostal.test' }, xml('ping', { xmlns: 'urn:xmpp:ping' })));
    } finally {
      await intruder.close();
    }

    const five = await openCore(a5, 'd5');
    const mine = <T extends { text: string }>(list: T[]): T[] => list.filter((m) => m.text.includes(tag));
    const history = await five.core.handle('direct.history', { peer: a4.email });
    expect(mine(history).map((m) => m.text)).toEqual([`Premier ${tag}`, `Second ${tag}`]);
    expect(history.filter((m) => m.text.includes(tag)).every((m) => m.from === a4.email && !m.pending)).toBe(true);
    const conversations = await five.core.handle('direct.list', {});
    const withFour = conversations.find((c) => c.peer === a4.email);
    expect(withFour?.unread).toBeGreaterThanOrEqual(2);
    expect(withFour?.lastText).toBe(`Second ${tag}`);
    // Read again: still once each.
    const again = await five.core.handle('direct.history', { peer: a4.email });
    expect(mine(again)).toHaveLength(2);
    await five.core.handle('direct.markRead', { peer: a4.email });
    expect((await five.core.handle('direct.list', {})).find((c) => c.peer === a4.email)?.unread).toBe(0);

    // The forged message is agent3's, in the discussion with agent3, never in agent4's.
    const fromThree = await five.core.handle('direct.history', { peer: a3.email });
    const forged = fromThree.find((m) => m.text.includes(`faux ${tag}`));
    expect(forged?.from).toBe(a3.email);
    const withFourNow = await five.core.handle('direct.history', { peer: a4.email });
    expect(withFourNow.some((m) => m.text.includes('faux'))).toBe(false);

    // agent5 answers; agent4 reads it after its own two, once.
    await five.core.handle('direct.send', { peer: a4.email, text: `Réponse ${tag}` });
    const fourView = await four.core.handle('direct.history', { peer: a5.email });
    expect(mine(fourView).map((m) => [m.text, m.from])).toEqual([
      [`Premier ${tag}`, a4.email],
      [`Second ${tag}`, a4.email],
      [`Réponse ${tag}`, a5.email],
    ]);
  });

  it('presence: agent5 sees agent4 « en réunion » then « en ligne » through the space they share', async () => {
    const a4 = testUser(4);
    const a5 = testUser(5);
    const four = await openCore(a4, 'p4');
    const space = await four.core.handle('workspaces.create', {
      name: `Présence ${randomUUID().slice(0, 6)}`,
      members: [a5.email],
    });
    const five = await openCore(a5, 'p5');
    expect(await refreshUntilListed(five.core, space.id)).toContain(space.id);
    const stateOfFour = async (): Promise<string | undefined> => (await five.core.handle('presence.list', {}))[a4.email];
    await expect.poll(stateOfFour, { timeout: 10_000 }).toBe('online');
    await four.core.handle('presence.set', { state: 'meeting' });
    await expect.poll(stateOfFour, { timeout: 10_000 }).toBe('meeting');
    await four.core.handle('presence.set', { state: 'online' });
    await expect.poll(stateOfFour, { timeout: 10_000 }).toBe('online');
    await cores.close(four.core);
    await expect.poll(stateOfFour, { timeout: 10_000 }).toBeUndefined();
  });
});
