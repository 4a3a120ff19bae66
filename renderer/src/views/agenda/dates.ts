/**
 * Calendar arithmetic of the Agenda on day keys 'YYYY-MM-DD' of the user's time zone (weeks start on Monday),
 * and its French labels (src/shared/time.ts). Pure functions: the current instant is a parameter.
 */
import { clockParts, dayKeyAt, formatDayKey } from '../../../../src/shared/time';

/** « À venir » lists the next UPCOMING_DAYS days from its anchor (today when chosen). */
export type AgendaMode = 'jour' | 'semaine' | 'mois' | 'avenir';

export const UPCOMING_DAYS = 30;

const pad = (n: number) => String(n).padStart(2, '0');

export { clockParts };

export const todayKey = (now: Date = new Date()) => dayKeyAt(now);

/**
 * Where « Nouvel événement » starts when the agent did not point at a time: on today, the next half hour, as Outlook
 * does (at 14:10, 14:30), or tomorrow at 9:00 once the day has less than an hour left; on another day, 9:00.
 */
export function newEventSlot(day: string, now: Date = new Date()): { day: string; minutes: number } {
  const clock = clockParts(now);
  if (day !== clock.day) return { day, minutes: 9 * 60 };
  const next = (Math.floor(clock.minutes / 30) + 1) * 30;
  return next + 60 <= 24 * 60 ? { day, minutes: next } : { day: addDays(day, 1), minutes: 9 * 60 };
}

/** Minutes since midnight → « 09:30 » (24 h, as the forms show it). */
export const clockText = (minutes: number) => `${pad(Math.floor(minutes / 60) % 24)}:${pad(minutes % 60)}`;

/**
 * A time as agents type it → minutes since midnight, or null: « 9:30 », « 09:30 », « 8h30 », « 8 h 30 », « 14h »,
 * « 14 h », « 9 » (as Outlook's time boxes take them), from 00:00 to 23:59.
 */
export function parseClock(text: string): number | null {
  const m = /^\s*(\d{1,2})\s*(?:(?:[:hH.]\s*)(\d{2})?)?\s*$/.exec(text);
  if (!m) return null;
  const hours = Number(m[1]);
  const minutes = m[2] === undefined ? 0 : Number(m[2]);
  return hours < 24 && minutes < 60 ? hours * 60 + minutes : null;
}

/** 'YYYY-MM-DD' → « 14/12/2026 » (the forms' date boxes), '' for anything else. */
export const frDate = (iso: string) => (/^\d{4}-\d{2}-\d{2}$/.test(iso) ? `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}` : '');

/** « 14/12/2026 » (or 14/12/26, 14.12.2026, 14-12-2026) → 'YYYY-MM-DD', null when it is not a real date. */
export function isoDate(text: string): string | null {
  const m = /^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})\s*$/.exec(text);
  if (!m) return null;
  const year = m[3]!.length === 2 ? 2000 + Number(m[3]) : Number(m[3]);
  const check = new Date(Date.UTC(year, Number(m[2]) - 1, Number(m[1])));
  if (check.getUTCDate() !== Number(m[1]) || check.getUTCMonth() !== Number(m[2]) - 1) return null;
  return `${year}-${m[2]!.padStart(2, '0')}-${m[1]!.padStart(2, '0')}`;
}

const MONTHS = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'];
const bare = (word: string) =>
  word
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();

/** « mars », « févr. », « fevrier », « Sept » → 1…12, null unless exactly one month starts so (« jui » is not one). */
function monthNumber(word: string): number | null {
  const w = bare(word.replace(/\.$/, ''));
  if (w.length < 3) return null;
  const found = MONTHS.map((m, i) => (bare(m).startsWith(w) ? i + 1 : 0)).filter(Boolean);
  return found.length === 1 ? found[0]! : null;
}

/**
 * A birthday as agents type it → 'YYYY-MM-DD', '--MM-DD' when no year is given, '' for an empty box, null when it is
 * not a real date: « 14/03/1975 » (or what isoDate takes; « 14/03/75 » is 1975, not 2075), « 14 mars 1975 »,
 * « 1er mars 1975 », « 14/03 », « 14 mars ». A date after `today` is refused.
 */
export function birthdayKey(text: string, today: string = todayKey()): string | null {
  const t = text.trim();
  if (!t) return '';
  let day: number;
  let month: number;
  let year: number | null;
  const numeric = /^(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2}|\d{4}))?$/.exec(t);
  const words = /^(\d{1,2})(?:er)?\s+([a-zA-ZÀ-ÿ]+\.?)(?:\s+(\d{4}))?$/.exec(t);
  if (numeric) {
    [day, month] = [Number(numeric[1]), Number(numeric[2])];
    year = numeric[3] === undefined ? null : Number(numeric[3]);
    if (numeric[3]?.length === 2) year = 2000 + year! > Number(today.slice(0, 4)) ? 1900 + year! : 2000 + year!;
  } else if (words) {
    const m = monthNumber(words[2]!);
    if (!m) return null;
    [day, month, year] = [Number(words[1]), m, words[3] === undefined ? null : Number(words[3])];
  } else return null;
  const key = isoDate(`${day}/${month}/${year ?? 2000}`);
  if (!key) return null;
  if (year === null) return `--${key.slice(5)}`;
  return key > today ? null : key;
}

