import { describe, expect, it } from 'vitest';
import {
  AUTO_SCROLL_EDGE_PX,
  AUTO_SCROLL_MAX_PX,
  autoScrollStep,
  dayUnder,
  daysBetween,
  isClick,
  isMovable,
  movedByDays,
  movedPlace,
  pixelsToMinutes,
  occurrenceTimes,
  placeClock,
  placeTimes,
  resizedPlace,
  samePlace,
  sameTimes,
  snap,
  timesDays,
  type DayBox,
  type EventTimes,
  type GridPlace,
} from '../../renderer/src/views/agenda/drag';

const HOUR = 44;
const meeting: GridPlace = { day: '2026-12-14', start: 10 * 60, end: 11 * 60 };

describe('dragging a meeting in the day and week grids', () => {
  it('reads the pointer on the grid in minutes and falls on the quarter of an hour', () => {
    expect(pixelsToMinutes(44, HOUR)).toBe(60);
    expect(pixelsToMinutes(11, HOUR)).toBe(15);
    expect(snap(7)).toBe(0);
    expect(snap(8)).toBe(15);
    expect(snap(10 * 60 + 22)).toBe(10 * 60 + 15);
    expect(snap(10 * 60 + 23)).toBe(10 * 60 + 30);
  });

  it('moves the tile by where it was grabbed, same length, on the quarter', () => {
    // Grabbed at 10:20 (20 minutes into the tile), let go at 14:50 on Wednesday: starts 14:30, ends 15:30.
    expect(movedPlace(meeting, 10 * 60 + 20, '2026-12-16', 14 * 60 + 50)).toEqual({
      day: '2026-12-16',
      start: 14 * 60 + 30,
      end: 15 * 60 + 30,
    });
    // A little lower on the same day: 10:15 – 11:15.
    expect(movedPlace(meeting, 10 * 60 + 20, meeting.day, 10 * 60 + 20 + pixelsToMinutes(12, HOUR))).toEqual({
      ...meeting,
      start: 10 * 60 + 15,
      end: 11 * 60 + 15,
    });
    // An event not on the quarter (10:05) lands on the quarter.
    const odd = { ...meeting, start: 10 * 60 + 5, end: 10 * 60 + 50 };
    expect(movedPlace(odd, 10 * 60 + 5, meeting.day, 11 * 60 + 2)).toEqual({ ...meeting, start: 11 * 60, end: 11 * 60 + 45 });
  });

  it('changes only the day when the pointer goes across at the same height', () => {
    expect(movedPlace(meeting, 10 * 60 + 30, '2026-12-18', 10 * 60 + 30)).toEqual({ ...meeting, day: '2026-12-18' });
  });

  it('keeps the tile inside the day', () => {
    expect(movedPlace(meeting, 10 * 60, meeting.day, -90)).toEqual({ ...meeting, start: 0, end: 60 });
    expect(movedPlace(meeting, 10 * 60, meeting.day, 23 * 60 + 50)).toEqual({ ...meeting, start: 23 * 60, end: 24 * 60 });
    expect(placeTimes({ ...meeting, start: 23 * 60, end: 24 * 60 })).toEqual({ start: '2026-12-14T23:00', end: '2026-12-15T00:00' });
  });

  it('drags the bottom edge to a new end: on the quarter, 15 minutes long at least, midnight at most', () => {
    expect(resizedPlace(meeting, 11 * 60 + 40)).toEqual({ ...meeting, end: 11 * 60 + 45 });
    expect(resizedPlace(meeting, 10 * 60 + 31)).toEqual({ ...meeting, end: 10 * 60 + 30 });
    expect(resizedPlace(meeting, 10 * 60 + 3)).toEqual({ ...meeting, end: 10 * 60 + 15 });
    expect(resizedPlace(meeting, 9 * 60)).toEqual({ ...meeting, end: 10 * 60 + 15 });
    expect(resizedPlace(meeting, 25 * 60)).toEqual({ ...meeting, end: 24 * 60 });
  });

  it('takes a press that hardly moves for a click, and a drop where it was for no change', () => {
    expect(isClick(0, 0)).toBe(true);
    expect(isClick(2, 2)).toBe(true);
    expect(isClick(0, 4)).toBe(false);
    expect(isClick(5, 1)).toBe(false);
    expect(samePlace(movedPlace(meeting, 10 * 60, meeting.day, 10 * 60 + 5), meeting)).toBe(true);
    expect(samePlace(movedPlace(meeting, 10 * 60, meeting.day, 10 * 60 + 10), meeting)).toBe(false);
  });

  it('writes the new place as the editor does and shows its hours', () => {
    expect(placeTimes({ day: '2026-12-16', start: 14 * 60 + 30, end: 15 * 60 + 30 })).toEqual({
      start: '2026-12-16T14:30',
      end: '2026-12-16T15:30',
    });
    expect(placeClock(10 * 60 + 15)).toBe('10:15');
    expect(placeClock(9 * 60)).toBe('09:00');
    expect(placeClock(24 * 60)).toBe('00:00');
  });
});

