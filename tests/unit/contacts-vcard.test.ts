import { describe, expect, it } from 'vitest';
import { cardExtras, contactFields, createVCard, parseVCard, readVCard, updateVCard } from '../../src/contacts/vcard.js';
import { restamp } from '../../src/calendar/dav-writes.js';

describe('vCard parsing', () => {
  it('reads a vCard 3.0 as Radicale serves it', () => {
    const raw = [
      'BEGIN:VCARD',
      'VERSION:3.0',
      'UID:c-1',
      'FN:Élise Durand',
      'N:Durand;Élise;;;',
      'ORG:Mairie de Saint-Affrique',
      'EMAIL;TYPE=INTERNET,WORK:elise.durand@example.fr',
      'EMAIL;TYPE=INTERNET,HOME:elise@example.org',
      'TEL;TYPE=WORK,VOICE:+33 5 65 00 00 00',
      'END:VCARD',
      '',
    ].join('\r\n');
    expect(parseVCard(raw)).toEqual({
      uid: 'c-1',
      fn: 'Élise Durand',
      emails: ['elise.durand@example.fr', 'elise@example.org'],
      phones: ['+33 5 65 00 00 00'],
    });
  });

  it('reads a vCard 4.0 with tel: URIs and builds the name from N when FN is empty', () => {
    const raw = [
      'BEGIN:VCARD',
      'VERSION:4.0',
      'UID:urn:uuid:4a2b',
      'FN:',
      'N:Martin;Jean;;;',
      'EMAIL;TYPE=work:jean.martin@example.fr',
      'TEL;VALUE=uri;TYPE=cell:tel:+33-6-12-34-56-78',
      'END:VCARD',
      '',
    ].join('\r\n');
    expect(parseVCard(raw)).toEqual({
      uid: 'urn:uuid:4a2b',
      fn: 'Jean Martin',
      emails: ['jean.martin@example.fr'],
      phones: ['+33-6-12-34-56-78'],
    });
  });

  it('refuses malformed or incomplete cards', () => {
    expect(() => parseVCard('BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Sans identifiant\r\nEND:VCARD\r\n')).toThrow(/UID/);
    expect(() => parseVCard('ceci n’est pas une carte')).toThrow();
    expect(() => parseVCard('BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n')).toThrow(/VCARD/);
  });

  it('gives the card its organisation, fonction and note (line breaks kept), empty when absent', () => {
    const raw = [
      'BEGIN:VCARD',
      'VERSION:3.0',
      'UID:u1',
      'FN:Jérôme Lambert',
      'ORG:Préfecture du Lot;Service des élections',
      'TITLE:Chef de bureau',
      'NOTE:Présent le mardi\\nBureau 12',
      'END:VCARD',
      '',
    ].join('\r\n');
    expect(cardExtras(raw)).toEqual({
      organization: 'Préfecture du Lot, Service des élections',
      title: 'Chef de bureau',
      note: 'Présent le mardi\nBureau 12',
      address: '',
      birthday: '',
    });
    const mine = createVCard({ fn: 'Anne Roux', emails: [], phones: [], organization: 'Mairie', note: 'a\nb' }, { uid: 'u2', rev: 'r1' });
    expect(cardExtras(mine)).toEqual({ organization: 'Mairie', title: '', note: 'a\nb', address: '', birthday: '' });
    expect(cardExtras('BEGIN:VCARD\r\nVERSION:4.0\r\nUID:u3\r\nFN:X\r\nEND:VCARD\r\n')).toEqual({
      organization: '',
      title: '',
      note: '',
      address: '',
      birthday: '',
    });
  });

  it('a vCard brought back (« Annuler ») gets a new revision marker, added when another program wrote it', () => {
    const foreign = 'BEGIN:VCARD\r\nVERSION:3.0\r\nUID:u1\r\nFN:Jérôme\r\n Lambert\r\nEND:VCARD\r\n';
    const { raw, rev } = restamp(foreign);
    expect(raw).toBe(`BEGIN:VCARD\r\nVERSION:3.0\r\nUID:u1\r\nFN:JérômeLambert\r\nX-OSTAL-REV:${rev}\r\nEND:VCARD\r\n`);
    const again = restamp(raw);
    expect(again.raw).toBe(raw.replace(rev, again.rev));
    expect(again.rev).not.toBe(rev);
  });

  it('writes fonction, postal address and birthday in a new vCard 4.0 and reads them back', () => {
    const raw = createVCard(
      {
        fn: 'Anne Roux',
        emails: [],
        phones: [],
        title: 'Secrétaire générale',
        address: { street: '8 place Vival, bureau 3\nBâtiment B', postalCode: '46100', locality: 'Figeac' },
        birthday: '1975-03-14',
      },
      { uid: 'u4', rev: 'r1' },
    );
    expect(raw).toContain('TITLE:Secrétaire générale\r\n');
    expect(raw).toContain('ADR:;;8 place Vival\\, bureau 3,Bâtiment B;Figeac;;46100;\r\n');
    expect(raw).toContain('BDAY:19750314\r\n');
    expect(contactFields(raw)).toMatchObject({
      title: 'Secrétaire générale',
      address: { street: '8 place Vival, bureau 3\nBâtiment B', postalCode: '46100', locality: 'Figeac' },
      birthday: '1975-03-14',
    });
    expect(readVCard(raw).extras).toMatchObject({ address: '8 place Vival, bureau 3\nBâtiment B\n46100 Figeac', birthday: '1975-03-14' });
  });

  it('an edit keeps what it does not edit: a second address, the other parts of the first, X- properties, photo', () => {
    const foreign = [
      'BEGIN:VCARD',
      'VERSION:3.0',
      'UID:u5',
      'FN:Jérôme Lambert',
      'ADR;TYPE=WORK:BP 12;Bâtiment A;1 rue Ancienne;Cahors;Occitanie;46000;France',
      'ADR;TYPE=HOME:;;3 chemin des Vignes;Pradines;;46090;',
      'X-ABLABEL:Collègue',
      'X-MOZILLA-HTML;VALUE=BOOLEAN:TRUE',
      'PHOTO;ENCODING=b;TYPE=JPEG:AAAA',
      'BDAY:1970-01-01',
      'END:VCARD',
      '',
    ].join('\r\n');
    const fields = contactFields(foreign);
    expect(fields.address).toEqual({ street: '1 rue Ancienne', postalCode: '46000', locality: 'Cahors' });
    expect(readVCard(foreign).extras.address).toBe('Bâtiment A\n1 rue Ancienne\nBP 12\n46000 Cahors\nOccitanie\nFrance');
    const unfold = (text: string) => text.replace(/\r\n[ \t]/g, '');
    const edited = unfold(
      updateVCard(
        foreign,
        {
          ...fields,
          title: 'Chef de bureau',
          address: { street: '2 rue Nouvelle', postalCode: '46000', locality: 'Cahors' },
          birthday: '1971-02-03',
        },
        { rev: 'r2' },
      ),
    );
    expect(edited).toContain('ADR;TYPE=WORK:BP 12;Bâtiment A;2 rue Nouvelle;Cahors;Occitanie;46000;France\r\n');
    expect(edited).toContain('ADR;TYPE=HOME:;;3 chemin des Vignes;Pradines;;46090;\r\n');
    expect(edited).toContain('X-ABLABEL:Collègue\r\n');
    expect(edited).toContain('X-MOZILLA-HTML;VALUE=BOOLEAN:TRUE\r\n');
    expect(edited).toContain('PHOTO;ENCODING=b;TYPE=JPEG:AAAA\r\n');
    expect(edited).toContain('TITLE:Chef de bureau\r\n');
    // vCard 3.0 (RFC 2426) takes the basic date form too.
    expect(edited).toContain('BDAY;VALUE=DATE:19710203\r\n');
    // Left out: title, address and birthday stay as they are; emptied: removed (the second address stays).
    const kept = updateVCard(edited, { fn: 'Jérôme Lambert', emails: [], phones: [] }, { rev: 'r3' });
    expect(contactFields(kept)).toMatchObject({ title: 'Chef de bureau', birthday: '1971-02-03' });
    expect(kept).toContain('2 rue Nouvelle');
    const emptied = updateVCard(
      kept,
      { fn: 'Jérôme Lambert', emails: [], phones: [], title: '', birthday: '', address: { street: '', postalCode: '', locality: '' } },
      { rev: 'r4' },
    );
    expect(emptied).not.toMatch(/^(TITLE|BDAY)/m);
    expect(emptied).not.toContain('2 rue Nouvelle');
    expect(emptied).toContain('ADR;TYPE=HOME:;;3 chemin des Vignes;Pradines;;46090;\r\n');
    expect(emptied).toContain('X-ABLABEL:Collègue\r\n');
  });

  it('reads birthdays as other programs write them and refuses a date that does not exist', () => {
    const bday = (v: string) => readVCard(`BEGIN:VCARD\r\nVERSION:4.0\r\nUID:b\r\nFN:B\r\nBDAY:${v}\r\nEND:VCARD\r\n`).extras.birthday;
    expect(bday('19750314')).toBe('1975-03-14');
    expect(bday('--0314')).toBe('--03-14');
    expect(bday('19750314T120000Z')).toBe('1975-03-14');
    expect(readVCard('BEGIN:VCARD\r\nVERSION:4.0\r\nUID:b\r\nFN:B\r\nBDAY;VALUE=text:vers 1900\r\nEND:VCARD\r\n').extras.birthday).toBe('');
    expect(() => createVCard({ fn: 'X', emails: [], phones: [], birthday: '1975-02-30' }, { uid: 'u', rev: 'r' })).toThrow(/birthday/);
    expect(createVCard({ fn: 'X', emails: [], phones: [], birthday: '--02-29' }, { uid: 'u', rev: 'r' })).toContain('BDAY:--0229\r\n');
  });
});
