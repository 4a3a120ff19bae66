import { describe, expect, it } from 'vitest';
import { cardExtras, createVCard, parseVCard } from '../../src/contacts/vcard.js';
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
    });
    const mine = createVCard({ fn: 'Anne Roux', emails: [], phones: [], organization: 'Mairie', note: 'a\nb' }, { uid: 'u2', rev: 'r1' });
    expect(cardExtras(mine)).toEqual({ organization: 'Mairie', title: '', note: 'a\nb' });
    expect(cardExtras('BEGIN:VCARD\r\nVERSION:4.0\r\nUID:u3\r\nFN:X\r\nEND:VCARD\r\n')).toEqual({ organization: '', title: '', note: '' });
  });

  it('a vCard brought back (« Annuler ») gets a new revision marker, added when another program wrote it', () => {
    const foreign = 'BEGIN:VCARD\r\nVERSION:3.0\r\nUID:u1\r\nFN:Jérôme\r\n Lambert\r\nEND:VCARD\r\n';
    const { raw, rev } = restamp(foreign);
    expect(raw).toBe(`BEGIN:VCARD\r\nVERSION:3.0\r\nUID:u1\r\nFN:JérômeLambert\r\nX-OSTAL-REV:${rev}\r\nEND:VCARD\r\n`);
    const again = restamp(raw);
    expect(again.raw).toBe(raw.replace(rev, again.rev));
    expect(again.rev).not.toBe(rev);
  });
});
