/**
 * « Envoyer plus tard »: the times the composer offers and reads, in the agent's zone (src/shared/time.ts), with the
 * Agenda's parsers for what the agent types (« 9/12 », « 8h30 »). Pure: the current instant is a parameter. The core
 * checks the chosen time again (src/mail/schedule.ts).
 */
import { dayKeyAt, wallClockToInstant } from '../../../../src/shared/time';
import { addDays, clockParts, clockText, dayHeading, frDate, isoDate, parseClock, todayKey, weekdayIndex } from '../agenda/dates';

/** The morning hour of « Demain matin » and « Lundi matin ». */
export const MORNING = '08:00';

/** « Demain matin » (8:00), and « Lundi matin » unless tomorrow is Monday (then null): ISO instants. */
export function sendLaterChoices(now: Date): { tomorrow: string; monday: string | null } {
  const today = todayKey(now);
  const tomorrow = addDays(today, 1);
  const at = (day: string) => new Date(wallClockToInstant(`${day}T${MORNING}`)).toISOString();
  const monday = addDays(today, 7 - weekdayIndex(today)); // the next Monday after today
  return { tomorrow: at(tomorrow), monday: monday === tomorrow ? null : at(monday) };
}

/**
 * A date as typed: what the Agenda's date boxes take (« 09/12/2026 »), or a day and month alone (« 9/12 », « 9.12 »):
 * this year, or next year once that day has passed. 'YYYY-MM-DD' or null.
 */
export function typedDay(text: string, now: Date): string | null {
  const full = isoDate(text);
  if (full) return full;
  if (!/^\s*\d{1,2}[/.-]\d{1,2}\s*$/.test(text)) return null;
  const today = todayKey(now);
  const year = Number(today.slice(0, 4));
  const sep = text.includes('/') ? '/' : text.includes('.') ? '.' : '-';
  const thisYear = isoDate(`${text.trim()}${sep}${year}`);
  if (thisYear && thisYear >= today) return thisYear;
  return isoDate(`${text.trim()}${sep}${year + 1}`);
}

export type ChosenTime = { ok: true; at: string } | { ok: false; problem: 'date' | 'time' | 'past' | 'tooFar' };

/** « Choisir la date et l’heure »: the instant of the typed date and time, or what is wrong with them. */
export function chosenSendAt(dateText: string, timeText: string, now: Date): ChosenTime {
  const day = typedDay(dateText, now);
  if (!day) return { ok: false, problem: 'date' };
  const minutes = parseClock(timeText);
  if (minutes === null) return { ok: false, problem: 'time' };
  const ms = wallClockToInstant(`${day}T${clockText(minutes)}`);
  if (ms < now.getTime() - 60_000) return { ok: false, problem: 'past' };
  const limit = new Date(now.getTime());
  limit.setFullYear(limit.getFullYear() + 1);
  if (ms > limit.getTime()) return { ok: false, problem: 'tooFar' };
  return { ok: true, at: new Date(ms).toISOString() };
}

/** « mardi 9 décembre » and « 08:00 » of a scheduled time (the year added when it is not this one). */
export function scheduledParts(at: string, now: Date): { day: string; time: string } {
  return { day: dayHeading(dayKeyAt(at), todayKey(now)), time: clockParts(at).time };
}

/** The date and time boxes' first values: tomorrow, 08:00 (« 09/12/2026 », « 08:00 »). */
export function defaultTyped(now: Date): { date: string; time: string } {
  return { date: frDate(addDays(todayKey(now), 1)), time: MORNING };
}
