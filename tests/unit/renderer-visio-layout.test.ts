import { describe, expect, it } from 'vitest';
import { arrangeTiles, lastSpeaker, type PlacedTile } from '../../renderer/src/views/visio/layout';

const self: PlacedTile = { key: 'self', peerId: 'p0', source: 'camera', mine: true };
const ann: PlacedTile = { key: 'p1', peerId: 'p1', source: 'camera', mine: false };
const bob: PlacedTile = { key: 'p2', peerId: 'p2', source: 'camera', mine: false };
const annScreen: PlacedTile = { key: 'p1-screen', peerId: 'p1', source: 'screen', mine: false };
const keys = (tiles: PlacedTile[]) => tiles.map((tile) => tile.key);

describe('meeting layout (« Mosaïque », « Intervenant », « Épingler »)', () => {
  it('« Mosaïque » without a pin keeps every tile in its order, none large', () => {
    const { main, others } = arrangeTiles([self, ann, bob], { layout: 'mosaic', pinned: null, speaker: 'p2' });
    expect(main).toBeNull();
    expect(keys(others)).toEqual(['self', 'p1', 'p2']);
  });

  it('« Intervenant » puts whoever speaks on the large tile, the others in the strip', () => {
    const { main, others } = arrangeTiles([self, ann, bob], { layout: 'speaker', pinned: null, speaker: 'p2' });
    expect(main?.key).toBe('p2');
    expect(keys(others)).toEqual(['self', 'p1']);
  });

  it('a shared screen comes before the speaker; a pinned tile before both, in either layout', () => {
    expect(arrangeTiles([annScreen, self, ann, bob], { layout: 'speaker', pinned: null, speaker: 'p2' }).main?.key).toBe('p1-screen');
    expect(arrangeTiles([annScreen, self, ann, bob], { layout: 'speaker', pinned: 'self', speaker: 'p2' }).main?.key).toBe('self');
    const mosaic = arrangeTiles([self, ann, bob], { layout: 'mosaic', pinned: 'p1', speaker: null });
    expect(mosaic.main?.key).toBe('p1');
    expect(keys(mosaic.others)).toEqual(['self', 'p2']);
  });

  it('nobody speaks: another participant, never oneself while someone else is there; alone: oneself', () => {
    expect(arrangeTiles([self, ann, bob], { layout: 'speaker', pinned: null, speaker: null }).main?.key).toBe('p1');
    expect(arrangeTiles([self, ann], { layout: 'speaker', pinned: null, speaker: 'p0' }).main?.key).toBe('p1');
    expect(arrangeTiles([self], { layout: 'speaker', pinned: null, speaker: null }).main?.key).toBe('self');
    expect(arrangeTiles([], { layout: 'speaker', pinned: null, speaker: null }).main).toBeNull();
  });

  it('a pin on a tile that is gone is ignored', () => {
    const { main, others } = arrangeTiles([self, bob], { layout: 'mosaic', pinned: 'p1-screen', speaker: null });
    expect(main).toBeNull();
    expect(keys(others)).toEqual(['self', 'p2']);
  });

  it('the last speaker stays through silences, and is dropped once gone', () => {
    const here = new Set(['p1', 'p2']);
    expect(lastSpeaker(null, 'p1', here)).toBe('p1');
    expect(lastSpeaker('p1', null, here)).toBe('p1');
    expect(lastSpeaker('p1', 'p2', here)).toBe('p2');
    expect(lastSpeaker('p1', null, new Set(['p2']))).toBeNull();
    expect(lastSpeaker('p1', 'p9', here)).toBe('p1');
  });
});