describe('dragging an event by whole days (month view, all-day band)', () => {
  it('counts days on the calendar, across a change of hour too', () => {
    expect(daysBetween('2026-12-14', '2026-12-16')).toBe(2);
    expect(daysBetween('2026-12-16', '2026-12-14')).toBe(-2);
    expect(daysBetween('2026-12-31', '2027-01-01')).toBe(1);
    // Last Sunday of March 2027 (28th) has 23 hours in Paris, last Sunday of October 2027 (31st) has 25.
    expect(daysBetween('2027-03-27', '2027-03-29')).toBe(2);
    expect(daysBetween('2027-10-30', '2027-11-01')).toBe(2);
  });

  it('moves a timed meeting to another day, its hours kept', () => {
    const meeting: EventTimes = { start: '2026-12-14T10:00', end: '2026-12-14T11:30', allDay: false };
    expect(movedByDays(meeting, '2026-12-14', '2026-12-17')).toEqual({ start: '2026-12-17T10:00', end: '2026-12-17T11:30', allDay: false });
    expect(movedByDays(meeting, '2026-12-14', '2026-12-09')).toEqual({ start: '2026-12-09T10:00', end: '2026-12-09T11:30', allDay: false });
    // Over the change to summer time: still 10:00 – 11:30 on the wall clock.
    const friday: EventTimes = { start: '2027-03-26T10:00', end: '2027-03-26T11:30', allDay: false };
    expect(movedByDays(friday, '2027-03-26', '2027-03-29')).toEqual({ start: '2027-03-29T10:00', end: '2027-03-29T11:30', allDay: false });
  });

  it('keeps the number of days of an all-day event over the last Sunday of March and of October', () => {
    // Saturday 27 and Sunday 28 March 2027 (end exclusive) → Sunday 28 and Monday 29.
    const weekend: EventTimes = { start: '2027-03-27', end: '2027-03-29', allDay: true };
    const moved = movedByDays(weekend, '2027-03-27', '2027-03-28');
    expect(moved).toEqual({ start: '2027-03-28', end: '2027-03-30', allDay: true });
    expect(timesDays(moved)).toEqual(['2027-03-28', '2027-03-29']);
    // Grabbed on its second day (Sunday 31 October), let go on Tuesday 2 November: two days later.
    const october: EventTimes = { start: '2027-10-30', end: '2027-11-01', allDay: true };
    expect(movedByDays(october, '2027-10-31', '2027-11-02')).toEqual({ start: '2027-11-01', end: '2027-11-03', allDay: true });
    // One day on the Sunday of the change itself, moved back a week: one day still.
    const sunday: EventTimes = { start: '2027-10-31', end: '2027-11-01', allDay: true };
    expect(timesDays(movedByDays(sunday, '2027-10-31', '2027-10-24'))).toEqual(['2027-10-24']);
  });

  it('moves a timed event over several days by the days between where it was grabbed and let go', () => {
    const night: EventTimes = { start: '2026-12-14T22:00', end: '2026-12-16T02:00', allDay: false };
    expect(timesDays(night)).toEqual(['2026-12-14', '2026-12-15', '2026-12-16']);
    expect(movedByDays(night, '2026-12-15', '2026-12-18')).toEqual({ start: '2026-12-17T22:00', end: '2026-12-19T02:00', allDay: false });
    // Ending at midnight: the next day is not covered.
    expect(timesDays({ start: '2026-12-14T20:00', end: '2026-12-15T00:00', allDay: false })).toEqual(['2026-12-14']);
  });

  it('reads an occurrence on the wall clock of Paris, summer and winter', () => {
    expect(occurrenceTimes({ start: '2027-03-26T09:00:00.000Z', end: '2027-03-26T10:30:00.000Z', allDay: false }, 'Europe/Paris')).toEqual({
      start: '2027-03-26T10:00',
      end: '2027-03-26T11:30',
      allDay: false,
    });
    expect(occurrenceTimes({ start: '2027-03-29T08:00:00.000Z', end: '2027-03-29T09:30:00.000Z', allDay: false }, 'Europe/Paris')).toEqual({
      start: '2027-03-29T10:00',
      end: '2027-03-29T11:30',
      allDay: false,
    });
    expect(occurrenceTimes({ start: '2027-03-27', end: '2027-03-29', allDay: true }, 'Europe/Paris')).toEqual({
      start: '2027-03-27',
      end: '2027-03-29',
      allDay: true,
    });
  });

  it('finds the day under the pointer, or the nearest one off the grid', () => {
    // Two weeks of a month: cells of 100 × 80 from (10, 50).
    const days = ['2026-12-07', '2026-12-08', '2026-12-09', '2026-12-10', '2026-12-11', '2026-12-12', '2026-12-13'];
    const boxes: DayBox[] = [0, 1].flatMap((row) =>
      days.map((d, col) => ({
        day: row ? d.replace(/\d{2}$/, (n) => String(Number(n) + 7).padStart(2, '0')) : d,
        left: 10 + col * 100,
        top: 50 + row * 80,
        right: 110 + col * 100,
        bottom: 130 + row * 80,
      })),
    );
    expect(dayUnder(boxes, 15, 55)).toBe('2026-12-07');
    expect(dayUnder(boxes, 250, 140)).toBe('2026-12-16');
    // On the border between two cells: the right one (its left edge is inside).
    expect(dayUnder(boxes, 110, 60)).toBe('2026-12-08');
    // Past the right edge, under the grid, above it.
    expect(dayUnder(boxes, 900, 100)).toBe('2026-12-13');
    expect(dayUnder(boxes, 320, 400)).toBe('2026-12-17');
    expect(dayUnder(boxes, 320, 0)).toBe('2026-12-10');
    expect(dayUnder([], 0, 0)).toBeNull();
  });

  it('takes a drop on the same day for no change, and never drags an invitation received or a truncated series', () => {
    const event: EventTimes = { start: '2026-12-14', end: '2026-12-15', allDay: true };
    expect(sameTimes(movedByDays(event, '2026-12-14', '2026-12-14'), event)).toBe(true);
    expect(sameTimes(movedByDays(event, '2026-12-14', '2026-12-15'), event)).toBe(false);
    expect(isMovable({ invitation: false, readOnly: false, truncated: false })).toBe(true);
    expect(isMovable({ invitation: true, readOnly: false, truncated: false })).toBe(false);
    expect(isMovable({ invitation: false, readOnly: true, truncated: false })).toBe(false);
    expect(isMovable({ invitation: false, readOnly: false, truncated: true })).toBe(false);
  });
});

