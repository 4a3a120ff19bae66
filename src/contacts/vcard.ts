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

const componentOf = (raw: string): ICAL.Component => {
  const parsed = ICAL.parse(raw) as unknown[];
  // ICAL.parse returns one component, or an array of them when the text holds several vCards.
  return new ICAL.Component((Array.isArray(parsed[0]) ? parsed[0] : parsed) as unknown[]);
};

function contactOf(card: ICAL.Component): ParsedContact {
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

/** Parse one vCard resource; throws if it is not a VCARD with a UID or a name. */
export function parseVCard(raw: string): ParsedContact {
  return contactOf(componentOf(raw));
}

/**
 * What the store keeps of a vCard, read in one parse when it is stored (sync, local writes, imports): the fields of
 * parseVCard and the card's extras (kept as columns, so the list never parses). Throws as parseVCard does.
 */
export function readVCard(raw: string): { contact: ParsedContact; extras: CardExtras } {
  const card = componentOf(raw);
  return { contact: contactOf(card), extras: extrasOf(card) };
}

/** A postal address as the editor shows it (the first ADR of the card): street lines, code postal, ville. */
export interface PostalAddress {
  /** Street lines, one per line ('\n'). */
  street: string;
  postalCode: string;
  locality: string;
}

/**
 * Fields of the contact editor. title, address and birthday left undefined are not edited (the card keeps what it
 * has); '' (or an address with every part empty) removes them.
 */
export interface ContactFields {
  fn: string;
  emails: string[];
  phones: string[];
  organization?: string;
  note?: string;
  /** TITLE (« Fonction »). */
  title?: string;
  /** The first ADR of the card (the others are kept as they are). */
  address?: PostalAddress;
  /** BDAY (« Anniversaire »): 'YYYY-MM-DD', or '--MM-DD' when the year is not known. */
  birthday?: string;
}

/** Thrown for editor input that cannot become a vCard. */
export class ContactInputError extends Error {}

const FULL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const NO_YEAR = /^--(\d{2})-(\d{2})$/;

/** A real calendar date 'YYYY-MM-DD' or '--MM-DD' (29 February allowed without a year). */
function isBirthday(text: string): boolean {
  const full = FULL_DATE.exec(text);
  const m = full ?? NO_YEAR.exec(text);
  if (!m) return false;
  const [year, month, day] = full ? [Number(m[1]), Number(m[2]), Number(m[3])] : [2000, Number(m[1]), Number(m[2])];
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

const streetLines = (text: string) =>
  text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);

function checkFields(input: ContactFields): ContactFields {
  const fn = typeof input.fn === 'string' ? input.fn.trim() : '';
  if (!fn) throw new ContactInputError('name missing');
  const emails = (input.emails ?? []).map((e) => String(e).trim()).filter(Boolean);
  for (const e of emails) if (!/^[^\s@<>]+@[^\s@<>]+$/.test(e)) throw new ContactInputError(`invalid e-mail: ${e}`);
  const phones = (input.phones ?? []).map((p) => String(p).trim()).filter(Boolean);
  for (const p of phones) if (!/^[+()0-9 .\-/]{2,40}$/.test(p)) throw new ContactInputError(`invalid phone: ${p}`);
  const birthday = input.birthday?.trim();
  if (birthday && !isBirthday(birthday)) throw new ContactInputError(`invalid birthday: ${birthday}`);
  const address = input.address
    ? {
        street: streetLines(input.address.street ?? '').join('\n'),
        postalCode: (input.address.postalCode ?? '').trim(),
        locality: (input.address.locality ?? '').trim(),
      }
    : undefined;
  return {
    fn,
    emails,
    phones,
    organization: input.organization?.trim() ?? '',
    note: input.note?.trim() ?? '',
    title: input.title?.trim(),
    address,
    birthday,
  };
}

/** ADR components: post office box, extended address, street, locality, region, postal code, country. */
type AdrValue = (string | string[])[];
const ADR_STREET = 2;
const ADR_LOCALITY = 3;
const ADR_REGION = 4;
const ADR_CODE = 5;
const ADR_COUNTRY = 6;

const adrOf = (p: ICAL.Property): AdrValue => {
  const v = p.getFirstValue() as unknown;
  const parts = Array.isArray(v) ? (v as unknown[]) : typeof v === 'string' ? v.split(';') : [];
  const out: AdrValue = [];
  for (let i = 0; i < 7; i++) {
    const part = parts[i];
    out.push(Array.isArray(part) ? part.map(String) : typeof part === 'string' ? part : '');
  }
  return out;
};

/** The lines of one ADR component (a list, or a text with line breaks as some programs write the street). */
const partLines = (part: string | string[] | undefined): string[] =>
  (Array.isArray(part) ? part : [part ?? ''])
    .flatMap((x) => x.split(/\r?\n/))
    .map((l) => l.trim())
    .filter(Boolean);

function applyAddress(card: ICAL.Component, address: PostalAddress): void {
  const first = card.getFirstProperty('adr');
  const lines = streetLines(address.street);
  const empty = !lines.length && !address.postalCode && !address.locality;
  if (empty) {
    if (first) card.removeProperty(first);
    return;
  }
  // The other parts of the first address (box, building, region, country) and its parameters (TYPE…) stay.
  const value = first ? adrOf(first) : ['', '', '', '', '', '', ''];
  value[ADR_STREET] = lines.length > 1 ? lines : (lines[0] ?? '');
  value[ADR_LOCALITY] = address.locality;
  value[ADR_CODE] = address.postalCode;
  if (first) {
    first.setValue(value as unknown as string);
    return;
  }
  const adr = new ICAL.Property('adr', card);
  adr.setValue(value as unknown as string);
  card.addProperty(adr);
}

function applyBirthday(card: ICAL.Component, birthday: string): void {
  card.removeAllProperties('bday');
  if (!birthday) return;
  // vCard 4.0: BDAY:19750314 (or --0314); vCard 3.0 knows only dates: BDAY:1975-03-14.
  const v4 = String(card.getFirstPropertyValue('version') ?? '').trim() !== '3.0';
  card.addProperty(new ICAL.Property(['bday', {}, v4 ? 'date-and-or-time' : 'date', birthday], card));
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
  if (f.title !== undefined) {
    card.removeAllProperties('title');
    if (f.title) card.addPropertyWithValue('title', f.title);
  }
  if (f.address) applyAddress(card, f.address);
  if (f.birthday !== undefined) applyBirthday(card, f.birthday);
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

/** Change the edited fields of a stored vCard, keeping everything else (photo, other addresses, groups, X- properties…). */
export function updateVCard(raw: string, input: ContactFields, options: { rev: string }): string {
  const f = checkFields(input);
  const card = componentOf(raw);
  if (card.name !== 'vcard') throw new ContactInputError('not a VCARD');
  applyContact(card, f, options.rev);
  return card.toString() + '\r\n';
}

/** What the contact's card shows besides the name, addresses and numbers ('' when absent). */
export interface CardExtras {
  organization: string;
  /** TITLE (« Fonction »). */
  title: string;
  note: string;
  /** The first ADR as it is written on an envelope, one line per '\n': street lines, « 75001 Paris », region, country. */
  address: string;
  /** BDAY: 'YYYY-MM-DD', '--MM-DD' without a year, '' when absent or not a date. */
  birthday: string;
}

/** The extras of an event, or of a card that cannot be read. */
export const noCardExtras: CardExtras = Object.freeze({ organization: '', title: '', note: '', address: '', birthday: '' });

function birthdayOf(card: ICAL.Component): string {
  const v = card.getFirstPropertyValue('bday') as unknown;
  const text = v === null || v === undefined ? '' : String(v as string).trim();
  const full = /^(\d{4})-?(\d{2})-?(\d{2})(?:$|T)/.exec(text);
  if (full) return isBirthday(`${full[1]}-${full[2]}-${full[3]}`) ? `${full[1]}-${full[2]}-${full[3]}` : '';
  const noYear = /^--(\d{2})-?(\d{2})(?:$|T)/.exec(text);
  return noYear && isBirthday(`--${noYear[1]}-${noYear[2]}`) ? `--${noYear[1]}-${noYear[2]}` : '';
}

function addressOf(card: ICAL.Component): { lines: string[]; fields: PostalAddress } | null {
  const first = card.getFirstProperty('adr');
  if (!first) return null;
  const v = adrOf(first);
  const code = partLines(v[ADR_CODE]).join(' ');
  const locality = partLines(v[ADR_LOCALITY]).join(' ');
  const street = partLines(v[ADR_STREET]);
  const lines = [
    ...partLines(v[1]),
    ...street,
    ...partLines(v[0]),
    [code, locality].filter(Boolean).join(' '),
    ...partLines(v[ADR_REGION]),
    ...partLines(v[ADR_COUNTRY]),
  ].filter(Boolean);
  return lines.length ? { lines, fields: { street: street.join('\n'), postalCode: code, locality } } : null;
}

function extrasOf(card: ICAL.Component): CardExtras {
  const text = (name: string): string => {
    const v = card.getFirstPropertyValue(name);
    return Array.isArray(v) ? v.filter((x) => typeof x === 'string' && x.trim()).join(', ') : typeof v === 'string' ? v : '';
  };
  return {
    organization: text('org'),
    title: text('title').trim(),
    note: text('note'),
    address: addressOf(card)?.lines.join('\n') ?? '',
    birthday: birthdayOf(card),
  };
}

/** Organisation, fonction, note, address and birthday of a vCard (readVCard gives them with the rest when storing it). */
export function cardExtras(raw: string): CardExtras {
  return extrasOf(componentOf(raw));
}

/** The editor's fields of a stored vCard. */
export function contactFields(raw: string): ContactFields & Required<Pick<ContactFields, 'title' | 'address' | 'birthday'>> {
  const card = componentOf(raw);
  const c = contactOf(card);
  const { organization, note, title, birthday } = extrasOf(card);
  const address = addressOf(card)?.fields ?? { street: '', postalCode: '', locality: '' };
  return { fn: c.fn, emails: c.emails, phones: c.phones, organization, note, title, address, birthday };
}
