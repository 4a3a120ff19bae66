import { describe, expect, it } from 'vitest';
import { displayFileName as rendererDisplay } from '../../renderer/src/lib/file-name';
import { displayFileName as coreDisplay } from '../../src/files/open-safety.js';

describe('renderer displayFileName', () => {
  it('neutralises the same characters as the core, one by one over the whole BMP', () => {
    for (let c = 0; c < 0x10000; c++) {
      if (c >= 0xd800 && c <= 0xdfff) continue;
      const name = `a${String.fromCharCode(c)}b`;
      expect(rendererDisplay(name)).toBe(coreDisplay(name));
    }
    expect(rendererDisplay('facture\u202Efdp.js')).toBe('facture\uFFFDfdp.js');
  });
});
