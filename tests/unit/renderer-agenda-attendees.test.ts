import { describe, expect, it } from 'vitest';
import { contactsNamed, isAddress } from '../../renderer/src/views/agenda/attendees';

const contacts = [
  { fn: 'Dominique Bernard', emails: ['agent2@ostal.test'] },
  { fn: 'Élodie Durand', emails: ['elodie@mairie.example', 'e.durand@mairie.example'] },
  { fn: 'Sacha Durand', emails: ['sacha@mairie.example'] },
  { fn: 'Jean-Pierre Lefèvre', emails: ['jp@mairie.example'] },
];

describe('Agenda › Participants: a name typed instead of an address', () => {
  it('finds the one contact whose name holds every word, accents and case ignored', () => {
    expect(contactsNamed(contacts, 'Bernard')).toEqual(['agent2@ostal.test']);
    expect(contactsNamed(contacts, 'dominique')).toEqual(['agent2@ostal.test']);
    expect(contactsNamed(contacts, 'sacha durand')).toEqual(['sacha@mairie.example']);
    expect(contactsNamed(contacts, 'lefevre')).toEqual(['jp@mairie.example']);
    expect(contactsNamed(contacts, 'Pierre')).toEqual(['jp@mairie.example']);
  });

  it('gives every address when the name is not one contact, none when it is nobody', () => {
    expect(contactsNamed(contacts, 'Durand')).toEqual(['elodie@mairie.example', 'e.durand@mairie.example', 'sacha@mairie.example']);
    expect(contactsNamed(contacts, 'Elodie')).toHaveLength(2);
    expect(contactsNamed(contacts, 'Martin')).toEqual([]);
    expect(contactsNamed(contacts, '   ')).toEqual([]);
    expect(contactsNamed(contacts, 'ard')).toEqual([]);
  });

  it('tells an address from a name', () => {
    expect(isAddress('agent2@ostal.test')).toBe(true);
    expect(isAddress('Bernard')).toBe(false);
    expect(isAddress('a@b')).toBe(false);
  });
});
