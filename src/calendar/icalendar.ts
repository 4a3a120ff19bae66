/**
 * iCalendar with ical.js: the fields stored at sync time, and the expansion of recurring events
 * (RRULE, EXDATE, RDATE, RECURRENCE-ID overrides) for a window, in Europe/Paris unless the object says otherwise.
 */
import ICAL from 'ical.js';

export const DEFAULT_TZID = 'Europe/Paris';

/** Europe/Paris rules since 1996, used when an object names the zone without describing it, and for floating times. */
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

let parisZone: ICAL.Timezone | null = null;

/** The Europe/Paris zone, registered with ical.js's TimezoneService once. */
export function defaultZone(): ICAL.Timezone {
  if (!parisZone) {
    const comp = new ICAL.Component(ICAL.parse(PARIS_VTIMEZONE) as unknown[]);
    parisZone = new ICAL.Timezone(comp.getFirstSubcomponent('vtimezone') as ICAL.Component);
    if (!ICAL.TimezoneService.has(DEFAULT_TZID)) ICAL.TimezoneService.register(parisZone, DEFAULT_TZID);
  }
  return parisZone;
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
  /** Start as epoch ms, for sorting. */
  startMs: number;
}

/** Epoch ms of an ICAL.Time; floating times are read in Europe/Paris. */
function epochMs(time: ICAL.Time): number {
  const zone = time.zone;
  if (!zone || zone === ICAL.Timezone.localTimezone || zone.tzid === 'floating') {
    const t = time.clone();
    t.zone = defaultZone();
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
 * Register the VTIMEZONEs an object carries (and Europe/Paris), so its TZIDs resolve. A VTIMEZONE identical
 * to the registered one is taken out of the object, so that its times use the registered zone, whose
 * expansion is kept: hydrated in each object, an Outlook zone (rules from 1601) is expanded again for every
 * event, about 10 ms each — minutes for a week of a 10 000-event calendar.
 */
function registerZones(vcal: ICAL.Component): void {
  defaultZone();
  for (const vtz of vcal.getAllSubcomponents('vtimezone')) {
    const tzid = vtz.getFirstPropertyValue('tzid');
    if (typeof tzid !== 'string') continue;
    if (!ICAL.TimezoneService.has(tzid)) ICAL.TimezoneService.register(vtz);
    if (!registeredZoneText.has(tzid)) registeredZoneText.set(tzid, ICAL.TimezoneService.get(tzid)?.component?.toString() ?? '');
    if (registeredZoneText.get(tzid) === vtz.toString()) vcal.removeSubcomponent(vtz);
  }
}

/** Parse a window bound: a full ISO date-time, or YYYY-MM-DD as midnight in Europe/Paris. */
export function windowBound(value: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (m) {
    const t = new ICAL.Time({ year: Number(m[1]), month: Number(m[2]), day: Number(m[3]), hour: 0, minute: 0, second: 0, isDate: false }, defaultZone());
    return t.toUnixTime() * 1000;
  }
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) throw new Error(`invalid date: ${value}`);
  return ms;
}

const MAX_OCCURRENCES = 20_000;

/**
 * Occurrences of the events of one calendar resource overlapping [fromMs, toMs).
 * An event ends where it starts if it has no DTEND/DURATION (all-day: one day).
 */
export function expandCalendarObject(raw: string, fromMs: number, toMs: number): Occurrence[] {
  const vcal = new ICAL.Component(ICAL.parse(raw) as unknown[]);
  registerZones(vcal);
  const vevents = vcal.getAllSubcomponents('vevent');
  const masters = vevents.filter((v) => !v.hasProperty('recurrence-id'));
  const exceptions = vevents.filter((v) => v.hasProperty('recurrence-id'));
  const out: Occurrence[] = [];
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
    out.push({ uid, recurrenceId: recurrenceId ? iso(recurrenceId) : null, start: iso(start), end: iso(endTime), allDay: start.isDate, summary: item.summary ?? '', location: item.location ?? '', meetingUrl: meetingUrlOf(item.component), recurring, reminderMinutes: reminderOf(item.component), startMs: s });
  };
  for (const master of masters) {
    const event = new ICAL.Event(master);
    for (const ex of exceptions) if (ex.getFirstPropertyValue('uid') === event.uid) event.relateException(ex);
    if (!event.isRecurring()) {
      push(event.uid, null, event, event.startDate, event.endDate, false);
      continue;
    }
    const it = event.iterator();
    for (let i = 0, next = it.next(); next && i < MAX_OCCURRENCES; i++, next = it.next()) {
      const details = event.getOccurrenceDetails(next);
      // The series is sorted by recurrence id; a moved occurrence may land earlier or later than its slot.
      if (epochMs(next) >= toMs + 366 * 86_400_000) break;
      push(event.uid, details.recurrenceId, details.item, details.startDate, details.endDate, true);
    }
  }
  // Overrides without their master (only one occurrence shared with us).
  const masterUids = new Set(masters.map((m) => m.getFirstPropertyValue('uid')));
  for (const ex of exceptions) {
    const event = new ICAL.Event(ex);
    if (masterUids.has(event.uid)) continue;
    push(event.uid, event.recurrenceId, event, event.startDate, event.endDate, true);
  }
  return out;
}
