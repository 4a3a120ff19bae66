/**
 * Outlook contacts and appointments of a PST/OST as vCard 4.0 and iCalendar text, handed to the existing import of
 * .vcf/.ics (src/calendar/import.ts), which sends them through the DAV journal. UIDs are stable (file and item), so
 * that a second run replaces instead of adding.
 */
import type { PSTMessage } from 'pst-extractor';
import { vtimezoneText } from '../calendar/icalendar.js';
import { t } from '../i18n/index.js';
import { wallClockAt } from '../shared/time.js';
import { parseOutlookRecurrence } from './outlook-recurrence.js';

type ContactLike = PSTMessage & Record<string, unknown>;
type AppointmentLike = PSTMessage & {
  startTime: Date | null;
  endTime: Date | null;
  location: string;
  isRecurring: boolean;
  subType: boolean;
  recurrencePattern: string;
  recurrenceStructure: Buffer | null;
};

/** vCard text escaping (RFC 6350 §3.4). */
function esc(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\r?\n/g, '\\n').replace(/,/g, '\\,').replace(/;/g, '\\;');
}

function str(c: ContactLike, key: string): string {
  const v = c[key];
  return typeof v === 'string' ? v.trim() : '';
}

export function contactToVcard(msg: PSTMessage, uid: string): string {
  const c = msg as ContactLike;
  const lines = ['BEGIN:VCARD', 'VERSION:4.0', `UID:urn:uuid:${uid}`];
  const given = str(c, 'givenName');
  const family = str(c, 'surname');
  const fn = msg.displayName || [given, family].filter(Boolean).join(' ') || str(c, 'companyName') || msg.subject;
  lines.push(`FN:${esc(fn)}`);
  lines.push(`N:${esc(family)};${esc(given)};${esc(str(c, 'middleName'))};${esc(str(c, 'displayNamePrefix'))};`);
  const org = str(c, 'companyName');
  if (org) lines.push(`ORG:${esc(org)}${str(c, 'departmentName') ? ';' + esc(str(c, 'departmentName')) : ''}`);
  if (str(c, 'title')) lines.push(`TITLE:${esc(str(c, 'title'))}`);
  for (const key of ['email1EmailAddress', 'email2EmailAddress', 'email3EmailAddress', 'emailAddress']) {
    const mail = str(c, key);
    if (mail && mail.includes('@') && !lines.some((l) => l.endsWith(':' + mail))) lines.push(`EMAIL:${mail}`);
  }
  const phones: [string, string][] = [
    ['businessTelephoneNumber', 'work,voice'],
    ['homeTelephoneNumber', 'home,voice'],
    ['mobileTelephoneNumber', 'cell'],
    ['primaryTelephoneNumber', 'voice'],
    ['businessFaxNumber', 'work,fax'],
  ];
  for (const [key, type] of phones) if (str(c, key)) lines.push(`TEL;TYPE="${type}":${esc(str(c, key))}`);
  const work = [
    str(c, 'businessAddressStreet'),
    str(c, 'businessAddressCity'),
    str(c, 'businessAddressStateOrProvince'),
    str(c, 'businessPostalCode'),
    str(c, 'businessAddressCountry'),
  ];
  if (work.some(Boolean)) lines.push(`ADR;TYPE=work:;;${work.map(esc).join(';')}`);
  const home = [
    str(c, 'homeAddressStreet'),
    str(c, 'homeAddressCity'),
    str(c, 'homeAddressStateOrProvince'),
    str(c, 'homeAddressPostalCode'),
    str(c, 'homeAddressCountry'),
  ];
  if (home.some(Boolean)) lines.push(`ADR;TYPE=home:;;${home.map(esc).join(';')}`);
  if (msg.body) lines.push(`NOTE:${esc(msg.body)}`);
  lines.push('END:VCARD');
  return lines.join('\r\n') + '\r\n';
}

function icsText(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\r?\n/g, '\\n').replace(/,/g, '\\,').replace(/;/g, '\\;');
}

