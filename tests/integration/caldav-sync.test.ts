/**
 * CalDAV read sync against the real Radicale: discovery, initial sync of the seeded « Agenda professionnel »,
 * recurring expansion in calendar.list, a PUT and a DELETE made directly on the server, and an unchanged
 * resync that fetches nothing. agent3's calendar is changed (agent1 is only read).
 */
import crypto from 'node:crypto';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/core.js';
import { DavClient, MAX_DAV_RESPONSE_BYTES, davRequestStats } from '../../src/dav/client.js';
import { SEED_COLLECTIONS, SEED_COUNTS } from '../servers/seed.js';
import { getServers, testUser } from '../servers/testing.js';
import { davCore, radicale } from './dav-fixture.js';

const year = new Date().getFullYear();
const wideFrom = `${year - 2}-01-01`;
const wideTo = `${year + 2}-12-31`;

describe('CalDAV sync with Radicale', () => {
  let core: Core;
  let accountId: string;
  beforeAll(async () => {
    ({ core, accountId } = await davCore(testUser(1)));
  });
  afterAll(async () => core.close());

  it('syncs the seeded calendar: every event once, recurring ones expanded, named after the collection', async () => {
    const report = await core.handle('sync.run', { accountId, only: 'calendar' });
    expect(report.accounts[0]).toMatchObject({ ok: true, scopes: ['calendar'] });
    const rows = core.ctx.db
      .prepare(
        "SELECT count(*) AS n FROM dav_objects o JOIN dav_collections c USING (account_id) WHERE o.collection_href = c.href AND c.kind = 'calendar'",
      )
      .get() as { n: number };
    expect(rows.n).toBe(SEED_COUNTS[testUser(1).email]?.events);
    const collection = core.ctx.db.prepare("SELECT display_name, color FROM dav_collections WHERE kind = 'calendar'").get() as {
      display_name: string;
      color: string;
    };
    expect(collection.display_name).toBe(SEED_COLLECTIONS.calendarName);
    expect(collection.color).toMatch(/^#000091/i);

    const list = await core.handle('calendar.list', { from: wideFrom, to: wideTo });
    const uids = new Set(list.map((e) => e.uid));
    expect(uids.size).toBe(SEED_COUNTS[testUser(1).email]?.events);
    const recurring = list.filter((e) => e.recurrenceId !== null);
    expect(recurring.length).toBeGreaterThan(4);
    expect(new Set(recurring.map((e) => e.uid)).size).toBe(1);
    for (const e of list) {
      expect(Object.keys(e).sort()).toEqual(['allDay', 'calendar', 'end', 'readOnly', 'recurrenceId', 'start', 'summary', 'uid']);
      // The agent's own calendar (Radicale gives it the write privileges).
      expect(e.readOnly).toBe(false);
      expect(e.calendar).toBe(SEED_COLLECTIONS.calendarName);
    }
    const starts = list.map((e) => e.start);
    expect([...starts].sort((a, b) => Date.parse(a) - Date.parse(b))).toEqual(starts);
  });

  it('an unchanged resync fetches nothing', async () => {
    const before = { ...davRequestStats.byKind };
    const report = await core.handle('sync.run', { accountId, only: 'calendar' });
    expect(report.accounts[0]?.ok).toBe(true);
    expect(davRequestStats.byKind.multiget ?? 0).toBe(before.multiget ?? 0);
    expect(davRequestStats.byKind['list-etags'] ?? 0).toBe(before['list-etags'] ?? 0);
  });

  it('the full sync runs the calendar and contacts scopes too', async () => {
    const report = await core.handle('sync.run', { accountId });
    expect(report.accounts[0]?.ok).toBe(true);
    expect(report.accounts[0]?.scopes).toEqual(expect.arrayContaining(['mail', 'calendar', 'contacts']));
    expect((await core.handle('contacts.list', {})).length).toBe(SEED_COUNTS[testUser(1).email]?.contacts);
  });

  it('refuses a window that ends before it starts, in French', async () => {
    await expect(core.handle('calendar.list', { from: '2026-02-01', to: '2026-01-01' })).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringContaining('période'),
    });
  });
});

