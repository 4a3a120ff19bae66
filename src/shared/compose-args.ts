/**
 * Ostal as the mail program (issue 18): what another program asks Ostal to write, parsed into one « compose
 * request ». Pure code (runs in the main process, in the core and in the page).
 *
 * Two syntaxes:
 *  - `mailto:` URLs (RFC 6068): addresses in the path, `to`, `cc`, `bcc`, `subject`, `body` header fields,
 *    percent-encoded UTF-8 (a `+` is a plus, never a space). Other header fields are ignored, and so is any
 *    attachment: a link on a web page must never attach a file of this computer (Thunderbird refuses it too).
 *  - Thunderbird's `-compose` argument, which LibreOffice's « Envoyer par courriel », `xdg-email` and scripts use:
 *    `to='a@b.fr,c@d.fr',cc=…,subject=…,body=…,attachment='file:///…,file:///…'`. Pairs are separated by commas;
 *    a value quoted with ' or " (opened right after `=`, closed right before a comma or the end) is taken as is,
 *    commas included; an unquoted value is percent-decoded (xdg-email passes `subject=Ordre%20du%20jour`). The
 *    first occurrence of a name wins, as in Thunderbird. Attachments are `file://` URLs (percent-encoded or not,
 *    non-ASCII names allowed) or plain absolute paths (Windows `C:\…` included), separated by commas.
 *
 * Attachments are only paths here: the core reads them (mail.compose.readLocalFiles) and says in French which
 * could not be read.
 */

export interface ComposeRequestArgs {
  to: string[];
  cc: string[];
  bcc: string[];
  subject: string;
  body: string;
  /** Absolute paths of local files to attach, in the platform's own form (`C:\…` on Windows). */
  attachments: string[];
}

export type PathPlatform = 'win32' | 'posix';

export function emptyComposeRequest(): ComposeRequestArgs {
  return { to: [], cc: [], bcc: [], subject: '', body: '', attachments: [] };
}

/** Percent-decode as UTF-8; a malformed or non-UTF-8 escape is left as written rather than failing the whole value. */
export function percentDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    // Decode the well-formed runs one by one; keep the rest literally.
    return value.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run;
      }
    });
  }
}

/** Split an address list (`a@b.fr, c@d.fr`) into trimmed, non-empty entries. A comma inside a quoted name is kept. */
export function splitAddresses(value: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  let angle = false;
  for (const ch of value) {
    if (ch === '"') quoted = !quoted;
    else if (ch === '<' && !quoted) angle = true;
    else if (ch === '>' && !quoted) angle = false;
    if ((ch === ',' || ch === ';') && !quoted && !angle) {
      if (current.trim()) out.push(current.trim());
      current = '';
    } else current += ch;
  }
  if (current.trim()) out.push(current.trim());
  return out;
}

/** CRLF and CR line breaks as \n (the composer's text). */
function normalizeLines(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

export function isMailtoUrl(value: string): boolean {
  return /^mailto:/i.test(value.trim());
}

/**
 * Parse a `mailto:` URL (RFC 6068). Null when the text is not a mailto URL. Header names are case-insensitive;
 * `to`, `cc` and `bcc` found several times are added together; the first `subject` and `body` win.
 */
export function parseMailto(url: string): ComposeRequestArgs | null {
  const text = url.trim();
  if (!isMailtoUrl(text)) return null;
  const rest = text.slice('mailto:'.length);
  const question = rest.indexOf('?');
  const path = question === -1 ? rest : rest.slice(0, question);
  const query = question === -1 ? '' : rest.slice(question + 1);
  const out = emptyComposeRequest();
  out.to.push(...splitAddresses(percentDecode(path)));
  let subject: string | null = null;
  let body: string | null = null;
  for (const field of query.split('&')) {
    if (!field) continue;
    const eq = field.indexOf('=');
    const name = percentDecode(eq === -1 ? field : field.slice(0, eq)).toLowerCase();
    const value = percentDecode(eq === -1 ? '' : field.slice(eq + 1));
    if (name === 'to') out.to.push(...splitAddresses(value));
    else if (name === 'cc') out.cc.push(...splitAddresses(value));
    else if (name === 'bcc') out.bcc.push(...splitAddresses(value));
    else if (name === 'subject') subject ??= value;
    else if (name === 'body') body ??= value;
  }
  out.subject = normalizeLines(subject ?? '').replace(/\n/g, ' ');
  out.body = normalizeLines(body ?? '');
  return out;
}

/** Split Thunderbird's `-compose` value into name/value pairs (GetArgs of Thunderbird's MsgComposeCommands.js). */
export function splitComposePairs(value: string): [string, string][] {
  const SEPARATOR = '\u0001';
  let data = '';
  let quote = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    const next = value[i + 1] ?? '';
    const prev = value[i - 1] ?? '';
    if (quote !== '' && ch === quote && (next === ',' || next === '')) {
      quote = '';
      data += ch;
    } else if ((ch === "'" || ch === '"') && prev === '=' && quote === '') {
      quote = ch;
      data += ch;
    } else if (ch === ',') data += quote === '' ? SEPARATOR : ch;
    else data += ch;
  }
  const pairs: [string, string][] = [];
  for (const pair of data.split(SEPARATOR)) {
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const name = pair.slice(0, eq).trim().toLowerCase();
    const raw = pair.slice(eq + 1);
    const quoted = raw.length >= 2 && (raw[0] === "'" || raw[0] === '"') && raw[raw.length - 1] === raw[0];
    pairs.push([name, quoted ? raw.slice(1, -1) : percentDecode(raw)]);
  }
  return pairs;
}

