import { describe, expect, it } from 'vitest';
import { decodeText, previewImageType } from '../../renderer/src/views/courrier/preview-types.js';

describe('aperçu des pièces jointes', () => {
  it('gives the blob an image type of its own choosing, SVG included, nothing for other files', () => {
    expect(previewImageType('image/png', 'plan.png')).toBe('image/png');
    expect(previewImageType('IMAGE/JPG', 'photo.jpg')).toBe('image/jpeg');
    expect(previewImageType('image/svg+xml', 'logo.svg')).toBe('image/svg+xml');
    expect(previewImageType('image/x-unknown', 'logo.svg')).toBe('image/svg+xml');
    expect(previewImageType('image/tiff', 'scan.tiff')).toBeNull();
    expect(previewImageType('text/html', 'page.png')).toBeNull();
  });

  it('reads a text as UTF-8 (BOM dropped), else as Windows-1252', () => {
    expect(decodeText(new TextEncoder().encode('Délibération n°12'))).toBe('Délibération n°12');
    expect(decodeText(Uint8Array.from([0xef, 0xbb, 0xbf, 0x41]))).toBe('A');
    expect(decodeText(Uint8Array.from([0x44, 0xe9, 0x6c, 0x69, 0x62, 0xe9]))).toBe('Délibé');
  });
});
