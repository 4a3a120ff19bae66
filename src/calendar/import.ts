/**
 * Import of .ics (events) and .vcf (contacts) files as exported by Outlook / Office 365, Thunderbird or a
 * phone: each event (a UID with its overrides) and each card becomes a write of the journal, like one made in
 * Ostal (an item already there, same UID, is replaced). A file that does not parse as a whole is cut into its
 * BEGIN/END blocks so that one bad item never stops the others; every refusal has a French reason.
 */
import crypto from 'node:crypto';
import ICAL from 'ical.js';
import type { ImportResult } from '../shared/contract.js';
import { OstalError } from '../errors.js';
import type { CoreContext } from '../context.js';
import { t } from '../i18n/index.js';
import { parseVCard } from '../contacts/vcard.js';
import { enqueuePut, newResourceHref, newRevision } from './dav-writes.js';
import { expandCalendarObject, parseCalendarObject } from './icalendar.js';
import { DavRepository, type DavKind } from './repository.js';

const MAX_BYTES = 20 * 1024 * 1024;
/** Refused items named in the message (the others are counted). */
const MAX_NAMED = 10;

/** Line endings made CRLF (bare CR of old Mac exports, bare LF), then folded lines joined. */
const unfold = (text: string) => text.replace(/\r\n|\r|\n/g, '\r\n').replace(/\r\n[ \t]/g, '');

/** Windows-1252 characters of bytes 0x80–0x9F (TextDecoder('windows-1252') of Node reads them as Latin-1). */
const CP1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';

function decodeCp1252(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b >= 0x80 && b <= 0x9f ? CP1252_HIGH[b - 0x80]! : String.fromCharCode(b);
  return out;
}

/**
 * The text of an imported file from its bytes: UTF-16 (with a byte order mark, or without one when every
 * other byte is zero, as Outlook's « Unicode » save), UTF-8, or else Windows-1252 (older Outlook exports).
 * A file that is mostly UTF-8 with a few broken bytes stays UTF-8 (the broken bytes become U+FFFD).
 */
export function decodeImportBytes(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  if (bytes.length >= 4 && bytes[0] !== 0 && bytes[1] === 0 && bytes[2] !== 0 && bytes[3] === 0)
    return new TextDecoder('utf-16le').decode(bytes);
  if (bytes.length >= 4 && bytes[0] === 0 && bytes[1] !== 0 && bytes[2] === 0 && bytes[3] !== 0)
    return new TextDecoder('utf-16be').decode(bytes);
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return new TextDecoder('utf-8').decode(bytes.subarray(3));
  const utf8 = new TextDecoder('utf-8').decode(bytes);
  if (!utf8.includes('\uFFFD')) return utf8;
  // Some bytes are not UTF-8: if no well-formed non-ASCII UTF-8 character exists at all, it is Windows-1252.
  const wellFormed = /[\u0080-\uFFFC\uFFFE\uFFFF]/.test(utf8);
  return wellFormed ? utf8 : decodeCp1252(bytes);
}

/**
 * BEGIN:NAME … END:NAME blocks of an unfolded text, line by line. A block that meets another BEGIN:NAME
 * before its END (its END is missing) is broken: handed to `broken` if it has any content, and the new
 * block starts there, so one missing END never swallows the next item.
 */
function blocks(text: string, name: string, broken?: (partial: string) => void): string[] {
  const out: string[] = [];
  const begin = `BEGIN:${name}`;
  const end = `END:${name}`;
  let current: string[] | null = null;
  const drop = () => {
    if (current && current.length > 1) broken?.(current.join('\r\n'));
    current = null;
  };
  for (const line of text.split('\r\n')) {
    const upper = line.trim().toUpperCase();
    if (upper === begin) {
      drop();
      current = [line];
      continue;
    }
    if (!current) continue;
    (current as string[]).push(line);
    if (upper === end) {
      out.push((current as string[]).join('\r\n'));
      current = null;
    }
  }
  drop();
  return out;
}

/** Number of lines BEGIN:NAME of an unfolded text. */
const begins = (text: string, name: string) => text.match(new RegExp(`^BEGIN:${name}[ \\t]*$`, 'gim'))?.length ?? 0;