describe('scrolling the day and week grid while dragging near its edges', () => {
  const top = 200;
  const bottom = 600;
  it('does not scroll with the pointer away from the edges', () => {
    expect(autoScrollStep(400, top, bottom)).toBe(0);
    expect(autoScrollStep(top + AUTO_SCROLL_EDGE_PX, top, bottom)).toBe(0);
    expect(autoScrollStep(bottom - AUTO_SCROLL_EDGE_PX, top, bottom)).toBe(0);
  });

  it('scrolls down near the bottom, up near the top, faster nearer the edge', () => {
    const slow = autoScrollStep(bottom - AUTO_SCROLL_EDGE_PX + 5, top, bottom);
    const fast = autoScrollStep(bottom - 5, top, bottom);
    expect(slow).toBeGreaterThan(0);
    expect(fast).toBeGreaterThan(slow);
    expect(autoScrollStep(top + 5, top, bottom)).toBe(-fast);
    expect(autoScrollStep(top + AUTO_SCROLL_EDGE_PX - 5, top, bottom)).toBe(-slow);
  });

  it('scrolls at full speed on the edge and past it', () => {
    expect(autoScrollStep(bottom, top, bottom)).toBe(AUTO_SCROLL_MAX_PX);
    expect(autoScrollStep(bottom + 300, top, bottom)).toBe(AUTO_SCROLL_MAX_PX);
    expect(autoScrollStep(top - 300, top, bottom)).toBe(-AUTO_SCROLL_MAX_PX);
  });

  it('keeps a middle where nothing scrolls in a short grid', () => {
    expect(autoScrollStep(150, 100, 190)).toBe(0);
    expect(autoScrollStep(101, 100, 190)).toBeLessThan(0);
  });
});
