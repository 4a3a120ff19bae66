/**
 * Outlook's recurrence of an appointment (PidLidAppointmentRecur, [MS-OXOCAL] 2.2.1.44.5) as an iCalendar RRULE,
 * EXDATE for deleted occurrences and one overriding VEVENT (RECURRENCE-ID) per modified occurrence. The binary
 * structure is read by @kenjiuno/msgreader's parser. Outlook counts minutes from 1601-01-01 in the appointment's
 * own time zone. That zone is taken as the user's (or Paris) when its offset at the series' first start is the one
 * the file implies: the series then repeats at the same wall-clock time across changes of time (TZID), and each
 * deleted or moved occurrence is placed with the offset of its own date. Otherwise the offset of the first start is
 * used for every date, and DTSTART and the exceptions are in UTC.
 */
import { createRequire } from 'node:module';
import { FALLBACK_TIME_ZONE, offsetMinutes, userTimeZone, wallClockToInstant } from '../shared/time.js';

const require = createRequire(import.meta.url);

interface RecurPattern {
  recurFrequency: number;
  patternType: number;
  period: number;
  patternTypeWeek?: { dayOfWeekBits: number };
  patternTypeMonth?: { day: number };
  patternTypeMonthNth?: { dayOfWeekBits: number; n: number };
  endType: number;
  occurrenceCount: number;
  deletedInstanceDates: number[];
  modifiedInstanceDates: number[];
  startDate: number;
  endDate: number;
}
interface Recur {
  recurrencePattern: RecurPattern;
  startTimeOffset: number;
  endTimeOffset: number;
  exceptionInfo: { startDateTime: number; endDateTime: number; originalStartTime: number; subject?: string; location?: string }[];
}

const EPOCH_1601_MINUTES = Date.UTC(1601, 0, 1) / 60_000;
const DAYS = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];

function minutesToDate(minutes: number, offset: number): Date {
  return new Date((EPOCH_1601_MINUTES + minutes - offset) * 60_000);
}

function utc(d: Date): string {
  return d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

function days(bits: number): string {
  return DAYS.filter((_, i) => bits & (1 << i)).join(',');
}

export interface ParsedRecurrence {
  /** IANA zone the series repeats in (its DTSTART, EXDATE and RECURRENCE-ID are written in it), or null for UTC. */
  tzid: string | null;
  rrule: string;
  exdates: Date[];
  overrides: { recurrenceId: Date; start: Date; end: Date; subject: string | null; location: string | null }[];
}

/**
 * null when the structure cannot be read or uses a calendar other than the Gregorian one. For an all-day series
 * (`allDay`), dates are days: tzid is null, the dates are the UTC midnights of Outlook's local days and UNTIL is a
 * date (RFC 5545 §3.3.10: the type of DTSTART).
 */
export function parseOutlookRecurrence(structure: Buffer, seriesStart: Date, allDay = false): ParsedRecurrence | null {
  let recur: Recur;
  try {
    const { default: DataStream } = require('@kenjiuno/msgreader/lib/DataStream') as {
      default: new (b: ArrayBuffer, o: number, e: boolean) => unknown;
    };
    const { parse } = require('@kenjiuno/msgreader/lib/AppointmentRecurParser') as { parse(ds: unknown, enc: string): Recur };
    const copy = structure.buffer.slice(structure.byteOffset, structure.byteOffset + structure.byteLength) as ArrayBuffer;
    recur = parse(new DataStream(copy, 0, true), 'latin1');
  } catch {
    return null;
  }
  const p = recur.recurrencePattern;
  // Offset of the appointment's zone: local minutes of the first start minus its UTC minutes.
  const firstLocal = p.startDate + recur.startTimeOffset;
  const offset = firstLocal - (seriesStart.getTime() / 60_000 - EPOCH_1601_MINUTES);
  const tzid = allDay ? null : ([userTimeZone(), FALLBACK_TIME_ZONE].find((zone) => offsetMinutes(seriesStart, zone) === offset) ?? null);
  // Outlook's local minutes as an instant: in the zone (each date with its own offset), or with the first start's;
  // for an all-day series, the local day.
  const at = (minutes: number): Date => {
    const wall = minutesToDate(minutes, 0);
    if (allDay) return new Date(Math.floor(wall.getTime() / 86_400_000) * 86_400_000);
    return tzid ? new Date(wallClockToInstant(wall.toISOString().slice(0, 19), tzid)) : minutesToDate(minutes, offset);
  };
  const parts: string[] = [];
  switch (p.recurFrequency) {
    case 0x200a: // daily
      parts.push('FREQ=DAILY');
      if (p.patternType === 1 && p.patternTypeWeek) parts.push(`BYDAY=${days(p.patternTypeWeek.dayOfWeekBits)}`);
      else if (p.period > 1440) parts.push(`INTERVAL=${Math.round(p.period / 1440)}`);
      break;
    case 0x200b: // weekly
      parts.push('FREQ=WEEKLY');
      if (p.period > 1) parts.push(`INTERVAL=${p.period}`);
      if (p.patternTypeWeek) parts.push(`BYDAY=${days(p.patternTypeWeek.dayOfWeekBits)}`);
      break;
    case 0x200c: // monthly
    case 0x200d: {
      // yearly (period in months: 12)
      const yearly = p.recurFrequency === 0x200d;
      parts.push(yearly ? 'FREQ=YEARLY' : 'FREQ=MONTHLY');
      const interval = yearly ? Math.round(p.period / 12) : p.period;
      if (interval > 1) parts.push(`INTERVAL=${interval}`);
      const local = minutesToDate(firstLocal, 0);
      if (yearly) parts.push(`BYMONTH=${local.getUTCMonth() + 1}`);
      if (p.patternType === 2 && p.patternTypeMonth) parts.push(`BYMONTHDAY=${p.patternTypeMonth.day}`);
      else if (p.patternType === 4) parts.push('BYMONTHDAY=-1');
      else if (p.patternType === 3 && p.patternTypeMonthNth) {
        const n = p.patternTypeMonthNth.n === 5 ? -1 : p.patternTypeMonthNth.n;
        parts.push(`BYDAY=${days(p.patternTypeMonthNth.dayOfWeekBits)}`, `BYSETPOS=${n}`);
      } else return null;
      break;
    }
    default:
      return null;
  }
  if (p.endType === 0x2022) parts.push(`COUNT=${p.occurrenceCount}`);
  else if (p.endType === 0x2021) {
    const until = at(p.endDate + recur.startTimeOffset);
    parts.push(`UNTIL=${allDay ? utc(until).slice(0, 8) : utc(until)}`);
  }
  const modified = new Set(p.modifiedInstanceDates);
  const exdates = p.deletedInstanceDates.filter((d) => !modified.has(d)).map((d) => at(d + recur.startTimeOffset));
  const overrides = recur.exceptionInfo.map((e) => ({
    recurrenceId: at(e.originalStartTime),
    start: at(e.startDateTime),
    end: at(e.endDateTime),
    subject: e.subject ?? null,
    location: e.location ?? null,
  }));
  return { tzid, rrule: parts.join(';'), exdates, overrides };
}