function utc(d: Date): string {
  return d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/**
 * `NAME;TZID=zone:local` (wall clock of the instant in the zone), or `NAME:…Z` without zone; `NAME;VALUE=DATE:day`
 * for a day (`tzid` 'date').
 */
function stamp(name: string, d: Date, tzid: string | null): string {
  if (tzid === 'date') return `${name};VALUE=DATE:${day(d)}`;
  if (!tzid) return `${name}:${utc(d)}`;
  const w = wallClockAt(d, tzid);
  const p = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${name};TZID=${tzid}:${p(w.year, 4)}${p(w.month)}${p(w.day)}T${p(w.hour)}${p(w.minute)}${p(w.second)}`;
}

/** The VTIMEZONE lines of a zone (without the VCALENDAR around them). */
function vtimezoneLines(tzid: string): string[] {
  const lines = vtimezoneText(tzid).split(/\r?\n/);
  return lines.slice(lines.indexOf('BEGIN:VTIMEZONE'), lines.lastIndexOf('END:VTIMEZONE') + 1);
}

function day(d: Date): string {
  return d.toISOString().slice(0, 10).replace(/-/g, '');
}

const DAY_MS = 86_400_000;

/**
 * The calendar day at which an all-day item starts or ends. Outlook stores such an item from midnight to midnight
 * in the zone of whoever wrote it, as UTC instants (a French file: 23:00 or 22:00 the day before): the nearest UTC
 * midnight is that day for every zone from UTC−12 to UTC+12.
 */
function allDayDate(d: Date): Date {
  return new Date(Math.round(d.getTime() / DAY_MS) * DAY_MS);
}

/**
 * One VEVENT. A recurring Outlook series whose pattern cannot be carried over is imported as its first
 * occurrence, and the report says so.
 */
export function appointmentToIcs(msg: PSTMessage, uid: string): { text: string; note: string | null } {
  const a = msg as AppointmentLike;
  const start = a.startTime ?? msg.creationTime ?? new Date(0);
  const end = a.endTime && a.endTime > start ? a.endTime : new Date(start.getTime() + 30 * 60_000);
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Ostal//Import Outlook//FR',
    'BEGIN:VEVENT',
    `UID:${uid}@import.ostal`,
    `DTSTAMP:${utc(msg.modificationTime ?? start)}`,
  ];
  const recurrence = a.isRecurring && a.recurrenceStructure ? parseOutlookRecurrence(a.recurrenceStructure, start, a.subType) : null;
  // A series repeats at its wall-clock time in its zone (across changes of time), so its dates carry that zone.
  const tzid = a.subType ? 'date' : (recurrence?.tzid ?? null);
  if (tzid && tzid !== 'date') lines.splice(3, 0, ...vtimezoneLines(tzid));
  if (a.subType) {
    const first = allDayDate(start);
    const last = allDayDate(end) > first ? allDayDate(end) : new Date(first.getTime() + DAY_MS);
    lines.push(`DTSTART;VALUE=DATE:${day(first)}`, `DTEND;VALUE=DATE:${day(last)}`);
  } else {
    lines.push(stamp('DTSTART', start, tzid), stamp('DTEND', end, tzid));
  }
  lines.push(`SUMMARY:${icsText(msg.subject || '')}`);
  if (a.location) lines.push(`LOCATION:${icsText(a.location)}`);
  if (msg.body) lines.push(`DESCRIPTION:${icsText(msg.body.slice(0, 20_000))}`);
  const overrides: string[] = [];
  if (recurrence) {
    lines.push(`RRULE:${recurrence.rrule}`);
    for (const ex of recurrence.exdates) lines.push(stamp('EXDATE', ex, tzid));
    for (const o of recurrence.overrides) {
      overrides.push(
        'BEGIN:VEVENT',
        `UID:${uid}@import.ostal`,
        `DTSTAMP:${utc(msg.modificationTime ?? start)}`,
        stamp('RECURRENCE-ID', o.recurrenceId, tzid),
        stamp('DTSTART', o.start, tzid),
        stamp('DTEND', o.end > o.start ? o.end : new Date(o.start.getTime() + (a.subType ? DAY_MS : 30 * 60_000)), tzid),
        `SUMMARY:${icsText(o.subject ?? msg.subject ?? '')}`,
        ...((o.location ?? a.location) ? [`LOCATION:${icsText(o.location ?? a.location)}`] : []),
        'END:VEVENT',
      );
    }
  }
  lines.push('END:VEVENT', ...overrides, 'END:VCALENDAR');
  const note = a.isRecurring && !recurrence ? t('migration.notes.recurrenceFirstOnly', { title: msg.subject || '' }) : null;
  return { text: lines.join('\r\n') + '\r\n', note };
}
