/** Names that cross systems (src/files/names.ts): hostile names, Windows rules, NFC keys, the conflict name, the sync-folder jail. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { conflictName, isHostileName, keyOf, nameProblem, safeLocalPath } from '../../src/files/names.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-files-names-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('Fichiers: noms', () => {
  it('refuses names that could escape the folder', () => {
    for (const n of ['..', '.', '', 'a/b', 'a\\b', 'nul\0.txt', '/etc', 'C:\\x', 'C:x'])
      expect(isHostileName(n), JSON.stringify(n)).toBe(true);
    for (const n of ['rapport..v2.odt', '.profil', 'Procès-verbal.txt', '…']) expect(isHostileName(n), n).toBe(false);
  });

  it('reports names Windows refuses, in French, with a fix', () => {
    expect(nameProblem('/CON')).toBe(
      '«\u00a0CON\u00a0» est un nom réservé par Windows\u00a0: il n’est pas synchronisé. Renommez-le, par exemple en «\u00a0CON_\u00a0».',
    );
    for (const n of ['/aux.txt', '/com1', '/LPT9.doc', '/nul.tar.gz', '/prn']) expect(nameProblem(n), n).toMatch(/nom réservé par Windows/);
    for (const n of ['/console.txt', '/auxiliaire.odt', '/com10', '/Bilan.pdf']) expect(nameProblem(n), n).toBeNull();
    expect(nameProblem('/fin. ')).toMatch(/^«\u00a0fin. \u00a0» se termine par un point ou une espace.*«\u00a0fin\u00a0»\.$/);
    expect(nameProblem('/a<b>.txt')).toMatch(/«\u00a0a_b_.txt\u00a0»/);
    expect(nameProblem(`/${'d'.repeat(200)}/${'f'.repeat(60)}`)).toMatch(/fait 262 caractères \(au plus 250\)/);
  });

  it('NFC and NFD spellings give one key', () => {
    expect(keyOf('/Été/procès.txt'.normalize('NFD'))).toBe(keyOf('/Été/procès.txt'.normalize('NFC')));
  });

  it('names a conflict copy « nom (conflit du JJ-MM-AAAA HH h MM).ext », with a free name', () => {
    const when = new Date(2026, 10, 23, 14, 30);
    expect(conflictName('/Dossier/rapport.odt', when, () => false)).toBe('/Dossier/rapport (conflit du 23-11-2026 14 h 30).odt');
    expect(conflictName('/LISEZMOI', when, () => false)).toBe('/LISEZMOI (conflit du 23-11-2026 14 h 30)');
    const taken = new Set(['/a (conflit du 23-11-2026 14 h 30).txt']);
    expect(conflictName('/a.txt', when, (c) => taken.has(c))).toBe('/a (conflit du 23-11-2026 14 h 30, 2).txt');
  });

  it('keeps every local path inside the sync folder, links included', () => {
    const root = path.join(dir, 'racine');
    fs.mkdirSync(root);
    expect(safeLocalPath(root, '/a/b.txt')).toBe(path.join(root, 'a', 'b.txt'));
    expect(() => safeLocalPath(root, '/../x')).toThrow();
    expect(() => safeLocalPath(root, '/a/../../x')).toThrow();
    fs.symlinkSync(os.tmpdir(), path.join(root, 'lien'));
    expect(() => safeLocalPath(root, '/lien/evasion.txt')).toThrow(/link/);
  });
});
