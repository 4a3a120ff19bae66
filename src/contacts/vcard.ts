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
    fn = Array.isArray(n)
      ? n
          .filter((x) => typeof x === 'string' && x)
          .reverse()
          .join(' ')
      : '';
  }
  if (typeof uid !== 'string' || !uid) throw new Error('VCARD without UID');
  return {
    uid,
    fn: String(fn).trim(),
    emails: valuesOf(card, 'email').map((e) => e.replace(/^mailto:/i, '')),
    phones: valuesOf(card, 'tel').map((p) => p.replace(/^tel:/i, '')),
  };
}

/** Fields of the contact editor. */
export interface ContactFields {
  fn: string;
  emails: string[];
  phones: string[];
  organization?: string;
  note?: string;
}

/** Thrown for editor input that cannot become a vCard. */
export class ContactInputError extends Error {}

function checkFields(input: ContactFields): ContactFields {
  const fn = typeof input.fn === 'string' ? input.fn.trim() : '';
  if (!fn) throw new ContactInputError('name missing');
  const emails = (input.emails ?? []).map((e) => String(e).trim()).filter(Boolean);
  for (const e of emails) if (!/^[^\s@<>]+@[^\s@<>]+$/.test(e)) throw new ContactInputError(`invalid e-mail: ${e}`);
  const phones = (input.phones ?? []).map((p) => String(p).trim()).filter(Boolean);
  for (const p of phones) if (!/^[+()0-9 .\-/]{2,40}$/.test(p)) throw new ContactInputError(`invalid phone: ${p}`);
  return { fn, emails, phones, organization: input.organization?.trim() ?? '', note: input.note?.trim() ?? '' };
}

function applyContact(card: ICAL.Component, f: ContactFields, rev: string): void {
  card.updatePropertyWithValue('fn', f.fn);
  // N: family name last word, given names before it (editable later in any client).
  const words = f.fn.split(/\s+/);
  const family = words.length > 1 ? words[words.length - 1]! : f.fn;
  const given = words.length > 1 ? words.slice(0, -1).join(' ') : '';
  card.removeAllProperties('n');
  const n = new ICAL.Property('n', card);
  n.setValue([family, given, '', '', ''] as unknown as string);
  card.addProperty(n);
  card.removeAllProperties('email');
  for (const e of f.emails) card.addPropertyWithValue('email', e);
  card.removeAllProperties('tel');
  for (const p of f.phones) card.addPropertyWithValue('tel', p);
  card.removeAllProperties('org');
  if (f.organization) card.addPropertyWithValue('org', f.organization);
  card.removeAllProperties('note');
  if (f.note) card.addPropertyWithValue('note', f.note);
  card.removeAllProperties('x-ostal-rev');
  const r = new ICAL.Property('x-ostal-rev', card);
  r.resetType('text');
  r.setValue(rev);
  card.addProperty(r);
  card.updatePropertyWithValue('rev', ICAL.Time.fromJSDate(new Date(), true));
}

/** A new vCard 4.0. */
export function createVCard(input: ContactFields, options: { uid: string; rev: string }): string {
  const f = checkFields(input);
  const card = new ICAL.Component('vcard');
  card.addPropertyWithValue('version', '4.0');
  card.addPropertyWithValue('prodid', '-//Ostal//Contacts//FR');
  card.addPropertyWithValue('uid', options.uid);
  applyContact(card, f, options.rev);
  return card.toString() + '\r\n';
}

/** Change the edited fields of a stored vCard, keeping everything else (photo, addresses, groups…). */
export function updateVCard(raw: string, input: ContactFields, options: { rev: string }): string {
  const f = checkFields(input);
  const parsed = ICAL.parse(raw) as unknown[];
  const card = new ICAL.Component((Array.isArray(parsed[0]) ? parsed[0] : parsed) as unknown[]);
  if (card.name !== 'vcard') throw new ContactInputError('not a VCARD');
  applyContact(card, f, options.rev);
  return card.toString() + '\r\n';
}

/** What the contact's card shows besides the name, addresses and numbers ('' when absent). */
export interface CardExtras {
  organization: string;
  /** TITLE (« Fonction »): not in the editor, but kept and shown when another program or an import set it. */
  title: string;
  note: string;
}

function extrasOf(card: ICAL.Component): CardExtras {
  const text = (name: string): string => {
    const v = card.getFirstPropertyValue(name);
    return Array.isArray(v) ? v.filter((x) => typeof x === 'string' && x.trim()).join(', ') : typeof v === 'string' ? v : '';
  };
  return { organization: text('org'), title: text('title').trim(), note: text('note') };
}

const componentOf = (raw: string): ICAL.Component => {
  const parsed = ICAL.parse(raw) as unknown[];
  return new ICAL.Component((Array.isArray(parsed[0]) ? parsed[0] : parsed) as unknown[]);
};

/** Organisation, fonction and note of a stored vCard, for the card in the list. */
export function cardExtras(raw: string): CardExtras {
  return extrasOf(componentOf(raw));
}

/** The editor's fields of a stored vCard. */
export function contactFields(raw: string): ContactFields {
  const c = parseVCard(raw);
  const { organization, note } = extrasOf(componentOf(raw));
  return { fn: c.fn, emails: c.emails, phones: c.phones, organization, note };
}
