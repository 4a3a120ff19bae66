/**
 * An Outlook series crossing a change of time in Europe/Paris (last Sunday of March, 2027-03-28): once imported
 * (src/import/outlook-recurrence.ts, src/import/pst-dav.ts) and expanded as the agenda does, every occurrence keeps
 * its wall-clock time (10:00), the deleted occurrence after the change is removed and the moved one is at its new
 * time. The recurrence blob is written here after [MS-OXOCAL] 2.2.1.44 (AppointmentRecurrencePattern).
 */
import type { PSTMessage } from 'pst-extractor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandCalendarObject } from '../../src/calendar/icalendar.js';
import { appointmentToIcs } from '../../src/import/pst-dav.js';
import { setUserTimeZone, wallClockString } from '../../src/shared/time.js';

const EPOCH_1601_MINUTES = Date.UTC(1601, 0, 1) / 60_000;
/** Outlook's minutes since 1601-01-01 of a local date (midnight) plus minutes of the day. */
const localMinutes = (y: number, m: number, d: number, minutesOfDay = 0) =>
  Date.UTC(y, m - 1, d) / 60_000 - EPOCH_1601_MINUTES + minutesOfDay;

/** Weekly on Mondays at 10:00–11:00 local, 5 times from Monday 2027-03-15; 5 April deleted, 29 March moved to 14:00. */
function weeklyAcrossDst(): Buffer {
  const u16 = (n: number) => {
    const b = Buffer.alloc(2);
    b.writeUInt16LE(n);
    return b;
  };
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    return b;
  };
  const first = localMinutes(2027, 3, 15);
  const moved = localMinutes(2027, 3, 29);
  const deleted = localMinutes(2027, 4, 5);
  return Buffer.concat([
    // RecurrencePattern
    u16(0x3004),
    u16(0x3004),
    u16(0x200b), // weekly
    u16(1), // PatternType: week
    u16(0), // Gregorian
    u32(first % 10080), // FirstDateTime
    u32(1), // every week
    u32(0), // SlidingFlag
    u32(0x2), // Monday
    u32(0x2022), // ends after a number of occurrences
    u32(5),
    u32(1), // FirstDOW: Monday
    u32(2),
    u32(moved), // an exception's original date is both deleted and modified
    u32(deleted),
    u32(1),
    u32(moved),
    u32(first), // StartDate
    u32(localMinutes(2027, 4, 12)), // EndDate
    // AppointmentRecurrencePattern
    u32(0x3006),
    u32(0x3008),
    u32(600), // StartTimeOffset: 10:00
    u32(660), // EndTimeOffset: 11:00
    u16(1), // one ExceptionInfo
    u32(localMinutes(2027, 3, 29, 14 * 60)),
    u32(localMinutes(2027, 3, 29, 15 * 60)),
    u32(localMinutes(2027, 3, 29, 10 * 60)),
    u16(0), // OverrideFlags: time only
    u32(0), // ReservedBlock1Size
    u32(0), // ExtendedException: ReservedBlockEE1Size
    u32(0), // ReservedBlock2Size
  ]);
}

function appointment(structure: Buffer): PSTMessage {
  return {
    subject: 'Point hebdomadaire',
    body: '',
    // 10:00 in Paris on 2027-03-15 (winter time, UTC+1).
    startTime: new Date(Date.UTC(2027, 2, 15, 9, 0)),
    endTime: new Date(Date.UTC(2027, 2, 15, 10, 0)),
    location: 'Salle du conseil',
    isRecurring: true,
    subType: false,
    recurrencePattern: '',
    recurrenceStructure: structure,
    modificationTime: new Date(Date.UTC(2027, 0, 1)),
    creationTime: new Date(Date.UTC(2027, 0, 1)),
  } as unknown as PSTMessage;
}

describe('répétitions Outlook et changement d’heure', () => {
  beforeAll(() => setUserTimeZone('Europe/Paris'));
  afterAll(() => setUserTimeZone(null));

  it('une série hebdomadaire qui passe à l’heure d’été garde 10:00, avec son occurrence déplacée et sa suppression', () => {
    const { text, note } = appointmentToIcs(appointment(weeklyAcrossDst()), 'serie-dst');
    expect(note).toBeNull();
    const occurrences = expandCalendarObject(text, Date.UTC(2027, 2, 1), Date.UTC(2027, 4, 1));
    const walls = occurrences.map(
      (o) => `${wallClockString(o.startMs, 'Europe/Paris')}–${wallClockString(o.end, 'Europe/Paris').slice(11)}`,
    );
    expect(walls).toEqual(['2027-03-15T10:00–11:00', '2027-03-22T10:00–11:00', '2027-03-29T14:00–15:00', '2027-04-12T10:00–11:00']);
  });

  it('pour un agent d’un autre fuseau (Martinique, sans heure d’été), la série reste à 10:00 heure de Paris', () => {
    setUserTimeZone('America/Martinique');
    try {
      const { text } = appointmentToIcs(appointment(weeklyAcrossDst()), 'serie-dst-2');
      const occurrences = expandCalendarObject(text, Date.UTC(2027, 2, 1), Date.UTC(2027, 4, 1));
      expect(occurrences.map((o) => wallClockString(o.startMs, 'Europe/Paris'))).toEqual([
        '2027-03-15T10:00',
        '2027-03-22T10:00',
        '2027-03-29T14:00',
        '2027-04-12T10:00',
      ]);
    } finally {
      setUserTimeZone('Europe/Paris');
    }
  });
});
