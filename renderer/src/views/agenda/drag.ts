/**
 * Moving a meeting with the pointer in the day and week grids (as Outlook and Thunderbird): where a tile lands when it
 * is dragged (its start) or when its bottom edge is (its end). Pure functions on minutes since midnight and day keys.
 */
import type { CalendarOccurrence } from '../../../../src/shared/contract';
import { addDays, clockParts } from './dates';

/** The grid's step: a dragged start or end falls on a quarter of an hour. */
export const SNAP_MINUTES = 15;
/** A press that moves less than this (in pixels) is a click: it opens the event. */
export const CLICK_SLOP_PX = 4;

const DAY = 24 * 60;

export interface GridPlace {
  day: string;
  /** Minutes since midnight of `day`. */
  start: number;
  /** Minutes since midnight of `day`; 1440 is midnight at the end of the day. */
  end: number;
}

export const snap = (minutes: number, step = SNAP_MINUTES) => Math.round(minutes / step) * step;

/** Pixels down the grid → minutes since midnight. */
export const pixelsToMinutes = (px: number, hourPx: number) => (px / hourPx) * 60;

/** A press that moved so little is a click, not a drag. */
export const isClick = (dx: number, dy: number, slop = CLICK_SLOP_PX) => Math.hypot(dx, dy) < slop;

/**
 * The tile `from` moved so that the minute grabbed (`grab`, minutes since its day's midnight) is under the pointer at
 * `pointer` minutes of `day`: same length, start on the quarter, kept inside the day (no start before 00:00, no end
 * after 24:00).
 */
export function movedPlace(from: GridPlace, grab: number, day: string, pointer: number): GridPlace {
  const length = from.end - from.start;
  const start = Math.max(0, Math.min(DAY - length, snap(from.start + (pointer - grab))));
  return { day, start, end: start + length };
}

/** The tile `from` with its bottom edge at `pointer` minutes of its day: on the quarter, 15 minutes long at least, 24:00 at most. */
export function resizedPlace(from: GridPlace, pointer: number): GridPlace {
  const end = Math.max(from.start + SNAP_MINUTES, Math.min(DAY, snap(pointer)));
  return { ...from, end };
}

/** Whether the agent may drag the occurrence: not an invitation received (its organiser places it), not one of a
 *  calendar shared in read-only, nor one only partly listed (a series too dense to be expanded). */
export const isMovable = (o: Pick<CalendarOccurrence, 'invitation' | 'readOnly' | 'truncated'>) =>
  !o.invitation && !o.readOnly && !o.truncated;

export const samePlace = (a: GridPlace, b: GridPlace) => a.day === b.day && a.start === b.start && a.end === b.end;

