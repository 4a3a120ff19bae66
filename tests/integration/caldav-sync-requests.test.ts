/**
 * What the CalDAV/CardDAV read sync asks of the real Radicale (the costs measured by `npm run bench -- dav`):
 * the first sync brings each collection with ONE sync-collection REPORT carrying the data (no ETag listing, no
 * multiget), an unchanged resync asks only the collections' getctag, and a stored sync-token the server refuses
 * (403 valid-sync-token) falls back to a full sync instead of failing. agent4's calendar is changed.
 */
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { davRequestStats } from '../../src/dav/client.js';
import { SEED_COLLECTIONS, SEED_COUNTS } from '../servers/seed.js';
import { testUser } from '../servers/testing.js';
import { davCore, radicale } from './dav-fixture.js';

const delta = (before: Record<string, number>, kind: string) => (davRequestStats.byKind[kind] ?? 0) - (before[kind] ?? 0);

describe('CalDAV/CardDAV sync requests', () => {
  it('first sync: one sync-collection with the data per collection; unchanged resync: only the getctag', async () => {
    const { core, accountId } = await davCore(testUser(1));
    try {
      let before = { ...davRequestStats.byKind };
      for (const only of ['calendar', 'contacts'] as const)
        expect((await core.handle('sync.run', { accountId, only })).accounts[0]?.ok).toBe(true);
      expect(delta(before, 'sync-collection')).toBe(2);
      expect(delta(before, 'multiget')).toBe(0);
      expect(delta(before, 'list-etags')).toBe(0);
      const counts = SEED_COUNTS[testUser(1).email]!;
      const events = await core.handle('calendar.list', { from: '2020-01-01', to: '2030-12-31' });
      expect(new Set(events.map((e) => e.uid)).size).toBe(counts.events);
      expect((await core.handle('contacts.list', {})).length).toBe(counts.contacts);

      before = { ...davRequestStats.byKind };
      for (const only of ['calendar', 'contacts'] as const)
        expect((await core.handle('sync.run', { accountId, only })).accounts[0]?.ok).toBe(true);
      expect(delta(before, 'collection-ctag')).toBe(2);
      expect(delta(before, 'sync-collection') + delta(before, 'multiget') + delta(before, 'list-etags')).toBe(0);
    } finally {
      await core.close();
    }
  });

  it('a sync-token the server refuses: full sync from an empty token, the new event arrives', async () => {
    const user = testUser(4);
    const { core, accountId } = await davCore(user);
    const uid = `ostal-test-${crypto.randomUUID()}`;
    const href = `/${encodeURIComponent(user.username)}/${SEED_COLLECTIONS.calendar}/${uid}.ics`;
    try {
      expect((await core.handle('sync.run', { accountId, only: 'calendar' })).accounts[0]?.ok).toBe(true);
      core.ctx.db
        .prepare("UPDATE dav_collections SET sync_token = 'http://radicale.org/ns/sync/jeton-inconnu' WHERE account_id = ?")
        .run(accountId);
      const ics = [
        'BEGIN:VCALENDAR',
        'VERSION:2.0',
        'PRODID:-//Ostal//Test//FR',
        'BEGIN:VEVENT',
        `UID:${uid}`,
        'DTSTAMP:20260101T000000Z',
        'DTSTART:20260710T080000Z',
        'DTEND:20260710T090000Z',
        'SUMMARY:Jeton refusé, synchronisation complète',
        'END:VEVENT',
        'END:VCALENDAR',
        '',
      ].join('\r\n');
      expect((await radicale(user, 'PUT', href, ics)).status).toBe(201);
      const before = { ...davRequestStats.byKind };
      const report = await core.handle('sync.run', { accountId, only: 'calendar' });
      expect(report.accounts[0]?.ok).toBe(true);
      // The refused incremental one, then the full one from an empty token.
      expect(delta(before, 'sync-collection')).toBe(2);
      const july = await core.handle('calendar.list', { from: '2026-07-10', to: '2026-07-11' });
      expect(july.map((e) => e.uid)).toContain(uid);
      const stored = core.ctx.db
        .prepare('SELECT sync_token FROM dav_collections WHERE account_id = ? AND kind = ?')
        .get(accountId, 'calendar') as { sync_token: string };
      expect(stored.sync_token).toMatch(/^http:\/\/radicale\.org\/ns\/sync\/[0-9a-f]+$/);
    } finally {
      await radicale(user, 'DELETE', href);
      await core.close();
    }
  });
});