/**
 * A `file://` URL or a plain path as an absolute local path of the platform, or null when it is neither (an `http:`
 * URL, a relative path, a file on another machine under Linux, a NUL byte).
 */
export function localPathFromAttachment(value: string, platform: PathPlatform): string | null {
  const text = value.trim();
  if (text === '' || text.includes('\0')) return null;
  if (/^file:/i.test(text)) {
    let rest = text.slice('file:'.length);
    let host = '';
    if (rest.startsWith('//')) {
      rest = rest.slice(2);
      const slash = rest.indexOf('/');
      host = slash === -1 ? rest : rest.slice(0, slash);
      rest = slash === -1 ? '/' : rest.slice(slash);
    }
    // Query and fragment are not part of a file name (a literal # or ? in a name is percent-encoded in a URL).
    rest = rest.replace(/[?#].*$/, '');
    const decoded = percentDecode(rest);
    if (decoded.includes('\0')) return null;
    if (platform === 'win32') {
      if (host !== '' && host.toLowerCase() !== 'localhost') return `\\\\${host}${decoded.replace(/\//g, '\\')}`;
      const drive = /^\/?([A-Za-z])[:|](\/.*)?$/.exec(decoded);
      if (!drive) return null;
      return `${drive[1].toUpperCase()}:${(drive[2] ?? '/').replace(/\//g, '\\')}`;
    }
    if (host !== '' && host.toLowerCase() !== 'localhost') return null;
    return decoded.startsWith('/') ? decoded : null;
  }
  if (/^[a-z][a-z0-9+.-]+:\/\//i.test(text)) return null;
  if (platform === 'win32') {
    if (/^[A-Za-z]:[\\/]/.test(text)) return text.replace(/\//g, '\\');
    if (/^\\\\[^\\]+\\/.test(text)) return text;
    return null;
  }
  return text.startsWith('/') ? text : null;
}

/**
 * Split Thunderbird's `attachment=` value: several `file://` URLs or paths separated by commas. A comma inside a
 * Windows or Linux file name cannot be told from a separator in this syntax; a piece that is not a path or a URL
 * on its own is therefore joined back to the one before it.
 */
function splitAttachments(value: string, platform: PathPlatform): string[] {
  const out: string[] = [];
  for (const piece of value.split(',')) {
    if (piece.trim() === '') continue;
    const path = localPathFromAttachment(piece, platform);
    if (path !== null) out.push(path);
    else if (out.length > 0) {
      const joined = localPathFromAttachment(`${out[out.length - 1]},${piece}`, platform);
      if (joined !== null) out[out.length - 1] = joined;
    }
  }
  return out;
}

/** Parse Thunderbird's `-compose` value; a value that is itself a `mailto:` URL is read as one. */
export function parseComposeArgument(value: string, platform: PathPlatform): ComposeRequestArgs {
  if (isMailtoUrl(value)) return parseMailto(value) ?? emptyComposeRequest();
  const out = emptyComposeRequest();
  const seen = new Set<string>();
  for (const [name, raw] of splitComposePairs(value)) {
    if (seen.has(name)) continue;
    seen.add(name);
    if (name === 'to') out.to = splitAddresses(raw);
    else if (name === 'cc') out.cc = splitAddresses(raw);
    else if (name === 'bcc') out.bcc = splitAddresses(raw);
    else if (name === 'subject') out.subject = normalizeLines(raw).replace(/\n/g, ' ');
    else if (name === 'body') out.body = normalizeLines(raw);
    else if (name === 'attachment') out.attachments = splitAttachments(raw, platform);
  }
  return out;
}

/** True when nothing at all was asked (an empty composer). */
export function isEmptyComposeRequest(request: ComposeRequestArgs): boolean {
  return (
    request.to.length === 0 &&
    request.cc.length === 0 &&
    request.bcc.length === 0 &&
    request.subject === '' &&
    request.body === '' &&
    request.attachments.length === 0
  );
}

/**
 * The composer's page address parameters in browser mode: `?mailto=<mailto URL>` or `?compose=<Thunderbird
 * syntax>` (attachments are refused from a page address: only the command line may attach a local file).
 * Null when neither is there.
 */
export function composeRequestFromSearch(search: string): ComposeRequestArgs | null {
  const params = new URLSearchParams(search);
  const mailto = params.get('mailto');
  if (mailto !== null) return parseMailto(mailto.startsWith('mailto:') ? mailto : `mailto:${mailto}`);
  const compose = params.get('compose');
  if (compose !== null) return { ...parseComposeArgument(compose, 'posix'), attachments: [] };
  return null;
}
