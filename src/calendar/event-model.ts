/**
 * Writing iCalendar with ical.js: a new VCALENDAR from the fields of the event editor, changes to the whole
 * series or to one occurrence (RECURRENCE-ID override), deletion of one occurrence (EXDATE), and the fields
 * the editor shows. Times of the editor are wall-clock times in the user's zone ('YYYY-MM-DDTHH:mm'), dates
 * 'YYYY-MM-DD' for all-day events (end exclusive, as in iCalendar).
 */
import crypto from 'node:crypto';
import ICAL from 'ical.js';
import type { CalendarEventDetails, CalendarEventInput } from '../shared/contract.js';
import { meetingUrlOf, registerNamedZones, userZone, vtimezoneText } from './icalendar.js';

/** Marker written in every component Ostal sends: a replay finding it on the server knows its PUT landed. */
export const REV_PROPERTY = 'x-ostal-rev';

const PRODID = '-//Ostal//Agenda//FR';

/**
 * Thrown for editor input that cannot become an event; the service turns it into a French message (naming the
 * participant's entry when that is what is wrong: `attendee`).
 */
export class EventInputError extends Error {
  constructor(
    message: string,
    readonly attendee?: string,
  ) {
    super(message);
    this.name = 'EventInputError';
  }
}

function parseWall(value: string, allDay: boolean): ICAL.Time {
  const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (allDay) {
    const d = date ?? /^(\d{4})-(\d{2})-(\d{2})T/.exec(value);
    if (!d) throw new EventInputError(`invalid date: ${value}`);
    return ICAL.Time.fromDateString(`${d[1]}-${d[2]}-${d[3]}`);
  }
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value);
  if (m) {
    const t = new ICAL.Time(
      {
        year: Number(m[1]),
        month: Number(m[2]),
        day: Number(m[3]),
        hour: Number(m[4]),
        minute: Number(m[5]),
        second: Number(m[6] ?? 0),
        isDate: false,
      },
      userZone(),
    );
    return t;
  }
  // A full ISO date-time with an offset or Z: shown in the user's zone.
  const ms = Date.parse(value);
  if (!Number.isFinite(ms) || !/[zZ]|[+-]\d{2}:?\d{2}$/.test(value)) throw new EventInputError(`invalid time: ${value}`);
  return toUserZone(ms);
}

/** An instant as a wall-clock ICAL.Time of the user's zone. */
export function toUserZone(ms: number): ICAL.Time {
  const utc = ICAL.Time.fromJSDate(new Date(ms), true);
  return utc.convertToZone(userZone());
}

function epoch(time: ICAL.Time): number {
  if (!time.zone || time.zone === ICAL.Timezone.localTimezone || time.zone.tzid === 'floating') {
    const c = time.clone();
    c.zone = userZone();
    return c.toUnixTime() * 1000;
  }
  return time.toUnixTime() * 1000;
}

function setTime(comp: ICAL.Component, name: string, time: ICAL.Time): void {
  comp.removeAllProperties(name);
  const prop = new ICAL.Property(name, comp);
  prop.setValue(time);
  if (!time.isDate && time.zone && time.zone.tzid !== 'UTC' && time.zone.tzid !== 'floating') prop.setParameter('tzid', time.zone.tzid);
  comp.addProperty(prop);
}

function setText(comp: ICAL.Component, name: string, value: string | undefined | null): void {
  comp.removeAllProperties(name);
  if (value && value.trim()) comp.addPropertyWithValue(name, value.trim());
}

const utcStamp = () => ICAL.Time.fromJSDate(new Date(), true);

/** Check and normalise the editor's fields. Throws EventInputError. */
function checked(input: CalendarEventInput): { start: ICAL.Time; end: ICAL.Time } {
  if (typeof input.summary !== 'string') throw new EventInputError('summary missing');
  const start = parseWall(input.start, input.allDay);
  let end = parseWall(input.end || input.start, input.allDay);
  if (input.allDay && end.compare(start) <= 0) {
    end = start.clone();
    end.adjust(1, 0, 0, 0);
  }
  if (!input.allDay && epoch(end) < epoch(start)) throw new EventInputError('end before start');
  if (input.rrule) {
    try {
      ICAL.Recur.fromString(input.rrule);
    } catch (err) {
      throw new EventInputError(`invalid RRULE: ${(err as Error).message}`);
    }
    if (!/FREQ=/i.test(input.rrule)) throw new EventInputError('RRULE without FREQ');
  }
  // Blank entries are left out when writing (applyFields); any other entry must be an address alone.
  for (const a of input.attendees ?? [])
    if (a.trim() && !/^[^\s@<>]+@[^\s@<>]+$/.test(a.trim())) throw new EventInputError(`invalid attendee: ${a}`, a.trim());
  return { start, end };
}

