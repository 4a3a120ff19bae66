/**
 * CardDAV read sync against the real Radicale: the seeded « Carnet d’adresses », French sort order,
 * and a vCard PUT then DELETEd directly on the server (agent4's address book; agent1 is only read).
 */
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SEED_COLLECTIONS, SEED_COUNTS } from '../servers/seed.js';
import { testUser } from '../servers/testing.js';
import { davCore, radicale } from './dav-fixture.js';

describe('CardDAV sync with Radicale', () => {
  it('syncs the seeded address book, sorted by name in French order', async () => {
    const { core, accountId } = await davCore(testUser(1));
    try {
      const report = await core.handle('sync.run', { accountId, only: 'contacts' });
      expect(report.accounts[0]).toMatchObject({ ok: true, scopes: ['contacts'] });
      const contacts = await core.handle('contacts.list', {});
      expect(contacts).toHaveLength(SEED_COUNTS[testUser(1).email]?.contacts ?? -1);
      for (const c of contacts) {
        expect(Object.keys(c).sort()).toEqual([
          'address',
          'addressBook',
          'birthday',
          'emails',
          'fn',
          'note',
          'organization',
          'phones',
          'title',
          'uid',
        ]);
        expect(c.addressBook).toBe(SEED_COLLECTIONS.addressBookName);
        expect(c.emails.length).toBeGreaterThan(0);
        expect(c.emails[0]).toMatch(/@/);
      }
      const names = contacts.map((c) => c.fn);
      expect([...names].sort(new Intl.Collator('fr').compare)).toEqual(names);
      // Colleagues of the town hall are in agent1's address book.
      expect(contacts.some((c) => c.emails.includes(testUser(2).email))).toBe(true);
    } finally {
      await core.close();
    }
  });

  it('a vCard PUT on Radicale appears after the next sync, a DELETE disappears', async () => {
    const { core, accountId } = await davCore(testUser(4));
    const user = testUser(4);
    try {
      await core.handle('sync.run', { accountId, only: 'contacts' });
      // agent4's address book is shared with other test files running at the same time (imports, writes): this test
      // follows its own card by UID, not the book's total.
      const uid = `ostal-test-${crypto.randomUUID()}`;
      const vcf = [
        'BEGIN:VCARD',
        'VERSION:4.0',
        `UID:${uid}`,
        'FN:Zoé Àlavigne',
        'EMAIL;TYPE=work:zoe.alavigne@example.fr',
        'TEL;VALUE=uri:tel:+33-5-65-00-00-01',
        'END:VCARD',
        '',
      ].join('\r\n');
      const href = `/${encodeURIComponent(user.username)}/${SEED_COLLECTIONS.addressBook}/${uid}.vcf`;
      expect((await radicale(user, 'PUT', href, vcf)).status).toBe(201);
      await core.handle('sync.run', { accountId, only: 'contacts' });
      const after = await core.handle('contacts.list', {});
      expect(after.filter((c) => c.uid === uid)).toHaveLength(1);
      expect(after.find((c) => c.uid === uid)).toEqual({
        uid,
        fn: 'Zoé Àlavigne',
        emails: ['zoe.alavigne@example.fr'],
        phones: ['+33-5-65-00-00-01'],
        organization: '',
        title: '',
        note: '',
        address: '',
        birthday: '',
        addressBook: SEED_COLLECTIONS.addressBookName,
      });

      expect((await radicale(user, 'DELETE', href)).status).toBe(200);
      await core.handle('sync.run', { accountId, only: 'contacts' });
      const removed = await core.handle('contacts.list', {});
      expect(removed.find((c) => c.uid === uid)).toBeUndefined();
    } finally {
      await core.close();
    }
  });
});
