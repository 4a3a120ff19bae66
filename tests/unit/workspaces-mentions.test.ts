import { describe, expect, it } from 'vitest';
import { mentionNames, mentions } from '../../src/workspaces/mentions.js';

describe('mentions « @Élodie »', () => {
  const names = mentionNames('Élodie Martin', 'elodie.martin@mairie.fr');

  it('knows the display name, its first word and the local part', () => {
    expect(names).toEqual(['elodie martin', 'elodie', 'elodie.martin']);
  });

  it('finds the mention whatever the case and the accents, before punctuation or at the end', () => {
    expect(mentions('Bonjour @Élodie, tu relis ?', names)).toBe(true);
    expect(mentions('merci @elodie', names)).toBe(true);
    expect(mentions('@ELODIE.MARTIN : le devis', names)).toBe(true);
  });

  it('ignores an address, a longer name and a word without @', () => {
    expect(mentions('Écrire à elodie.martin@mairie.fr', names)).toBe(false);
    expect(mentions('Bonjour @elodies', names)).toBe(false);
    expect(mentions('Bonjour Élodie', names)).toBe(false);
    expect(mentions('x@elodie', names)).toBe(false);
  });
});
