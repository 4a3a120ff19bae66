/**
 * The Discussion paged from the room's archive (chat.page), against the run's Prosody: a room holding more messages than
 * one page; a fresh profile opens it (newest page first), then scrolls back page by page (RSM `before`) — every
 * archived message once, in the archive's order, checked by archive id. A second profile kept the latest page before
 * more messages came: the gap between its old copy and the new latest page is read from the archive too. With its
 * network cut (a TCP relay), a profile gets what it has and `offline`; back online, the older page. A first start with
 * the server unreachable gets its space list by itself once it answers; a connection dropped while it opens fails at once.
 */
import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { xml } from '@xmpp/client';
import type { Core } from '../../src/core.js';
import type { ChatMessage } from '../../src/shared/contract.js';
import { XmppSession, NS } from '../../src/workspaces/xmpp/session.js';
import { silentLogger } from '../../src/log.js';
import { joinRoom, roomArchiveSince } from '../../src/workspaces/xmpp/muc.js';
import { getServers, testUser } from '../servers/testing.js';
import { fillRoomArchive } from '../e2e/chat-archive.js';
import { openWorkspaceCore, plainSession, Relay, tempProfile } from './workspaces-fixture.js';

const cores: Core[] = [];
const relays: Relay[] = [];
const sessions: XmppSession[] = [];
const dirs: string[] = [];

