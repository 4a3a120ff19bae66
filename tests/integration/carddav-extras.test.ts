/**
 * Fonction (TITLE), postal address (ADR) and birthday (BDAY) with the real Radicale: a contact written by Ostal
 * reaches the server with them, read back by a GET; a card written by another client is stored by the sync with its
 * extras as columns (the list reads those, not the text). agent4's address book (unique names).
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/core.js';
import { SEED_COLLECTIONS } from '../servers/seed.js';
import { testUser } from '../servers/testing.js';
import { davCore, pendingDavOperations, radicale } from './dav-fixture.js';

const user = testUser(4);
const bookPath = () => `/${encodeURIComponent(user.username)}/${SEED_COLLECTIONS.addressBook}/`;
const tag = () => crypto.randomBytes(4).toString('hex');
const unfold = (text: string) => text.replace(/\r\n[ \t]/g, '');

describe('Contacts: fonction, address and birthday with Radicale', () => {
  let core: Core;
  let accountId: string;

  beforeAll(async () => {
    ({ core, accountId } = await davCore(user));
    expect((await core.handle('sync.run', { accountId, only: 'contacts' })).accounts[0]).toMatchObject({ ok: true });
  });
  afterAll(async () => {
    await core.close();
  });

  it('a contact written with TITLE, ADR and BDAY reaches Radicale with them, and an edit keeps them', async () => {
    const fn = `Anne Roux ${tag()}`;
    const { uid } = await core.handle('contacts.create', {
      contact: {
        fn,
        emails: [],
        phones: [],
        title: 'Secrétaire générale',
        address: { street: '8 place Vival\nBâtiment B', postalCode: '46100', locality: 'Figeac' },
        birthday: '1975-03-14',
      },
    });
    expect((await core.handle('sync.run', { accountId, only: 'contacts' })).accounts[0]?.ok).toBe(true);
    expect(pendingDavOperations(core)).toBe(0);
    const href = `${bookPath()}${uid}.vcf`;
    const got = await radicale(user, 'GET', href);
    expect(got.status).toBe(200);
    const text = unfold(got.body);
    expect(text).toContain('TITLE:Secrétaire générale');
    expect(text).toMatch(/^ADR:;;8 place Vival,Bâtiment B;Figeac;;46100;\r?$/m);
    expect(text).toMatch(/^BDAY:(19750314|1975-03-14)\r?$/m);

    await core.handle('contacts.update', { uid, contact: { fn, emails: ['anne.roux@mairie.example'], phones: [] } });
    expect((await core.handle('sync.run', { accountId, only: 'contacts' })).accounts[0]?.ok).toBe(true);
    const again = unfold((await radicale(user, 'GET', href)).body);
    expect(again).toContain('anne.roux@mairie.example');
    expect(again).toContain('TITLE:Secrétaire générale');
    expect(again).toMatch(/^BDAY:(19750314|1975-03-14)\r?$/m);
    expect(await core.handle('contacts.get', { uid })).toMatchObject({
      title: 'Secrétaire générale',
      address: { street: '8 place Vival\nBâtiment B', postalCode: '46100', locality: 'Figeac' },
      birthday: '1975-03-14',
    });
  });

  it('a card written by another client is stored by the sync with its extras as columns', async () => {
    const uid = `autre-${tag()}`;
    const href = `${bookPath()}${uid}.vcf`;
    const card = [
      'BEGIN:VCARD',
      'VERSION:3.0',
      `UID:${uid}`,
      `FN:Jérôme Lambert ${uid}`,
      'ORG:Préfecture du Lot;Service des élections',
      'TITLE:Chef de bureau',
      'NOTE:Présent le mardi',
      'ADR;TYPE=WORK:;;Place Chapou;Cahors;;46000;France',
      'BDAY:1968-07-01',
      'END:VCARD',
      '',
    ].join('\r\n');
    expect((await radicale(user, 'PUT', href, card, { 'Content-Type': 'text/vcard; charset=utf-8' })).status).toBeLessThan(300);
    expect((await core.handle('sync.run', { accountId, only: 'contacts' })).accounts[0]?.ok).toBe(true);
    const row = core.ctx.db
      .prepare('SELECT organization, job_title AS title, note, address, birthday FROM dav_objects WHERE uid = ?')
      .get(uid);
    const extras = {
      organization: 'Préfecture du Lot, Service des élections',
      title: 'Chef de bureau',
      note: 'Présent le mardi',
      address: 'Place Chapou\n46000 Cahors\nFrance',
      birthday: '1968-07-01',
    };
    expect(row).toEqual(extras);
    // The list reads those columns: with the stored text made unreadable, it shows the same.
    core.ctx.db.prepare("UPDATE dav_objects SET raw = 'illisible' WHERE uid = ?").run(uid);
    expect((await core.handle('contacts.list', {})).find((c) => c.uid === uid)).toMatchObject({ fn: `Jérôme Lambert ${uid}`, ...extras });
    expect((await radicale(user, 'DELETE', href)).status).toBeLessThan(300);
  });
});
