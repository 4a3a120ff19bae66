import { describe, expect, it } from 'vitest';
import { placeMenu } from '../../renderer/src/lib/menu-place';

describe('context menu placement', () => {
  const view = { width: 1000, height: 700 };
  const menu = { width: 200, height: 300 };

  it('opens at the point when there is room', () => {
    expect(placeMenu({ x: 100, y: 50 }, menu, view)).toEqual({ x: 100, y: 50 });
  });

  it('flips to the left of the point near the right edge', () => {
    expect(placeMenu({ x: 900, y: 50 }, menu, view)).toEqual({ x: 700, y: 50 });
  });

  it('flips above the point near the bottom edge', () => {
    expect(placeMenu({ x: 100, y: 600 }, menu, view)).toEqual({ x: 100, y: 300 });
  });

  it('flips both ways in the bottom right corner', () => {
    expect(placeMenu({ x: 990, y: 690 }, menu, view)).toEqual({ x: 790, y: 390 });
  });

  it('stays inside a window smaller than the menu needs on either side', () => {
    const small = { width: 300, height: 400 };
    const placed = placeMenu({ x: 150, y: 200 }, menu, small);
    expect(placed.x).toBeGreaterThanOrEqual(4);
    expect(placed.x + menu.width).toBeLessThanOrEqual(small.width - 4);
    expect(placed.y).toBeGreaterThanOrEqual(4);
    expect(placed.y + menu.height).toBeLessThanOrEqual(small.height - 4);
  });

  it('never goes past the top left edges', () => {
    expect(placeMenu({ x: -20, y: -10 }, menu, view)).toEqual({ x: 4, y: 4 });
  });
});
