/**
 * French formatting of dates, times, numbers and sizes, following GLOSSAIRE.md:
 * « 23/11/2026 » in lists, « 14:30 » in grids and lists for today, « 14 h 30 » in sentences,
 * « lundi 23 novembre 2026 » in full, numbers « 1 234,5 », sizes « 12,4 Mo ».
 * Pure functions (no DOM): the time zone and the current instant are parameters.
 */

export const DEFAULT_TIME_ZONE = 'Europe/Paris';

function parse(value: string | Date | null | undefined): Date | null {
  if (value === null || value === undefined || value === '') return null;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

function parts(date: Date, timeZone: string): { year: string; month: string; day: string; hour: string; minute: string } {
  const fmt = new Intl.DateTimeFormat('fr-FR', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  const out = { year: '', month: '', day: '', hour: '', minute: '' };
  for (const part of fmt.formatToParts(date)) {
    if (part.type in out) out[part.type as keyof typeof out] = part.value;
  }
  return out;
}

/** « 23/11/2026 » */
export function formatShortDate(value: string | Date | null | undefined, timeZone = DEFAULT_TIME_ZONE): string {
  const date = parse(value);
  if (!date) return '';
  const p = parts(date, timeZone);
  return `${p.day}/${p.month}/${p.year}`;
}

/** « 14:30 » (grids, lists) */
export function formatClockTime(value: string | Date | null | undefined, timeZone = DEFAULT_TIME_ZONE): string {
  const date = parse(value);
  if (!date) return '';
  const p = parts(date, timeZone);
  return `${p.hour}:${p.minute}`;
}

/** « 14 h 30 », « 9 h » (sentences). Non-breaking spaces around the « h ». */
export function formatSentenceTime(value: string | Date | null | undefined, timeZone = DEFAULT_TIME_ZONE): string {
  const date = parse(value);
  if (!date) return '';
  const p = parts(date, timeZone);
  const hour = String(Number(p.hour));
  return p.minute === '00' ? `${hour}\u00a0h` : `${hour}\u00a0h\u00a0${p.minute}`;
}

/** « lundi 23 novembre 2026 » */
export function formatLongDate(value: string | Date | null | undefined, timeZone = DEFAULT_TIME_ZONE): string {
  const date = parse(value);
  if (!date) return '';
  return new Intl.DateTimeFormat('fr-FR', { timeZone, weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }).format(date);
}

/** True when both instants fall on the same calendar day in the time zone. */
export function isSameDay(a: Date, b: Date, timeZone = DEFAULT_TIME_ZONE): boolean {
  return formatShortDate(a, timeZone) === formatShortDate(b, timeZone);
}

/** Date of a message in a list: « 14:30 » when it is today, « 23/11/2026 » otherwise. */
export function formatListDate(value: string | Date | null | undefined, now: Date = new Date(), timeZone = DEFAULT_TIME_ZONE): string {
  const date = parse(value);
  if (!date) return '';
  return isSameDay(date, now, timeZone) ? formatClockTime(date, timeZone) : formatShortDate(date, timeZone);
}

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

/** Monday 00:00 (in the time zone's local calendar, approximated in UTC) of the week containing `now`, and the next Monday. */
export function weekRange(now: Date = new Date()): { from: Date; to: Date } {
  const start = new Date(now);
  const day = (start.getDay() + 6) % 7; // Monday = 0
  start.setHours(0, 0, 0, 0);
  start.setDate(start.getDate() - day);
  const end = new Date(start);
  end.setDate(start.getDate() + 7);
  return { from: start, to: end };
}
