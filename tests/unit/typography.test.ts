import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findEnglishWords } from '../e2e/english-words.js';

/**
 * Every French resource (src/i18n/fr.json, renderer/src/i18n/fr.json and any other fr.json under
 * src/ and renderer/) against the typography of GLOSSAIRE.md, and the list of English words.
 */

const root = path.resolve(import.meta.dirname, '..', '..');
const NBSP = '\u00a0\u202f';

/**
 * Keys whose text is command-line syntax for IT scripts (`ostal account add`, `--only mail|files`):
 * the command vocabulary is fixed by the CLI interface, so only the typography applies there.
 */
const COMMAND_SYNTAX_KEYS = /^cli\./;

/** Commands quoted in prose, « ostal … » or « npm … »: code, not words to translate. */
function stripQuotedCommands(text: string): string {
  return text.replace(/«[\u00a0\u202f ]?(?:ostal|npm|node|npx)\b[^»]*»/g, '« commande »');
}

/** Problems of one visible string, in French for whoever fixes the resource. */
export function typographyProblems(text: string, options: { commandSyntax?: boolean } = {}): string[] {
  const problems: string[] = [];
  // Placeholders and URLs are not prose: {{count}}, https://…, and times like 14:30 never need a space.
  const prose = text.replace(/\{\{[^}]*\}\}/g, 'X').replace(/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi, 'URL');
  if (prose.includes("'")) problems.push("apostrophe droite ' : utiliser ’");
  if (prose.includes('...')) problems.push('trois points ... : utiliser …');
  for (const m of prose.matchAll(/[;:!?]/g)) {
    const i = m.index;
    const before = prose[i - 1];
    const after = prose[i + 1];
    // Punctuation use: at the end, or followed by a space, a closing sign or another mark.
    const isPunctuation = after === undefined || /[\s»)\]”.,;:!?…]/.test(after);
    if (!isPunctuation) continue; // 14:30, build:renderer, ?token=
    if (i === 0) continue;
    if (/[;:!?]/.test(before)) continue; // « ?! »: the space goes before the first one
    if (!NBSP.includes(before)) problems.push(`espace insécable manquante avant « ${m[0]} »`);
  }
  for (const m of prose.matchAll(/«/g)) if (!NBSP.includes(prose[m.index + 1] ?? '')) problems.push('espace insécable manquante après «');
  for (const m of prose.matchAll(/»/g)) if (!NBSP.includes(prose[m.index - 1] ?? '')) problems.push('espace insécable manquante avant »');
  if (/[\s\u00a0\u202f],/.test(prose)) problems.push('espace avant une virgule');
  if (/[\s\u00a0\u202f]\.(?![\p{L}\p{N}])/u.test(prose)) problems.push('espace avant un point');
  if (/"/.test(prose)) problems.push('guillemets droits " : utiliser « »');
  const english = options.commandSyntax ? [] : findEnglishWords(stripQuotedCommands(text));
  if (english.length > 0) problems.push(`mot anglais : ${english.join(', ')}`);
  return problems;
}

function flatten(node: unknown, prefix: string, out: [string, string][]): void {
  if (typeof node === 'string') out.push([prefix, node]);
  else if (Array.isArray(node)) node.forEach((v, i) => flatten(v, `${prefix}[${i}]`, out));
  else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
}

function findResourceFiles(dir: string, out: string[] = []): string[] {
  if (!fs.existsSync(dir)) return out;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) findResourceFiles(full, out);
    else if (entry.name === 'fr.json') out.push(full);
  }
  return out;
}

const resourceFiles = [...findResourceFiles(path.join(root, 'src')), ...findResourceFiles(path.join(root, 'renderer'))];

describe('the checker itself', () => {
  it.each([
    ["L'agenda", 'apostrophe'],
    ['Chargement...', 'trois points'],
    ['Attention : le serveur', 'espace insécable manquante avant « : »'],
    ['Vraiment?', 'espace insécable manquante avant « ? »'],
    ['Supprimer !', 'espace insécable manquante avant « ! »'],
    ['le dossier «Archives»', 'après «'],
    ['le dossier «\u00a0Archives »', 'avant »'],
    ['un , deux', 'virgule'],
    ['Fin .', 'point'],
    ['Ouvrir les Settings', 'mot anglais : Settings'],
    ['Boîte INBOX', 'mot anglais : INBOX'],
    ['Envoyer un e-mail', 'mot anglais : e-mail'],
    ['Mail envoyé', 'mot anglais : Mail'],
    ['Dire "oui"', 'guillemets droits'],
  ])('flags %j', (text, expected) => {
    expect(typographyProblems(text).join(' | ')).toContain(expected);
  });

  it.each([
    'Ostal est prêt\u00a0: ouvrez http://127.0.0.1:4000/#token=abc?x=1 dans votre navigateur.',
    'Réunion à 14:30',
    'Vous avez {{count}} messages\u202f!',
    'Le dossier «\u00a0Archives\u00a0» est synchronisé.',
    'Fichier .ics importé',
    'Contacts, messages, documents, photos et date',
    'Lancez «\u00a0npm run build:renderer\u00a0»',
    'Utilisation\u00a0: ostal [--profile DOSSIER] [--no-sync]',
    'Écrire à agent1@ostal.test',
    'Vraiment\u00a0?!',
    'Ajoutez-en un avec «\u00a0ostal account add\u00a0».',
  ])('accepts %j', (text) => {
    expect(typographyProblems(text)).toEqual([]);
  });
});

describe('French resources', () => {
  it('finds the core and renderer resources', () => {
    const relative = resourceFiles.map((f) => path.relative(root, f));
    expect(relative).toContain(path.join('src', 'i18n', 'fr.json'));
    expect(relative).toContain(path.join('renderer', 'src', 'i18n', 'fr.json'));
  });

  it.each(resourceFiles.map((f) => [path.relative(root, f), f]))(
    '%s follows the glossary typography and has no English word',
    (_name, file) => {
      const strings: [string, string][] = [];
      flatten(JSON.parse(fs.readFileSync(file, 'utf8')), '', strings);
      expect(strings.length).toBeGreaterThan(0);
      const problems = strings.flatMap(([key, text]) =>
        typographyProblems(text, { commandSyntax: COMMAND_SYNTAX_KEYS.test(key) }).map((p) => `${key}: ${p} — ${JSON.stringify(text)}`),
      );
      expect(problems).toEqual([]);
    },
  );
});