/**
 * Who writes the event: the account's address (ORGANIZER when there are participants) and the names written as CN
 * on a new ORGANIZER or ATTENDEE, so that the participants' programs show names rather than bare addresses.
 */
export interface EventWriter {
  organizer: string | null;
  /** The account's display name, for the ORGANIZER's CN. */
  organizerName?: string | null;
  /** The name of an address (lower case), for an ATTENDEE's CN: see attendeeNames. */
  names?: ReadonlyMap<string, string>;
}

/** A name as a CN parameter: one line, trimmed; ical.js quotes and escapes it (RFC 5545 3.2, RFC 6868). */
const cnOf = (name: string | null | undefined) => (name ?? '').replace(/\s+/g, ' ').trim() || null;

/**
 * Names of addresses from the address book, for the CN of the participants Ostal invites (as Thunderbird does):
 * an address gets the name of the contact that has it, and no name when the contacts having it disagree
 * (two people sharing a service address) — the same person in two address books still names it.
 */
export function attendeeNames(contacts: readonly { title: string; emails: readonly string[] }[]): Map<string, string> {
  const found = new Map<string, Set<string>>();
  for (const c of contacts) {
    const name = cnOf(c.title);
    if (!name) continue;
    for (const e of c.emails) {
      const key = e.trim().toLowerCase();
      if (!key) continue;
      const set = found.get(key) ?? new Set<string>();
      set.add(name);
      found.set(key, set);
    }
  }
  const names = new Map<string, string>();
  for (const [email, set] of found) if (set.size === 1) names.set(email, [...set][0]!);
  return names;
}

/** Write the editor's fields onto a VEVENT (master or override). Recurrence only on a master. */
function applyFields(
  vevent: ICAL.Component,
  input: CalendarEventInput,
  times: { start: ICAL.Time; end: ICAL.Time },
  options: EventWriter & { master: boolean },
): void {
  setText(vevent, 'summary', input.summary);
  setTime(vevent, 'dtstart', times.start);
  vevent.removeAllProperties('duration');
  setTime(vevent, 'dtend', times.end);
  setText(vevent, 'location', input.location);
  setText(vevent, 'description', input.description);
  if (options.master) {
    vevent.removeAllProperties('rrule');
    if (input.rrule) vevent.addPropertyWithValue('rrule', ICAL.Recur.fromString(input.rrule.replace(/^RRULE:/i, '')));
  }
  // Meeting link: RFC 7986 CONFERENCE, understood by recent clients; older ones see it in DESCRIPTION too.
  vevent.removeAllProperties('conference');
  if (input.meetingUrl) {
    const conf = new ICAL.Property('conference', vevent);
    conf.setParameter('value', 'URI');
    conf.setParameter('feature', 'VIDEO');
    conf.setValue(input.meetingUrl);
    vevent.addProperty(conf);
  }
  // Attendees: kept with their answer when already there.
  const previous = new Map(
    vevent.getAllProperties('attendee').map((p) => [
      String(p.getFirstValue())
        .replace(/^mailto:/i, '')
        .toLowerCase(),
      p,
    ]),
  );
  vevent.removeAllProperties('attendee');
  const attendees = (input.attendees ?? []).map((a) => a.trim()).filter(Boolean);
  for (const email of attendees) {
    const existing = previous.get(email.toLowerCase());
    if (existing) {
      vevent.addProperty(existing);
      continue;
    }
    const p = new ICAL.Property('attendee', vevent);
    p.setValue(`mailto:${email}`);
    const cn = cnOf(options.names?.get(email.toLowerCase()));
    if (cn) p.setParameter('cn', cn);
    p.setParameter('partstat', 'NEEDS-ACTION');
    p.setParameter('role', 'REQ-PARTICIPANT');
    p.setParameter('rsvp', 'TRUE');
    vevent.addProperty(p);
  }
  if (attendees.length && options.organizer && !vevent.hasProperty('organizer')) {
    const organizer = new ICAL.Property('organizer', vevent);
    organizer.setValue(`mailto:${options.organizer}`);
    const cn = cnOf(options.organizerName);
    if (cn) organizer.setParameter('cn', cn);
    vevent.addProperty(organizer);
  }
  if (!attendees.length) vevent.removeAllProperties('organizer');
  // One display reminder (VALARM).
  for (const alarm of vevent.getAllSubcomponents('valarm')) vevent.removeSubcomponent(alarm);
  if (typeof input.reminderMinutes === 'number' && input.reminderMinutes >= 0) {
    const alarm = new ICAL.Component('valarm');
    alarm.addPropertyWithValue('action', 'DISPLAY');
    alarm.addPropertyWithValue('description', input.summary || 'Rappel');
    const trigger = new ICAL.Property('trigger', alarm);
    trigger.setValue(ICAL.Duration.fromSeconds(-input.reminderMinutes * 60));
    alarm.addProperty(trigger);
    vevent.addSubcomponent(alarm);
  }
  vevent.updatePropertyWithValue('dtstamp', utcStamp());
  vevent.updatePropertyWithValue('last-modified', utcStamp());
  const seq = Number(vevent.getFirstPropertyValue('sequence') ?? 0);
  vevent.updatePropertyWithValue('sequence', Number.isFinite(seq) ? seq + 1 : 1);
}

