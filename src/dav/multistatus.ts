/**
 * WebDAV multistatus (RFC 4918 §13) answers of CalDAV, CardDAV and WebDAV servers, parsed with fast-xml-parser
 * (namespace prefixes removed), and hrefs compared as decoded paths.
 */
import { XMLParser } from 'fast-xml-parser';
import { OstalError } from '../errors.js';
import { t } from '../i18n/index.js';

/** One `<response>` of a 207 multistatus: its href and the properties found with status 200. */
export interface DavEntry {
  href: string;
  status: number | null;
  props: Record<string, unknown>;
}

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: false,
  isArray: (name) => name === 'response' || name === 'propstat' || name === 'href',
});

/** Text content of a parsed XML node (fast-xml-parser gives a string, or an object with `#text`). */
export function textOf(node: unknown): string | null {
  if (node === undefined || node === null) return null;
  if (typeof node === 'string') return node;
  if (typeof node === 'number') return String(node);
  if (typeof node === 'object' && '#text' in (node as Record<string, unknown>)) return textOf((node as Record<string, unknown>)['#text']);
  return null;
}

/** The first `<href>` inside a property (current-user-principal, calendar-home-set…), decoded. */
export function hrefIn(node: unknown): string | null {
  if (!node || typeof node !== 'object') return null;
  const hrefs = (node as Record<string, unknown>).href;
  const href = Array.isArray(hrefs) ? textOf(hrefs[0])?.trim() : null;
  return href ? decodeHref(href) : null;
}

/** Parse a 207 multistatus body. Throws a French OstalError on malformed XML. */
export function parseMultistatus(xml: string): DavEntry[] {
  return parseMultistatusWithToken(xml).entries;
}

/** Parse a 207 multistatus body and its `<sync-token>`. Throws a French OstalError on malformed XML. */
export function parseMultistatusWithToken(xml: string): { entries: DavEntry[]; syncToken: string | null } {
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(xml) as Record<string, unknown>;
  } catch (err) {
    throw new OstalError('server_error', t('dav.errors.malformedAnswer'), { cause: err });
  }
  const ms = doc.multistatus as Record<string, unknown> | undefined;
  const responses = (ms?.response ?? []) as Record<string, unknown>[];
  const entries: DavEntry[] = [];
  for (const r of responses) {
    const href = textOf((r.href as unknown[] | undefined)?.[0])?.trim();
    if (!href) continue;
    const props: Record<string, unknown> = {};
    for (const ps of (r.propstat ?? []) as Record<string, unknown>[]) {
      const status = statusCode(textOf(ps.status));
      if (status !== null && status !== 200) continue;
      Object.assign(props, (ps.prop ?? {}) as Record<string, unknown>);
    }
    entries.push({ href: decodeHref(href), status: statusCode(textOf(r.status)), props });
  }
  return { entries, syncToken: textOf(ms?.['sync-token'])?.trim() || null };
}

function statusCode(line: string | null): number | null {
  const m = /HTTP\/\d(?:\.\d)?\s+(\d{3})/.exec(line ?? '');
  return m ? Number(m[1]) : null;
}

/** Hrefs compared as decoded paths (servers differ in percent-encoding). */
export function decodeHref(href: string): string {
  let path = href;
  try {
    if (/^https?:\/\//i.test(href)) path = new URL(href).pathname;
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** Encode a decoded path for the request line. */
export function encodeHref(path: string): string {
  return path
    .split('/')
    .map((s) => encodeURIComponent(s))
    .join('/');
}
