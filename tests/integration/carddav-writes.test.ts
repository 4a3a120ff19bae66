/**
 * Contacts writes against the real Radicale, through the operations journal: a contact created while the server
 * is unreachable (TCP relay closed) shows at once and reaches Radicale when it returns; an edit made meanwhile on
 * the server gives a conflict (server version kept, the user's set aside and re-applied); deletion. agent4's
 * address book (unique names).
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/core.js';
import { parseVCard } from '../../src/contacts/vcard.js';
import { SEED_COLLECTIONS } from '../servers/seed.js';
import { TcpRelay } from './mail-sync-fixture.js';
import { getServers, testUser } from '../servers/testing.js';
import { davCore, pendingDavOperations, radicale } from './dav-fixture.js';

const user = testUser(4);

const bookPath = () => `/${encodeURIComponent(user.username)}/${SEED_COLLECTIONS.addressBook}/`;
const tag = () => crypto.randomBytes(4).toString('hex');

/** The vCard Radicale holds for this UID (GET of each member found by PROPFIND), or null. */
async function serverCard(uid: string): Promise<{ href: string; raw: string } | null> {
  const res = await radicale(
    user,
    'PROPFIND',
    bookPath(),
    '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:getetag/></D:prop></D:propfind>',
    { Depth: '1', 'Content-Type': 'application/xml' },
  );
  expect(res.status).toBe(207);
  const hrefs = [...res.body.matchAll(/<(?:\w+:)?href>([^<]+\.vcf)<\/(?:\w+:)?href>/g)].map((m) => m[1]!);
  for (const href of hrefs) {
    if (!decodeURIComponent(href).includes(uid)) continue;
    const got = await radicale(user, 'GET', href);
    if (got.status === 200) return { href, raw: got.body };
  }
  return null;
}