function stampRev(comp: ICAL.Component, rev: string): void {
  comp.removeAllProperties('x-ostal-rev');
  const p = new ICAL.Property('x-ostal-rev', comp);
  p.resetType('text');
  p.setValue(rev);
  comp.addProperty(p);
}

const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

/** A jCal date or date-time text that names a real day and time (ical.js would roll 30 February into March). */
function checkDateText(value: string): void {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(value);
  if (!m) throw new Error(`invalid date: ${value}`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const bad =
    y < 1 ||
    mo < 1 ||
    mo > 12 ||
    d < 1 ||
    d > daysIn(y, mo) ||
    (m[4] !== undefined && (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6]) > 60));
  if (bad) throw new Error(`invalid date: ${value}`);
}

/** Every date, date-time, period start and UNTIL of a component and its subcomponents (VALARM…) is real. */
function checkDates(jcal: unknown): void {
  const [, props, subs] = jcal as [string, unknown[][], unknown[]];
  for (const p of props ?? []) {
    const type = p[2];
    for (const v of p.slice(3)) {
      if (type === 'date' || type === 'date-time') checkDateText(String(v));
      else if (type === 'period' && Array.isArray(v)) checkDateText(String(v[0]));
      else if (type === 'recur' && v && typeof v === 'object' && 'until' in v) checkDateText(String((v as { until: unknown }).until));
    }
  }
  for (const sub of subs ?? []) checkDates(sub);
}

/** Allowed values of the BY… parts of a rule (RFC 5545 3.3.10); 0 is never a valid position. */
const RULE_PARTS: Record<string, [number, number, boolean]> = {
  BYSECOND: [0, 60, false],
  BYMINUTE: [0, 59, false],
  BYHOUR: [0, 23, false],
  BYMONTHDAY: [1, 31, true],
  BYYEARDAY: [1, 366, true],
  BYWEEKNO: [1, 53, true],
  BYMONTH: [1, 12, false],
  BYSETPOS: [1, 366, true],
};

/** A recurrence rule any server accepts: a frequency (hourly at most), a positive count, parts within their ranges. */
function checkRule(rule: unknown): void {
  if (!(rule instanceof ICAL.Recur)) throw new Error('invalid rule');
  if (!rule.freq) throw new Error('invalid rule: no FREQ');
  // Every second or minute: no agenda means that, and each display would walk thousands of occurrences.
  if (rule.freq === 'SECONDLY' || rule.freq === 'MINUTELY') throw new Error(`invalid rule: FREQ=${rule.freq}`);
  if (rule.count !== null && rule.count !== undefined && !(Number.isInteger(rule.count) && rule.count > 0))
    throw new Error('invalid rule: COUNT');
  for (const [part, values] of Object.entries(rule.parts ?? {})) {
    for (const v of values as unknown[]) {
      if (part === 'BYDAY') {
        const m = /^([+-]?)(\d{0,2})(MO|TU|WE|TH|FR|SA|SU)$/.exec(String(v));
        if (!m || (m[2] !== '' && (Number(m[2]) < 1 || Number(m[2]) > 53))) throw new Error(`invalid rule: BYDAY ${String(v)}`);
        continue;
      }
      const range = RULE_PARTS[part];
      const n = Number(v);
      if (!range || !Number.isInteger(n)) throw new Error(`invalid rule: ${part}`);
      const abs = range[2] ? Math.abs(n) : n;
      if (abs < range[0] || abs > range[1]) throw new Error(`invalid rule: ${part} ${n}`);
    }
  }
}

interface Candidate {
  label: string;
  build(): { uid: string; raw: string; rev: string };
}