/** A birthday 'YYYY-MM-DD' → « 14 mars 1975 », '--MM-DD' → « 14 mars », '' for anything else. */
export function birthdayText(key: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(key)) return formatDayKey(key, 'date');
  if (/^--\d{2}-\d{2}$/.test(key)) return formatDayKey(`2000-${key.slice(2)}`, 'dayMonthLong');
  return '';
}

/** A birthday 'YYYY-MM-DD' or '--MM-DD' → the form's box: « 14/03/1975 », « 14/03 ». */
export const birthdayBox = (key: string) => (/^--\d{2}-\d{2}$/.test(key) ? `${key.slice(5, 7)}/${key.slice(2, 4)}` : frDate(key));

const toUtc = (key: string) => {
  const [y, m, d] = key.split('-').map(Number);
  return new Date(Date.UTC(y!, m! - 1, d!));
};
const fromUtc = (date: Date) => `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;

export function addDays(key: string, n: number): string {
  const d = toUtc(key);
  d.setUTCDate(d.getUTCDate() + n);
  return fromUtc(d);
}

export function addMonths(key: string, n: number): string {
  const d = toUtc(key);
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + n);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return fromUtc(d);
}

/** 0 = Monday … 6 = Sunday. */
export const weekdayIndex = (key: string) => (toUtc(key).getUTCDay() + 6) % 7;

export const startOfWeek = (key: string) => addDays(key, -weekdayIndex(key));

/** The days shown for a mode around the anchor day. */
export function visibleDays(mode: AgendaMode, anchor: string): string[] {
  if (mode === 'jour') return [anchor];
  if (mode === 'avenir') return Array.from({ length: UPCOMING_DAYS }, (_, i) => addDays(anchor, i));
  if (mode === 'semaine') {
    const first = startOfWeek(anchor);
    return Array.from({ length: 7 }, (_, i) => addDays(first, i));
  }
  const firstOfMonth = `${anchor.slice(0, 8)}01`;
  const first = startOfWeek(firstOfMonth);
  const days = Array.from({ length: 42 }, (_, i) => addDays(first, i));
  // Drop a sixth week entirely in the next month.
  return days[35]!.slice(0, 7) !== anchor.slice(0, 7) ? days.slice(0, 35) : days;
}

export function step(mode: AgendaMode, anchor: string, direction: 1 | -1): string {
  if (mode === 'jour') return addDays(anchor, direction);
  if (mode === 'avenir') return addDays(anchor, UPCOMING_DAYS * direction);
  if (mode === 'semaine') return addDays(anchor, 7 * direction);
  return addMonths(anchor, direction);
}

/** « lundi 30 novembre 2026 » */
export const longDay = (key: string) => formatDayKey(key, 'long');
/** « lun. 30 » */
export const shortDay = (key: string) => formatDayKey(key, 'short');
/** « lundi 7 décembre » (the year added when it is not the current one's). */
export const dayHeading = (key: string, today: string) => formatDayKey(key, key.slice(0, 4) !== today.slice(0, 4) ? 'long' : 'heading');
/** « lundi » */
export const weekdayName = (key: string) => formatDayKey(key, 'weekday');
/** « novembre 2026 » */
export const monthTitle = (key: string) => formatDayKey(key, 'month');
/** « 30 nov. » */
export const dayMonth = (key: string) => formatDayKey(key, 'dayMonth');
export const dayNumber = (key: string) => String(Number(key.slice(8, 10)));

/** The days an occurrence covers (all-day end exclusive; a timed event ending at 00:00 does not cover that day). */
export function coveredDays(start: string, end: string, allDay: boolean): string[] {
  const first = allDay ? start.slice(0, 10) : clockParts(start).day;
  let last: string;
  if (allDay) last = addDays(end.slice(0, 10), -1);
  else {
    const e = clockParts(end);
    last = e.minutes === 0 && end !== start ? addDays(e.day, -1) : e.day;
  }
  if (last < first) last = first;
  const out: string[] = [];
  for (let d = first; d <= last && out.length < 366; d = addDays(d, 1)) out.push(d);
  return out;
}

/**
 * The date picker's keys (the APG date-picker grid): ← → a day, ↑ ↓ a week, Début / Fin the week's first or last
 * day, Page préc. / Page suiv. a month (Maj: a year). Null for any other key.
 */
export function pickerKeyMove(day: string, key: string, shift = false): string | null {
  switch (key) {
    case 'ArrowLeft':
      return addDays(day, -1);
    case 'ArrowRight':
      return addDays(day, 1);
    case 'ArrowUp':
      return addDays(day, -7);
    case 'ArrowDown':
      return addDays(day, 7);
    case 'Home':
      return startOfWeek(day);
    case 'End':
      return addDays(startOfWeek(day), 6);
    case 'PageUp':
      return addMonths(day, shift ? -12 : -1);
    case 'PageDown':
      return addMonths(day, shift ? 12 : 1);
    default:
      return null;
  }
}

/** The date picker's month: always six weeks from the Monday on or before the 1st, so that its height never moves. */
export function pickerWeeks(month: string): string[][] {
  const first = startOfWeek(`${month.slice(0, 7)}-01`);
  return Array.from({ length: 6 }, (_, w) => Array.from({ length: 7 }, (_, d) => addDays(first, w * 7 + d)));
}
