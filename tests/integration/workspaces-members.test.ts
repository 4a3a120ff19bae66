/**
 * Espaces de travail, members, mentions and the offline queue, against the run's real Prosody:
 * - agent1 adds agent3 to a space: agent3's Ostal finds it after a sync, writes in it; agent2 (a member, not an
 *   owner) tries to remove agent3, through Ostal and by a forged request of its own: the room refuses, in French;
 *   agent1 removes agent3: the space leaves agent3's list at once (the room tells its Ostal) and the room refuses it.
 * - the space's visio room: random, read by the members from the room's subject, drawn again when agent3 is removed
 *   and when the subject is emptied; a member's forged subject is refused by the room, or ignored by Ostal when the
 *   room was opened to everyone's subjects.
 * - « @agent2 » in agent1's message: agent2's Ostal marks it, counts it unread and emits workspaces.mention.
 * - agent4's network goes away (a relay before Prosody is cut): two messages wait « en attente », in order; the
 *   network comes back: each reaches the archive once, in order.
 */
import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { xml } from '@xmpp/client';
import type { Core } from '../../src/core.js';
import type { Events } from '../../src/shared/contract.js';
import { silentLogger } from '../../src/log.js';
import { XmppSession, NS } from '../../src/workspaces/xmpp/session.js';
import { joinRoom, roomArchive, setRoomSubject, submitRoomConfig } from '../../src/workspaces/xmpp/muc.js';
import { getServers, testUser } from '../servers/testing.js';
import { openWorkspaceCore, plainSession, refreshUntilListed, Relay, tempProfile } from './workspaces-fixture.js';

const cores: Core[] = [];
const dirs: string[] = [];
const relays: Relay[] = [];

async function open(n: 1 | 2 | 3 | 4 | 5, label: string, xmpp?: string, debug: boolean | string[] = false) {
  const o = await openWorkspaceCore(
    testUser(n),
    tempProfile(dirs, label),
    xmpp ?? `xmpp://localhost:${getServers().prosody.port}`,
    Array.isArray(debug)
      ? {
          logger: {
            debug: () => undefined,
            info: () => undefined,
            warn: (m: string) => void debug.push(m),
            error: (m: string) => void debug.push(m),
          } as never,
        }
      : debug
        ? {
            logger: {
              debug: () => undefined,
              info: (m: string, d?: unknown) => console.log('INFO', m, JSON.stringify(d)),
              warn: (m: string, d?: unknown) => console.log('WARN', m, d),
              error: (m: string, d?: unknown) => console.log('ERR', m, d),
            } as never,
          }
        : {},
  );
  cores.push(o.core);
  return o;
}

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function archiveTexts(room: string): Promise<string[]> {
  const s = getServers();
  const reader = await XmppSession.open({
    service: `xmpp://localhost:${s.prosody.port}`,
    domain: 'ostal.test',
    username: 'agent1',
    password: testUser(1).password,
    log: silentLogger,
  });
  try {
    return (await roomArchive(reader, room, 200)).map((m) => m.body);
  } finally {
    await reader.close();
  }
}