/** Events of an .ics text, grouped by UID (master and its overrides), with their time zones. */
function calendarCandidates(text: string, refused: ImportResult['refused']): Candidate[] {
  const unfolded = unfold(text);
  let zones: ICAL.Component[] = [];
  let vevents: ICAL.Component[] = [];
  try {
    const parsed = ICAL.parse(unfolded) as unknown[];
    const roots = (Array.isArray(parsed[0]) ? parsed : [parsed]) as unknown[][];
    for (const root of roots) {
      const vcal = new ICAL.Component(root);
      if (vcal.name !== 'vcalendar') continue;
      zones.push(...vcal.getAllSubcomponents('vtimezone'));
      vevents.push(...vcal.getAllSubcomponents('vevent'));
    }
    // A missing END makes the parser nest the next events in the broken one: cut into blocks instead.
    if (vevents.length !== begins(unfolded, 'VEVENT')) throw new Error('nested or unclosed VEVENT');
  } catch {
    // Cut into blocks: the readable ones are kept.
    zones = [];
    vevents = [];
    for (const z of blocks(unfolded, 'VTIMEZONE')) {
      try {
        zones.push(new ICAL.Component(ICAL.parse(z) as unknown[]));
      } catch {
        /* a broken zone: events using it are read in the IANA zone of that name, else in the user's zone */
      }
    }
    let n = 0;
    const unreadable = (v: string) => {
      n++;
      refused.push({ item: labelOf(v, 'SUMMARY') || t('dav.import.eventNumber', { n }), reason: t('dav.import.unreadable') });
    };
    for (const v of blocks(unfolded, 'VEVENT', unreadable)) {
      try {
        const comp = new ICAL.Component(ICAL.parse(v) as unknown[]);
        if (comp.name !== 'vevent' || begins(v, 'VEVENT') !== 1) throw new Error('not one VEVENT');
        vevents.push(comp);
        n++;
      } catch {
        unreadable(v);
      }
    }
  }
  // The file's zones, known once for the checks below (a zone hydrated in each item's own copy would
  // expand its rules from 1601 again for every event: minutes for an Outlook export of 10 000 events).
  for (const z of zones) {
    const tzid = z.getFirstPropertyValue('tzid');
    if (typeof tzid !== 'string' || !tzid || ICAL.TimezoneService.has(tzid)) continue;
    try {
      ICAL.TimezoneService.register(new ICAL.Component(JSON.parse(JSON.stringify(z.toJSON())) as unknown[]));
    } catch {
      /* a broken zone: its events are checked as floating times */
    }
  }
  // By UID, then by RECURRENCE-ID (the series itself under ''): the same one given twice, the last is kept.
  const byUid = new Map<string, Map<string, ICAL.Component>>();
  for (const v of vevents) {
    let uid = v.getFirstPropertyValue('uid');
    if (typeof uid !== 'string' || !uid.trim()) {
      uid = `${crypto.randomUUID()}@ostal`;
      v.updatePropertyWithValue('uid', uid);
    }
    const slots = byUid.get(uid) ?? new Map<string, ICAL.Component>();
    byUid.set(uid, slots);
    const slot =
      v
        .getFirstProperty('recurrence-id')
        ?.toICALString()
        .replace(/^[^:]*:/, '') ?? '';
    const earlier = slots.get(slot);
    if (earlier)
      refused.push({
        item: shortLabel(String(earlier.getFirstPropertyValue('summary') ?? '')) || shortLabel(uid),
        reason: t('dav.import.duplicate'),
      });
    slots.delete(slot);
    slots.set(slot, v);
  }
  const groups = new Map<string, ICAL.Component[]>();
  for (const [uid, slots] of byUid) {
    if (slots.has('')) {
      groups.set(uid, [...slots.values()]);
      continue;
    }
    // Occurrences without their series (an invitation to one date): each becomes an event of its own,
    // as servers refuse an object without its main event.
    const single = slots.size === 1;
    for (const [slot, v] of slots) {
      try {
        checkDates(v.toJSON());
      } catch {
        refused.push({
          item: shortLabel(String(v.getFirstPropertyValue('summary') ?? '')) || shortLabel(uid),
          reason: t('dav.import.badDates'),
        });
        continue;
      }
      v.removeAllProperties('recurrence-id');
      const own = single ? uid : `${uid}-${slot.replace(/[^0-9A-Za-z]/g, '')}`;
      if (!single) v.updatePropertyWithValue('uid', own);
      groups.set(own, [v]);
    }
  }
  return [...groups.entries()].map(([uid, comps], i) => ({
    label:
      shortLabel(
        String(
          comps.find((c) => !c.hasProperty('recurrence-id'))?.getFirstPropertyValue('summary') ??
            comps[0]!.getFirstPropertyValue('summary') ??
            '',
        ),
      ) ||
      shortLabel(uid) ||
      t('dav.import.eventNumber', { n: i + 1 }),
    build: () => {
      const vcal = new ICAL.Component('vcalendar');
      vcal.addPropertyWithValue('prodid', '-//Ostal//Import//FR');
      vcal.addPropertyWithValue('version', '2.0');
      const used = new Set<string>();
      for (const c of comps)
        for (const p of c.getAllProperties()) {
          const tz = p.getParameter('tzid');
          if (typeof tz === 'string') used.add(tz);
        }
      for (const z of zones)
        if (used.has(String(z.getFirstPropertyValue('tzid'))))
          vcal.addSubcomponent(new ICAL.Component(JSON.parse(JSON.stringify(z.toJSON())) as unknown[]));
      const rev = newRevision();
      for (const c of comps) {
        const copy = new ICAL.Component(JSON.parse(JSON.stringify(c.toJSON())) as unknown[]);
        if (!copy.hasProperty('dtstart')) throw new Error('no DTSTART');
        checkDates(copy.toJSON());
        const start = copy.getFirstPropertyValue('dtstart');
        const end = copy.getFirstPropertyValue('dtend');
        if (start instanceof ICAL.Time && end instanceof ICAL.Time && end.compare(start) < 0)
          throw new Error('invalid dates: DTEND before DTSTART');
        for (const r of copy.getAllProperties('rrule')) checkRule(r.getFirstValue());
        stampRev(copy, rev);
        vcal.addSubcomponent(copy);
      }
      const raw = vcal.toString() + '\r\n';
      parseCalendarObject(raw);
      // Must expand (valid dates, rules): one year around now is enough to check. Checked without its
      // VTIMEZONEs, which resolve to the zones registered above.
      for (const z of vcal.getAllSubcomponents('vtimezone')) vcal.removeSubcomponent(z);
      const now = Date.now();
      expandCalendarObject(vcal.toString() + '\r\n', now - 400 * 86_400_000, now + 400 * 86_400_000);
      return { uid, raw, rev };
    },
  }));
}

