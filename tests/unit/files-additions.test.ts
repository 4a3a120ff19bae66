/** « Nouveau dossier » and « Ajouter des fichiers » (src/files/additions.ts): the names refused in French, « nom (2).ext ». */
import { describe, expect, it } from 'vitest';
import { keepBothName, nameKey, newItemNameProblem } from '../../src/files/additions.js';

const N = '\u00a0';

describe('Fichiers: noms des éléments ajoutés', () => {
  it('an empty folder name asks for one', () => {
    expect(newItemNameProblem('/', '', 'folder')).toBe('Donnez un nom au dossier.');
  });

  it('refuses every character Windows refuses, and the separators, with a suggestion', () => {
    for (const c of ['/', '\\', ':', '*', '?', '"', '<', '>', '|', '\u0001']) {
      const problem = newItemNameProblem('/', `Budget${c}2026`, 'folder');
      expect(problem, JSON.stringify(c)).toBe(
        `Un nom ne peut pas contenir les caractères /${N}\\${N}:${N}*${N}?${N}<${N}>${N}| ni de guillemet droit${N}: Windows les refuse. Essayez par exemple «${N}Budget_2026${N}».`,
      );
    }
    expect(newItemNameProblem('/', 'Budget : version finale?.txt', 'file')).toMatch(/«\u00a0Budget _ version finale_.txt\u00a0»/);
  });

  it('refuses « . », « .. », names reserved by Windows and a trailing dot or space', () => {
    expect(newItemNameProblem('/', '..', 'folder')).toMatch(/fait seulement de points/);
    expect(newItemNameProblem('/', '.', 'folder')).toMatch(/fait seulement de points/);
    expect(newItemNameProblem('/', 'CON', 'folder')).toBe(
      `«${N}CON${N}» est un nom réservé par Windows. Essayez par exemple «${N}CON_${N}».`,
    );
    expect(newItemNameProblem('/', 'aux.txt', 'file')).toMatch(/«\u00a0aux_.txt\u00a0»/);
    expect(newItemNameProblem('/', 'Compte rendu.', 'file')).toMatch(/se terminer par un point.*«\u00a0Compte rendu\u00a0»/);
  });

  it('refuses a path longer than the engine syncs', () => {
    expect(newItemNameProblem(`/${'d'.repeat(200)}`, 'f'.repeat(60), 'file')).toMatch(/ferait 262 caractères, au plus 250/);
  });

  it('accepts ordinary French names', () => {
    for (const n of ['Délibérations 2026', 'Procès-verbal n° 3.odt', '.profil', 'rapport..v2.pdf', 'École — façade'])
      expect(newItemNameProblem('/Dossier', n, 'file'), n).toBeNull();
  });

  it('keeps both: « rapport (2).pdf », then (3), without case, NFC and NFD alike', () => {
    expect(keepBothName('rapport.pdf', new Set())).toBe('rapport.pdf');
    expect(keepBothName('rapport.pdf', new Set([nameKey('rapport.pdf')]))).toBe('rapport (2).pdf');
    expect(keepBothName('Rapport.PDF', new Set([nameKey('rapport.pdf'), nameKey('Rapport (2).pdf')]))).toBe('Rapport (3).PDF');
    expect(keepBothName('LISEZMOI', new Set([nameKey('lisezmoi')]))).toBe('LISEZMOI (2)');
    expect(keepBothName('.profil', new Set([nameKey('.profil')]))).toBe('.profil (2)');
    expect(keepBothName('Été.txt'.normalize('NFD'), new Set([nameKey('été.txt'.normalize('NFC'))]))).toBe('Été (2).txt'.normalize('NFD'));
  });
});
