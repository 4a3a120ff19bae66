/**
 * Where a pop-up menu goes: at the point asked (the pointer, or a row for the keyboard), flipped to the
 * left of the point near the right edge and above it near the bottom edge, and always inside the window.
 */
export interface MenuPoint {
  x: number;
  y: number;
}

export interface MenuSize {
  width: number;
  height: number;
}

/** Room kept between the menu and the window's edges. */
export const MENU_MARGIN = 4;

export function placeMenu(at: MenuPoint, menu: MenuSize, view: MenuSize, margin = MENU_MARGIN): MenuPoint {
  const place = (start: number, size: number, room: number): number => {
    let pos = start;
    // Not enough room after the point: open before it (to the left, or upwards), as native menus do.
    if (pos + size > room - margin) pos = start - size;
    // Still outside (a menu bigger than the room on either side): against the far edge, never past the near one.
    return Math.max(margin, Math.min(pos, room - margin - size));
  };
  return { x: place(at.x, menu.width, view.width), y: place(at.y, menu.height, view.height) };
}