/**
 * vCard 2.1 as Outlook writes it, made vCard 3.0: bare parameters (« TEL;WORK;VOICE: ») named (TYPE=…,
 * ENCODING=…), values in QUOTED-PRINTABLE (soft line breaks « = » at the end of a line, bytes in the
 * CHARSET given, Windows-1252 or UTF-8) decoded to plain text. Lines of other versions are left alone.
 */
function fromVCard21(block: string): string {
  if (!/^VERSION:\s*2\.1\s*$/im.test(block)) return block;
  const lines = block.split('\r\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    const colon = line.indexOf(':');
    if (colon <= 0) {
      out.push(line);
      continue;
    }
    const [name, ...rawParams] = line.slice(0, colon).split(';');
    const params = rawParams.map((p) => {
      const bare = p.trim();
      if (bare.includes('=')) return bare;
      if (/^(QUOTED-PRINTABLE|BASE64|8BIT|7BIT)$/i.test(bare)) return `ENCODING=${bare}`;
      return `TYPE=${bare}`;
    });
    if (/^VERSION$/i.test(name!.trim())) {
      out.push('VERSION:3.0');
      continue;
    }
    const encoding = params
      .find((p) => /^ENCODING=/i.test(p))
      ?.slice(9)
      .toUpperCase();
    if (encoding !== 'QUOTED-PRINTABLE') {
      const kept = params.map((p) => (/^ENCODING=BASE64$/i.test(p) ? 'ENCODING=b' : p)).filter((p) => !/^CHARSET=/i.test(p));
      out.push(`${[name, ...kept].join(';')}:${line.slice(colon + 1)}`);
      continue;
    }
    while (line.endsWith('=') && i + 1 < lines.length) line = line.slice(0, -1) + lines[++i]!;
    const charset =
      params
        .find((p) => /^CHARSET=/i.test(p))
        ?.slice(8)
        .trim()
        .toLowerCase() ?? 'utf-8';
    const bytes: number[] = [];
    const value = line.slice(colon + 1);
    for (let j = 0; j < value.length; j++) {
      const hex = value[j] === '=' ? /^[0-9A-Fa-f]{2}/.exec(value.slice(j + 1, j + 3))?.[0] : undefined;
      if (hex) {
        bytes.push(parseInt(hex, 16));
        j += 2;
      } else if (value[j] !== '=') bytes.push(...Buffer.from(value[j]!, 'utf8'));
    }
    const buf = Uint8Array.from(bytes);
    const text = /^(windows-1252|cp1252|iso-8859-1|iso-8859-15|latin1)$/.test(charset)
      ? decodeCp1252(buf)
      : new TextDecoder('utf-8').decode(buf);
    const kept = params.filter((p) => !/^(ENCODING|CHARSET)=/i.test(p));
    out.push(`${[name, ...kept].join(';')}:${text.replace(/\r\n|\r|\n/g, '\\n')}`);
  }
  return out.join('\r\n');
}

