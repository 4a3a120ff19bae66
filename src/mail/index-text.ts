/**
 * The text of a message for the search index, read straight from its source: the text/plain parts (else the HTML
 * ones without tags) decoded from their transfer encoding and charset, and the attachments' file names. Attachments'
 * contents are never decoded (postal-mime decoded every base64 attachment of every message only for the index to
 * drop it: a third of the download's time). Returns null when the structure is beyond this reader (the caller then
 * parses the message fully).
 */

interface Part {
  headers: Map<string, string>;
  body: Buffer;
}

const CRLF_CRLF = Buffer.from('\r\n\r\n');
const LF_LF = Buffer.from('\n\n');
const MAX_DEPTH = 8;

/** Header block and body of an entity (a CRLF or LF blank line ends the headers). */
function splitEntity(buf: Buffer): Part {
  let end = buf.indexOf(CRLF_CRLF);
  let skip = 4;
  // A LF blank line counts only before the first CRLF one (not a scan of the whole entity when it is CRLF).
  const lf = (end === -1 ? buf : buf.subarray(0, end + 2)).indexOf(LF_LF);
  if (lf !== -1 && (end === -1 || lf < end)) {
    end = lf;
    skip = 2;
  }
  if (buf.length === 0 || (end === -1 && buf[0] !== 0x0a && buf[0] !== 0x0d))
    return { headers: parseHeaders(buf.toString('latin1')), body: Buffer.alloc(0) };
  if (end === -1) return { headers: new Map(), body: buf.subarray(buf[0] === 0x0d ? 2 : 1) };
  return { headers: parseHeaders(buf.subarray(0, end).toString('latin1')), body: buf.subarray(end + skip) };
}

/** Unfolded header fields (lower-case names; the first one of a name wins), raw bytes kept as latin1 characters. */
function parseHeaders(text: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of text.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, line.slice(colon + 1).trim());
  }
  return headers;
}

/**
 * `text/plain; charset="utf-8"; name=x` → value and parameters, decoded: RFC 2231 (`name*=utf-8''…`, continuations),
 * RFC 2047 encoded words and raw UTF-8.
 */
