/**
 * French formatting of numbers and sizes, following GLOSSAIRE.md: numbers « 1 234,5 », sizes « 12,4 Mo »; and the French
 * order of names. Shared by the core (CLI output) and the renderer (renderer/src/lib/format.ts re-exports it).
 */

/** « 1 234,5 » with a narrow no-break space as thousands separator. */
export function formatNumber(value: number, maximumFractionDigits = 1): string {
  return new Intl.NumberFormat('fr-FR', { maximumFractionDigits }).format(value).replace(/[\u00a0\u202f ]/g, '\u202f');
}

const SIZE_UNITS = ['octets', 'Ko', 'Mo', 'Go', 'To'] as const;

/** « 12,4 Mo », « 1,2 Go », « 512 octets » (1 Ko = 1024 octets). */
export function formatSize(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '';
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < SIZE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const shown = unit === 0 ? formatNumber(value, 0) : formatNumber(value, value < 100 ? 1 : 0);
  return `${shown}\u00a0${SIZE_UNITS[unit]}`;
}

let frenchCollator: Intl.Collator | undefined;

/**
 * Two names in French order, case and accents aside (« élodie » beside « Élodie », before « Émile »). The collator is
 * made at the first comparison: making it loads ICU's French rules (~8 ms), which a command that sorts no name
 * should not pay at its start.
 */
export function compareFrench(a: string, b: string): number {
  frenchCollator ??= new Intl.Collator('fr', { sensitivity: 'base' });
  return frenchCollator.compare(a, b);
}
