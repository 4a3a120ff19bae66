/**
 * Recipient suggestions of the composer (À / Cc / Cci): synced CardDAV contacts first, then past correspondents
 * (From / To / Cc of the stored messages, most frequent then most recent). Accent- and case-insensitive, on the
 * name or the address, word prefixes. Everything is local: it works offline.
 *
 * Correspondents are folded once into an in-memory table (one per Core) and brought up to date from the
 * highest mail_messages.id seen (an indexed range read), so a keystroke never rescans 100 000 messages.
 */
import type { RecipientSuggestion } from '../shared/contract.js';
import type { CoreContext } from '../context.js';
import { DavRepository } from '../calendar/repository.js';
import { compareFrench } from '../shared/format.js';

export const DEFAULT_SUGGESTIONS = 8;
const MAX_SUGGESTIONS = 50;

/** Lower case, accents removed (« Élodie » → « elodie »). */
export function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/** True when every word of the query starts a word of the text, or the text starts with the whole query. */
export function matches(foldedText: string, foldedQuery: string, words: string[] = wordsOf(foldedText)): boolean {
  if (!foldedQuery) return false;
  if (foldedText.startsWith(foldedQuery)) return true;
  return wordsOf(foldedQuery).every((q) => words.some((w) => w.startsWith(q)));
}

function wordsOf(folded: string): string[] {
  return folded.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
}

interface Correspondent {
  email: string;
  name: string;
  count: number;
  last: string;
  folded: string;
  words: string[];
}

/** The correspondents of one Core: built on first use, then brought up to date from the messages stored since. */
export class CorrespondentTable {
  lastId = 0;
  readonly byEmail = new Map<string, Correspondent>();
}

interface Address {
  name?: string | null;
  address?: string | null;
}

function parseAddresses(json: string): Address[] {
  try {
    const list = JSON.parse(json) as unknown;
    return Array.isArray(list) ? (list as Address[]) : [];
  } catch {
    return [];
  }
}

/** Bring the in-memory correspondents table up to date with the messages stored since the last call. */
export function correspondents(ctx: Pick<CoreContext, 'db'>, table: CorrespondentTable): Map<string, Correspondent> {
  const rows = ctx.db
    .prepare(
      `SELECT id, from_name, from_addr, to_json, cc_json, coalesce(internal_date, date, '') AS at
         FROM mail_messages WHERE id > ? ORDER BY id`,
    )
    .all(table.lastId) as {
    id: number;
    from_name: string | null;
    from_addr: string | null;
    to_json: string;
    cc_json: string;
    at: string;
  }[];
  const add = (name: string | null | undefined, address: string | null | undefined, at: string) => {
    const email = (address ?? '').trim();
    if (!email.includes('@')) return;
    const key = email.toLowerCase();
    const known = table.byEmail.get(key);
    const cleanName = (name ?? '').trim();
    if (known) {
      known.count++;
      if (at >= known.last) {
        known.last = at;
        if (cleanName) known.name = cleanName;
      } else if (!known.name && cleanName) known.name = cleanName;
      const folded = fold(`${known.name} ${known.email}`);
      if (folded !== known.folded) {
        known.folded = folded;
        known.words = wordsOf(folded);
      }
    } else {
      const folded = fold(`${cleanName} ${email}`);
      table.byEmail.set(key, { email, name: cleanName, count: 1, last: at, folded, words: wordsOf(folded) });
    }
  };
  for (const r of rows) {
    add(r.from_name, r.from_addr, r.at);
    for (const a of parseAddresses(r.to_json)) add(a.name, a.address, r.at);
    for (const a of parseAddresses(r.cc_json)) add(a.name, a.address, r.at);
    table.lastId = r.id;
  }
  return table.byEmail;
}

/** Suggestions for `query` (the text after the last separator of a recipient field). */
export function suggestRecipients(
  ctx: Pick<CoreContext, 'db'>,
  table: CorrespondentTable,
  query: string,
  limit?: number,
): RecipientSuggestion[] {
  const max = limit === undefined ? DEFAULT_SUGGESTIONS : Math.max(1, Math.min(MAX_SUGGESTIONS, Math.floor(limit)));
  const q = fold(query.trim().replace(/^["<]+|[">]+$/g, ''));
  // An empty query only warms the correspondents table (the composer asks it when it opens).
  const known = correspondents(ctx, table);
  if (!q) return [];
  const own = new Set((ctx.db.prepare('SELECT email FROM accounts').all() as { email: string }[]).map((a) => a.email.toLowerCase()));
  const seen = new Set<string>();
  const rank = (email: string) => known.get(email.toLowerCase());
  const byActivity = (a: { email: string; name: string }, b: { email: string; name: string }) => {
    const ca = rank(a.email);
    const cb = rank(b.email);
    return (
      (cb?.count ?? 0) - (ca?.count ?? 0) ||
      (cb?.last ?? '').localeCompare(ca?.last ?? '') ||
      compareFrench(a.name, b.name) ||
      a.email.localeCompare(b.email)
    );
  };

  const contacts: RecipientSuggestion[] = [];
  for (const o of new DavRepository(ctx.db).objectsOfKind('addressbook')) {
    const foldedName = fold(o.title);
    for (const email of o.emails) {
      const key = email.toLowerCase();
      if (!email.includes('@') || seen.has(key)) continue;
      if (matches(foldedName, q) || matches(fold(email), q)) {
        seen.add(key);
        contacts.push({ name: o.title, email, source: 'contact' });
      }
    }
  }
  contacts.sort(byActivity);
  if (contacts.length >= max) return contacts.slice(0, max);

  const others: Correspondent[] = [];
  for (const c of known.values()) {
    const key = c.email.toLowerCase();
    if (seen.has(key) || own.has(key)) continue;
    if (matches(c.folded, q, c.words)) others.push(c);
  }
  others.sort((a, b) => b.count - a.count || b.last.localeCompare(a.last) || a.email.localeCompare(b.email));
  return [
    ...contacts,
    ...others.slice(0, max - contacts.length).map((c): RecipientSuggestion => ({ name: c.name, email: c.email, source: 'correspondent' })),
  ];
}