afterAll(async () => {
  for (const r of relays) await r.stop();
  for (const s of sessions) await s.close();
  for (const c of cores) await c.close().catch(() => undefined);
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const PAGE = 40;

describe('espaces de travail: Discussion paged from the archive (Prosody)', () => {
  it('shows the newest page first, then older pages in order, each archived message once', async () => {
    const s = getServers();
    const a1 = testUser(1);
    const service = `xmpp://localhost:${s.prosody.port}`;
    const creator = await openWorkspaceCore(a1, tempProfile(dirs, 'paging-a1'), service);
    cores.push(creator.core);
    const space = await creator.core.handle('workspaces.create', { name: `Historique ${randomUUID().slice(0, 6)}`, members: [] });
    const room = space.id;

    // A plain client of agent1 fills the archive fast (many messages in the same second).
    const raw = await plainSession(a1, -1);
    sessions.push(raw);
    await joinRoom(raw, room, `${a1.email}/pages`);
    const send = async (from: number, to: number): Promise<void> => {
      let lastId = '';
      for (let i = from; i < to; i++) {
        lastId = randomUUID();
        await raw.send(
          xml(
            'message',
            { to: room, type: 'groupchat', id: lastId },
            xml('body', {}, `Message n° ${i}`),
            xml('origin-id', { xmlns: NS.sid, id: lastId }),
          ),
        );
      }
      const id = lastId;
      await raw.waitFor((st) => st.is('message') && st.getChild('origin-id', NS.sid)?.attrs.id === id, 20_000).promise;
    };
    await send(0, 330);

    // A second profile reads the latest page now, before more messages come (its copy then has a gap).
    const early = await openWorkspaceCore(a1, tempProfile(dirs, 'paging-early'), service);
    cores.push(early.core);
    await early.core.handle('workspaces.refresh', {});
    const earlyFirst = await early.core.handle('chat.page', { workspaceId: room, limit: PAGE });
    expect(earlyFirst.messages.map((m) => m.text).at(-1)).toBe('Message n° 329');

    await send(330, 530);
    const archive = await roomArchiveSince(raw, room, '2000-01-01T00:00:00Z', 100, 20);
    const archivedIds = archive.map((m) => m.stanzaId);
    expect(archive.map((m) => m.body)).toEqual(Array.from({ length: 530 }, (_, i) => `Message n° ${i}`));

    const scrollBack = async (core: Core): Promise<ChatMessage[][]> => {
      const pages: ChatMessage[][] = [];
      let page = await core.handle('chat.page', { workspaceId: room, limit: PAGE });
      pages.push(page.messages);
      for (let i = 0; i < 40 && !page.complete; i++) {
        page = await core.handle('chat.page', { workspaceId: room, before: page.messages[0]!.id, limit: PAGE });
        expect(page.offline).toBe(false);
        if (page.messages.length > 0) pages.push(page.messages);
      }
      expect(page.complete).toBe(true);
      return pages;
    };

    // A fresh profile: the newest page first, then each older page, in order; all of them by archive id, once.
    const fresh = await openWorkspaceCore(a1, tempProfile(dirs, 'paging-fresh'), service);
    cores.push(fresh.core);
    await fresh.core.handle('workspaces.refresh', {});
    const pages = await scrollBack(fresh.core);
    expect(pages[0]!.map((m) => m.text)).toEqual(Array.from({ length: PAGE }, (_, i) => `Message n° ${530 - PAGE + i}`));
    expect(pages.slice(0, -1).every((p) => p.length === PAGE)).toBe(true);
    const seen = pages.reverse().flat();
    expect(seen.map((m) => m.id)).toEqual(archivedIds);

    // The profile with a gap: the new latest page, then the gap read from the archive, then its own old copy.
    const gapped = (await scrollBack(early.core)).reverse().flat();
    expect(gapped.map((m) => m.id)).toEqual(archivedIds);
  });

  it('offline, gives what this computer has and says so; back online, reads the older page', async () => {
    const s = getServers();
    const a1 = testUser(1);
    const creator = await openWorkspaceCore(a1, tempProfile(dirs, 'paging-cut-a1'), `xmpp://localhost:${s.prosody.port}`);
    cores.push(creator.core);
    const space = await creator.core.handle('workspaces.create', { name: `Hors ligne ${randomUUID().slice(0, 6)}`, members: [] });
    await fillRoomArchive({
      prosodyPort: s.prosody.port,
      email: a1.email,
      password: a1.password,
      room: space.id,
      count: 80,
      text: (i) => `N° ${i}`,
    });
    const relay = await Relay.start(s.prosody.port);
    relays.push(relay);
    const reader = await openWorkspaceCore(a1, tempProfile(dirs, 'paging-cut'), `xmpp://localhost:${relay.port}`);
    cores.push(reader.core);
    await reader.core.handle('workspaces.refresh', {});
    const newest = await reader.core.handle('chat.page', { workspaceId: space.id, limit: 20 });
    expect(newest.messages.map((m) => m.text)).toEqual(Array.from({ length: 20 }, (_, i) => `N° ${60 + i}`));
    const middle = await reader.core.handle('chat.page', { workspaceId: space.id, before: newest.messages[0]!.id, limit: 20 });
    expect(middle.messages.map((m) => m.text)).toEqual(Array.from({ length: 20 }, (_, i) => `N° ${40 + i}`));

    // The network goes: the local copy ends at N° 30 (the refresh read the latest 50), the archive cannot be asked.
    relay.cut();
    const cut = await reader.core.handle('chat.page', { workspaceId: space.id, before: middle.messages[0]!.id, limit: 20 });
    expect(cut.messages.map((m) => m.text)).toEqual(Array.from({ length: 10 }, (_, i) => `N° ${30 + i}`));
    expect(cut).toMatchObject({ offline: true, complete: false });

    relay.restore();
    const back = await reader.core.handle('chat.page', { workspaceId: space.id, before: middle.messages[0]!.id, limit: 20 });
    expect(back.messages.map((m) => m.text)).toEqual(Array.from({ length: 20 }, (_, i) => `N° ${20 + i}`));
    expect(back.offline).toBe(false);
  });

  it('a first start whose space list cannot be read (server unreachable) gets it by itself once the network is back', async () => {
    const s = getServers();
    const a1 = testUser(1);
    const creator = await openWorkspaceCore(a1, tempProfile(dirs, 'first-start-a1'), `xmpp://localhost:${s.prosody.port}`);
    cores.push(creator.core);
    const space = await creator.core.handle('workspaces.create', { name: `Premier démarrage ${randomUUID().slice(0, 6)}`, members: [] });
    const relay = await Relay.start(s.prosody.port);
    relays.push(relay);
    relay.cut();
    // The app (not the CLI): a new profile, nothing known yet, its first refresh fails.
    const app = await openWorkspaceCore(a1, tempProfile(dirs, 'first-start'), `xmpp://localhost:${relay.port}`, { mode: 'browser' });
    cores.push(app.core);
    const changed: string[][] = [];
    app.core.onEvent((event, data) => {
      if (event === 'workspaces.changed') changed.push((data as { workspaceIds: string[] }).workspaceIds);
    });
    await expect(app.core.handle('workspaces.refresh', {})).rejects.toMatchObject({ code: 'unreachable' });
    expect(await app.core.handle('workspaces.list', {})).toEqual([]);
    relay.restore();
    // Nobody asks again: the core reads the list when the server answers, and says so (workspaces.changed).
    const deadline = Date.now() + 30_000;
    while (!changed.some((ids) => ids.includes(space.id)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(changed.flat()).toContain(space.id);
    expect((await app.core.handle('workspaces.list', {})).map((w) => w.id)).toContain(space.id);
  }, 60_000);

  it('a connection dropped while it opens fails at once, not at the end of its timeout (the retry loop and « Réessayer » join it)', async () => {
    const s = getServers();
    const a1 = testUser(1);
    // The relay accepts then drops every connection, as a network coming back or a restarting server does.
    const relay = await Relay.start(s.prosody.port);
    relays.push(relay);
    relay.cut();
    // Through the relay, with a long timeout: failing before it is what is checked.
    const open = (): Promise<XmppSession> =>
      XmppSession.open({
        service: `xmpp://localhost:${relay.port}`,
        domain: 'ostal.test',
        username: a1.email.split('@')[0]!,
        password: a1.password,
        log: silentLogger,
        timeoutMs: 60_000,
      });
    const started = Date.now();
    const failure = await open().then(
      () => null,
      (err: unknown) => err,
    );
    expect(failure).toMatchObject({ code: 'unreachable' });
    expect(Date.now() - started).toBeLessThan(15_000);
    // Back: the next opening works.
    relay.restore();
    const session = await open();
    expect(session.online).toBe(true);
    await session.close(); // here, while the relay still carries it
  }, 90_000);
});