function parseStructured(value: string | undefined): { value: string; params: Map<string, string> } {
  const params = new Map<string, string>();
  if (!value) return { value: '', params };
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '"') quoted = !quoted;
    if (c === '\\' && quoted && i + 1 < value.length) {
      current += value[++i];
      continue;
    }
    if (c === ';' && !quoted) {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  const continued = new Map<string, { charset: string | null; pieces: string[] }>();
  for (const raw of parts.slice(1)) {
    const eq = raw.indexOf('=');
    if (eq <= 0) continue;
    let name = raw.slice(0, eq).trim().toLowerCase();
    let v = raw.slice(eq + 1).trim();
    if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) v = v.slice(1, -1);
    const ext = /^([^*]+)\*(\d+)?(\*)?$/.exec(name);
    if (!ext) {
      params.set(name, decodeWords(v));
      continue;
    }
    name = ext[1];
    const entry = continued.get(name) ?? { charset: null, pieces: [] };
    let piece = v;
    if (ext[3] !== undefined || (ext[2] === undefined && raw.slice(0, eq).trim().endsWith('*'))) {
      const m = /^([^']*)'[^']*'(.*)$/.exec(v);
      if (m && (ext[2] === undefined || ext[2] === '0')) {
        entry.charset = m[1] || 'utf-8';
        piece = m[2];
      }
      piece = percentDecode(piece, entry.charset ?? 'utf-8');
    }
    entry.pieces[Number(ext[2] ?? 0)] = piece;
    continued.set(name, entry);
  }
  for (const [name, entry] of continued) params.set(name, entry.pieces.join(''));
  return { value: parts[0].trim().toLowerCase(), params };
}

function percentDecode(text: string, charset: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '%' && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(text.charCodeAt(i) & 0xff);
  }
  return decodeCharset(Buffer.from(bytes), charset);
}

const decoders = new Map<string, TextDecoder>();

function decodeCharset(bytes: Buffer, charset: string | undefined): string {
  const label = (charset || 'utf-8').toLowerCase().trim();
  let decoder = decoders.get(label);
  if (!decoder) {
    try {
      decoder = new TextDecoder(label);
    } catch {
      decoder = new TextDecoder('utf-8');
    }
    decoders.set(label, decoder);
  }
  return decoder.decode(bytes);
}

/** RFC 2047 encoded words in a header value (« =?UTF-8?B?…?= »); raw 8-bit bytes read as UTF-8. */
function decodeWords(value: string): string {
  const raw = decodeCharset(Buffer.from(value, 'latin1'), 'utf-8');
  return raw.replace(/\?=\s+=\?/g, '?==?').replace(/=\?([^?]+)\?([bBqQ])\?([^?]*)\?=/g, (_, charset: string, enc: string, text: string) => {
    const bytes =
      enc.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64')
        : Buffer.from(
            text.replace(/_/g, ' ').replace(/=([0-9a-fA-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))),
            'latin1',
          );
    return decodeCharset(bytes, charset.split('*')[0]);
  });
}

function decodeTransfer(body: Buffer, encoding: string | undefined): Buffer {
  switch ((encoding ?? '').toLowerCase().trim()) {
    case 'base64':
      return Buffer.from(body.toString('latin1').replace(/[^A-Za-z0-9+/]/g, ''), 'base64');
    case 'quoted-printable':
      return decodeQuotedPrintable(body);
    default:
      return body;
  }
}

/** Hex digit value of a byte, -1 when it is none. */
function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/**
 * Quoted-printable on the bytes (the hot loop of indexing): « =XX » is the byte XX, « = » at the end of a line (soft
 * break, CRLF or LF) is nothing, any other byte (a lone « = » included) is kept.
 */
function decodeQuotedPrintable(body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(body.length);
  let n = 0;
  const len = body.length;
  for (let i = 0; i < len; i++) {
    const c = body[i];
    if (c !== 0x3d) {
      out[n++] = c;
      continue;
    }
    const a = i + 1 < len ? body[i + 1] : -1;
    if (a === 0x0a) {
      i += 1;
      continue;
    }
    if (a === 0x0d && i + 2 < len && body[i + 2] === 0x0a) {
      i += 2;
      continue;
    }
    const hi = a === -1 ? -1 : hexValue(a);
    const lo = hi === -1 || i + 2 >= len ? -1 : hexValue(body[i + 2]);
    if (lo !== -1) {
      out[n++] = (hi << 4) | lo;
      i += 2;
    } else out[n++] = c;
  }
  return out.subarray(0, n);
}

/** The parts of a multipart body between `--boundary` lines (preamble and epilogue left out). */
function splitMultipart(body: Buffer, boundary: string): Buffer[] | null {
  const delimiter = Buffer.from(`--${boundary}`, 'latin1');
  const parts: Buffer[] = [];
  let start = -1;
  let pos = 0;
  for (;;) {
    const at = body.indexOf(delimiter, pos);
    if (at === -1) break;
    // A delimiter starts a line.
    if (at > 0 && body[at - 1] !== 0x0a) {
      pos = at + delimiter.length;
      continue;
    }
    if (start !== -1) {
      let end = at;
      if (end > 0 && body[end - 1] === 0x0a) end--;
      if (end > 0 && body[end - 1] === 0x0d) end--;
      parts.push(body.subarray(start, Math.max(start, end)));
    }
    let next = at + delimiter.length;
    if (body[next] === 0x2d && body[next + 1] === 0x2d) return parts; // closing delimiter
    while (next < body.length && body[next] !== 0x0a) next++;
    start = next + 1;
    pos = start;
  }
  // No closing delimiter (a truncated message): what was read counts.
  if (start !== -1 && start < body.length) parts.push(body.subarray(start));
  return parts.length ? parts : null;
}

interface Collected {
  plain: string[];
  html: string[];
  names: string[];
  /** A part the user would call a « pièce jointe » (as hasAttachment() says of a BODYSTRUCTURE). */
  attached: boolean;
}

function walk(part: Part, out: Collected, depth: number): boolean {
  if (depth > MAX_DEPTH) return false;
  const type = parseStructured(part.headers.get('content-type') ?? 'text/plain');
  const disposition = parseStructured(part.headers.get('content-disposition'));
  const mime = type.value || 'text/plain';
  if (mime.startsWith('multipart/')) {
    const boundary = type.params.get('boundary');
    if (!boundary) return false;
    const parts = splitMultipart(part.body, boundary);
    if (!parts) return false;
    for (const p of parts) if (!walk(splitEntity(p), out, depth + 1)) return false;
    return true;
  }
  const filename = disposition.params.get('filename') ?? type.params.get('name');
  const attachment = disposition.value === 'attachment' || (filename !== undefined && !mime.startsWith('text/'));
  if (filename !== undefined) out.names.push(filename);
  if (disposition.value === 'attachment' || filename !== undefined || mime === 'message/rfc822') out.attached = true;
  if (attachment) return true;
  if (mime === 'text/plain' || mime === 'text/html') {
    const text = decodeCharset(decodeTransfer(part.body, part.headers.get('content-transfer-encoding')), type.params.get('charset'));
    (mime === 'text/plain' ? out.plain : out.html).push(text);
    return true;
  }
  // message/rfc822, calendars, images in line…: like postal-mime, only their name (if any) is text for the index.
  return true;
}

/** Plain text and attachment names of a message source for the search index, or null when it cannot be read here. */
export function indexTextOf(source: Buffer): { text: string; names: string[] } | null {
  const read = readSource(source);
  return read.index ? { text: read.index.text, names: read.index.names } : null;
}

/** What one reading of a source gives: its header fields, and its index text unless it is beyond this reader. */
export interface SourceReading {
  /** Top-level header fields (lower-case names, unfolded, the first of a name wins), raw bytes as latin1 characters. */
  headers: Map<string, string>;
  index: { text: string; names: string[]; hasAttachments: boolean } | null;
}

/** Header fields and index text of a message source, in one pass over it. */
export function readSource(source: Buffer): SourceReading {
  let top: Part;
  try {
    top = splitEntity(source);
  } catch {
    return { headers: new Map(), index: null };
  }
  try {
    const out: Collected = { plain: [], html: [], names: [], attached: false };
    if (!walk(top, out, 0)) return { headers: top.headers, index: null };
    const text = out.plain.length
      ? out.plain.join('\n')
      : out.html
          .join('\n')
          .replace(/<style[\s\S]*?<\/style>|<script[\s\S]*?<\/script>/gi, ' ')
          .replace(/<[^>]+>/g, ' ');
    return { headers: top.headers, index: { text, names: out.names, hasAttachments: out.attached } };
  } catch {
    return { headers: top.headers, index: null };
  }
}

/** A header value as text: RFC 2047 encoded words decoded, raw 8-bit bytes read as UTF-8. */
export function headerText(value: string | undefined): string {
  return value === undefined ? '' : decodeWords(value);
}

/** A header value with its raw 8-bit bytes read as UTF-8 (encoded words left for the address parser). */
export function headerUtf8(value: string | undefined): string {
  return value === undefined ? '' : decodeCharset(Buffer.from(value, 'latin1'), 'utf-8');
}