const pad = (n: number) => String(n).padStart(2, '0');
const wall = (day: string, minutes: number) =>
  minutes >= DAY ? `${addDays(day, 1)}T00:00` : `${day}T${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;

/** The place as the event editor writes it (wall clock 'YYYY-MM-DDTHH:mm'; an end at 24:00 is 00:00 the next day). */
export const placeTimes = (place: GridPlace): { start: string; end: string } => ({
  start: wall(place.day, place.start),
  end: wall(place.day, place.end),
});

/** « 10:15 » (24:00 written as the clocks do: « 00:00 »). */
export const placeClock = (minutes: number) => `${pad(Math.floor(minutes / 60) % 24)}:${pad(minutes % 60)}`;

/*
 * Moving by whole days (the month view, and the all-day band of the day and week views): an event keeps its time of
 * day and its length; an all-day event keeps its number of days. Day keys are counted on the calendar (UTC dates), so
 * a change of hour (the last Sunday of March or October in Europe/Paris) neither adds nor loses a day or an hour.
 */

/** An event's times as the editor writes them: wall clock 'YYYY-MM-DDTHH:mm', or 'YYYY-MM-DD' (all day, end exclusive). */
export interface EventTimes {
  start: string;
  end: string;
  allDay: boolean;
}

/** Days from `from` to `to` (day keys; negative when `to` is before). */
export function daysBetween(from: string, to: string): number {
  const utc = (key: string) => Date.UTC(Number(key.slice(0, 4)), Number(key.slice(5, 7)) - 1, Number(key.slice(8, 10)));
  return Math.round((utc(to) - utc(from)) / 86_400_000);
}

/** A wall clock or a day key `n` days later, its time of day unchanged. */
const shiftWall = (wallOrDay: string, n: number) => addDays(wallOrDay.slice(0, 10), n) + wallOrDay.slice(10);

/** The event grabbed on day `grab` and let go on day `day`: every date moves by as many days, hours and length kept. */
export function movedByDays(from: EventTimes, grab: string, day: string): EventTimes {
  const n = daysBetween(grab, day);
  return { ...from, start: shiftWall(from.start, n), end: shiftWall(from.end, n) };
}

/** An occurrence's times (its instants read on the wall clock of `zone`, the user's by default). */
export function occurrenceTimes(o: Pick<CalendarOccurrence, 'start' | 'end' | 'allDay'>, zone?: string): EventTimes {
  if (o.allDay) return { start: o.start.slice(0, 10), end: o.end.slice(0, 10), allDay: true };
  const wall = (instant: string) => {
    const c = clockParts(instant, zone);
    return `${c.day}T${c.time}`;
  };
  return { start: wall(o.start), end: wall(o.end), allDay: false };
}

export const sameTimes = (a: EventTimes, b: EventTimes) => a.start === b.start && a.end === b.end && a.allDay === b.allDay;

/** The days the event covers (all-day end exclusive; a timed event ending at 00:00 does not cover that day). */
export function timesDays(times: EventTimes): string[] {
  const first = times.start.slice(0, 10);
  let last = times.end.slice(0, 10);
  if (times.allDay || (times.end.slice(11) === '00:00' && times.end !== times.start)) last = addDays(last, -1);
  if (last < first) last = first;
  const out: string[] = [];
  for (let d = first; d <= last && out.length < 366; d = addDays(d, 1)) out.push(d);
  return out;
}

/** A day's box on the screen (a month cell, a column of the all-day band). */
export interface DayBox {
  day: string;
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/**
 * The day under the pointer: the box that holds it, else the nearest one (a pointer past the grid's edge stays on its
 * first or last row or column). Null when there is no box.
 */
export function dayUnder(boxes: DayBox[], x: number, y: number): string | null {
  let best: { day: string; distance: number } | null = null;
  for (const b of boxes) {
    const dx = x < b.left ? b.left - x : x >= b.right ? x - b.right + 1 : 0;
    const dy = y < b.top ? b.top - y : y >= b.bottom ? y - b.bottom + 1 : 0;
    const distance = Math.hypot(dx, dy);
    if (!best || distance < best.distance) best = { day: b.day, distance };
    if (distance === 0) break;
  }
  return best?.day ?? null;
}

/** How near (pixels) the top or bottom edge of the scrolling grid a drag starts scrolling it. */
export const AUTO_SCROLL_EDGE_PX = 40;
/** The fastest scroll (pixels per frame, about 60 a second): at the edge or past it. */
export const AUTO_SCROLL_MAX_PX = 12;

/**
 * How far the grid scrolls this frame while a tile is dragged with the pointer at `y` in an area from `top` to
 * `bottom`: nothing in the middle; up (negative) or down near an edge, faster as the pointer nears it, at full speed
 * on it or past it.
 */
export function autoScrollStep(y: number, top: number, bottom: number, edge = AUTO_SCROLL_EDGE_PX, max = AUTO_SCROLL_MAX_PX): number {
  const zone = Math.min(edge, (bottom - top) / 3);
  if (zone <= 0) return 0;
  const speed = (depth: number) => Math.max(1, Math.round(max * Math.min(1, depth / zone)));
  if (y < top + zone) return -speed(top + zone - y);
  if (y > bottom - zone) return speed(y - (bottom - zone));
  return 0;
}
