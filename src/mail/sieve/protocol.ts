/**
 * ManageSieve (RFC 5804) wire format: the response parser (pure, incremental, bounded) and the encoding of
 * command arguments. The client (client.ts) feeds it the bytes it reads and writes what it encodes.
 *
 * A response is zero or more data lines (strings and atoms separated by spaces) and a final line
 * `OK|NO|BYE [(CODE …)] [string]`. Strings are quoted (`"…"`, with `\"` and `\\`) or literals (`{n}` CRLF then n
 * bytes; `{n+}` is accepted too). Every response is bounded in bytes: a server that sends more (or a literal
 * announcing more) is refused, never buffered.
 */

export type SieveToken = { kind: 'atom'; value: string } | { kind: 'string'; value: string } | { kind: 'list'; items: SieveToken[] };

export interface SieveResponse {
  /** The data lines before the final one. */
  lines: SieveToken[][];
  status: 'OK' | 'NO' | 'BYE';
  /** Response code, e.g. `NONEXISTENT`, `QUOTA/MAXSIZE`, `SASL` (upper-cased first atom of the parenthesised code). */
  code: string | null;
  /** The human-readable text of the final line (the server's words, for the log only). */
  text: string | null;
}

/** A server answer that does not follow RFC 5804 (or exceeds the bounds): the client hangs up. */
export class SieveProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SieveProtocolError';
  }
}

/** 1 MiB per response: scripts are a few KiB, Pigeonhole refuses scripts over 1 MiB by default. */
export const MAX_RESPONSE_BYTES = 1024 * 1024;
const MAX_LINE_TOKENS = 64;

interface Cursor {
  pos: number;
}

/** Result of one parse attempt: a response and the bytes it used, or null when more bytes are needed. */
export function parseResponse(buf: Buffer, maxBytes = MAX_RESPONSE_BYTES): { response: SieveResponse; used: number } | null {
  const c: Cursor = { pos: 0 };
  const lines: SieveToken[][] = [];
  for (;;) {
    const line = parseLine(buf, c, maxBytes);
    if (line === null) {
      if (buf.length > maxBytes) throw new SieveProtocolError(`response over ${maxBytes} bytes`);
      return null;
    }
    if (c.pos > maxBytes) throw new SieveProtocolError(`response over ${maxBytes} bytes`);
    const first = line[0];
    const word = first?.kind === 'atom' ? first.value.toUpperCase() : null;
    if (word === 'OK' || word === 'NO' || word === 'BYE') {
      return { response: finalLine(word, line.slice(1), lines), used: c.pos };
    }
    if (line.length === 0) throw new SieveProtocolError('empty response line');
    lines.push(line);
  }
}

function finalLine(status: 'OK' | 'NO' | 'BYE', rest: SieveToken[], lines: SieveToken[][]): SieveResponse {
  let code: string | null = null;
  let text: string | null = null;
  let i = 0;
  const head = rest[0];
  if (head?.kind === 'list') {
    const name = head.items[0];
    if (name?.kind !== 'atom') throw new SieveProtocolError('response code without a name');
    code = name.value.toUpperCase();
    i = 1;
  }
  const msg = rest[i];
  if (msg) {
    if (msg.kind !== 'string') throw new SieveProtocolError('final line text is not a string');
    text = msg.value;
    i++;
  }
  if (i !== rest.length) throw new SieveProtocolError('trailing tokens after the final line');
  return { lines, status, code, text };
}

