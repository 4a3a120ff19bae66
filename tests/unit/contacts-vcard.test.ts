import { describe, expect, it } from 'vitest';
import { parseVCard } from '../../src/contacts/vcard.js';

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
});
