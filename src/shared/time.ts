/**
 * Time zones and dates for people, in one place: the user's zone (the computer's), wall clock ↔ instant in
 * any IANA zone, and the French formats of the interface (GLOSSAIRE.md): « 23/11/2026 » in lists, « 14:30 » in
 * grids, « 14 h 30 » in sentences, « lundi 23 novembre 2026 » in full, « 23-11-2026 14 h 30 » in conflict
 * copy names.
 *
 * Pure TypeScript with Intl only (no Node API, no DOM): the core and the renderer both import it, so that a
 * time shows the same in the core's texts (conflict copies, invitations, quotes) and in the interface.
 *
 * Vocabulary: an « instant » is a point in time (epoch ms, a Date, or an ISO string with Z or an offset); a
 * « wall clock » is what a clock on the wall of a zone shows, 'YYYY-MM-DDTHH:mm[:ss]' without offset; a « day
 * key » is a calendar date 'YYYY-MM-DD' with no zone (all-day events, grid columns).
 */

/** Zone used when the system names none (or an unknown one). */
export const FALLBACK_TIME_ZONE = 'Europe/Paris';

let zoneOverride: string | null = null;
let systemZone: string | null = null;

/** True when Intl knows the IANA zone. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('fr-FR', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * The user's time zone: the computer's (Intl's resolved zone, which follows TZ in Node and the system in
 * Chromium), unless a test set another one with setUserTimeZone.
 */
export function userTimeZone(): string {
  if (zoneOverride) return zoneOverride;
  if (systemZone === null) {
    const resolved = new Intl.DateTimeFormat().resolvedOptions().timeZone;
    systemZone = resolved && isTimeZone(resolved) ? resolved : FALLBACK_TIME_ZONE;
  }
  return systemZone;
}

/** For tests: make `zone` the user's zone (null: back to the computer's). Throws on a zone Intl does not know. */
export function setUserTimeZone(zone: string | null): void {
  if (zone !== null && !isTimeZone(zone)) throw new RangeError(`unknown time zone: ${zone}`);
  zoneOverride = zone;
  systemZone = null;
}

// ------------------------------------------------------------------ instants and wall clocks

export type Instant = number | string | Date;

export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Epoch ms of an instant, or NaN. */
export function toMs(value: Instant): number {
  if (typeof value === 'number') return value;
  if (value instanceof Date) return value.getTime();
  return Date.parse(value);
}

const partsFormats = new Map<string, Intl.DateTimeFormat>();

function partsFormat(zone: string): Intl.DateTimeFormat {
  let fmt = partsFormats.get(zone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      hourCycle: 'h23',
    });
    partsFormats.set(zone, fmt);
  }
  return fmt;
}

/** The wall clock of an instant in a zone. */
export function wallClockAt(instant: Instant, zone: string = userTimeZone()): WallClock {
  const ms = toMs(instant);
  if (!Number.isFinite(ms)) throw new RangeError(`invalid instant: ${String(instant)}`);
  const p: Record<string, string> = {};
  for (const part of partsFormat(zone).formatToParts(new Date(ms))) p[part.type] = part.value;
  return {
    year: Number(p.year),
    month: Number(p.month),
    day: Number(p.day),
    hour: Number(p.hour) % 24,
    minute: Number(p.minute),
    second: Number(p.second),
  };
}

/** Offset of the zone from UTC at an instant, in minutes (Paris: 60 in winter, 120 in summer). */
export function offsetMinutes(instant: Instant, zone: string = userTimeZone()): number {
  const ms = Math.floor(toMs(instant) / 1000) * 1000;
  const w = wallClockAt(ms, zone);
  return Math.round((wallUtc(w) - ms) / 60_000);
}

/** The wall clock read as if it were UTC, in epoch ms. */
function wallUtc(w: WallClock): number {
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
}

const sameWall = (a: WallClock, b: WallClock) =>
  a.year === b.year && a.month === b.month && a.day === b.day && a.hour === b.hour && a.minute === b.minute && a.second === b.second;

const WALL = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/;

/** Parse 'YYYY-MM-DD' (midnight) or 'YYYY-MM-DDTHH:mm[:ss]' (no offset), or null. */
export function parseWallClock(value: string): WallClock | null {
  const m = WALL.exec(value);
  if (!m) return null;
  const w = {
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4] ?? 0),
    minute: Number(m[5] ?? 0),
    second: Number(m[6] ?? 0),
  };
  if (w.month < 1 || w.month > 12 || w.day < 1 || w.day > 31 || w.hour > 23 || w.minute > 59 || w.second > 59) return null;
  return w;
}