describe('CalDAV sync follows changes made on the server', () => {
  it('a PUT made on Radicale appears after the next sync, a DELETE disappears', async () => {
    const { core, accountId } = await davCore(testUser(3));
    const user = testUser(3);
    try {
      await core.handle('sync.run', { accountId, only: 'calendar' });
      const uid = `ostal-test-${crypto.randomUUID()}`;
      const summary = `Réunion ajoutée sur le serveur ${uid.slice(-6)}`;
      const ics = [
        'BEGIN:VCALENDAR',
        'VERSION:2.0',
        'PRODID:-//Ostal//Test//FR',
        'BEGIN:VEVENT',
        `UID:${uid}`,
        'DTSTAMP:20260101T000000Z',
        'DTSTART;TZID=Europe/Paris:20260615T140000',
        'DTEND;TZID=Europe/Paris:20260615T153000',
        `SUMMARY:${summary}`,
        'END:VEVENT',
        'END:VCALENDAR',
        '',
      ].join('\r\n');
      const href = `/${encodeURIComponent(user.username)}/${SEED_COLLECTIONS.calendar}/${uid}.ics`;
      expect((await radicale(user, 'PUT', href, ics)).status).toBe(201);

      const before = { ...davRequestStats.byKind };
      await core.handle('sync.run', { accountId, only: 'calendar' });
      // RFC 6578: the change comes from sync-collection since the stored token, not from a listing of every ETag.
      expect(davRequestStats.byKind.multiget).toBe((before.multiget ?? 0) + 1);
      expect(davRequestStats.byKind['sync-collection']).toBe((before['sync-collection'] ?? 0) + 1);
      expect(davRequestStats.byKind['list-etags'] ?? 0).toBe(before['list-etags'] ?? 0);
      const june = await core.handle('calendar.list', { from: '2026-06-15', to: '2026-06-16' });
      const added = june.find((e) => e.uid === uid);
      expect(added).toEqual({
        uid,
        recurrenceId: null,
        start: '2026-06-15T12:00:00.000Z',
        end: '2026-06-15T13:30:00.000Z',
        allDay: false,
        summary,
        calendar: SEED_COLLECTIONS.calendarName,
        readOnly: false,
      });

      expect((await radicale(user, 'DELETE', href)).status).toBe(200);
      await core.handle('sync.run', { accountId, only: 'calendar' });
      const after = await core.handle('calendar.list', { from: '2026-06-15', to: '2026-06-16' });
      expect(after.find((e) => e.uid === uid)).toBeUndefined();
    } finally {
      await core.close();
    }
  });
});

describe('CalDAV errors in French', () => {
  it('a refused password gives auth_failed; a closed port gives connection_refused', async () => {
    const s = getServers();
    const user = testUser(1);
    const client = new DavClient(`https://localhost:${s.radicale.port}/`, {
      username: user.username,
      password: 'pas-le-bon',
      pinnedCertificates: [],
    });
    try {
      await expect(client.request('PROPFIND', '/', { depth: '0' })).rejects.toMatchObject({
        code: 'auth_failed',
        message: expect.stringContaining('a refusé l’identifiant'),
      });
    } finally {
      client.close();
    }
    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const { port } = srv.address() as net.AddressInfo;
    await new Promise<void>((r) => srv.close(() => r()));
    const closed = new DavClient(`https://127.0.0.1:${port}/`, {
      username: user.username,
      password: user.password,
      pinnedCertificates: [],
    });
    try {
      await expect(closed.request('PROPFIND', '/', { depth: '0' })).rejects.toMatchObject({
        code: 'connection_refused',
        message: expect.stringContaining('refuse la connexion'),
      });
    } finally {
      closed.close();
    }
  });

  it('an answer over the DAV size cap is refused in French, nothing is kept of it', async () => {
    expect(MAX_DAV_RESPONSE_BYTES).toBe(64 * 1024 * 1024);
    const s = getServers();
    const user = testUser(1);
    const client = new DavClient(`https://localhost:${s.radicale.port}/`, {
      username: user.username,
      password: user.password,
      pinnedCertificates: [],
    });
    try {
      // The same PROPFIND fits under the real cap, and not under a cap of 200 bytes.
      expect((await client.request('PROPFIND', `/${user.username}/`, { depth: '1' })).status).toBe(207);
      await expect(client.request('PROPFIND', `/${user.username}/`, { depth: '1', maxBytes: 200 })).rejects.toMatchObject({
        code: 'server_error',
        message: expect.stringMatching(
          /^Le serveur localhost a envoyé une réponse de plus de 0\u00a0Mo\u00a0: Ostal ne l’a pas lue et n’a rien changé/,
        ),
      });
    } finally {
      client.close();
    }
  });
});
