/**
 * contacts.suggest against a real store: agent3's address book synced from the test Radicale, plus messages written in
 * the store (as the mail sync writes them). Contacts come first, then past correspondents by frequency then recency;
 * accent- and case-insensitive on the name or the address; at most `limit`. A big store (100 000 messages) is measured.
 */
import { describe, expect, it } from 'vitest';
import type { Core } from '../../src/core.js';
import { testUser } from '../servers/testing.js';
import { davCore } from './dav-fixture.js';

interface Msg {
  fromName: string;
  fromAddr: string;
  to?: { name: string; address: string }[];
  cc?: { name: string; address: string }[];
  at: string;
}

function folder(core: Core, accountId: string, name: string): number {
  const db = core.ctx.db;
  db.prepare('INSERT INTO mail_folders (account_id, path, name) VALUES (?, ?, ?)').run(accountId, name, name);
  return (db.prepare('SELECT id FROM mail_folders WHERE account_id = ? AND path = ?').get(accountId, name) as { id: number }).id;
}

function insert(core: Core, accountId: string, folderId: number, firstUid: number, messages: Msg[]): void {
  const stmt = core.ctx.db.prepare(
    `INSERT INTO mail_messages (account_id, folder_id, uid, subject, from_name, from_addr, to_json, cc_json, date, internal_date)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  core.ctx.db.transaction(() => {
    messages.forEach((m, i) =>
      stmt.run(
        accountId,
        folderId,
        firstUid + i,
        `Objet ${firstUid + i}`,
        m.fromName,
        m.fromAddr,
        JSON.stringify(m.to ?? []),
        JSON.stringify(m.cc ?? []),
        m.at,
        m.at,
      ),
    );
  })();
}

describe('contacts.suggest', () => {
  it('contacts first, then correspondents by frequency and recency, accent- and case-insensitive, limited', async () => {
    const me = testUser(3);
    const { core, accountId } = await davCore(me);
    try {
      const report = await core.handle('sync.run', { accountId, only: 'contacts' });
      expect(report.accounts[0]).toMatchObject({ ok: true });
      const inbox = folder(core, accountId, 'INBOX');
      const self = { name: me.name, address: me.email };
      insert(core, accountId, inbox, 1, [
        { fromName: 'Éloïse Martin', fromAddr: 'eloise.martin@ville.example', to: [self], at: '2026-01-05T09:00:00.000Z' },
        { fromName: 'Éloïse Martin', fromAddr: 'eloise.martin@ville.example', to: [self], at: '2026-01-06T09:00:00.000Z' },
        { fromName: 'Elouan Petit', fromAddr: 'elouan.petit@ecole.example', to: [self], at: '2026-03-01T09:00:00.000Z' },
        // Once but more recent than Elouan: comes before him among equals.
        {
          fromName: 'Mélody Blanc',
          fromAddr: 'melody@asso.example',
          to: [self],
          cc: [{ name: 'ÉLOÏSE Martin', address: 'Eloise.Martin@ville.example' }],
          at: '2026-02-01T09:00:00.000Z',
        },
        {
          fromName: me.name,
          fromAddr: me.email,
          to: [
            { name: 'Élodie Garnier', address: 'elodie.garnier@tresorerie.example' },
            { name: '', address: 'eloi@cantine.example' },
          ],
          at: '2026-03-02T09:00:00.000Z',
        },
      ]);

      const elo = await core.handle('contacts.suggest', { query: 'elo' });
      console.log('« elo » →', elo.map((s) => `${s.source}:${s.name} <${s.email}>`).join(' | '));
      // The contact Élodie Garnier first (also a correspondent: listed once, as a contact).
      expect(elo[0]).toEqual({ name: 'Élodie Garnier', email: 'elodie.garnier@tresorerie.example', source: 'contact' });
      expect(elo.filter((s) => s.email.toLowerCase() === 'elodie.garnier@tresorerie.example')).toHaveLength(1);
      // Then correspondents: Éloïse (3 times, the address in two cases counted once), then the most recent single ones.
      expect(elo.slice(1).map((s) => [s.email.toLowerCase(), s.source])).toEqual([
        ['eloise.martin@ville.example', 'correspondent'],
        ['eloi@cantine.example', 'correspondent'],
        ['elouan.petit@ecole.example', 'correspondent'],
      ]);
      // The name shown is the one seen most recently (the Cc of 1 February).
      expect(elo[1].name).toBe('ÉLOÏSE Martin');
      // My own address is never proposed.
      expect((await core.handle('contacts.suggest', { query: 'agent3' })).map((s) => s.email)).not.toContain(me.email);

      // Accents and case, either way; name or address; word prefixes.
      expect((await core.handle('contacts.suggest', { query: 'ÉLO' })).map((s) => s.email)).toEqual(elo.map((s) => s.email));
      expect((await core.handle('contacts.suggest', { query: 'lefe' }))[0]).toMatchObject({
        name: 'Alix Lefèvre',
        email: testUser(5).email,
        source: 'contact',
      });
      expect((await core.handle('contacts.suggest', { query: 'Jérome' }))[0]).toMatchObject({ name: 'Jérôme Lambert', source: 'contact' });
      expect((await core.handle('contacts.suggest', { query: 'tresorerie' }))[0]).toMatchObject({
        email: 'elodie.garnier@tresorerie.example',
      });
      expect((await core.handle('contacts.suggest', { query: 'blanc' })).map((s) => s.email)).toEqual(['melody@asso.example']);
      expect(await core.handle('contacts.suggest', { query: 'zzzz' })).toEqual([]);
      expect(await core.handle('contacts.suggest', { query: '   ' })).toEqual([]);
      // « lodie » is not the start of a word: not proposed.
      expect((await core.handle('contacts.suggest', { query: 'lodie' })).map((s) => s.email)).not.toContain(
        'elodie.garnier@tresorerie.example',
      );

      // New messages are seen at the next call; the limit holds (8 by default).
      insert(
        core,
        accountId,
        inbox,
        100,
        Array.from({ length: 20 }, (_, i) => ({
          fromName: `Éloa Numéro ${i}`,
          fromAddr: `eloa.${i}@liste.example`,
          to: [self],
          at: `2026-04-${String(i + 1).padStart(2, '0')}T09:00:00.000Z`,
        })),
      );
      const many = await core.handle('contacts.suggest', { query: 'elo' });
      expect(many).toHaveLength(8);
      expect(many[0].source).toBe('contact');
      expect(many[1].email).toBe('eloise.martin@ville.example');
      expect(many[2].email).toBe('eloa.19@liste.example');
      expect(await core.handle('contacts.suggest', { query: 'elo', limit: 3 })).toHaveLength(3);
      await expect(core.handle('contacts.suggest', { query: 42 as unknown as string })).rejects.toThrow(/requête|demande/i);
    } finally {
      await core.close();
    }
  });

  it('stays fast on 100 000 stored messages', async () => {
    const me = testUser(3);
    const { core, accountId } = await davCore(me);
    try {
      await core.handle('sync.run', { accountId, only: 'contacts' });
      const inbox = folder(core, accountId, 'INBOX');
      const total = 100_000;
      const batch: Msg[] = [];
      for (let i = 0; i < total; i++) {
        const n = i % 3000;
        batch.push({
          fromName: `Agent ${n} Élodéa`,
          fromAddr: `agent.${n}@commune${n % 50}.example`,
          to: [
            { name: me.name, address: me.email },
            { name: `Collègue ${(i * 7) % 3000}`, address: `collegue.${(i * 7) % 3000}@mairie.example` },
          ],
          at: new Date(Date.UTC(2025, 0, 1) + i * 60_000).toISOString(),
        });
      }
      const seedStart = performance.now();
      insert(core, accountId, inbox, 1, batch);
      const seedMs = performance.now() - seedStart;

      const t0 = performance.now();
      const first = await core.handle('contacts.suggest', { query: 'elo' });
      const firstMs = performance.now() - t0;
      const times: number[] = [];
      for (const q of ['e', 'el', 'elod', 'agent 12', 'collegue.29', 'commune4']) {
        const t = performance.now();
        const r = await core.handle('contacts.suggest', { query: q });
        times.push(performance.now() - t);
        expect(r.length).toBeGreaterThan(0);
        expect(r.length).toBeLessThanOrEqual(8);
      }
      console.log(
        `contacts.suggest on ${total} messages (6000 correspondents): seed ${seedMs.toFixed(0)} ms; first call (builds the table) ${firstMs.toFixed(0)} ms; next calls ${times.map((x) => x.toFixed(1)).join(', ')} ms`,
      );
      expect(first[0]).toMatchObject({ name: 'Élodie Garnier', source: 'contact' });
      expect(first.filter((s) => s.source === 'correspondent')).toHaveLength(7);
      // Generous sanity bounds (2 shared cores): the point is the printed figures.
      expect(firstMs).toBeLessThan(30_000);
      expect(Math.max(...times)).toBeLessThan(2_000);
    } finally {
      await core.close();
    }
  }, 180_000);
});
