/** The participants field of the event editor: an address, or the name of one contact (as Courrier's « À »). */

export const isAddress = (text: string) => /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(text);
const folded = (text: string) => text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().trim();

/** The addresses of the contacts whose name holds every word typed (accents and case ignored). */
export function contactsNamed(contacts: readonly { fn: string; emails: string[] }[], typed: string): string[] {
  const words = folded(typed).split(/\s+/).filter(Boolean);
  const out = new Set<string>();
  for (const c of contacts) {
    const name = folded(c.fn);
    if (words.length && words.every((w) => name.split(/[\s-]+/).some((part) => part.startsWith(w)))) for (const e of c.emails) out.add(e);
  }
  return [...out];
}
