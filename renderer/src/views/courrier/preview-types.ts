/** Pure helpers of the attachment preview (FilePreview.tsx), kept out of its lazily loaded chunk. */

const IMAGE_TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  bmp: 'image/bmp',
  svg: 'image/svg+xml',
};

/** The image type Ostal gives the blob (never the sender's word alone), or null when it is not an image shown here. */
export function previewImageType(mimeType: string, filename: string | null): string | null {
  const type = mimeType.toLowerCase();
  const known = Object.values(IMAGE_TYPES);
  if (known.includes(type)) return type;
  if (type === 'image/jpg' || type === 'image/pjpeg') return 'image/jpeg';
  const ext = (filename ?? '').toLowerCase().split('.').pop() ?? '';
  return type.startsWith('image/') || type === 'application/octet-stream' ? (IMAGE_TYPES[ext] ?? null) : null;
}

/** The file's text: UTF-8 when it is valid UTF-8, else Windows-1252 (older French files). */
export function decodeText(bytes: Uint8Array): string {
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(start));
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}
