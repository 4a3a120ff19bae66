/**
 * Mentions in a Discussion: « @Élodie » names the agent when the word after @ is its display name (or one of its
 * words, e.g. the first name) or the local part of its address, without regard to case or accents. Plain-text
 * detection: any client writing « @prénom » is understood, XEP-0372 references or not.
 */

const fold = (s: string): string =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();

/** The names that designate the agent after an @: « Élodie Martin » gives élodie martin, élodie; the local part. */
export function mentionNames(displayName: string, address: string): string[] {
  const names = new Set<string>();
  const name = fold(displayName.trim());
  if (name) {
    names.add(name);
    const first = name.split(/\s+/)[0];
    if (first && first.length >= 2) names.add(first);
  }
  const local = fold(address.slice(0, address.indexOf('@')));
  if (local) names.add(local);
  return [...names];
}

/** Whether `text` holds « @name » for one of `names` (followed by the end or something that is not a letter or digit). */
export function mentions(text: string, names: string[]): boolean {
  const folded = fold(text);
  for (const name of names) {
    let at = folded.indexOf(`@${name}`);
    while (at >= 0) {
      const before = at === 0 ? '' : folded[at - 1]!;
      const after = folded[at + 1 + name.length] ?? '';
      if (!/[\p{L}\p{N}._-]/u.test(before) && !/[\p{L}\p{N}]/u.test(after)) return true;
      at = folded.indexOf(`@${name}`, at + 1);
    }
  }
  return false;
}
