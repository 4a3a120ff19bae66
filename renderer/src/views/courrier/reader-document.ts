/**
 * The document shown in the reading pane's sandboxed frame. Pure functions (no DOM), tested in
 * tests/unit/mail-sanitize-frame.test.ts.
 *
 * Two walls: the core already sanitised the HTML; the frame is `sandbox=""` (no script, no same
 * origin, no navigation, no popup, no form) and its document carries its own CSP, so even a
 * construct that slipped through the sanitiser could neither run nor load anything. Remote images
 * are allowed by that CSP only once the user chose « Afficher les images ».
 *
 * Caution: an about:srcdoc document also INHERITS the app's own CSP (src/host/security.ts), and both
 * policies apply. With the app's `style-src 'self'` and `img-src 'self' data: blob:`, the message's
 * inline styles (and the base style below) are not applied and allowed remote images still do not
 * load. Nothing unsafe follows from it (it is stricter), but formatting is lost until either the app
 * CSP admits `'unsafe-inline'` styles and http(s) images, or the frame gets its own origin.
 */
import type { MessagePartInfo } from '../../../../src/shared/contract';

/** CSP of the message document: nothing but inline styles and data: images (plus http/https images when allowed). */
export function readerFrameCsp(remoteAllowed: boolean): string {
  return `default-src 'none'; img-src data:${remoteAllowed ? ' https: http:' : ''}; style-src 'unsafe-inline'; font-src 'none'; form-action 'none'`;
}

const BASE_STYLE =
  'html{color-scheme:light}body{margin:16px;font-family:system-ui,-apple-system,"Segoe UI",Roboto,Ubuntu,Cantarell,"Noto Sans","DejaVu Sans",sans-serif;' +
  'font-size:15px;line-height:1.45;color:#1b1f24;background:#fff;overflow-wrap:anywhere}img{max-width:100%;height:auto}' +
  'pre{white-space:pre-wrap}table{max-width:100%}a{color:#1f4fb5}blockquote{margin:0 0 0 8px;padding-left:12px;border-left:3px solid #d3d8e0}';

/** `srcdoc` of the frame: the CSP meta comes first, before any content. */
export function readerSrcdoc(sanitisedHtml: string, remoteAllowed: boolean): string {
  return (
    `<!doctype html><html><head><meta http-equiv="Content-Security-Policy" content="${readerFrameCsp(remoteAllowed)}">` +
    `<meta charset="utf-8"><meta name="referrer" content="no-referrer"><style>${BASE_STYLE}</style></head><body>${sanitisedHtml}</body></html>`
  );
}

export type AttachmentKind =
  'image' | 'pdf' | 'document' | 'spreadsheet' | 'presentation' | 'archive' | 'text' | 'audio' | 'video' | 'message' | 'calendar' | 'other';

/** What kind of file an attachment is, from its MIME type and name. */
export function attachmentKind(part: Pick<MessagePartInfo, 'mimeType' | 'filename'>): AttachmentKind {
  const type = part.mimeType.toLowerCase();
  const ext = (part.filename ?? '').toLowerCase().split('.').pop() ?? '';
  if (type.startsWith('image/')) return 'image';
  if (type === 'application/pdf' || ext === 'pdf') return 'pdf';
  if (type.startsWith('audio/')) return 'audio';
  if (type.startsWith('video/')) return 'video';
  if (type === 'message/rfc822' || ext === 'eml') return 'message';
  if (type === 'text/calendar' || ext === 'ics') return 'calendar';
  if (/spreadsheet|excel|opendocument\.spreadsheet|csv/.test(type) || ['ods', 'xls', 'xlsx', 'csv'].includes(ext)) return 'spreadsheet';
  if (/presentation|powerpoint/.test(type) || ['odp', 'ppt', 'pptx'].includes(ext)) return 'presentation';
  if (/zip|compressed|tar|gzip|7z|rar/.test(type) || ['zip', '7z', 'gz', 'tgz', 'rar'].includes(ext)) return 'archive';
  if (/msword|wordprocessing|opendocument\.text|rtf/.test(type) || ['odt', 'doc', 'docx', 'rtf'].includes(ext)) return 'document';
  if (type.startsWith('text/')) return 'text';
  return 'other';
}
