/**
 * Import of .ics (events) and .vcf (contacts) files as exported by Outlook / Office 365, Thunderbird or a
 * phone: each event (a UID with its overrides) and each card becomes a write of the journal, like one made in
 * Ostal (an item already there, same UID, is replaced). A file that does not parse as a whole is cut into its
 * BEGIN/END blocks so that one bad item never stops the others; every refusal has a French reason.
 */
import crypto from 'node:crypto';
import ICAL from 'ical.js';
import type { ImportResult } from '../api/contract.js';
import { OstalError } from '../api/errors.js';
import type { CoreContext } from '../core.js';
import { t } from '../i18n/index.js';
import { parseVCard } from '../contacts/vcard.js';
import { enqueuePut, newResourceHref, newRevision } from './dav-writes.js';
import { expandCalendarObject, parseCalendarObject } from './icalendar.js';
import { DavRepository, type DavKind } from './repository.js';

const MAX_BYTES = 20 * 1024 * 1024;

const unfold = (text: string) => text.replace(/\r?\n[ \t]/g, '').replace(/\r?\n/g, '\r\n');

/** BEGIN:NAME … END:NAME blocks of an unfolded text (not nested in one another). */
function blocks(text: string, name: string): string[] {
  const re = new RegExp(`^BEGIN:${name}\\r?$[\\s\\S]*?^END:${name}\\r?$`, 'gim');
  return [...text.matchAll(re)].map((m) => m[0]);
}

function stampRev(comp: ICAL.Component, rev: string): void {
  comp.removeAllProperties('x-ostal-rev');
  const p = new ICAL.Property('x-ostal-rev', comp);
  p.resetType('text');
  p.setValue(rev);
  comp.addProperty(p);
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
  } catch {
    // Cut into blocks: the readable ones are kept.
    zones = [];
    vevents = [];
    for (const z of blocks(unfolded, 'VTIMEZONE')) {
      try {
        zones.push(new ICAL.Component(ICAL.parse(z) as unknown[]));
      } catch {
        /* a broken zone: events using it fall back to Europe/Paris */
      }
    }
    for (const [i, v] of blocks(unfolded, 'VEVENT').entries()) {
      try {
        vevents.push(new ICAL.Component(ICAL.parse(v) as unknown[]));
      } catch (err) {
        const summary = /^SUMMARY[^:]*:(.*)$/im.exec(v)?.[1]?.trim();
        refused.push({ item: summary || t('dav.import.eventNumber', { n: i + 1 }), reason: t('dav.import.unreadable') });
        void err;
      }
    }
  }
  const groups = new Map<string, ICAL.Component[]>();
  for (const v of vevents) {
    let uid = v.getFirstPropertyValue('uid');
    if (typeof uid !== 'string' || !uid.trim()) {
      uid = `${crypto.randomUUID()}@ostal`;
      v.updatePropertyWithValue('uid', uid);
    }
    groups.set(uid, [...(groups.get(uid) ?? []), v]);
  }
  return [...groups.entries()].map(([uid, comps]) => ({
    label: String(comps.find((c) => !c.hasProperty('recurrence-id'))?.getFirstPropertyValue('summary') ?? comps[0]!.getFirstPropertyValue('summary') ?? uid),
    build: () => {
      const vcal = new ICAL.Component('vcalendar');
      vcal.addPropertyWithValue('prodid', '-//Ostal//Import//FR');
      vcal.addPropertyWithValue('version', '2.0');
      const used = new Set<string>();
      for (const c of comps) for (const p of c.getAllProperties()) {
        const tz = p.getParameter('tzid');
        if (typeof tz === 'string') used.add(tz);
      }
      for (const z of zones) if (used.has(String(z.getFirstPropertyValue('tzid')))) vcal.addSubcomponent(new ICAL.Component(JSON.parse(JSON.stringify(z.toJSON())) as unknown[]));
      const rev = newRevision();
      for (const c of comps) {
        const copy = new ICAL.Component(JSON.parse(JSON.stringify(c.toJSON())) as unknown[]);
        if (!copy.hasProperty('dtstart')) throw new Error('no DTSTART');
        stampRev(copy, rev);
        vcal.addSubcomponent(copy);
      }
      const raw = vcal.toString() + '\r\n';
      parseCalendarObject(raw);
      // Must expand (valid dates, rules): one year around now is enough to check.
      const now = Date.now();
      expandCalendarObject(raw, now - 400 * 86_400_000, now + 400 * 86_400_000);
      return { uid, raw, rev };
    },
  }));
}