/**
 * The instant at which the zone's clocks show this wall clock. A time that happens twice (clocks set back)
 * is the first one; a time that never happens (clocks set forward) is read with the offset before the change,
 * as RFC 5545 says: 02:30 on the last Sunday of March in Paris is 03:30 summer time.
 */
export function wallClockToInstant(wall: string | WallClock, zone: string = userTimeZone()): number {
  const w = typeof wall === 'string' ? parseWallClock(wall) : wall;
  if (!w) throw new RangeError(`invalid wall clock: ${String(wall)}`);
  const asUtc = wallUtc(w);
  const before = offsetMinutes(asUtc - 86_400_000, zone);
  const after = offsetMinutes(asUtc + 86_400_000, zone);
  const candidates = [...new Set([before, after, offsetMinutes(asUtc, zone)])]
    .map((o) => asUtc - o * 60_000)
    .filter((ms) => sameWall(wallClockAt(ms, zone), w));
  if (candidates.length) return Math.min(...candidates);
  return asUtc - before * 60_000;
}

/** 'YYYY-MM-DD' of a wall clock. */
export const dayKeyOf = (w: WallClock): string => `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}`;

/** 'YYYY-MM-DDTHH:mm' of an instant in a zone (the editor's form of a time). */
export function wallClockString(instant: Instant, zone: string = userTimeZone()): string {
  const w = wallClockAt(instant, zone);
  return `${dayKeyOf(w)}T${pad(w.hour)}:${pad(w.minute)}`;
}

/** Day key of an instant in a zone: the date its clocks show. */
export const dayKeyAt = (instant: Instant, zone: string = userTimeZone()): string => dayKeyOf(wallClockAt(instant, zone));

/** Wall clock of an instant for the agenda: day key, minutes since midnight and « 14:30 ». */
export function clockParts(instant: Instant, zone: string = userTimeZone()): { day: string; minutes: number; time: string } {
  const w = wallClockAt(instant, zone);
  return { day: dayKeyOf(w), minutes: w.hour * 60 + w.minute, time: `${pad(w.hour)}:${pad(w.minute)}` };
}

/** A change of offset of a zone: at `at` (epoch ms) the offset goes from `from` to `to` (minutes). */
export interface ZoneTransition {
  at: number;
  from: number;
  to: number;
}

/**
 * The changes of offset of a zone in [fromMs, toMs), found by sampling every `stepDays` days and
 * narrowing to the second (two changes closer than the step are missed: none in use today).
 */
export function zoneTransitions(zone: string, fromMs: number, toMs: number, stepDays = 7): ZoneTransition[] {
  const out: ZoneTransition[] = [];
  const step = stepDays * 86_400_000;
  let t = fromMs;
  let offset = offsetMinutes(t, zone);
  while (t < toMs) {
    const next = Math.min(t + step, toMs);
    const o = offsetMinutes(next, zone);
    if (o !== offset) {
      let lo = t;
      let hi = next;
      while (hi - lo > 1000) {
        const mid = Math.floor((lo + hi) / 2000) * 1000;
        if (offsetMinutes(mid, zone) === offset) lo = mid;
        else hi = mid;
      }
      out.push({ at: hi, from: offset, to: offsetMinutes(hi, zone) });
      offset = offsetMinutes(hi, zone);
      t = hi;
      if (o !== offset) continue;
    }
    t = next;
  }
  return out;
}

// ------------------------------------------------------------------ French formats of instants

function parseInstant(value: Instant | null | undefined): number | null {
  if (value === null || value === undefined || value === '') return null;
  const ms = toMs(value);
  return Number.isFinite(ms) ? ms : null;
}

/** « 23/11/2026 » (lists). */
export function formatShortDate(value: Instant | null | undefined, zone: string = userTimeZone()): string {
  const ms = parseInstant(value);
  if (ms === null) return '';
  const w = wallClockAt(ms, zone);
  return `${pad(w.day)}/${pad(w.month)}/${pad(w.year, 4)}`;
}

/** « 14:30 » (grids, lists). */
export function formatClockTime(value: Instant | null | undefined, zone: string = userTimeZone()): string {
  const ms = parseInstant(value);
  return ms === null ? '' : clockParts(ms, zone).time;
}

