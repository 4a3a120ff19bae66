import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Every key the renderer asks i18next for exists in renderer/src/i18n/fr.json (a missing key
 * would show as ⟦key⟧ on screen), every key of fr.json is used, and keys are never built at
 * run time (so that this check sees them all).
 */

const root = path.resolve(import.meta.dirname, '..', '..');
const srcDir = path.join(root, 'renderer', 'src');
const resources = JSON.parse(fs.readFileSync(path.join(srcDir, 'i18n', 'fr.json'), 'utf8')) as Record<string, unknown>;

function flatten(node: unknown, prefix = '', out = new Map<string, unknown>()): Map<string, unknown> {
  if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  else out.set(prefix, node);
  return out;
}

function sources(dir: string, out: string[] = []): string[] {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) sources(full, out);
    else if (/\.(ts|tsx)$/.test(entry.name)) out.push(full);
  }
  return out;
}

const keys = flatten(resources);
const files = sources(srcDir).map((file) => ({ file: path.relative(root, file), text: fs.readFileSync(file, 'utf8') }));
const PLURAL = /_(zero|one|two|few|many|other)$/;

function usedKeys(): Map<string, string> {
  const used = new Map<string, string>();
  for (const { file, text } of files) for (const m of text.matchAll(/\bt\(\s*'([^']+)'/g)) used.set(m[1], file);
  return used;
}

describe('renderer French resources', () => {
  it('has every key the code uses', () => {
    const missing = [...usedKeys()]
      .filter(([key]) => !(keys.has(key) || keys.has(`${key}_other`)))
      .map(([key, file]) => `${key} (${file})`);
    expect(missing).toEqual([]);
  });

  it('uses every key it has', () => {
    const used = usedKeys();
    const unused = [...keys.keys()].filter((key) => !used.has(key) && !used.has(key.replace(PLURAL, '')));
    expect(unused).toEqual([]);
  });

  it('never builds a key at run time', () => {
    const dynamic = files.flatMap(({ file, text }) =>
      [...text.matchAll(/\bt\(\s*[`"]|\bt\(\s*[a-zA-Z_$][\w$.]*\s*[,)]/g)].map((m) => `${file}: ${m[0]}`),
    );
    expect(dynamic).toEqual([]);
  });

  it('gives French plural forms (one, many, other) wherever a count is used', () => {
    const plurals = new Set([...keys.keys()].filter((key) => PLURAL.test(key)).map((key) => key.replace(PLURAL, '')));
    for (const base of plurals)
      for (const form of ['one', 'many', 'other']) expect(keys.has(`${base}_${form}`), `${base}_${form}`).toBe(true);
  });

  it('is the only place for visible text: the window title is « Ostal »', () => {
    expect(keys.get('app.title')).toBe('Ostal');
    expect(fs.readFileSync(path.join(root, 'renderer', 'index.html'), 'utf8')).toMatch(/<html lang="fr">[\s\S]*<title>Ostal<\/title>/);
  });
});