/** Add the VTIMEZONE of the zone of `times` (the user's, see parseWall) when the object has none for it. */
function ensureZone(vcal: ICAL.Component, times: { start: ICAL.Time }): void {
  const tzid = times.start.zone?.tzid;
  if (times.start.isDate || !tzid || tzid === 'UTC' || tzid === 'floating') return;
  if (vcal.getAllSubcomponents('vtimezone').some((z) => z.getFirstPropertyValue('tzid') === tzid)) return;
  const zone = new ICAL.Component(ICAL.parse(vtimezoneText(tzid)) as unknown[]).getFirstSubcomponent('vtimezone');
  if (zone) vcal.addSubcomponent(zone);
}

/** Stamp every VEVENT with the revision of this write (see REV_PROPERTY). */
function stampRevision(vcal: ICAL.Component, rev: string): void {
  for (const v of vcal.getAllSubcomponents('vevent')) {
    v.removeAllProperties(REV_PROPERTY);
    const prop = new ICAL.Property(REV_PROPERTY, v);
    prop.resetType('text');
    prop.setValue(rev);
    v.addProperty(prop);
  }
}

/** A new calendar resource. */
export function createEventObject(
  input: CalendarEventInput,
  options: EventWriter & { uid?: string; rev: string },
): { uid: string; raw: string } {
  const times = checked(input);
  const uid = options.uid ?? `${crypto.randomUUID()}@ostal`;
  const vcal = new ICAL.Component('vcalendar');
  vcal.addPropertyWithValue('prodid', PRODID);
  vcal.addPropertyWithValue('version', '2.0');
  vcal.addPropertyWithValue('calscale', 'GREGORIAN');
  ensureZone(vcal, times);
  const vevent = new ICAL.Component('vevent');
  vevent.addPropertyWithValue('uid', uid);
  vevent.addPropertyWithValue('created', utcStamp());
  vevent.addPropertyWithValue('sequence', -1);
  applyFields(vevent, input, times, { ...options, master: true });
  vcal.addSubcomponent(vevent);
  stampRevision(vcal, options.rev);
  return { uid, raw: vcal.toString() + '\r\n' };
}

function parse(raw: string): { vcal: ICAL.Component; master: ICAL.Component | null; overrides: ICAL.Component[] } {
  const vcal = new ICAL.Component(ICAL.parse(raw) as unknown[]);
  userZone();
  for (const vtz of vcal.getAllSubcomponents('vtimezone')) {
    const tzid = vtz.getFirstPropertyValue('tzid');
    if (typeof tzid === 'string' && !ICAL.TimezoneService.has(tzid)) ICAL.TimezoneService.register(vtz);
  }
  registerNamedZones(vcal);
  const vevents = vcal.getAllSubcomponents('vevent');
  return {
    vcal,
    master: vevents.find((v) => !v.hasProperty('recurrence-id')) ?? null,
    overrides: vevents.filter((v) => v.hasProperty('recurrence-id')),
  };
}