/** « 14 h 30 », « 9 h » of hours and minutes, with no-break spaces (sentences). */
export function sentenceTime(hour: number, minute: number): string {
  return minute === 0 ? `${hour}\u00a0h` : `${hour}\u00a0h\u00a0${pad(minute)}`;
}

/** « 14 h 30 », « 9 h » (sentences). */
export function formatSentenceTime(value: Instant | null | undefined, zone: string = userTimeZone()): string {
  const ms = parseInstant(value);
  if (ms === null) return '';
  const w = wallClockAt(ms, zone);
  return sentenceTime(w.hour, w.minute);
}

/** « lundi 23 novembre 2026 ». */
export function formatLongDate(value: Instant | null | undefined, zone: string = userTimeZone()): string {
  const ms = parseInstant(value);
  if (ms === null) return '';
  return formatDayKey(dayKeyAt(ms, zone), 'long');
}

/** True when both instants fall on the same calendar day in the zone. */
export function isSameDay(a: Instant, b: Instant, zone: string = userTimeZone()): boolean {
  return dayKeyAt(a, zone) === dayKeyAt(b, zone);
}

/** Date of a message in a list: « 14:30 » when it is today, « 23/11/2026 » otherwise. */
export function formatListDate(value: Instant | null | undefined, now: Instant = Date.now(), zone: string = userTimeZone()): string {
  const ms = parseInstant(value);
  if (ms === null) return '';
  return isSameDay(ms, now, zone) ? formatClockTime(ms, zone) : formatShortDate(ms, zone);
}

/** The parts of a conflict copy's name: « conflit du {date} {hour} h {minute} » → 23-11-2026, 14, 30. */
export function conflictStamp(value: Instant, zone: string = userTimeZone()): { date: string; hour: string; minute: string } {
  const w = wallClockAt(value, zone);
  return { date: `${pad(w.day)}-${pad(w.month)}-${pad(w.year, 4)}`, hour: pad(w.hour), minute: pad(w.minute) };
}

// ------------------------------------------------------------------ French formats of wall clocks and day keys

/** « 14 h 30 » of a wall clock 'YYYY-MM-DDTHH:mm' (no zone: the time as written). */
export function formatWallSentenceTime(wall: string): string {
  const m = /T(\d{2}):(\d{2})/.exec(wall);
  return m ? sentenceTime(Number(m[1]), Number(m[2])) : '';
}

/** Styles of a day key: long « lundi 23 novembre 2026 », heading « lundi 23 novembre », short « lun. 23 », weekday « lundi », month « novembre 2026 », dayMonth « 23 nov. ». */
export type DayKeyStyle = 'long' | 'heading' | 'short' | 'weekday' | 'month' | 'dayMonth' | 'date' | 'dayMonthLong';

const DAY_KEY_OPTIONS: Record<DayKeyStyle, Intl.DateTimeFormatOptions> = {
  long: { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' },
  heading: { weekday: 'long', day: 'numeric', month: 'long' },
  short: { weekday: 'short', day: 'numeric' },
  weekday: { weekday: 'long' },
  month: { month: 'long', year: 'numeric' },
  dayMonth: { day: 'numeric', month: 'short' },
  /** « 14 mars 1975 » (a birthday). */
  date: { day: 'numeric', month: 'long', year: 'numeric' },
  /** « 14 mars ». */
  dayMonthLong: { day: 'numeric', month: 'long' },
};
const dayKeyFormats = new Map<DayKeyStyle, Intl.DateTimeFormat>();

/** A day key 'YYYY-MM-DD' (or the date of a wall clock) in French; the date as written, whatever the zone. */
export function formatDayKey(key: string, style: DayKeyStyle = 'long'): string {
  let fmt = dayKeyFormats.get(style);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('fr-FR', { timeZone: 'UTC', ...DAY_KEY_OPTIONS[style] });
    dayKeyFormats.set(style, fmt);
  }
  const noon = Date.parse(`${key.slice(0, 10)}T12:00:00Z`);
  return Number.isFinite(noon) ? fmt.format(noon) : '';
}

/** The zone's name in a French sentence: « heure de Paris », « heure de La Réunion », « heure de la Guyane française ». */
export function formatZoneName(zone: string = userTimeZone(), at: Instant = Date.now()): string {
  if (zone === FALLBACK_TIME_ZONE) return 'heure de Paris';
  const part = new Intl.DateTimeFormat('fr-FR', { timeZone: zone, timeZoneName: 'longGeneric' })
    .formatToParts(toMs(at))
    .find((p) => p.type === 'timeZoneName');
  return part?.value ?? zone;
}
