/**
 * CardDAV read sync against the real Radicale: the seeded « Carnet d’adresses », French sort order,
 * and a vCard PUT then DELETEd directly on the server (agent4's address book; agent1 is only read).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Core } from '../../src/core.js';
import { silentLogger } from '../../src/log.js';
import { SEED_COLLECTIONS, SEED_COUNTS } from '../servers/seed.js';
import { caCert, getServers, testUser } from '../servers/testing.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

async function coreWithAccount(n: 1 | 4): Promise<{ core: Core; accountId: string }> {
  const s = getServers();
  const user = testUser(n);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-carddav-'));
  dirs.push(dir);
  const core = await Core.open({ profileDir: path.join(dir, 'profil'), mode: 'cli', logger: silentLogger, policyPath: path.join(dir, 'no-policy.json') });
  const dav = `https://localhost:${s.radicale.port}/`;
  const summary = await core.handle('accounts.add', {
    email: user.email,
    password: user.password,
    settings: { imap: `imaps://localhost:${s.imap.tlsPort}`, smtp: `smtp://localhost:${s.smtp.port}`, caldav: dav, carddav: dav, webdav: null, username: user.username },
  });
  return { core, accountId: summary.id };
}

function radicale(method: string, urlPath: string, user: ReturnType<typeof testUser>, body?: string): Promise<number> {
  const buf = body === undefined ? undefined : Buffer.from(body, 'utf8');
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: 'localhost',
        port: getServers().radicale.port,
        method,
        path: urlPath,
        ca: caCert(),
        auth: `${user.username}:${user.password}`,
        headers: { 'Content-Length': String(buf?.length ?? 0), ...(buf ? { 'Content-Type': 'text/vcard; charset=utf-8' } : {}) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(buf);
  });
}

describe('CardDAV sync with Radicale', () => {
  it('syncs the seeded address book, sorted by name in French order', async () => {
    const { core, accountId } = await coreWithAccount(1);
    try {
      const report = await core.handle('sync.run', { accountId, only: 'contacts' });
      expect(report.accounts[0]).toMatchObject({ ok: true, scopes: ['contacts'] });
      const contacts = await core.handle('contacts.list', {});
      expect(contacts).toHaveLength(SEED_COUNTS[testUser(1).email]?.contacts ?? -1);
      for (const c of contacts) {
        expect(Object.keys(c).sort()).toEqual(['addressBook', 'emails', 'fn', 'phones', 'uid']);
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
    const { core, accountId } = await coreWithAccount(4);
    const user = testUser(4);
    try {
      await core.handle('sync.run', { accountId, only: 'contacts' });
      const seeded = (await core.handle('contacts.list', {})).length;
      const uid = `ostal-test-${crypto.randomUUID()}`;
      const vcf = ['BEGIN:VCARD', 'VERSION:4.0', `UID:${uid}`, 'FN:Zoé Àlavigne', 'EMAIL;TYPE=work:zoe.alavigne@example.fr', 'TEL;VALUE=uri:tel:+33-5-65-00-00-01', 'END:VCARD', ''].join('\r\n');
      const href = `/${encodeURIComponent(user.username)}/${SEED_COLLECTIONS.addressBook}/${uid}.vcf`;
      expect(await radicale('PUT', href, user, vcf)).toBe(201);
      await core.handle('sync.run', { accountId, only: 'contacts' });
      const after = await core.handle('contacts.list', {});
      expect(after).toHaveLength(seeded + 1);
      expect(after.find((c) => c.uid === uid)).toEqual({ uid, fn: 'Zoé Àlavigne', emails: ['zoe.alavigne@example.fr'], phones: ['+33-5-65-00-00-01'], addressBook: SEED_COLLECTIONS.addressBookName });

      expect(await radicale('DELETE', href, user)).toBe(200);
      await core.handle('sync.run', { accountId, only: 'contacts' });
      const removed = await core.handle('contacts.list', {});
      expect(removed).toHaveLength(seeded);
      expect(removed.find((c) => c.uid === uid)).toBeUndefined();
    } finally {
      await core.close();
    }
  });
});
