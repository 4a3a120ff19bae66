/**
 * The folder Fichiers opens at when the agent comes back to it (renderer/src/views/fichiers/place.ts): the one left,
 * unless it belonged to an account that is no longer the one shown (removed in Réglages, or another one chosen).
 */
import { describe, expect, it } from 'vitest';
import { folderShown } from '../../renderer/src/views/fichiers/place.js';

describe('folderShown', () => {
  it('gives back the folder left in the same account', () => {
    expect(folderShown({ accountId: 'a1', path: '/Projets/Voirie' }, 'a1')).toBe('/Projets/Voirie');
  });

  it('opens the root when the remembered account is not the one shown (removed, or another one chosen)', () => {
    expect(folderShown({ accountId: 'a1', path: '/Projets/Voirie' }, 'a2')).toBe('/');
    expect(folderShown({ accountId: 'a1', path: '/Projets/Voirie' }, null)).toBe('/');
  });

  it('opens the root the first time', () => {
    expect(folderShown({ accountId: null, path: '/' }, 'a1')).toBe('/');
  });
});
