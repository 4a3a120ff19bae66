/**
 * Moving a meeting with the pointer in the day and week grids (as Outlook and Thunderbird): where a tile lands when it
 * is dragged (its start) or when its bottom edge is (its end). Pure functions on minutes since midnight and day keys.
 */
import { addDays } from './dates';

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
