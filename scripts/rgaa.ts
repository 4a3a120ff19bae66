/**
 * The RGAA 4.1 checklist (docs/rgaa-criteres.json, the source) rendered as docs/rgaa.md, and the conformity rate
 * the accessibility statement (docs/declaration-accessibilite.md) must state. `node --import tsx scripts/rgaa.ts`
 * rewrites docs/rgaa.md; tests/unit/rgaa.test.ts checks that both documents follow the checklist.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export type CriterionStatus = 'conforme' | 'non-conforme' | 'non-applicable';

export interface Criterion {
  numero: string;
  titre: string;
  statut: CriterionStatus;
  /** Only for « conforme »: checked by a test (`tests`) or by hand (`methode`). */
  verification?: 'automatique' | 'manuelle';
  tests?: string[];
  methode?: string;
  commentaire?: string;
  /** Only for « non-conforme »: what is planned. */
  prevu?: string;
}

export interface Checklist {
  referentiel: string;
  source: string;
  application: string;
  themes: { numero: number; titre: string; criteres: Criterion[] }[];
}

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CHECKLIST_FILE = path.join(ROOT, 'docs', 'rgaa-criteres.json');
export const CHECKLIST_MARKDOWN = path.join(ROOT, 'docs', 'rgaa.md');
export const STATEMENT_FILE = path.join(ROOT, 'docs', 'declaration-accessibilite.md');

export function readChecklist(file = CHECKLIST_FILE): Checklist {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Checklist;
}

export function allCriteria(list: Checklist): Criterion[] {
  return list.themes.flatMap((theme) => theme.criteres);
}

export interface Counts {
  conformes: number;
  nonConformes: number;
  nonApplicables: number;
  automatiques: number;
  manuels: number;
}

export function counts(list: Checklist): Counts {
  const all = allCriteria(list);
  return {
    conformes: all.filter((c) => c.statut === 'conforme').length,
    nonConformes: all.filter((c) => c.statut === 'non-conforme').length,
    nonApplicables: all.filter((c) => c.statut === 'non-applicable').length,
    automatiques: all.filter((c) => c.statut === 'conforme' && c.verification === 'automatique').length,
    manuels: all.filter((c) => c.statut === 'conforme' && c.verification === 'manuelle').length,
  };
}

/** RGAA's rate: conformes / (conformes + non conformes), the criteria not applicable left out, in percent. */
export function conformityRate(list: Checklist): number {
  const c = counts(list);
  return (100 * c.conformes) / (c.conformes + c.nonConformes);
}

/** « 97,5 % » (one decimal, French comma, non-breaking space before %). */
export function formatRate(rate: number): string {
  return `${rate.toFixed(1).replace('.', ',')}\u00a0%`;
}

function statusCell(c: Criterion): string {
  if (c.statut === 'non-applicable') return 'Non applicable';
  if (c.statut === 'non-conforme') return '**Non conforme**';
  return c.verification === 'automatique' ? 'Conforme (test automatique)' : 'Conforme (vérification manuelle)';
}

function detailCell(c: Criterion): string {
  const parts: string[] = [];
  if (c.tests?.length) parts.push(c.tests.map((t) => `\`${t}\``).join(', '));
  if (c.methode) parts.push(c.methode);
  if (c.commentaire) parts.push(c.commentaire);
  if (c.prevu) parts.push(`Prévu\u00a0: ${c.prevu}`);
  return parts.join(' — ').replace(/\|/g, '\\|');
}

export function renderChecklist(list: Checklist): string {
  const c = counts(list);
  const lines = [
    `# Grille ${list.referentiel} d’${list.application}`,
    '',
    `Fichier produit par \`node --import tsx scripts/rgaa.ts\` à partir de \`docs/rgaa-criteres.json\`\u00a0: ne pas le modifier à la main.`,
    `Critères et numérotation\u00a0: ${list.source}`,
    '',
    `- Critères conformes\u00a0: ${c.conformes} (${c.automatiques} vérifiés par un test automatique, ${c.manuels} à la main)`,
    `- Critères non conformes\u00a0: ${c.nonConformes}`,
    `- Critères non applicables\u00a0: ${c.nonApplicables}`,
    `- Taux de conformité\u00a0: ${formatRate(conformityRate(list))} (conformes / (conformes + non conformes))`,
    '',
  ];
  for (const theme of list.themes) {
    lines.push(
      `## ${theme.numero}. ${theme.titre}`,
      '',
      '| Critère | Intitulé | État | Vérification, raison |',
      '| --- | --- | --- | --- |',
    );
    for (const criterion of theme.criteres) {
      lines.push(
        `| ${criterion.numero} | ${criterion.titre.replace(/\|/g, '\\|')} | ${statusCell(criterion)} | ${detailCell(criterion)} |`,
      );
    }
    lines.push('');
  }
  return lines.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  fs.writeFileSync(CHECKLIST_MARKDOWN, renderChecklist(readChecklist()));
  console.log(`${CHECKLIST_MARKDOWN}: ${formatRate(conformityRate(readChecklist()))}`);
}