/** The occurrence's original start ('YYYY-MM-DD' or ISO instant, as calendar.list gives it) in the series' own form. */
function recurrenceTime(master: ICAL.Component, recurrenceId: string): ICAL.Time {
  const dtstart = master.getFirstPropertyValue('dtstart') as ICAL.Time;
  if (dtstart.isDate) {
    const d = /^(\d{4})-(\d{2})-(\d{2})/.exec(recurrenceId);
    if (!d) throw new EventInputError(`invalid recurrence id: ${recurrenceId}`);
    return ICAL.Time.fromDateString(`${d[1]}-${d[2]}-${d[3]}`);
  }
  const ms = Date.parse(recurrenceId);
  if (!Number.isFinite(ms)) throw new EventInputError(`invalid recurrence id: ${recurrenceId}`);
  const zone = dtstart.zone && dtstart.zone.tzid !== 'floating' ? dtstart.zone : userZone();
  if (zone.tzid === 'UTC') return ICAL.Time.fromJSDate(new Date(ms), true);
  return ICAL.Time.fromJSDate(new Date(ms), true).convertToZone(zone);
}

const sameInstant = (a: ICAL.Time, b: ICAL.Time) =>
  a.isDate || b.isDate ? a.year === b.year && a.month === b.month && a.day === b.day : epoch(a) === epoch(b);

/** A 'YYYY-MM-DD' day moved by n days (calendar arithmetic, no time zone involved). */
function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** Whole days from the day of `from` to the day of `to` (both 'YYYY-MM-DD…'). */
function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(to.slice(0, 10)) - Date.parse(from.slice(0, 10))) / 86_400_000);
}

/**
 * « Tous les événements » chosen while editing one occurrence: the editor shows (and sends) that occurrence's
 * dates, but the series keeps its first day. It takes the new hours, and the new length in days: the start is
 * the series' first day at the edited start time, the end as many days after it as in the edited event, at the
 * edited end time. For all-day events only the days count (end exclusive, as in iCalendar).
 */
export function seriesTimesFromOccurrence(
  seriesStart: string,
  input: Pick<CalendarEventInput, 'start' | 'end' | 'allDay'>,
): { start: string; end: string } {
  const first = seriesStart.slice(0, 10);
  const span = daysBetween(input.start, input.end || input.start);
  if (!Number.isFinite(span)) throw new EventInputError(`invalid dates: ${input.start} – ${input.end}`);
  const last = addDays(first, span);
  if (input.allDay) return { start: first, end: last };
  return { start: `${first}${input.start.slice(10)}`, end: `${last}${(input.end || input.start).slice(10)}` };
}

/**
 * Change the whole series (or the single event). Overrides of other occurrences are kept. With `fromOccurrence`
 * (the recurrence id of the occurrence the editor was opened on), the input's dates are that occurrence's: the
 * series keeps its first day (seriesTimesFromOccurrence).
 */
export function updateSeries(
  raw: string,
  edited: CalendarEventInput,
  options: EventWriter & { rev: string; fromOccurrence?: string | null },
): string {
  let input = edited;
  let times = checked(input);
  const { vcal, master } = parse(raw);
  if (!master) throw new EventInputError('no master VEVENT');
  if (options.fromOccurrence) {
    input = { ...edited, ...seriesTimesFromOccurrence(wallTime(master.getFirstPropertyValue('dtstart') as ICAL.Time), edited) };
    times = checked(input);
  }
  applyFields(master, input, times, { ...options, master: true });
  if (!input.allDay) ensureZone(vcal, times);
  stampRevision(vcal, options.rev);
  return vcal.toString() + '\r\n';
}

/** Change one occurrence only: a RECURRENCE-ID override (replacing an earlier one for the same occurrence). */
export function updateOccurrence(
  raw: string,
  recurrenceId: string,
  input: CalendarEventInput,
  options: EventWriter & { rev: string },
): string {
  const times = checked(input);
  const { vcal, master, overrides } = parse(raw);
  if (!master) throw new EventInputError('no master VEVENT');
  const rid = recurrenceTime(master, recurrenceId);
  let override = overrides.find((o) => sameInstant(o.getFirstPropertyValue('recurrence-id') as ICAL.Time, rid));
  if (!override) {
    override = new ICAL.Component(JSON.parse(JSON.stringify(master.toJSON())) as unknown[]);
    for (const name of ['rrule', 'rdate', 'exdate', 'created']) override.removeAllProperties(name);
    setTime(override, 'recurrence-id', rid);
    vcal.addSubcomponent(override);
  }
  applyFields(override, { ...input, rrule: null }, times, { ...options, master: false });
  if (!input.allDay) ensureZone(vcal, times);
  stampRevision(vcal, options.rev);
  return vcal.toString() + '\r\n';
}

