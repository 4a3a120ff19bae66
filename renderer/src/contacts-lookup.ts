/**
 * People by name or by address, from the agent's contacts (contacts.list): a name typed where an address is asked
 * (Agenda's participants, Espaces' « Nouvelle discussion avec » and members, as Courrier's « À »), and the name shown
 * for an address (Espaces' members, authors, discussions; Agenda's participants), read for a whole view through
 * people.tsx. Only the agent's own contacts and accounts name people: never a name a sender put in its own message.
 */

interface ContactLike {
  fn: string;
  emails: readonly string[];
}

export const isAddress = (text: string) => /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(text);
const folded = (text: string) => text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().trim();

/** The addresses of the contacts whose name holds every word typed (accents and case ignored). */
export function contactsNamed(contacts: readonly ContactLike[], typed: string): string[] {
  const words = folded(typed).split(/\s+/).filter(Boolean);
  const out = new Set<string>();
  for (const c of contacts) {
    const name = folded(c.fn);
    if (words.length && words.every((w) => name.split(/[\s-]+/).some((part) => part.startsWith(w)))) for (const e of c.emails) out.add(e);
  }
  return [...out];
}

/** What a person typed designates: an address (typed, picked as « Nom <adresse> », or the one contact named), several contacts, or nobody. */
export type Designated = { address: string } | { several: true } | { none: true };

export function designate(contacts: readonly ContactLike[], raw: string): Designated {
  const picked = /<([^>]+)>/.exec(raw);
  const text = (picked ? picked[1]! : raw).trim();
  if (isAddress(text)) return { address: text.toLowerCase() };
  const found = [...new Set(contactsNamed(contacts, text).map((e) => e.toLowerCase()))];
  if (found.length === 1) return { address: found[0]! };
  return found.length ? { several: true } : { none: true };
}

/**
 * The people of a list typed in one field (« Membres »): separated by commas, semicolons or line breaks; within a part,
 * addresses separated by spaces are each one person, while words that are not all addresses are one name
 * (« Dominique Bernard »).
 */
export function splitPeople(text: string): string[] {
  return text
    .split(/[,;\n]+/)
    .map((part) => part.trim())
    .filter(Boolean)
    .flatMap((part) => {
      const words = part.split(/\s+/);
      return words.every(isAddress) ? words : [part];
    });
}

/**
 * Display names by address (lower case): the agent's own accounts first (the name the agent gave itself), then its
 * contacts (the first one with a name, for an address several contacts hold).
 */
export function namesByAddress(
  contacts: readonly ContactLike[],
  accounts: readonly { email: string; name: string }[] = [],
): Map<string, string> {
  const names = new Map<string, string>();
  for (const a of accounts) if (a.name.trim()) names.set(a.email.toLowerCase(), a.name.trim());
  for (const c of contacts) {
    const name = c.fn.trim();
    if (!name) continue;
    for (const e of c.emails) if (!names.has(e.toLowerCase())) names.set(e.toLowerCase(), name);
  }
  return names;
}
