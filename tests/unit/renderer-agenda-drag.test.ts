import { describe, expect, it } from 'vitest';
import {
  isClick,
  movedPlace,
  pixelsToMinutes,
  placeClock,
  placeTimes,
  resizedPlace,
  samePlace,
  snap,
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