/** Cards of a .vcf text, each cut out on its own so that a broken one does not stop the others. */
function contactCandidates(text: string, refused: ImportResult['refused']): Candidate[] {
  const unfolded = unfold(text);
  let n = 0;
  const cards: { block: string; n: number }[] = [];
  for (const block of blocks(unfolded, 'VCARD', (partial) => {
    n++;
    refused.push({ item: labelOf(partial, 'FN') || t('dav.import.contactNumber', { n }), reason: t('dav.import.unreadableCard') });
  }))
    cards.push({ block: fromVCard21(block), n: ++n });
  return cards.map(({ block, n: index }) => ({
    label: labelOf(block, 'FN') || t('dav.import.contactNumber', { n: index }),
    build: () => {
      if (begins(block, 'VCARD') !== 1) throw new Error('nested VCARD');
      const card = new ICAL.Component(ICAL.parse(block) as unknown[]);
      if (card.name !== 'vcard') throw new Error('not a VCARD');
      let uid = card.getFirstPropertyValue('uid');
      if (typeof uid !== 'string' || !uid.trim()) {
        uid = crypto.randomUUID();
        card.updatePropertyWithValue('uid', uid);
      }
      // No FN (or an empty one) but a name in N: FN is required by vCard 3.0 and 4.0 and by the servers.
      const fn = card.getFirstPropertyValue('fn');
      if (typeof fn !== 'string' || !fn.trim()) {
        const name = card.getFirstPropertyValue('n');
        const parts = Array.isArray(name) ? name.flat().filter((x): x is string => typeof x === 'string' && x.trim() !== '') : [];
        if (!parts.length) throw new Error('no name');
        card.updatePropertyWithValue('fn', [...parts.slice(1, 2), parts[0]!, ...parts.slice(2)].join(' ').trim());
      }
      const rev = newRevision();
      stampRev(card, rev);
      const raw = card.toString() + '\r\n';
      const parsed = parseVCard(raw);
      if (!parsed.fn) throw new Error('no name');
      return { uid, raw, rev };
    },
  }));
}

