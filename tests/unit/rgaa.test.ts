import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CHECKLIST_MARKDOWN,
  ROOT,
  STATEMENT_FILE,
  allCriteria,
  conformityRate,
  counts,
  formatRate,
  readChecklist,
  renderChecklist,
  type Checklist,
} from '../../scripts/rgaa.js';

/**
 * The RGAA 4.1 checklist (docs/rgaa-criteres.json) is complete and coherent, docs/rgaa.md is its rendering, and the
 * accessibility statement gives the rate computed from it.
 */
const list = readChecklist();

/** Number of criteria of each of the 13 RGAA 4.1 themes. */
const PER_THEME = [9, 2, 3, 13, 8, 2, 5, 10, 4, 14, 13, 11, 12];

describe('grille RGAA', () => {
  it('a les 106 critères des 13 thématiques, numérotés dans l’ordre', () => {
    expect(list.themes.map((t) => t.numero)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    expect(list.themes.map((t) => t.criteres.length)).toEqual(PER_THEME);
    for (const theme of list.themes) {
      expect(theme.criteres.map((c) => c.numero)).toEqual(theme.criteres.map((_, i) => `${theme.numero}.${i + 1}`));
    }
    expect(allCriteria(list)).toHaveLength(106);
  });

  it('chaque critère dit comment il est vérifié, ou pourquoi il ne l’est pas', () => {
    for (const c of allCriteria(list)) {
      expect(c.titre, c.numero).toMatch(/\S.*\?$/);
      if (c.statut === 'conforme' && c.verification === 'automatique') {
        expect(c.tests?.length, c.numero).toBeGreaterThan(0);
        for (const test of c.tests ?? []) expect(fs.existsSync(path.join(ROOT, test)), `${c.numero}: ${test}`).toBe(true);
      } else if (c.statut === 'conforme') {
        expect(c.verification, c.numero).toBe('manuelle');
        expect(c.methode?.length ?? 0, c.numero).toBeGreaterThan(20);
      } else if (c.statut === 'non-applicable') {
        expect(c.commentaire?.length ?? 0, c.numero).toBeGreaterThan(10);
      } else {
        expect(c.statut, c.numero).toBe('non-conforme');
        expect(c.commentaire?.length ?? 0, c.numero).toBeGreaterThan(20);
        expect(c.prevu?.length ?? 0, c.numero).toBeGreaterThan(10);
      }
    }
  });

  it('docs/rgaa.md est le rendu à jour de la grille (node --import tsx scripts/rgaa.ts)', () => {
    expect(fs.readFileSync(CHECKLIST_MARKDOWN, 'utf8')).toBe(renderChecklist(list));
  });

  it('le taux exclut les critères non applicables', () => {
    const small: Checklist = {
      ...list,
      themes: [
        {
          numero: 1,
          titre: 'Essai',
          criteres: [
            { numero: '1.1', titre: 'a ?', statut: 'conforme', verification: 'manuelle', methode: 'x' },
            { numero: '1.2', titre: 'b ?', statut: 'conforme', verification: 'automatique', tests: ['t'] },
            { numero: '1.3', titre: 'c ?', statut: 'conforme', verification: 'manuelle', methode: 'x' },
            { numero: '1.4', titre: 'd ?', statut: 'non-conforme', commentaire: 'y', prevu: 'z' },
            { numero: '1.5', titre: 'e ?', statut: 'non-applicable', commentaire: 'w' },
          ],
        },
      ],
    };
    expect(conformityRate(small)).toBe(75);
    expect(formatRate(conformityRate(small))).toBe('75,0\u00a0%');
  });
});

describe('déclaration d’accessibilité', () => {
  const statement = fs.readFileSync(STATEMENT_FILE, 'utf8');

  it('donne le taux de conformité calculé à partir de la grille', () => {
    const stated = /taux de conformité\s*:\s*([\d,]+)\s*%/i.exec(statement);
    expect(stated, 'taux de conformité dans la déclaration').not.toBeNull();
    expect(`${stated![1]}\u00a0%`).toBe(formatRate(conformityRate(list)));
  });

  it('donne les nombres de critères de la grille et nomme chaque critère non conforme', () => {
    const c = counts(list);
    expect(statement).toContain(`${c.conformes} critères sont conformes`);
    expect(statement).toContain(`${c.nonConformes} critères sont non conformes`);
    expect(statement).toContain(`${c.nonApplicables} critères sont non applicables`);
    const named = [...statement.matchAll(/\*\*Critère (\d+\.\d+)\*\*/g)].map((m) => m[1]).sort();
    expect(named).toEqual(
      allCriteria(list)
        .filter((x) => x.statut === 'non-conforme')
        .map((x) => x.numero)
        .sort(),
    );
  });

  it('a les rubriques du modèle de la DINUM', () => {
    const headings = [...statement.matchAll(/^#{2,3} (.+)$/gm)].map((m) => m[1]);
    for (const heading of [
      'État de conformité',
      'Résultats des tests',
      'Contenus non accessibles',
      'Établissement de cette déclaration',
      'Technologies utilisées pour la réalisation de l’application',
      'Environnement de test',
      'Outils pour évaluer l’accessibilité',
      'Pages (écrans) de l’application ayant fait l’objet de la vérification de conformité',
      'Retour d’information et contact',
      'Voies de recours',
    ]) {
      expect(headings).toContain(heading);
    }
    const state =
      conformityRate(list) === 100 ? 'totalement conforme' : conformityRate(list) >= 50 ? 'partiellement conforme' : 'non conforme';
    expect(statement).toContain(`**${state}**`);
  });
});
