import { describe, expect, it } from 'vitest';
import { contactsNamed, designate, isAddress, namesByAddress, splitPeople } from '../../renderer/src/contacts-lookup';

const contacts = [
  { fn: 'Dominique Bernard', emails: ['agent2@ostal.test'] },
  { fn: 'Élodie Durand', emails: ['elodie@mairie.example', 'e.durand@mairie.example'] },
  { fn: 'Sacha Durand', emails: ['sacha@mairie.example'] },
  { fn: 'Jean-Pierre Lefèvre', emails: ['jp@mairie.example'] },
];

describe('Agenda › Participants, Espaces: a name typed instead of an address', () => {
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

  it('designates one person: an address typed or picked, the one contact named, or says several / nobody', () => {
    expect(designate(contacts, ' Agent2@Ostal.test ')).toEqual({ address: 'agent2@ostal.test' });
    expect(designate(contacts, 'Dominique Bernard <agent2@ostal.test>')).toEqual({ address: 'agent2@ostal.test' });
    expect(designate(contacts, 'bernard')).toEqual({ address: 'agent2@ostal.test' });
    expect(designate(contacts, 'Durand')).toEqual({ several: true });
    // One contact with two addresses is still a choice to make.
    expect(designate(contacts, 'Élodie')).toEqual({ several: true });
    expect(designate(contacts, 'Martin')).toEqual({ none: true });
    expect(designate([], 'Bernard')).toEqual({ none: true });
  });

  it('splits a list of members: names with spaces stay whole, addresses separated by spaces are each one', () => {
    expect(splitPeople('Dominique Bernard, sacha@mairie.example')).toEqual(['Dominique Bernard', 'sacha@mairie.example']);
    expect(splitPeople('a@x.fr b@x.fr; Lefèvre\nc@x.fr')).toEqual(['a@x.fr', 'b@x.fr', 'Lefèvre', 'c@x.fr']);
    expect(splitPeople(' , ;')).toEqual([]);
  });
});

describe('Espaces: the name shown for an address', () => {
  it('names an address by the agent’s contacts, case ignored, and by the agent’s own account first', () => {
    const names = namesByAddress(
      [...contacts, { fn: 'Moi au bureau', emails: ['AGENT1@ostal.test'] }, { fn: ' ', emails: ['x@y.fr'] }],
      [{ email: 'Agent1@Ostal.test', name: 'Camille Martin' }],
    );
    expect(names.get('agent2@ostal.test')).toBe('Dominique Bernard');
    expect(names.get('e.durand@mairie.example')).toBe('Élodie Durand');
    expect(names.get('agent1@ostal.test')).toBe('Camille Martin');
    expect(names.has('x@y.fr')).toBe(false);
    expect(names.has('inconnu@ostal.test')).toBe(false);
  });
});