/** One line of tokens up to CRLF (literals may span lines); null when incomplete. */
function parseLine(buf: Buffer, c: Cursor, maxBytes: number): SieveToken[] | null {
  const start = c.pos;
  const stack: SieveToken[][] = [[]];
  for (;;) {
    if (c.pos >= buf.length) {
      c.pos = start;
      return null;
    }
    const ch = buf[c.pos] as number;
    const top = stack[stack.length - 1] as SieveToken[];
    if (top.length > MAX_LINE_TOKENS) throw new SieveProtocolError('too many tokens on a line');
    if (ch === 0x20) {
      c.pos++;
      continue;
    }
    if (ch === 0x0d || ch === 0x0a) {
      if (ch === 0x0d) {
        if (c.pos + 1 >= buf.length) {
          c.pos = start;
          return null;
        }
        if (buf[c.pos + 1] !== 0x0a) throw new SieveProtocolError('CR without LF');
        c.pos += 2;
      } else {
        c.pos += 1;
      }
      if (stack.length !== 1) throw new SieveProtocolError('unclosed parenthesis');
      return stack[0] as SieveToken[];
    }
    if (ch === 0x28) {
      if (stack.length > 2) throw new SieveProtocolError('nested response codes');
      const items: SieveToken[] = [];
      top.push({ kind: 'list', items });
      stack.push(items);
      c.pos++;
      continue;
    }
    if (ch === 0x29) {
      if (stack.length === 1) throw new SieveProtocolError('unexpected parenthesis');
      stack.pop();
      c.pos++;
      continue;
    }
    if (ch === 0x22) {
      const s = quoted(buf, c, maxBytes);
      if (s === null) {
        c.pos = start;
        return null;
      }
      top.push({ kind: 'string', value: s });
      continue;
    }
    if (ch === 0x7b) {
      const s = literal(buf, c, maxBytes);
      if (s === null) {
        c.pos = start;
        return null;
      }
      top.push({ kind: 'string', value: s });
      continue;
    }
    // Atom: up to a space, CRLF, parenthesis or quote.
    let end = c.pos;
    while (end < buf.length) {
      const b = buf[end] as number;
      if (b === 0x20 || b === 0x0d || b === 0x0a || b === 0x28 || b === 0x29 || b === 0x22 || b === 0x7b) break;
      if (b < 0x20 || b > 0x7e) throw new SieveProtocolError('invalid byte in an atom');
      end++;
    }
    if (end >= buf.length) {
      c.pos = start;
      return null;
    }
    top.push({ kind: 'atom', value: buf.toString('latin1', c.pos, end) });
    c.pos = end;
  }
}

function quoted(buf: Buffer, c: Cursor, maxBytes: number): string | null {
  const bytes: number[] = [];
  let i = c.pos + 1;
  for (;;) {
    if (i >= buf.length) return null;
    if (bytes.length > maxBytes) throw new SieveProtocolError('quoted string too long');
    const b = buf[i] as number;
    if (b === 0x22) break;
    if (b === 0x0d || b === 0x0a || b === 0) throw new SieveProtocolError('line break in a quoted string');
    if (b === 0x5c) {
      if (i + 1 >= buf.length) return null;
      const next = buf[i + 1] as number;
      if (next !== 0x22 && next !== 0x5c) throw new SieveProtocolError('invalid escape in a quoted string');
      bytes.push(next);
      i += 2;
      continue;
    }
    bytes.push(b);
    i++;
  }
  c.pos = i + 1;
  return Buffer.from(bytes).toString('utf8');
}

function literal(buf: Buffer, c: Cursor, maxBytes: number): string | null {
  const close = buf.indexOf(0x7d, c.pos);
  if (close < 0) {
    if (buf.length - c.pos > 24) throw new SieveProtocolError('literal length not closed');
    return null;
  }
  const spec = buf.toString('latin1', c.pos + 1, close);
  const m = /^(\d{1,10})(\+?)$/.exec(spec);
  if (!m) throw new SieveProtocolError('invalid literal length');
  const n = Number(m[1]);
  if (n > maxBytes) throw new SieveProtocolError(`literal of ${n} bytes over the limit`);
  if (close + 1 >= buf.length) return null;
  if (buf[close + 1] !== 0x0d) throw new SieveProtocolError('literal length not followed by CRLF');
  if (close + 2 >= buf.length) return null;
  if (buf[close + 2] !== 0x0a) throw new SieveProtocolError('literal length not followed by CRLF');
  const from = close + 3;
  if (buf.length < from + n) return null;
  c.pos = from + n;
  return buf.toString('utf8', from, from + n);
}

/** A command argument: quoted when short and plain, else a non-synchronising literal `{n+}` (RFC 5804 §1.5). */
export function encodeString(value: string): string {
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes <= 1024 && !/[\r\n\0"\\]/.test(value)) return `"${value}"`;
  return `{${bytes}+}\r\n${value}`;
}

/** The names of LISTSCRIPTS and which one is active. */
export function scriptList(response: SieveResponse): { name: string; active: boolean }[] {
  return response.lines.map((line) => {
    const name = line[0];
    if (name?.kind !== 'string') throw new SieveProtocolError('LISTSCRIPTS line without a name');
    const flag = line[1];
    const active = flag?.kind === 'atom' && flag.value.toUpperCase() === 'ACTIVE';
    return { name: name.value, active };
  });
}

/** Capabilities as `NAME → value` (names upper-cased), from the greeting or CAPABILITY. */
export function capabilities(response: SieveResponse): Map<string, string> {
  const caps = new Map<string, string>();
  for (const line of response.lines) {
    const name = line[0];
    if (name?.kind !== 'string') throw new SieveProtocolError('capability without a name');
    const value = line[1];
    caps.set(name.value.toUpperCase(), value?.kind === 'string' ? value.value : '');
  }
  return caps;
}
