/**
 * iCalendar with ical.js: the fields stored at sync time, and the expansion of recurring events
 * (RRULE, EXDATE, RDATE, RECURRENCE-ID overrides) for a window, in the user's time zone (the computer's,
 * src/shared/time.ts) unless the object says otherwise; the VTIMEZONE of any IANA zone, built from Intl.
 */
import ICAL from 'ical.js';
import { isTimeZone, offsetMinutes, userTimeZone, zoneTransitions } from '../shared/time.js';

/** Europe/Paris rules since 1996, as Ostal always wrote them (servers hold many events with this text). */
const PARIS_TZID = 'Europe/Paris';
const PARIS_VTIMEZONE = [
  'BEGIN:VCALENDAR',
  'BEGIN:VTIMEZONE',
  'TZID:Europe/Paris',
  'BEGIN:DAYLIGHT',
  'TZOFFSETFROM:+0100',
  'TZOFFSETTO:+0200',
  'TZNAME:CEST',
  'DTSTART:19700329T020000',
  'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
  'END:DAYLIGHT',
  'BEGIN:STANDARD',
  'TZOFFSETFROM:+0200',
  'TZOFFSETTO:+0100',
  'TZNAME:CET',
  'DTSTART:19701025T030000',
  'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
  'END:STANDARD',
  'END:VTIMEZONE',
  'END:VCALENDAR',
].join('\r\n');

