/**
 * Contacts writes against the real Radicale, through the operations journal: a contact created while the server
 * is unreachable (TCP relay closed) shows at once and reaches Radicale when it returns; an edit made meanwhile on
 * the server gives a conflict (server version kept, the user's set aside and re-applied); deletion. agent4's
 * address book (unique names).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Core } from '../../src/core.js';
import { silentLogger } from '../../src/log.js';
import { parseVCard } from '../../src/contacts/vcard.js';
import { SEED_COLLECTIONS } from '../servers/seed.js';
import { TcpRelay } from './mail-sync-fixture.js';
import { caCert, getServers, testUser } from '../servers/testing.js';

const user = testUser(4);
const dirs: string[] = [];

async function coreWithAccount(davPort: number): Promise<{ core: Core; accountId: string }> {
  const s = getServers();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-carddav-w-'));
  dirs.push(dir);
  const core = await Core.open({ profileDir: path.join(dir, 'profil'), mode: 'cli', logger: silentLogger, policyPath: path.join(dir, 'no-policy.json') });
  const dav = `https://localhost:${davPort}/`;
  const summary = await core.handle('accounts.add', {
    email: user.email,
    password: user.password,
    name: user.name,
    settings: { imap: `imaps://localhost:${s.imap.tlsPort}`, smtp: `smtp://localhost:${s.smtp.port}`, caldav: dav, carddav: dav, webdav: null, username: user.username },
  });
  return { core, accountId: summary.id };
}

/** A request made directly on Radicale, not through Ostal. */
function radicale(method: string, urlPath: string, body?: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; etag: string | null }> {
  const s = getServers();
  const buf = body === undefined ? undefined : Buffer.from(body, 'utf8');
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: 'localhost',
        port: s.radicale.port,
        method,
        path: urlPath,
        ca: caCert(),
        auth: `${user.username}:${user.password}`,
        headers: { 'Content-Length': String(buf?.length ?? 0), ...(buf ? { 'Content-Type': method === 'REPORT' ? 'application/xml' : 'text/vcard; charset=utf-8' } : {}), ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), etag: (res.headers.etag as string | undefined) ?? null }));
      },
    );
    req.on('error', reject);
    req.end(buf);
  });
}


const bookPath = () => `/${encodeURIComponent(user.username)}/${SEED_COLLECTIONS.addressBook}/`;
const tag = () => crypto.randomBytes(4).toString('hex');

/** The vCard Radicale holds for this UID (GET of each member found by PROPFIND), or null. */
async function serverCard(uid: string): Promise<{ href: string; raw: string } | null> {
  const res = await radicale('PROPFIND', bookPath(), '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:getetag/></D:prop></D:propfind>', { Depth: '1', 'Content-Type': 'application/xml' });
  expect(res.status).toBe(207);
  const hrefs = [...res.body.matchAll(/<(?:\w+:)?href>([^<]+\.vcf)<\/(?:\w+:)?href>/g)].map((m) => m[1]!);
  for (const href of hrefs) {
    if (!decodeURIComponent(href).includes(uid)) continue;
    const got = await radicale('GET', href);
    if (got.status === 200) return { href, raw: got.body };
  }
  return null;
}

function pendingCount(core: Core): number {
  return (core.ctx.db.prepare("SELECT count(*) AS n FROM operations WHERE kind LIKE 'dav.addressbook.%' AND state IN ('pending', 'running')").get() as { n: number }).n;
}

afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('Contacts writes through the journal, with Radicale', () => {
  const relay = new TcpRelay(getServers().radicale.port);
  let core: Core;
  let accountId: string;

  beforeAll(async () => {
    await relay.open();
    ({ core, accountId } = await coreWithAccount(relay.port));
    const report = await core.handle('sync.run', { accountId, only: 'contacts' });
    expect(report.accounts[0]).toMatchObject({ ok: true });
  });
  afterAll(async () => {
    await core.close();
    await relay.close();
  });

  it('a contact created offline shows at once, reaches Radicale when it returns, then is edited and deleted', async () => {
    await relay.close();
    const fn = `Élodie Durand ${tag()}`;
    const { uid } = await core.handle('contacts.create', { contact: { fn, emails: ['elodie.durand@mairie.example'], phones: ['+33 4 67 00 00 00'], organization: 'Mairie de Saint-Jean' } });
    expect((await core.handle('contacts.list', {})).find((c) => c.uid === uid)).toMatchObject({ fn, emails: ['elodie.durand@mairie.example'], addressBook: SEED_COLLECTIONS.addressBookName });
    expect((await core.handle('contacts.get', { uid })).pending).toBe(true);
    expect((await core.handle('sync.run', { accountId, only: 'contacts' })).accounts[0]?.ok).toBe(false);
    expect(await serverCard(uid)).toBeNull();

    await relay.open();
    expect((await core.handle('sync.run', { accountId, only: 'contacts' })).accounts[0]).toMatchObject({ ok: true });
    expect(pendingCount(core)).toBe(0);
    const stored = await serverCard(uid);
    expect(parseVCard(stored!.raw)).toMatchObject({ uid, fn, emails: ['elodie.durand@mairie.example'], phones: ['+33 4 67 00 00 00'] });
    expect(stored!.raw).toContain('Mairie de Saint-Jean');

    await core.handle('contacts.update', { uid, contact: { fn, emails: ['e.durand@mairie.example'], phones: [], organization: 'Mairie de Saint-Jean', note: 'Service état civil' } });
    await core.handle('sync.run', { accountId, only: 'contacts' });
    const updated = await serverCard(uid);
    expect(parseVCard(updated!.raw)).toMatchObject({ emails: ['e.durand@mairie.example'], phones: [] });
    expect((await core.handle('contacts.get', { uid })).note).toBe('Service état civil');

    await core.handle('contacts.delete', { uid });
    expect((await core.handle('contacts.list', {})).find((c) => c.uid === uid)).toBeUndefined();
    await core.handle('sync.run', { accountId, only: 'contacts' });
    expect(await serverCard(uid)).toBeNull();
  });

  it('412: the server changed the contact meanwhile: its version is kept and the user’s offered again', async () => {
    const fn = `Marc Lefèvre ${tag()}`;
    const { uid } = await core.handle('contacts.create', { contact: { fn, emails: ['marc@mairie.example'], phones: [] } });
    await core.handle('sync.run', { accountId, only: 'contacts' });
    const stored = (await serverCard(uid))!;
    expect((await radicale('PUT', stored.href, stored.raw.replace(/EMAIL:[^\r\n]*/, 'EMAIL:marc.serveur@mairie.example'))).status).toBeLessThan(300);
    await relay.close();
    await core.handle('contacts.update', { uid, contact: { fn, emails: ['marc.local@mairie.example'], phones: [] } });
    await relay.open();
    await core.handle('sync.run', { accountId, only: 'contacts' });
    const conflict = (await core.handle('dav.conflicts', {})).find((c) => c.uid === uid);
    expect(conflict).toMatchObject({ kind: 'addressbook', action: 'put' });
    expect(conflict!.message).toContain(fn);
    expect((await core.handle('contacts.get', { uid })).emails).toEqual(['marc.serveur@mairie.example']);
    await core.handle('dav.resolveConflict', { id: conflict!.id, action: 'reapply' });
    await core.handle('sync.run', { accountId, only: 'contacts' });
    expect(parseVCard((await serverCard(uid))!.raw).emails).toEqual(['marc.local@mairie.example']);
    await core.handle('contacts.delete', { uid });
    await core.handle('sync.run', { accountId, only: 'contacts' });
  });

  it('bad input gives a French message and writes nothing', async () => {
    const before = pendingCount(core);
    await expect(core.handle('contacts.create', { contact: { fn: ' ', emails: [], phones: [] } })).rejects.toMatchObject({ code: 'invalid_input', message: 'Indiquez le nom du contact.' });
    await expect(core.handle('contacts.create', { contact: { fn: 'X', emails: ['pas une adresse'], phones: [] } })).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringContaining('adresses électroniques') });
    expect(pendingCount(core)).toBe(before);
  });
});