describe('Contacts writes through the journal, with Radicale', () => {
  const relay = new TcpRelay(getServers().radicale.port);
  let core: Core;
  let accountId: string;

  beforeAll(async () => {
    await relay.open();
    ({ core, accountId } = await davCore(user, { davPort: relay.port }));
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
    const { uid } = await core.handle('contacts.create', {
      contact: { fn, emails: ['elodie.durand@mairie.example'], phones: ['+33 4 67 00 00 00'], organization: 'Mairie de Saint-Jean' },
    });
    expect((await core.handle('contacts.list', {})).find((c) => c.uid === uid)).toMatchObject({
      fn,
      emails: ['elodie.durand@mairie.example'],
      addressBook: SEED_COLLECTIONS.addressBookName,
    });
    expect((await core.handle('contacts.get', { uid })).pending).toBe(true);
    expect((await core.handle('sync.run', { accountId, only: 'contacts' })).accounts[0]?.ok).toBe(false);
    expect(await serverCard(uid)).toBeNull();

    await relay.open();
    expect((await core.handle('sync.run', { accountId, only: 'contacts' })).accounts[0]).toMatchObject({ ok: true });
    expect(pendingDavOperations(core, { prefix: 'dav.addressbook.' })).toBe(0);
    const stored = await serverCard(uid);
    expect(parseVCard(stored!.raw)).toMatchObject({ uid, fn, emails: ['elodie.durand@mairie.example'], phones: ['+33 4 67 00 00 00'] });
    expect(stored!.raw).toContain('Mairie de Saint-Jean');

    await core.handle('contacts.update', {
      uid,
      contact: { fn, emails: ['e.durand@mairie.example'], phones: [], organization: 'Mairie de Saint-Jean', note: 'Service état civil' },
    });
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
    expect(
      (await radicale(user, 'PUT', stored.href, stored.raw.replace(/EMAIL:[^\r\n]*/, 'EMAIL:marc.serveur@mairie.example'))).status,
    ).toBeLessThan(300);
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

  it('« Annuler » after a delete brings back the same vCard: DELETE still waiting (dropped) or already on the server (sent again)', async () => {
    const fn = `Anne Roux ${tag()}`;
    const contact = {
      fn,
      emails: ['anne.roux@mairie.example'],
      phones: ['04 67 12 34 56'],
      organization: 'Mairie',
      note: 'Ligne 1\nLigne 2',
    };
    const { uid } = await core.handle('contacts.create', { contact });
    await core.handle('sync.run', { accountId, only: 'contacts' });
    const before = (await serverCard(uid))!;
    expect(before).not.toBeNull();

    // Offline: the DELETE waits in the journal; « Annuler » drops it and nothing reaches the server.
    await relay.close();
    await core.handle('contacts.delete', { uid });
    expect((await core.handle('contacts.list', {})).find((c) => c.uid === uid)).toBeUndefined();
    await core.handle('contacts.restore', { uid });
    expect((await core.handle('contacts.list', {})).find((c) => c.uid === uid)).toMatchObject({
      fn,
      organization: 'Mairie',
      note: 'Ligne 1\nLigne 2',
    });
    expect(pendingDavOperations(core, { prefix: 'dav.addressbook.' })).toBe(0);
    await relay.open();
    await core.handle('sync.run', { accountId, only: 'contacts' });
    expect((await serverCard(uid))?.raw).toBe(before.raw);

    // Online: the DELETE reaches Radicale; « Annuler » writes the same vCard again, at the same address.
    await core.handle('contacts.delete', { uid });
    await core.handle('sync.run', { accountId, only: 'contacts' });
    expect(await serverCard(uid)).toBeNull();
    await core.handle('contacts.restore', { uid });
    await core.handle('sync.run', { accountId, only: 'contacts' });
    expect(pendingDavOperations(core, { prefix: 'dav.addressbook.', withFailed: true })).toBe(0);
    expect(await core.handle('dav.conflicts', {})).not.toContainEqual(expect.objectContaining({ uid }));
    const back = (await serverCard(uid))!;
    expect(back.href).toBe(before.href);
    expect(parseVCard(back.raw)).toEqual(parseVCard(before.raw));
    expect(back.raw).toContain('Ligne 1\\nLigne 2');
    expect(await core.handle('contacts.get', { uid })).toMatchObject({ ...contact, pending: false });

    // « Annuler » while the DELETE is on its way (claimed, not answered yet): the PUT queued after it creates the vCard anew.
    await relay.close();
    await core.handle('contacts.delete', { uid });
    const setDelete = (from: string, to: string) =>
      core.ctx.db
        .prepare("UPDATE operations SET state = ?, next_attempt_at = 0 WHERE kind = 'dav.addressbook.delete' AND state = ?")
        .run(to, from).changes;
    expect(setDelete('pending', 'running')).toBe(1);
    await core.handle('contacts.restore', { uid });
    expect(setDelete('running', 'pending')).toBe(1);
    await relay.open();
    await core.handle('sync.run', { accountId, only: 'contacts' });
    expect(pendingDavOperations(core, { prefix: 'dav.addressbook.', withFailed: true })).toBe(0);
    expect(await core.handle('dav.conflicts', {})).not.toContainEqual(expect.objectContaining({ uid }));
    expect(parseVCard((await serverCard(uid))!.raw)).toEqual(parseVCard(before.raw));

    await core.handle('contacts.delete', { uid });
    await core.handle('sync.run', { accountId, only: 'contacts' });
    expect(await serverCard(uid)).toBeNull();
  });

  it('bad input gives a French message and writes nothing', async () => {
    const before = pendingDavOperations(core, { prefix: 'dav.addressbook.' });
    await expect(core.handle('contacts.create', { contact: { fn: ' ', emails: [], phones: [] } })).rejects.toMatchObject({
      code: 'invalid_input',
      message: 'Indiquez le nom du contact.',
    });
    await expect(core.handle('contacts.create', { contact: { fn: 'X', emails: ['pas une adresse'], phones: [] } })).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringContaining('adresses électroniques'),
    });
    expect(pendingDavOperations(core, { prefix: 'dav.addressbook.' })).toBe(before);
  });
});
