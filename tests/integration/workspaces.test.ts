/**
 * Espaces de travail against the real Prosody and Apache of the test run: agent1 creates a space with agent2;
 * agent2's Ostal (fresh profile, XMPP server found by SRV) finds it after a refresh; messages both ways with the
 * history after a reconnection; a non-member is refused by the room and cannot slip in a forged invitation; the
 * Documents folder exists on the shared WebDAV root and a file put there by agent1 is readable by agent2.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { xml } from '@xmpp/client';
import type { Core } from '../../src/core.js';
import { silentLogger } from '../../src/log.js';
import { XmppSession, NS } from '../../src/workspaces/xmpp/session.js';
import { joinRoom, roomArchive } from '../../src/workspaces/xmpp/muc.js';
import { getServers, testUser } from '../servers/testing.js';
import { dav, type User } from './files-fixture.js';
import { type OpenedCore, refreshUntilListed, WorkspaceCores } from './workspaces-fixture.js';

const cores = new WorkspaceCores();

const openCore = (user: User, profileDir: string, xmpp: string | null): Promise<OpenedCore> => cores.openIn(user, profileDir, xmpp);
const closeCore = (core: Core): Promise<void> => cores.close(core);
const profile = (label: string): string => cores.profile(label);

describe('espaces de travail (Prosody, Apache)', () => {
  const previousDns = process.env.OSTAL_DNS_SERVERS;
  beforeAll(() => {
    // agent2's account has no XMPP address: it is found by SRV _xmpp-client._tcp on the run's DNS server.
    process.env.OSTAL_DNS_SERVERS = `127.0.0.1:${getServers().dns.port}`;
  });
  afterAll(async () => {
    await cores.closeAll();
    if (previousDns === undefined) delete process.env.OSTAL_DNS_SERVERS;
    else process.env.OSTAL_DNS_SERVERS = previousDns;
  });

  it('agent2 finds the space agent1 created, messages go both ways and the history survives a reconnection', async () => {
    const s = getServers();
    const a1 = testUser(1);
    const a2 = testUser(2);
    const a4 = testUser(4);
    const one = await openCore(a1, profile('a1'), `xmpp://localhost:${s.prosody.port}`);
    const space = await one.core.handle('workspaces.create', {
      name: 'Projet médiathèque',
      description: 'Rénovation de la médiathèque',
      members: [a2.email],
    });
    expect(space.id).toMatch(/^projet-mediatheque-[0-9a-f]{6}@conference\.ostal\.test$/);
    expect(space.members).toEqual([a1.email, a2.email]);
    expect(space.documentsUrl).toBe(`${s.sharedWebdavRoot}${space.id.split('@')[0]}/`);

    // agent2 was offline: its fresh profile finds the space after a refresh (invitation kept by the server).
    const p2 = profile('a2');
    let two = await openCore(a2, p2, null);
    expect(await two.core.handle('workspaces.list', {})).toEqual([]);
    // (Servers reused across runs may hold spaces of earlier runs: only this one is looked at.)
    expect(await refreshUntilListed(two.core, space.id)).toContain(space.id);
    const found = (await two.core.handle('workspaces.list', {})).filter((w) => w.id === space.id);
    expect(found.map((w) => [w.id, w.name, w.description])).toEqual([[space.id, 'Projet médiathèque', 'Rénovation de la médiathèque']]);
    expect([...found[0]!.members].sort()).toEqual([a1.email, a2.email]);

    await one.core.handle('chat.send', { workspaceId: space.id, text: 'Bonjour @agent2, la réunion est jeudi.' });
    await two.core.handle('chat.send', { workspaceId: space.id, text: 'Très bien, j’y serai <b>sans faute</b> !' });
    const expected = [
      [a1.email, 'Bonjour @agent2, la réunion est jeudi.'],
      [a2.email, 'Très bien, j’y serai <b>sans faute</b> !'],
    ];
    const h1 = await one.core.handle('chat.history', { workspaceId: space.id });
    expect(h1.map((m) => [m.from, m.text])).toEqual(expected);
    expect(h1.every((m) => !m.pending)).toBe(true);

    // Reconnection: agent2's Ostal closes, opens again, and reads the same history, each message once.
    await closeCore(two.core);
    two = await openCore(a2, p2, null);
    expect((await two.core.handle('chat.history', { workspaceId: space.id })).map((m) => [m.from, m.text])).toEqual(expected);
    // A second fresh profile of agent2 (another computer) finds the space from its bookmarks, with the history.
    const other = await openCore(a2, profile('a2bis'), null);
    expect(await refreshUntilListed(other.core, space.id)).toContain(space.id);
    expect((await other.core.handle('chat.history', { workspaceId: space.id })).map((m) => [m.from, m.text])).toEqual(expected);

    // Documents: the folder exists on the shared root; a file put there by agent1 is readable by agent2.
    const folder = new URL(space.documentsUrl!).pathname;
    expect((await dav(a2, 'PROPFIND', folder, undefined, { Depth: '0' })).status).toBe(207);
    expect((await dav(a1, 'PUT', `${folder}compte-rendu.txt`, 'Compte rendu du 4 décembre')).status).toBe(201);
    const got = await dav(a2, 'GET', `${folder}compte-rendu.txt`);
    expect(got.status).toBe(200);
    expect(got.body.toString('utf8')).toBe('Compte rendu du 4 décembre');

    // A non-member: the room refuses agent4, its archive too, and its Ostal lists nothing.
    const four = await openCore(a4, profile('a4'), `xmpp://localhost:${s.prosody.port}`);
    expect((await four.core.handle('workspaces.refresh', {})).map((w) => w.id)).not.toContain(space.id);
    const intruder = await XmppSession.open({
      service: `xmpp://localhost:${s.prosody.port}`,
      domain: 'ostal.test',
      username: 'agent4',
      password: a4.password,
      log: silentLogger,
    });
    try {
      await expect(joinRoom(intruder, space.id, 'agent4@ostal.test')).rejects.toMatchObject({ code: 'forbidden' });
      await expect(roomArchive(intruder, space.id, 10)).rejects.toMatchObject({ code: 'forbidden' });
      // Forged case: agent4 sends agent3 an invitation to a room of its own making, claiming agent1 invites.
      await intruder.send(
        xml(
          'message',
          { to: testUser(3).email },
          xml('x', { xmlns: NS.mucUser }, xml('invite', { from: a1.email }, xml('reason', {}, 'Projet médiathèque'))),
        ),
      );
      await intruder.send(xml('message', { to: space.id, type: 'groupchat' }, xml('body', {}, 'Message d’un intrus')));
    } finally {
      await intruder.close();
    }
    const three = await openCore(testUser(3), profile('a3'), `xmpp://localhost:${s.prosody.port}`);
    expect((await three.core.handle('workspaces.refresh', {})).map((w) => w.id)).not.toContain(space.id);
    expect((await one.core.handle('chat.history', { workspaceId: space.id })).map((m) => m.text)).not.toContain('Message d’un intrus');
  });

  it('refuses a space without the shared root, a bad member address and an over-long message, in French', async () => {
    const a5 = testUser(5);
    const five = await openCore(a5, profile('a5'), `xmpp://localhost:${getServers().prosody.port}`);
    await expect(five.core.handle('workspaces.create', { name: 'Essai', members: ['pas une adresse'] })).rejects.toMatchObject({
      code: 'invalid_input',
      message: '«\u00a0pas une adresse\u00a0» n’est pas une adresse valable pour un membre.',
    });
    await five.core.handle('settings.set', { key: 'workspaces.webdavRoot', value: '' });
    await expect(five.core.handle('workspaces.create', { name: 'Essai', members: [] })).rejects.toMatchObject({
      code: 'not_configured',
      message: expect.stringContaining('service informatique doit indiquer le dossier partagé'),
    });
    await expect(
      five.core.handle('chat.send', { workspaceId: 'inconnu@conference.ostal.test', text: 'x'.repeat(10_001) }),
    ).rejects.toMatchObject({
      code: 'invalid_input',
      message: 'Ce message est trop long\u00a0: 10000 caractères au plus.',
    });
  });
});
