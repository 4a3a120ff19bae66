/**
 * The text of an .ics or .vcf file chosen in « Importer… », from its bytes: UTF-16 (with a byte order mark, or
 * without one when every other byte is zero, as Outlook's « Unicode » save), UTF-8, or else Windows-1252 (older
 * Outlook exports, vCard 2.1). A mostly UTF-8 file with a few broken bytes stays UTF-8. Same rules as the
 * core's decodeImportBytes (src/calendar/import.ts), used by `ostal import`.
 */
export function importText(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes);
  if (bytes.length >= 4 && bytes[0] !== 0 && bytes[1] === 0 && bytes[2] !== 0 && bytes[3] === 0)
    return new TextDecoder('utf-16le').decode(bytes);
  if (bytes.length >= 4 && bytes[0] === 0 && bytes[1] !== 0 && bytes[2] === 0 && bytes[3] !== 0)
    return new TextDecoder('utf-16be').decode(bytes);
  const utf8 = new TextDecoder('utf-8').decode(bytes);
  if (!utf8.includes('\uFFFD') || /[\u0080-\uFFFC\uFFFE\uFFFF]/.test(utf8)) return utf8;
  // Browsers decode windows-1252 per the WHATWG Encoding standard (0x80–0x9F included).
  return new TextDecoder('windows-1252').decode(bytes);
}