describe('espaces de travail : membres, mentions, file d’attente hors ligne (Prosody)', () => {
  const previous = process.env.OSTAL_PROBE_INTERVAL_MS;
  beforeAll(() => {
    process.env.OSTAL_PROBE_INTERVAL_MS = '300';
  });
  afterAll(async () => {
    for (const c of cores) await c.close().catch(() => undefined);
    for (const r of relays) await r.stop();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
    if (previous === undefined) delete process.env.OSTAL_PROBE_INTERVAL_MS;
    else process.env.OSTAL_PROBE_INTERVAL_MS = previous;
  });

  it(
    'adds and removes a member; a member who is not an owner is refused, through Ostal and by a forged request',
    { timeout: 90_000 },
    async () => {
      const [a2, a3] = [testUser(2), testUser(3)];
      const one = await open(1, 'm-a1');
      const name = `Équipe voirie ${randomUUID().slice(0, 6)}`;
      const space = await one.core.handle('workspaces.create', { name, members: [a2.email] });
      const three = await open(3, 'm-a3');
      expect((await three.core.handle('workspaces.refresh', {})).map((w) => w.id)).not.toContain(space.id);

      const added = await one.core.handle('workspaces.members', { workspaceId: space.id, add: [a3.email] });
      expect([...added.members].sort()).toEqual([testUser(1).email, a2.email, a3.email]);
      // agent3's Ostal finds it after a sync (the room's invitation), and may write in it.
      expect(await refreshUntilListed(three.core, space.id)).toContain(space.id);
      const found = (await three.core.handle('workspaces.list', {})).find((w) => w.id === space.id);
      expect(found?.name).toBe(name);
      await three.core.handle('chat.send', { workspaceId: space.id, text: 'Merci pour l’invitation.' });
      expect((await one.core.handle('chat.history', { workspaceId: space.id })).map((m) => [m.from, m.text])).toContainEqual([
        a3.email,
        'Merci pour l’invitation.',
      ]);

      // agent2 is a member, not an owner: Ostal asks, the room refuses, the French message says why.
      const two = await open(2, 'm-a2');
      expect(await refreshUntilListed(two.core, space.id)).toContain(space.id);
      await expect(two.core.handle('workspaces.members', { workspaceId: space.id, remove: [a3.email] })).rejects.toMatchObject({
        code: 'forbidden',
        message:
          'Seuls les responsables de l’espace peuvent ajouter ou retirer des membres\u00a0: le salon de discussion a refusé ce changement.',
      });
      // The same request forged by hand (no Ostal in between, an outcast for agent3): refused by the server.
      const forger = await XmppSession.open({
        service: `xmpp://localhost:${getServers().prosody.port}`,
        domain: 'ostal.test',
        username: 'agent2',
        password: a2.password,
        log: silentLogger,
      });
      try {
        await expect(
          forger.request(
            xml(
              'iq',
              { type: 'set', to: space.id },
              xml('query', { xmlns: NS.mucAdmin }, xml('item', { jid: a3.email, affiliation: 'outcast' })),
            ),
          ),
        ).rejects.toMatchObject({ condition: expect.stringMatching(/^(forbidden|not-allowed)$/) });
      } finally {
        await forger.close();
      }
      expect(await refreshUntilListed(three.core, space.id)).toContain(space.id);

      // agent1 removes agent3: the room tells agent3's Ostal (joined since its refresh), the space leaves its list.
      const removed = await one.core.handle('workspaces.members', { workspaceId: space.id, remove: [a3.email] });
      expect(removed.members).not.toContain(a3.email);
      await until(
        'the space to leave agent3’s list',
        async () => !(await three.core.handle('workspaces.list', {})).some((w) => w.id === space.id),
      );
      expect((await three.core.handle('workspaces.refresh', {})).map((w) => w.id)).not.toContain(space.id);
      const intruder = await XmppSession.open({
        service: `xmpp://localhost:${getServers().prosody.port}`,
        domain: 'ostal.test',
        username: 'agent3',
        password: a3.password,
        log: silentLogger,
      });
      try {
        await expect(joinRoom(intruder, space.id, 'agent3@ostal.test')).rejects.toMatchObject({ code: 'forbidden' });
      } finally {
        await intruder.close();
      }
      // Bad input: a wrong address, in French, before anything is asked to the server.
      await expect(one.core.handle('workspaces.members', { workspaceId: space.id, add: ['pas-une-adresse'] })).rejects.toMatchObject({
        code: 'invalid_input',
        message: '«\u00a0pas-une-adresse\u00a0» n’est pas une adresse valable pour un membre.',
      });
    },
  );

  it(
    'the space’s visio room is known to its members only: a new one when a member is removed, a forged one ignored',
    { timeout: 90_000 },
    async () => {
      const [a1, a2, a3] = [testUser(1), testUser(2), testUser(3)];
      const one = await open(1, 'v-a1');
      const space = await one.core.handle('workspaces.create', {
        name: `Visio ${randomUUID().slice(0, 6)}`,
        members: [a2.email, a3.email],
      });
      // Random, not the room's name (which a former member, or anyone who saw the room's address, would know).
      expect(space.visioRoom).toMatch(/^espace-[A-Za-z0-9_-]{24}$/);
      expect(space.visioRoom).not.toContain(space.id.split('@')[0]);
      const warnings: string[] = [];
      const two = await open(2, 'v-a2', undefined, warnings);
      const three = await open(3, 'v-a3');
      const visioOf = async (core: Core): Promise<string | undefined> =>
        (await core.handle('workspaces.list', {})).find((w) => w.id === space.id)?.visioRoom;
      for (const core of [two.core, three.core]) {
        expect(await refreshUntilListed(core, space.id)).toContain(space.id);
        // The room's subject, read on joining the room after the refresh.
        await until('the member to know the visio room', async () => (await visioOf(core)) === space.visioRoom);
      }

      // A member who is not an owner cannot change it: the room refuses the subject (forged, no Ostal in between).
      const forger = await plainSession(a2, -1);
      try {
        await joinRoom(forger, space.id, 'faussaire');
        await expect(setRoomSubject(forger, space.id, `Visio de l’espace\u00a0: espace-${'x'.repeat(24)}`)).rejects.toMatchObject({
          code: 'forbidden',
        });
        expect(await visioOf(two.core)).toBe(space.visioRoom);

        // agent1 removes agent3: a new visio room, which agent2's Ostal learns from the room; agent3's link is dead.
        await one.core.handle('workspaces.members', { workspaceId: space.id, remove: [a3.email] });
        let renewed = await visioOf(one.core);
        expect(renewed).toMatch(/^espace-[A-Za-z0-9_-]{24}$/);
        expect(renewed).not.toBe(space.visioRoom);
        await until('agent2 to learn the new visio room', async () => (await visioOf(two.core)) === renewed);
        await until('the space to leave agent3’s list', async () => (await visioOf(three.core)) === undefined);

        // A space whose subject is empty (made before its visio was in it, or cleared by another client): its owner's
        // Ostal sets one, which the members take.
        const owner = await plainSession(a1, -1);
        try {
          await joinRoom(owner, space.id, 'responsable-autre-poste');
          await setRoomSubject(owner, space.id, '');
          const set = await until('the owner’s Ostal to set a visio room again', async () => {
            const v = await visioOf(one.core);
            return v !== renewed && v;
          });
          expect(set).toMatch(/^espace-[A-Za-z0-9_-]{24}$/);
          await until('agent2 to take it', async () => (await visioOf(two.core)) === set);
          renewed = set;
        } finally {
          await owner.close();
        }

        // The room opened to everyone's subjects by its owner (by hand, another client): a subject a member sets is
        // accepted by the room, and ignored by Ostal, which takes a visio room only from the space's owner.
        const config = await plainSession(a1, -1);
        try {
          await submitRoomConfig(config, space.id, { 'muc#roomconfig_changesubject': '1' });
        } finally {
          await config.close();
        }
        await setRoomSubject(forger, space.id, `Visio de l’espace\u00a0: espace-${'y'.repeat(24)}`);
        await until('agent2’s Ostal to read and refuse the forged subject', async () =>
          warnings.includes('workspaces: visio room in a subject not set by the owner, ignored'),
        );
        expect(await visioOf(two.core)).toBe(renewed);
        expect(await visioOf(one.core)).toBe(renewed);
      } finally {
        await forger.close();
      }
      expect(a1.email).toBe(space.owner);
    },
  );

  it('« @agent2 » marks the message for agent2, counts it unread and emits workspaces.mention', { timeout: 60_000 }, async () => {
    const a2 = testUser(2);
    const one = await open(1, 'men-a1');
    const space = await one.core.handle('workspaces.create', { name: `Mentions ${randomUUID().slice(0, 6)}`, members: [a2.email] });
    const two = await open(2, 'men-a2');
    expect(await refreshUntilListed(two.core, space.id)).toContain(space.id);
    const seen: Events['workspaces.mention'][] = [];
    two.core.onEvent((event, data) => {
      if (event === 'workspaces.mention') seen.push(data as Events['workspaces.mention']);
    });
    await one.core.handle('chat.send', { workspaceId: space.id, text: 'Une question générale.' });
    await one.core.handle('chat.send', { workspaceId: space.id, text: 'Bonjour @Agent2, pouvez-vous relire ?' });
    await one.core.handle('chat.send', { workspaceId: space.id, text: 'Écrire à agent2@ostal.test ne mentionne personne.' });
    await until('the mention event', async () => seen.length > 0 || null);
    expect(seen.map((e) => [e.workspaceId, e.from, e.text])).toEqual([
      [space.id, testUser(1).email, 'Bonjour @Agent2, pouvez-vous relire ?'],
    ]);
    const w = await until('three unread messages', async () =>
      (await two.core.handle('workspaces.list', {})).find((x) => x.id === space.id && x.unread === 3),
    );
    expect(w.mentions).toBe(1);
    const history = await two.core.handle('chat.history', { workspaceId: space.id });
    expect(history.map((m) => m.mentionsMe)).toEqual([false, true, false]);
    await two.core.handle('workspaces.markRead', { workspaceId: space.id });
    expect((await two.core.handle('workspaces.list', {})).find((x) => x.id === space.id)).toMatchObject({ unread: 0, mentions: 0 });
  });

  it(
    'offline, two messages wait « en attente » in order; back online, each reaches the archive once, in order',
    { timeout: 90_000 },
    async () => {
      const a4 = testUser(4);
      const one = await open(1, 'q-a1');
      const space = await one.core.handle('workspaces.create', { name: `File d’attente ${randomUUID().slice(0, 6)}`, members: [a4.email] });
      const relay = await Relay.start(getServers().prosody.port);
      relays.push(relay);
      const four = await open(4, 'q-a4', `xmpp://localhost:${relay.port}`);
      expect(await refreshUntilListed(four.core, space.id)).toContain(space.id);
      await four.core.handle('chat.send', { workspaceId: space.id, text: 'Avant la coupure' });

      relay.cut();
      const first = await four.core.handle('chat.send', { workspaceId: space.id, text: 'Premier message hors ligne' });
      const second = await four.core.handle('chat.send', { workspaceId: space.id, text: 'Second message hors ligne' });
      expect([first.pending, second.pending]).toEqual([true, true]);
      const offline = await four.core.handle('chat.history', { workspaceId: space.id });
      expect(offline.map((m) => [m.text, m.pending])).toEqual([
        ['Avant la coupure', false],
        ['Premier message hors ligne', true],
        ['Second message hors ligne', true],
      ]);
      await new Promise((r) => setTimeout(r, 1500)); // a few retries while still offline
      relay.restore();
      await until('the queue to be sent', async () =>
        (await four.core.handle('chat.history', { workspaceId: space.id })).every((m) => !m.pending),
      );
      const texts = await archiveTexts(space.id);
      expect(texts).toEqual(['Avant la coupure', 'Premier message hors ligne', 'Second message hors ligne']);
      expect((await one.core.handle('chat.history', { workspaceId: space.id })).map((m) => [m.from, m.text])).toEqual(
        texts.map((t) => [a4.email, t]),
      );
    },
  );
});
