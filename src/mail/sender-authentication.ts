/**
 * What the receiving server says of a message's sender, from its Authentication-Results header field (RFC 8601).
 * Only the topmost field is read: the user's own server adds it on top at delivery, while fields further down
 * come from earlier hops or from the sender itself, who can write anything there.
 *
 * - 'aligned': DMARC passed (the From domain is aligned with a DKIM or SPF pass), or, where the server checks no
 *   DMARC, a DKIM signature passed for the From domain (header.d equal to it or a parent of it).
 * - 'failed': DMARC failed, or DKIM failed with no DMARC verdict.
 * - 'unknown': no header, or nothing conclusive (many small servers check nothing).
 */
export type SenderAuthentication = 'aligned' | 'failed' | 'unknown';

interface MethodResult {
  method: string;
  result: string;
  props: Map<string, string>;
}

/** The method results of one Authentication-Results value (`authserv-id; dkim=pass header.d=x; dmarc=fail …`). */
export function parseAuthenticationResults(value: string): MethodResult[] {
  // Comments in parentheses carry no result; quoted strings are kept as they are.
  const text = value.replace(/\([^()]*\)/g, ' ');
  const clauses = text.split(';').slice(1);
  const out: MethodResult[] = [];
  for (const clause of clauses) {
    const m = /^\s*([a-z0-9-]+)\s*=\s*([a-z0-9-]+)(.*)$/is.exec(clause);
    if (!m) continue;
    const props = new Map<string, string>();
    for (const p of m[3]!.matchAll(/([a-z0-9-]+\.[a-z0-9-]+)\s*=\s*("[^"]*"|[^\s;]+)/gi))
      props.set(p[1]!.toLowerCase(), p[2]!.replace(/^"|"$/g, '').toLowerCase());
    out.push({ method: m[1]!.toLowerCase(), result: m[2]!.toLowerCase(), props });
  }
  return out;
}

export function senderAuthentication(headerValues: readonly string[], fromAddress: string | null): SenderAuthentication {
  const top = headerValues[0];
  if (!top) return 'unknown';
  const results = parseAuthenticationResults(top);
  const dmarc = results.find((r) => r.method === 'dmarc');
  if (dmarc?.result === 'pass') return 'aligned';
  if (dmarc?.result === 'fail') return 'failed';
  const fromDomain = (fromAddress ?? '').split('@').pop()?.toLowerCase() ?? '';
  const dkim = results.filter((r) => r.method === 'dkim');
  const alignedPass = dkim.some((r) => {
    if (r.result !== 'pass') return false;
    const d = r.props.get('header.d') ?? r.props.get('header.i')?.split('@').pop() ?? '';
    return !!fromDomain && !!d && (fromDomain === d || fromDomain.endsWith(`.${d}`));
  });
  if (alignedPass) return 'aligned';
  if (dkim.some((r) => r.result === 'fail')) return 'failed';
  return 'unknown';
}