/** Delete one occurrence: EXDATE on the master, its override (if any) removed. */
export function deleteOccurrence(raw: string, recurrenceId: string, options: { rev: string }): string {
  const { vcal, master, overrides } = parse(raw);
  if (!master) throw new EventInputError('no master VEVENT');
  const rid = recurrenceTime(master, recurrenceId);
  for (const o of overrides) if (sameInstant(o.getFirstPropertyValue('recurrence-id') as ICAL.Time, rid)) vcal.removeSubcomponent(o);
  setTimeAdd(master, 'exdate', rid);
  master.updatePropertyWithValue('dtstamp', utcStamp());
  stampRevision(vcal, options.rev);
  return vcal.toString() + '\r\n';
}

function setTimeAdd(comp: ICAL.Component, name: string, time: ICAL.Time): void {
  const prop = new ICAL.Property(name, comp);
  prop.setValue(time);
  if (!time.isDate && time.zone && time.zone.tzid !== 'UTC' && time.zone.tzid !== 'floating') prop.setParameter('tzid', time.zone.tzid);
  comp.addProperty(prop);
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Editor form of a time: 'YYYY-MM-DD' for dates, wall clock of the user's zone 'YYYY-MM-DDTHH:mm' otherwise. */
export function wallTime(time: ICAL.Time): string {
  if (time.isDate) return `${time.year}-${pad(time.month)}-${pad(time.day)}`;
  const p = toUserZone(epoch(time));
  return `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}`;
}

/** The fields of the editor for the series, or for one occurrence (its override when there is one). */
export function eventDetails(
  raw: string,
  recurrenceId: string | null,
): Omit<CalendarEventDetails, 'accountId' | 'calendarHref' | 'calendar' | 'pending' | 'readOnly'> {
  const { master, overrides } = parse(raw);
  const base = master ?? overrides[0];
  if (!base) throw new EventInputError('no VEVENT');
  let comp = base;
  let start = base.getFirstPropertyValue('dtstart') as ICAL.Time;
  let end: ICAL.Time = new ICAL.Event(base).endDate;
  if (recurrenceId && master) {
    const rid = recurrenceTime(master, recurrenceId);
    const override = overrides.find((o) => sameInstant(o.getFirstPropertyValue('recurrence-id') as ICAL.Time, rid));
    if (override) {
      comp = override;
      start = override.getFirstPropertyValue('dtstart') as ICAL.Time;
      end = new ICAL.Event(override).endDate;
    } else {
      const duration = new ICAL.Event(master).duration;
      start = rid;
      end = rid.clone();
      end.addDuration(duration);
    }
  }
  const text = (name: string) => {
    const v = comp.getFirstPropertyValue(name);
    return typeof v === 'string' ? v : '';
  };
  const rrule = master?.getFirstPropertyValue('rrule');
  const alarm = comp.getFirstSubcomponent('valarm');
  const trigger = alarm?.getFirstPropertyValue('trigger');
  const reminderMinutes = trigger instanceof ICAL.Duration ? Math.round(-trigger.toSeconds() / 60) : null;
  const attendees = comp.getAllProperties('attendee').map((p) => ({
    email: String(p.getFirstValue()).replace(/^mailto:/i, ''),
    name: (p.getParameter('cn') as string | undefined) ?? null,
    status: String(p.getParameter('partstat') ?? 'NEEDS-ACTION').toUpperCase(),
  }));
  const organizer = comp.getFirstPropertyValue('organizer');
  return {
    uid: String(base.getFirstPropertyValue('uid')),
    recurrenceId,
    summary: text('summary'),
    start: wallTime(start),
    end: wallTime(end),
    allDay: start.isDate,
    location: text('location'),
    description: text('description'),
    attendees: attendees.map((a) => a.email),
    attendeeStatus: attendees,
    organizer: typeof organizer === 'string' ? organizer.replace(/^mailto:/i, '') : null,
    rrule: rrule instanceof ICAL.Recur ? rrule.toString() : null,
    reminderMinutes,
    meetingUrl: meetingUrlOf(comp),
  };
}

/** The first occurrence of the master (its DTSTART), as the recurrence id of that occurrence. */
const isFirstOccurrence = (master: ICAL.Component, rid: ICAL.Time) =>
  sameInstant(master.getFirstPropertyValue('dtstart') as ICAL.Time, rid);

/** The time just before an occurrence, as an UNTIL: UTC for date-times (RFC 5545 3.3.10), the day before for dates. */
function untilBefore(rid: ICAL.Time): ICAL.Time {
  if (rid.isDate) {
    const day = rid.clone();
    day.adjust(-1, 0, 0, 0);
    return day;
  }
  return ICAL.Time.fromJSDate(new Date(epoch(rid) - 1000), true);
}

/** Occurrences of the master strictly before `rid` (for a COUNT carried over to the following series). */
function occurrencesBefore(master: ICAL.Component, rid: ICAL.Time): number {
  const it = new ICAL.Event(master).iterator();
  const limit = epoch(rid);
  let n = 0;
  for (let next = it.next(); next && n < 100_000 && epoch(next) < limit; next = it.next()) n++;
  return n;
}

/** Times at or after `rid` of a multi-valued property (EXDATE, RDATE), removed from `comp` and returned. */
function takeTimesFrom(comp: ICAL.Component, name: string, rid: ICAL.Time): ICAL.Time[] {
  const taken: ICAL.Time[] = [];
  for (const prop of comp.getAllProperties(name)) {
    const values = prop.getValues().filter((v): v is ICAL.Time => v instanceof ICAL.Time);
    const keep = values.filter((v) => epoch(v) < epoch(rid) && !sameInstant(v, rid));
    taken.push(...values.filter((v) => !keep.includes(v)));
    comp.removeProperty(prop);
    for (const v of keep) setTimeAdd(comp, name, v);
  }
  return taken;
}

/** End the series just before the occurrence `rid`: UNTIL (COUNT dropped); later EXDATE, RDATE and overrides leave it. */
function truncateAt(
  vcal: ICAL.Component,
  master: ICAL.Component,
  overrides: ICAL.Component[],
  rid: ICAL.Time,
): { exdates: ICAL.Time[]; rdates: ICAL.Time[]; moved: ICAL.Component[] } {
  const recur = master.getFirstPropertyValue('rrule');
  if (recur instanceof ICAL.Recur) {
    const until = recur.clone();
    until.count = null;
    until.until = untilBefore(rid);
    master.updatePropertyWithValue('rrule', until);
  }
  const exdates = takeTimesFrom(master, 'exdate', rid);
  const rdates = takeTimesFrom(master, 'rdate', rid);
  const moved: ICAL.Component[] = [];
  for (const o of overrides) {
    const orid = o.getFirstPropertyValue('recurrence-id') as ICAL.Time;
    if (epoch(orid) >= epoch(rid) || sameInstant(orid, rid)) {
      vcal.removeSubcomponent(o);
      moved.push(o);
    }
  }
  master.updatePropertyWithValue('dtstamp', utcStamp());
  master.updatePropertyWithValue('last-modified', utcStamp());
  const seq = Number(master.getFirstPropertyValue('sequence') ?? 0);
  master.updatePropertyWithValue('sequence', Number.isFinite(seq) ? seq + 1 : 1);
  return { exdates, rdates, moved };
}

/** Wall-clock shift from one time to another (days, minutes), applied to the recurrence ids that follow a split. */
function wallShift(from: ICAL.Time, to: ICAL.Time): (time: ICAL.Time) => ICAL.Time {
  const f = from.isDate ? from : toUserZone(epoch(from));
  const t = to.isDate ? to : toUserZone(epoch(to));
  const days = Math.round((Date.UTC(t.year, t.month - 1, t.day) - Date.UTC(f.year, f.month - 1, f.day)) / 86_400_000);
  const minutes = from.isDate || to.isDate ? 0 : t.hour * 60 + t.minute - (f.hour * 60 + f.minute);
  return (time: ICAL.Time) => {
    if (time.isDate) {
      const c = time.clone();
      c.adjust(days, 0, 0, 0);
      return c;
    }
    const zone = time.zone && time.zone.tzid !== 'floating' ? time.zone : userZone();
    const c = zone.tzid === 'UTC' ? toUserZone(epoch(time)) : time.clone();
    c.adjust(days, 0, minutes, 0);
    return zone.tzid === 'UTC' ? c.convertToZone(ICAL.Timezone.utcTimezone) : c;
  };
}

export type SplitResult = { kind: 'series'; raw: string } | { kind: 'split'; truncated: string; created: { uid: string; raw: string } };

/**
 * « Cet événement et les suivants »: the series ends just before the occurrence (UNTIL in UTC, or the day
 * before for all-day series) and a new series (new UID, RELATED-TO the first) starts at that occurrence with
 * the change. The EXDATEs, RDATEs and overrides from that occurrence on go with the new series, their
 * recurrence ids moved by the same wall-clock shift as the occurrence (the override of the occurrence itself
 * is replaced by the change). A COUNT continues with what remained. At the first occurrence: the whole series.
 */
export function splitSeries(
  raw: string,
  recurrenceId: string,
  input: CalendarEventInput,
  options: EventWriter & { rev: string; newRev: string; uid?: string },
): SplitResult {
  const times = checked(input);
  const { vcal, master, overrides } = parse(raw);
  if (!master) throw new EventInputError('no master VEVENT');
  const rid = recurrenceTime(master, recurrenceId);
  if (isFirstOccurrence(master, rid) || !master.hasProperty('rrule')) return { kind: 'series', raw: updateSeries(raw, input, options) };
  const before = occurrencesBefore(master, rid);
  const oldUid = String(master.getFirstPropertyValue('uid'));
  const next = new ICAL.Component(JSON.parse(JSON.stringify(master.toJSON())) as unknown[]);
  const { exdates, rdates, moved } = truncateAt(vcal, master, overrides, rid);
  stampRevision(vcal, options.rev);
  const truncated = vcal.toString() + '\r\n';

  const uid = options.uid ?? `${crypto.randomUUID()}@ostal`;
  for (const name of ['rrule', 'rdate', 'exdate', 'recurrence-id', 'created', 'related-to', 'uid']) next.removeAllProperties(name);
  next.addPropertyWithValue('uid', uid);
  next.addPropertyWithValue('created', utcStamp());
  const related = new ICAL.Property('related-to', next);
  related.setValue(oldUid);
  related.setParameter('reltype', 'SIBLING');
  next.addProperty(related);
  next.updatePropertyWithValue('sequence', -1);
  applyFields(next, input, times, { ...options, master: true });
  const recur = next.getFirstPropertyValue('rrule');
  if (recur instanceof ICAL.Recur && recur.count) {
    recur.count = Math.max(1, recur.count - before);
    next.updatePropertyWithValue('rrule', recur);
  }
  const shift = wallShift(rid, times.start);
  for (const t of exdates) setTimeAdd(next, 'exdate', shift(t));
  for (const t of rdates) setTimeAdd(next, 'rdate', shift(t));
  const out = new ICAL.Component('vcalendar');
  out.addPropertyWithValue('prodid', PRODID);
  out.addPropertyWithValue('version', '2.0');
  out.addPropertyWithValue('calscale', 'GREGORIAN');
  for (const vtz of vcal.getAllSubcomponents('vtimezone'))
    out.addSubcomponent(new ICAL.Component(JSON.parse(JSON.stringify(vtz.toJSON())) as unknown[]));
  if (!input.allDay) ensureZone(out, times);
  out.addSubcomponent(next);
  for (const o of moved) {
    const orid = o.getFirstPropertyValue('recurrence-id') as ICAL.Time;
    if (sameInstant(orid, rid)) continue;
    o.updatePropertyWithValue('uid', uid);
    setTime(o, 'recurrence-id', shift(orid));
    out.addSubcomponent(o);
  }
  stampRevision(out, options.newRev);
  return { kind: 'split', truncated, created: { uid, raw: out.toString() + '\r\n' } };
}

/** Delete « cet événement et les suivants »: the series ends just before it; null when that is the whole series. */
export function truncateSeries(raw: string, recurrenceId: string, options: { rev: string }): string | null {
  const { vcal, master, overrides } = parse(raw);
  if (!master) throw new EventInputError('no master VEVENT');
  const rid = recurrenceTime(master, recurrenceId);
  if (isFirstOccurrence(master, rid)) return null;
  // With an RRULE it gets an UNTIL; with only RDATEs, the later ones go.
  truncateAt(vcal, master, overrides, rid);
  stampRevision(vcal, options.rev);
  return vcal.toString() + '\r\n';
}