/** A short, printable label for a refused item: no control characters, at most 80 characters. */
function shortLabel(text: string): string {
  const clean = text
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed here
    .replace(/[\u0000-\u001f\u007f-\u009f\uFFFD]+/g, ' ')
    .replace(/\\[nN]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return clean.length > 80 ? `${clean.slice(0, 79)}…` : clean;
}

/** The value of a property (SUMMARY, FN) in the text of an item, as a label. */
function labelOf(block: string, name: string): string {
  return shortLabel(new RegExp(`^${name}[;:][^\\r\\n]*`, 'im').exec(block)?.[0]?.replace(/^[^:]*:/, '') ?? '');
}

/** Which kind a file holds: from its first BEGIN line, else from its name. */
function kindOf(text: string, name: string | undefined): DavKind | null {
  const first = /BEGIN:(VCALENDAR|VCARD)/i.exec(text.slice(0, 4096))?.[1]?.toUpperCase();
  if (first === 'VCALENDAR') return 'calendar';
  if (first === 'VCARD') return 'addressbook';
  if (name && /\.ics$/i.test(name)) return 'calendar';
  if (name && /\.vcf$/i.test(name)) return 'addressbook';
  return null;
}

/**
 * Import the text of one .ics or .vcf file into the first calendar / address book (or the one given).
 * Never throws for a bad item: the result lists what was refused and why; throws a French OstalError only
 * when the file as a whole is not a calendar or contacts file, or when there is nowhere to put it.
 */
export function importFile(
  ctx: CoreContext,
  params: { content: string; name?: string; collectionHref?: string; accountId?: string },
): ImportResult {
  if (Buffer.byteLength(params.content, 'utf8') > MAX_BYTES) throw new OstalError('invalid_input', t('dav.import.tooBig'));
  const text = params.content.replace(/^\uFEFF/, '');
  const kind = kindOf(text, params.name);
  if (!kind) throw new OstalError('invalid_input', t('dav.import.notRecognised', { name: params.name ?? '' }));
  const repo = new DavRepository(ctx.db);
  const collections = repo.allCollections(kind);
  const target = params.collectionHref
    ? collections.find((c) => c.href === params.collectionHref && (!params.accountId || c.accountId === params.accountId))
    : collections.find((c) => !c.readOnly && (!params.accountId || c.accountId === params.accountId));
  if (!target) throw new OstalError('not_found', t(kind === 'calendar' ? 'dav.writes.noCalendar' : 'dav.writes.noAddressBook'));
  // A calendar shared in read-only receives nothing (src/calendar/agenda.ts says the same for one event).
  if (target.readOnly) throw new OstalError('forbidden', t('dav.writes.readOnly', { calendar: target.displayName }));
  const refused: ImportResult['refused'] = [];
  const candidates = kind === 'calendar' ? calendarCandidates(text, refused) : contactCandidates(text, refused);
  let imported = 0;
  let replaced = 0;
  // Items already there, by UID, read once (one query per item is quadratic for a file of 10 000 events).
  const known = new Map<string, { accountId: string; href: string; collectionHref: string }>();
  if (candidates.length > 50)
    for (const o of repo.objectsOfKind(kind))
      if (!known.has(o.uid)) known.set(o.uid, { accountId: o.accountId, href: o.href, collectionHref: o.collectionHref });
  const existingOf = (uid: string) => (candidates.length > 50 ? known.get(uid) : repo.objectByUid(kind, uid)) ?? null;
  for (const c of candidates) {
    let built: { uid: string; raw: string; rev: string };
    try {
      built = c.build();
    } catch (err) {
      refused.push({ item: c.label, reason: reasonOf(err, kind) });
      ctx.log.warn('import: item refused', { kind, item: c.label, err: err as Error });
      continue;
    }
    const existing = existingOf(built.uid);
    const href = existing && existing.accountId === target.accountId ? existing.href : newResourceHref(target.href, built.uid, kind);
    const collectionHref = existing && existing.accountId === target.accountId ? existing.collectionHref : target.href;
    enqueuePut(ctx, kind, target.accountId, { collectionHref, href, uid: built.uid, raw: built.raw, rev: built.rev });
    if (!existing) known.set(built.uid, { accountId: target.accountId, href, collectionHref });
    if (existing) replaced++;
    imported++;
  }
  const parts =
    kind === 'calendar'
      ? [imported === 0 ? t('dav.import.eventsNone') : t('dav.import.eventsImported', { count: imported })]
      : [imported === 0 ? t('dav.import.contactsNone') : t('dav.import.contactsImported', { count: imported })];
  if (replaced) parts.push(t('dav.import.replaced', { count: replaced }));
  // The message names the first refused items; all of them are in `refused`.
  const named = refused
    .slice(0, MAX_NAMED)
    .map((r) => `«\u00a0${r.item}\u00a0» (${r.reason})`)
    .join(', ');
  if (refused.length > MAX_NAMED)
    parts.push(t('dav.import.refusedSummaryMore', { count: refused.length, list: named, more: refused.length - MAX_NAMED }));
  else if (refused.length) parts.push(t('dav.import.refusedSummary', { count: refused.length, list: named }));
  ctx.log.info('import done', { kind, imported, replaced, refused: refused.length });
  return {
    kind: kind === 'calendar' ? 'calendar' : 'addressbook',
    accountId: target.accountId,
    imported,
    replaced,
    refused,
    message: parts.join(' '),
  };
}

function reasonOf(err: unknown, kind: DavKind): string {
  const m = err instanceof Error ? err.message : '';
  if (/no name/i.test(m)) return t('dav.import.noName');
  if (kind === 'addressbook') return t('dav.import.unreadableCard');
  if (/DTSTART/i.test(m)) return t('dav.import.noStart');
  if (/invalid|could not|unexpected|date|time/i.test(m)) return t('dav.import.badDates');
  return kind === 'calendar' ? t('dav.import.unreadable') : t('dav.import.unreadableCard');
}