/** Cards of a .vcf text, each cut out on its own so that a broken one does not stop the others. */
function contactCandidates(text: string, refused: ImportResult['refused']): Candidate[] {
  const unfolded = unfold(text);
  return blocks(unfolded, 'VCARD').map((block, i) => {
    const label = /^FN[^:]*:(.*)$/im.exec(block)?.[1]?.trim() || t('dav.import.contactNumber', { n: i + 1 });
    void refused;
    return {
      label,
      build: () => {
        const card = new ICAL.Component(ICAL.parse(block) as unknown[]);
        if (card.name !== 'vcard') throw new Error('not a VCARD');
        let uid = card.getFirstPropertyValue('uid');
        if (typeof uid !== 'string' || !uid.trim()) {
          uid = crypto.randomUUID();
          card.updatePropertyWithValue('uid', uid);
        }
        const rev = newRevision();
        stampRev(card, rev);
        const raw = card.toString() + '\r\n';
        const parsed = parseVCard(raw);
        if (!parsed.fn) throw new Error('no name');
        return { uid, raw, rev };
      },
    };
  });
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
export function importFile(ctx: CoreContext, params: { content: string; name?: string; collectionHref?: string; accountId?: string }): ImportResult {
  if (typeof params.content !== 'string') throw new OstalError('invalid_input', t('errors.invalidRequest'));
  if (Buffer.byteLength(params.content, 'utf8') > MAX_BYTES) throw new OstalError('invalid_input', t('dav.import.tooBig'));
  const text = params.content.replace(/^\uFEFF/, '');
  const kind = kindOf(text, params.name);
  if (!kind) throw new OstalError('invalid_input', t('dav.import.notRecognised', { name: params.name ?? '' }));
  const repo = new DavRepository(ctx.db);
  const collections = repo.allCollections(kind);
  const target = params.collectionHref ? collections.find((c) => c.href === params.collectionHref && (!params.accountId || c.accountId === params.accountId)) : collections.find((c) => !params.accountId || c.accountId === params.accountId);
  if (!target) throw new OstalError('not_found', t(kind === 'calendar' ? 'dav.writes.noCalendar' : 'dav.writes.noAddressBook'));
  const refused: ImportResult['refused'] = [];
  const candidates = kind === 'calendar' ? calendarCandidates(text, refused) : contactCandidates(text, refused);
  let imported = 0;
  let replaced = 0;
  for (const c of candidates) {
    let built: { uid: string; raw: string; rev: string };
    try {
      built = c.build();
    } catch (err) {
      refused.push({ item: c.label, reason: reasonOf(err, kind) });
      ctx.log.warn('import: item refused', { kind, item: c.label, err: err as Error });
      continue;
    }
    const existing = repo.objectByUid(kind, built.uid);
    const href = existing && existing.accountId === target.accountId ? existing.href : newResourceHref(target.href, built.uid, kind);
    const collectionHref = existing && existing.accountId === target.accountId ? existing.collectionHref : target.href;
    enqueuePut(ctx, kind, target.accountId, { collectionHref, href, uid: built.uid, raw: built.raw, rev: built.rev });
    if (existing) replaced++;
    imported++;
  }
  const parts =
    kind === 'calendar'
      ? [imported === 0 ? t('dav.import.eventsNone') : t('dav.import.eventsImported', { count: imported })]
      : [imported === 0 ? t('dav.import.contactsNone') : t('dav.import.contactsImported', { count: imported })];
  if (replaced) parts.push(t('dav.import.replaced', { count: replaced }));
  if (refused.length) parts.push(t('dav.import.refusedSummary', { count: refused.length, list: refused.map((r) => `«\u00a0${r.item}\u00a0» (${r.reason})`).join(', ') }));
  ctx.log.info('import done', { kind, imported, replaced, refused: refused.length });
  return { kind: kind === 'calendar' ? 'calendar' : 'addressbook', accountId: target.accountId, imported, replaced, refused, message: parts.join(' ') };
}

function reasonOf(err: unknown, kind: DavKind): string {
  const m = err instanceof Error ? err.message : '';
  if (/no name/i.test(m)) return t('dav.import.noName');
  if (kind === 'addressbook') return t('dav.import.unreadableCard');
  if (/DTSTART/i.test(m)) return t('dav.import.noStart');
  if (/invalid|could not|unexpected|date|time/i.test(m)) return t('dav.import.badDates');
  return kind === 'calendar' ? t('dav.import.unreadable') : t('dav.import.unreadableCard');
}
