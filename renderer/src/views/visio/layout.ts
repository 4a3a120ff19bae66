/**
 * How the meeting's tiles are laid out: « Mosaïque » (every tile the same size, a shared screen or the pinned tile
 * across the width) or « Intervenant » (one large tile, the others in a strip below), as Teams and Jitsi Meet offer.
 * Pure: the view renders what this returns, the tests check the choices.
 */

export type MeetingLayout = 'mosaic' | 'speaker';

/** What a tile needs to be placed (the view's tile model has more). */
export interface PlacedTile {
  key: string;
  peerId: string;
  source: 'camera' | 'screen';
  mine: boolean;
}

export interface Arrangement<T> {
  /** The large tile: in « Intervenant », always one when there is a tile; in « Mosaïque », the pinned tile only. */
  main: T | null;
  /** The other tiles, in their order (the strip of « Intervenant », or the mosaic after the pinned tile). */
  others: T[];
}

/**
 * The large tile of « Intervenant »: the one the agent pinned, else a shared screen (the one being watched in a
 * meeting), else the camera of whoever speaks or spoke last, else another participant, else oneself.
 */
export function arrangeTiles<T extends PlacedTile>(
  tiles: readonly T[],
  options: { layout: MeetingLayout; pinned: string | null; speaker: string | null },
): Arrangement<T> {
  const pinned = options.pinned ? tiles.find((tile) => tile.key === options.pinned) : undefined;
  let main: T | undefined = pinned;
  if (!main && options.layout === 'speaker')
    main =
      tiles.find((tile) => tile.source === 'screen') ??
      tiles.find((tile) => tile.source === 'camera' && !tile.mine && tile.peerId === options.speaker) ??
      tiles.find((tile) => tile.source === 'camera' && !tile.mine) ??
      tiles[0];
  if (!main) return { main: null, others: [...tiles] };
  return { main, others: tiles.filter((tile) => tile !== main) };
}

/**
 * Who « spoke last »: the server names the dominant speaker on each change, and null when that person left. The last
 * one still in the meeting stays on the large tile through silences, as in the usual meeting tools.
 */
export function lastSpeaker(previous: string | null, current: string | null, present: ReadonlySet<string>): string | null {
  if (current && present.has(current)) return current;
  return previous && present.has(previous) ? previous : null;
}
