/** vCard 3.0 and 4.0 with ical.js: the fields Ostal shows (UID, FN, e-mail addresses, telephone numbers). */
import ICAL from 'ical.js';

export interface ParsedContact {
  uid: string;
  fn: string;
  emails: string[];
  phones: string[];
}

const valuesOf = (card: ICAL.Component, name: string): string[] =>
  card
    .getAllProperties(name)
    .map((p) => p.getFirstValue())
    .filter((v): v is string => typeof v === 'string' && v.trim() !== '')
    .map((v) => v.trim());

/** Parse one vCard resource; throws if it is not a VCARD with a UID or a name. */
export function parseVCard(raw: string): ParsedContact {
  const parsed = ICAL.parse(raw) as unknown[];
  // ICAL.parse returns one component, or an array of them when the text holds several vCards.
  const jcal = (Array.isArray(parsed[0]) ? parsed[0] : parsed) as unknown[];
  const card = new ICAL.Component(jcal);
  if (card.name !== 'vcard') throw new Error(`not a VCARD: ${card.name}`);
  const uid = card.getFirstPropertyValue('uid');
  let fn = card.getFirstPropertyValue('fn');
  if (typeof fn !== 'string' || !fn.trim()) {
    const n = card.getFirstPropertyValue('n');
    fn = Array.isArray(n) ? n.filter((x) => typeof x === 'string' && x).reverse().join(' ') : '';
  }
  if (typeof uid !== 'string' || !uid) throw new Error('VCARD without UID');
  return {
    uid,
    fn: String(fn).trim(),
    emails: valuesOf(card, 'email').map((e) => e.replace(/^mailto:/i, '')),
    phones: valuesOf(card, 'tel').map((p) => p.replace(/^tel:/i, '')),
  };
}
