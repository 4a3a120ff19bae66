/**
 * File names as shown: each bidirectional control character (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C)
 * becomes « � », so « facture\u202Efdp.js » cannot read as « facturesj.pdf ». Same rule as the core's
 * displayFileName (src/files/open-safety.ts; tests/unit/renderer-file-name.test.ts keeps them equal).
 */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/g;

export function displayFileName(name: string): string {
  return name.replace(BIDI_CONTROLS, '\uFFFD');
}