const fmtOffset = (minutes: number) => {
  const a = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${String(Math.floor(a / 60)).padStart(2, '0')}${String(a % 60).padStart(2, '0')}`;
};
const icalLocal = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace(/[-:]/g, '');

/** First year of the rules of a generated VTIMEZONE, and the year its regular rules are checked up to. */
const FIRST_YEAR = 1970;
const LAST_YEAR = 2037;

/**
 * The VTIMEZONE of an IANA zone from Intl's data: its offset in 1970, each change up to the year its changes
 * become regular, then one yearly rule (RRULE BYMONTH/BYDAY) per regular change. A zone without changes
 * (Indian/Reunion, America/Cayenne) is one STANDARD part.
 */
export function vtimezoneText(tzid: string): string {
  if (tzid === PARIS_TZID) return PARIS_VTIMEZONE;
  const start = Date.UTC(FIRST_YEAR, 0, 1);
  const transitions = zoneTransitions(tzid, start, Date.UTC(LAST_YEAR + 1, 0, 1));
  // A change as a yearly rule: month, weekday and its rank (-1: last), local time before the change, offsets.
  const rule = (t: { at: number; from: number; to: number }) => {
    const local = new Date(t.at + t.from * 60_000);
    const day = local.getUTCDate();
    const daysInMonth = new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth() + 1, 0)).getUTCDate();
    const rank = day > daysInMonth - 7 ? -1 : Math.ceil(day / 7);
    const weekday = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'][local.getUTCDay()];
    return {
      year: local.getUTCFullYear(),
      key: `${local.getUTCMonth() + 1};${rank}${weekday};${local.toISOString().slice(11, 19)};${t.from};${t.to}`,
    };
  };
  const rules = transitions.map(rule);
  // The regular tail: from some year on, every year up to LAST_YEAR has the same changes.
  let regularFrom = transitions.length;
  if (transitions.length) {
    const lastYearKeys = rules
      .filter((r) => r.year === LAST_YEAR)
      .map((r) => r.key)
      .sort()
      .join('|');
    if (lastYearKeys) {
      let year = LAST_YEAR;
      const keysOf = (y: number) =>
        rules
          .filter((r) => r.year === y)
          .map((r) => r.key)
          .sort()
          .join('|');
      while (year - 1 >= FIRST_YEAR && keysOf(year - 1) === lastYearKeys) year--;
      regularFrom = rules.findIndex((r) => r.year >= year);
    }
  }
  const lines = ['BEGIN:VCALENDAR', 'BEGIN:VTIMEZONE', `TZID:${tzid}`];
  const part = (kind: 'STANDARD' | 'DAYLIGHT', at: number, from: number, to: number, rrule?: string) => {
    lines.push(
      `BEGIN:${kind}`,
      `TZOFFSETFROM:${fmtOffset(from)}`,
      `TZOFFSETTO:${fmtOffset(to)}`,
      `DTSTART:${icalLocal(at + from * 60_000)}`,
    );
    if (rrule) lines.push(`RRULE:${rrule}`);
    lines.push(`END:${kind}`);
  };
  const first = transitions[0]?.from ?? offsetMinutes(start, tzid);
  part('STANDARD', start - first * 60_000, first, first);
  transitions.forEach((t, i) => {
    const kind = t.to > t.from ? 'DAYLIGHT' : 'STANDARD';
    if (i < regularFrom) return part(kind, t.at, t.from, t.to);
    if (rules.slice(regularFrom, i).some((r) => r.key === rules[i]!.key)) return;
    const [month, byday] = rules[i]!.key.split(';');
    part(kind, t.at, t.from, t.to, `FREQ=YEARLY;BYMONTH=${month};BYDAY=${byday}`);
  });
  lines.push('END:VTIMEZONE', 'END:VCALENDAR');
  return lines.join('\r\n');
}

const zones = new Map<string, ICAL.Timezone>();

/**
 * The ical.js zone of an IANA TZID (built from Intl, see vtimezoneText), registered with ical.js's
 * TimezoneService once so that TZIDs naming it resolve; null for a TZID Intl does not know.
 */
export function zoneFor(tzid: string): ICAL.Timezone | null {
  if (/^(Etc\/)?(UTC|UCT|GMT|Zulu|Universal)$/i.test(tzid)) return ICAL.Timezone.utcTimezone;
  let zone = zones.get(tzid);
  if (!zone) {
    if (!isTimeZone(tzid)) return null;
    const comp = new ICAL.Component(ICAL.parse(vtimezoneText(tzid)) as unknown[]);
    zone = new ICAL.Timezone(comp.getFirstSubcomponent('vtimezone') as ICAL.Component);
    zones.set(tzid, zone);
    if (!ICAL.TimezoneService.has(tzid)) ICAL.TimezoneService.register(zone, tzid);
  }
  return zone;
}

/**
 * The user's zone (the computer's), in which new events are written and floating times are read. Ostal's
 * Europe/Paris is registered before any object's, as always: the many Paris events share one expanded zone.
 */
export function userZone(): ICAL.Timezone {
  const paris = zoneFor(PARIS_TZID) as ICAL.Timezone;
  return zoneFor(userTimeZone()) ?? paris;
}

export interface ParsedEventObject {
  uid: string;
  summary: string;
}

/** Parse one calendar resource; throws if it is not a VCALENDAR with a VEVENT having a UID. */
export function parseCalendarObject(raw: string): ParsedEventObject {
  const vcal = new ICAL.Component(ICAL.parse(raw) as unknown[]);
  if (vcal.name !== 'vcalendar') throw new Error(`not a VCALENDAR: ${vcal.name}`);
  const vevents = vcal.getAllSubcomponents('vevent');
  const first = vevents.find((v) => !v.hasProperty('recurrence-id')) ?? vevents[0];
  if (!first) throw new Error('no VEVENT');
  const uid = first.getFirstPropertyValue('uid');
  if (typeof uid !== 'string' || !uid) throw new Error('VEVENT without UID');
  const summary = first.getFirstPropertyValue('summary');
  return { uid, summary: typeof summary === 'string' ? summary : '' };
}

/** The meeting link of a VEVENT: CONFERENCE, else an http(s) link to a « /salle/ » in LOCATION or DESCRIPTION. */
export function meetingUrlOf(vevent: ICAL.Component): string | null {
  const conf = vevent.getFirstPropertyValue('conference');
  if (typeof conf === 'string' && /^https?:\/\//i.test(conf)) return conf;
  for (const name of ['location', 'description', 'url']) {
    const v = vevent.getFirstPropertyValue(name);
    const m = typeof v === 'string' ? /https?:\/\/\S+\/salle\/[A-Za-z0-9_-]{22,64}/.exec(v) : null;
    if (m) return m[0];
  }
  return null;
}

/** Minutes before the start of the VEVENT's first reminder relative to its start, or null. */
export function reminderOf(vevent: ICAL.Component): number | null {
  for (const alarm of vevent.getAllSubcomponents('valarm')) {
    const trigger = alarm.getFirstProperty('trigger');
    const value = trigger?.getFirstValue();
    if (!(value instanceof ICAL.Duration) || String(trigger?.getParameter('related') ?? 'START').toUpperCase() !== 'START') continue;
    return Math.max(0, Math.round(-value.toSeconds() / 60));
  }
  return null;
}

/** The ORGANIZER's address of a VEVENT (lower case, without mailto:), or null. */
function organizerOf(vevent: ICAL.Component): string | null {
  const value = vevent.getFirstPropertyValue('organizer');
  if (!value) return null;
  const address = String(value)
    .replace(/^mailto:/i, '')
    .trim()
    .toLowerCase();
  return address || null;
}

export interface Occurrence {
  uid: string;
  recurrenceId: string | null;
  start: string;
  end: string;
  allDay: boolean;
  summary: string;
  location: string;
  meetingUrl: string | null;
  /** Part of a recurring series. */
  recurring: boolean;
  /** Minutes before the start of the first display/audio reminder (VALARM relative to the start), or null. */
  reminderMinutes: number | null;
  /** The ORGANIZER's address (lower case, without mailto:), null when the event names none (a personal event). */
  organizer: string | null;
  /** Start as epoch ms, for sorting. */
  startMs: number;
}

/** Epoch ms of an ICAL.Time; floating times are read in the user's zone. */
function epochMs(time: ICAL.Time): number {
  const zone = time.zone;
  if (!zone || zone === ICAL.Timezone.localTimezone || zone.tzid === 'floating') {
    const t = time.clone();
    t.zone = userZone();
    return t.toUnixTime() * 1000;
  }
  return time.toUnixTime() * 1000;
}

const pad = (n: number) => String(n).padStart(2, '0');
const dateOnly = (t: ICAL.Time) => `${t.year}-${pad(t.month)}-${pad(t.day)}`;
const iso = (t: ICAL.Time) => (t.isDate ? dateOnly(t) : new Date(epochMs(t)).toISOString());

/** Text of the VTIMEZONE registered under each TZID. */
const registeredZoneText = new Map<string, string>();

/**
 * Register the VTIMEZONEs an object carries (and the user's zone, and the IANA zones it names without
 * describing them), so its TZIDs resolve. A VTIMEZONE identical
 * to the registered one is taken out of the object, so that its times use the registered zone, whose
 * expansion is kept: hydrated in each object, an Outlook zone (rules from 1601) is expanded again for every
 * event, about 10 ms each — minutes for a week of a 10 000-event calendar.
 */
export function registerZones(vcal: ICAL.Component): void {
  userZone();
  for (const vtz of vcal.getAllSubcomponents('vtimezone')) {
    const tzid = vtz.getFirstPropertyValue('tzid');
    if (typeof tzid !== 'string') continue;
    if (!ICAL.TimezoneService.has(tzid)) ICAL.TimezoneService.register(vtz);
    if (!registeredZoneText.has(tzid)) registeredZoneText.set(tzid, ICAL.TimezoneService.get(tzid)?.component?.toString() ?? '');
    if (registeredZoneText.get(tzid) === vtz.toString()) vcal.removeSubcomponent(vtz);
  }
  registerNamedZones(vcal);
}

/** Register the IANA zones that TZIDs name without a VTIMEZONE (clients that omit them), from Intl. */
export function registerNamedZones(vcal: ICAL.Component): void {
  for (const comp of vcal.getAllSubcomponents()) {
    for (const prop of comp.getAllProperties()) {
      const tzid = prop.getParameter('tzid');
      if (typeof tzid === 'string' && !ICAL.TimezoneService.has(tzid)) zoneFor(tzid);
    }
  }
}

/** Parse a window bound: a full ISO date-time, or YYYY-MM-DD as midnight in the user's zone. */
export function windowBound(value: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (m) {
    const t = new ICAL.Time(
      { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]), hour: 0, minute: 0, second: 0, isDate: false },
      userZone(),
    );
    return t.toUnixTime() * 1000;
  }
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) throw new Error(`invalid date: ${value}`);
  return ms;
}

/**
 * Slots of its series one calendar resource may walk for one view (all its series together; a daily series since
 * 1971 is 20 000). A resource of dense series (every second, every hour for years, twenty of them) would otherwise
 * walk hundreds of thousands and block the core for seconds at every display; past this its expansion stops and its
 * occurrences are marked `truncated` (the Agenda says so). About 8 µs a slot: some 160 ms at most per resource.
 */
export const MAX_SLOTS_PER_RESOURCE = 20_000;
/**
 * Slots one view (a listing of every resource) may walk in all: many dense resources together (a shared calendar, an
 * import split by UID) stay under a second of core time. Past it, each remaining resource still walks
 * MIN_SLOTS_PER_RESOURCE, enough for ordinary series, and is marked `truncated` if that is not enough.
 */
export const MAX_SLOTS_PER_VIEW = 60_000;
export const MIN_SLOTS_PER_RESOURCE = 500;

/** Filled by expandCalendarObject when it had to stop before the end of the window. */
export interface ExpansionReport {
  truncated: boolean;
  /** Slots left to the whole view (shared by the resources of one listing; decreased by each expansion). */
  viewSlots?: { left: number };
}

/**
 * Occurrences of the events of one calendar resource overlapping [fromMs, toMs).
 * An event ends where it starts if it has no DTEND/DURATION (all-day: one day).
 * The walk is bounded by MAX_SLOTS_PER_RESOURCE, and by what is left of the view's MAX_SLOTS_PER_VIEW when
 * `report.viewSlots` is given (`report.truncated` when it had to stop).
 */
export function expandCalendarObject(raw: string, fromMs: number, toMs: number, report?: ExpansionReport): Occurrence[] {
  const vcal = new ICAL.Component(ICAL.parse(raw) as unknown[]);
  registerZones(vcal);
  const vevents = vcal.getAllSubcomponents('vevent');
  const masters = vevents.filter((v) => !v.hasProperty('recurrence-id'));
  const exceptions = vevents.filter((v) => v.hasProperty('recurrence-id'));
  const out: Occurrence[] = [];
  let slots = 0;
  const cap = report?.viewSlots
    ? Math.min(MAX_SLOTS_PER_RESOURCE, Math.max(MIN_SLOTS_PER_RESOURCE, report.viewSlots.left))
    : MAX_SLOTS_PER_RESOURCE;
  const overlaps = (s: number, e: number) => (e > s ? s < toMs && e > fromMs : s >= fromMs && s < toMs);
  const push = (uid: string, recurrenceId: ICAL.Time | null, item: ICAL.Event, start: ICAL.Time, end: ICAL.Time, recurring: boolean) => {
    const s = epochMs(start);
    let e = epochMs(end);
    if (start.isDate && e <= s) e = s + 86_400_000;
    if (!overlaps(s, e)) return;
    let endTime = end;
    if (start.isDate && epochMs(end) <= s) {
      endTime = start.clone();
      endTime.adjust(1, 0, 0, 0);
    }
    out.push({
      uid,
      recurrenceId: recurrenceId ? iso(recurrenceId) : null,
      start: iso(start),
      end: iso(endTime),
      allDay: start.isDate,
      summary: item.summary ?? '',
      location: item.location ?? '',
      meetingUrl: meetingUrlOf(item.component),
      recurring,
      reminderMinutes: reminderOf(item.component),
      organizer: organizerOf(item.component),
      startMs: s,
    });
  };
  for (const master of masters) {
    const event = new ICAL.Event(master);
    for (const ex of exceptions) if (ex.getFirstPropertyValue('uid') === event.uid) event.relateException(ex);
    if (!event.isRecurring()) {
      push(event.uid, null, event, event.startDate, event.endDate, false);
      continue;
    }
    // Slots ending well before the window cannot overlap it unless an override moves them: their details (the
    // costly part) are not computed. Overrides are known by recurrence id; a RANGE override makes every slot suspect.
    const spanMs = Math.max(0, epochMs(event.endDate) - epochMs(event.startDate)) + 2 * 86_400_000;
    const overridden = (time: ICAL.Time) =>
      event.rangeExceptions.length > 0 || Object.prototype.hasOwnProperty.call(event.exceptions, time.toString());
    const horizon = event.rangeExceptions.length > 0 || Object.keys(event.exceptions).length > 0 ? toMs + 366 * 86_400_000 : toMs;
    const it = event.iterator();
    for (let next = it.next(); next; next = it.next()) {
      if (++slots > cap) {
        if (report) report.truncated = true;
        break;
      }
      const nextMs = epochMs(next);
      // The series is sorted by recurrence id; a moved occurrence may land earlier or later than its slot.
      if (nextMs >= horizon) break;
      if (nextMs + spanMs < fromMs && !overridden(next)) continue;
      const details = event.getOccurrenceDetails(next);
      push(event.uid, details.recurrenceId, details.item, details.startDate, details.endDate, true);
    }
  }
  if (report?.viewSlots) report.viewSlots.left -= Math.min(slots, cap);
  // Overrides without their master (only one occurrence shared with us).
  const masterUids = new Set(masters.map((m) => m.getFirstPropertyValue('uid')));
  for (const ex of exceptions) {
    const event = new ICAL.Event(ex);
    if (masterUids.has(event.uid)) continue;
    push(event.uid, event.recurrenceId, event, event.startDate, event.endDate, true);
  }
  return out;
}
