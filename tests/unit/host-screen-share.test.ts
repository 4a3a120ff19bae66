import { describe, expect, it } from 'vitest';
import { chosenSourceId, screenSourceChoices, type CapturerSourceInfo } from '../../src/host/screen-share.js';

const png = 'data:image/png;base64,iVBORw0KGgo=';
const sources: CapturerSourceInfo[] = [
  { id: 'window:301:0', name: 'Tableur — budget 2027', thumbnail: png },
  { id: 'screen:1:0', name: 'Screen 1', thumbnail: png },
  { id: 'window:77:0', name: 'Ostal', thumbnail: png },
  { id: 'window:12:0', name: '  ', thumbnail: png },
  { id: 'screen:2:0', name: 'Screen 2', thumbnail: 'javascript:alert(1)' },
  { id: 'window:5:0', name: 'Éditeur de texte', thumbnail: png },
];

describe('screen share choices (desktop app)', () => {
  it('screens first in French, then windows by title in French order, without Ostal’s own window; only image thumbnails', () => {
    expect(screenSourceChoices(sources, 'window:77:0')).toEqual([
      { id: 'screen:1:0', kind: 'screen', label: 'Écran 1', thumbnail: png },
      { id: 'screen:2:0', kind: 'screen', label: 'Écran 2', thumbnail: '' },
      { id: 'window:5:0', kind: 'window', label: 'Éditeur de texte', thumbnail: png },
      { id: 'window:12:0', kind: 'window', label: 'Fenêtre sans titre', thumbnail: png },
      { id: 'window:301:0', kind: 'window', label: 'Tableur — budget 2027', thumbnail: png },
    ]);
  });

  it('a single screen is « Écran entier »', () => {
    expect(screenSourceChoices([{ id: 'screen:0:0', name: 'Entire Screen', thumbnail: png }], null)).toEqual([
      { id: 'screen:0:0', kind: 'screen', label: 'Écran entier', thumbnail: png },
    ]);
  });

  it('only an offered id is shared; cancel, junk or a forged id share nothing', () => {
    const offered = screenSourceChoices(sources, 'window:77:0');
    expect(chosenSourceId(offered, 'window:5:0')).toBe('window:5:0');
    expect(chosenSourceId(offered, null)).toBeNull();
    expect(chosenSourceId(offered, 'window:77:0')).toBeNull();
    expect(chosenSourceId(offered, { id: 'screen:1:0' })).toBeNull();
  });
});
