/**
 * Names in the invitations Ostal writes (pure, no server): a new ATTENDEE gets the CN of the one contact that has its
 * address, the ORGANIZER the account's name; an address no contact has, or that contacts of different names share,
 * gets none; an ATTENDEE already there keeps its parameters. Names with commas, quotes and accents are escaped
 * (RFC 5545 quoting, RFC 6868 for the double quote) and read back as written. And the entry that is not an address
 * is the one the error names.
 */
import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import {
  attendeeNames,
  createEventObject,
  EventInputError,
  eventDetails,
  updateOccurrence,
  updateSeries,
} from '../../src/calendar/event-model.js';
import type { CalendarEventInput } from '../../src/shared/contract.js';

const event = (attendees: string[], extra: Partial<CalendarEventInput> = {}): CalendarEventInput => ({
  summary: 'Conseil d’école',
  start: '2027-03-15T14:00',
  end: '2027-03-15T15:00',
  allDay: false,
  attendees,
  ...extra,
});

const contacts = [
  { title: 'Dominique Bernard', emails: ['dominique.bernard@mairie.test'] },
  { title: 'Petit, Claude "Cheffe" Élodie', emails: ['Claude.Petit@mairie.test', 'cp@perso.test'] },
  // One service address in two contacts of different names: nobody's name.
  { title: 'Accueil', emails: ['accueil@mairie.test'] },
  { title: 'Standard', emails: ['ACCUEIL@mairie.test'] },
  // The same person in two address books: still named.
  { title: 'Sacha Durand', emails: ['sacha@mairie.test'] },
  { title: 'Sacha Durand', emails: ['sacha@mairie.test'] },
  { title: '   ', emails: ['sans.nom@mairie.test'] },
];

const writer = { organizer: 'maire@mairie.test', organizerName: 'Le Maire, Jean-Noël', names: attendeeNames(contacts), rev: 'r1' };

const vevent = (raw: string) => new ICAL.Component(ICAL.parse(raw) as unknown[]).getFirstSubcomponent('vevent')!;
const cnOf = (raw: string, email: string) =>
  vevent(raw)
    .getAllProperties('attendee')
    .find((p) => String(p.getFirstValue()).toLowerCase() === `mailto:${email.toLowerCase()}`)
    ?.getParameter('cn') ?? null;
const unfolded = (raw: string) => raw.replace(/\r?\n[ \t]/g, '');

describe('attendeeNames', () => {
  it('an address gets the name of the one contact that has it, case-insensitive; none when the names differ or are empty', () => {
    const names = attendeeNames(contacts);
    expect(names.get('dominique.bernard@mairie.test')).toBe('Dominique Bernard');
    expect(names.get('claude.petit@mairie.test')).toBe('Petit, Claude "Cheffe" Élodie');
    expect(names.get('cp@perso.test')).toBe('Petit, Claude "Cheffe" Élodie');
    expect(names.get('sacha@mairie.test')).toBe('Sacha Durand');
    expect(names.has('accueil@mairie.test')).toBe(false);
    expect(names.has('sans.nom@mairie.test')).toBe(false);
  });
});

describe('CN of the participants and of the organiser', () => {
  it('a new ATTENDEE is named by the address book, the ORGANIZER by the account; escaped and read back as written', () => {
    const { raw } = createEventObject(
      event(['dominique.bernard@mairie.test', 'claude.petit@mairie.test', 'inconnu@ailleurs.test']),
      writer,
    );
    expect(cnOf(raw, 'dominique.bernard@mairie.test')).toBe('Dominique Bernard');
    expect(cnOf(raw, 'claude.petit@mairie.test')).toBe('Petit, Claude "Cheffe" Élodie');
    expect(cnOf(raw, 'inconnu@ailleurs.test')).toBeNull();
    const text = unfolded(raw);
    // Quoted because of the comma; the double quote as ^' (RFC 6868), the accent as UTF-8.
    expect(text).toContain(`ATTENDEE;CN="Petit, Claude ^'Cheffe^' Élodie";PARTSTAT=NEEDS-ACTION`);
    expect(text).toMatch(/^ATTENDEE;PARTSTAT=NEEDS-ACTION[^\r\n]*:mailto:inconnu@ailleurs\.test$/m);
    expect(text).toContain('ORGANIZER;CN="Le Maire, Jean-Noël":mailto:maire@mairie.test');
    const details = eventDetails(raw, null);
    expect(details.attendeeStatus.map((a) => a.name)).toEqual(['Dominique Bernard', 'Petit, Claude "Cheffe" Élodie', null]);
  });

  it('an address two contacts of different names share gets no CN; the same person twice does', () => {
    const { raw } = createEventObject(event(['accueil@mairie.test', 'sacha@mairie.test']), writer);
    expect(cnOf(raw, 'accueil@mairie.test')).toBeNull();
    expect(cnOf(raw, 'sacha@mairie.test')).toBe('Sacha Durand');
  });

  it('no account name: the ORGANIZER has no CN; no names given: no CN at all', () => {
    const { raw } = createEventObject(event(['dominique.bernard@mairie.test']), { organizer: 'maire@mairie.test', rev: 'r1' });
    expect(unfolded(raw)).toContain('ORGANIZER:mailto:maire@mairie.test');
    expect(cnOf(raw, 'dominique.bernard@mairie.test')).toBeNull();
  });

  it('an ATTENDEE already there keeps its parameters (its own CN, its answer); a new one is named', () => {
    const { raw } = createEventObject(event(['dominique.bernard@mairie.test']), writer);
    // The participant answered, and their own program named them otherwise.
    const vcal = new ICAL.Component(ICAL.parse(raw) as unknown[]);
    const att = vcal.getFirstSubcomponent('vevent')!.getFirstProperty('attendee')!;
    att.setParameter('partstat', 'ACCEPTED');
    att.setParameter('cn', 'D. Bernard (DGS)');
    const answered = vcal.toString();
    const updated = updateSeries(
      answered,
      event(['dominique.bernard@mairie.test', 'cp@perso.test'], { summary: 'Conseil d’école (salle B)' }),
      {
        ...writer,
        rev: 'r2',
      },
    );
    const props = vevent(updated).getAllProperties('attendee');
    expect(props[0]!.getParameter('cn')).toBe('D. Bernard (DGS)');
    expect(props[0]!.getParameter('partstat')).toBe('ACCEPTED');
    expect(cnOf(updated, 'cp@perso.test')).toBe('Petit, Claude "Cheffe" Élodie');
    // The organiser of the stored event is kept as it was (one ORGANIZER).
    expect(vevent(updated).getAllProperties('organizer')).toHaveLength(1);
  });

  it('one occurrence changed with a new participant: the override names them too', () => {
    const { raw } = createEventObject(event(['dominique.bernard@mairie.test'], { rrule: 'FREQ=WEEKLY;COUNT=4' }), writer);
    const occurrence = updateOccurrence(
      raw,
      '2027-03-22T13:00:00.000Z',
      event(['dominique.bernard@mairie.test', 'claude.petit@mairie.test'], { start: '2027-03-22T14:00', end: '2027-03-22T15:00' }),
      { ...writer, rev: 'r2' },
    );
    const override = new ICAL.Component(ICAL.parse(occurrence) as unknown[])
      .getAllSubcomponents('vevent')
      .find((v) => v.hasProperty('recurrence-id'))!;
    const names = override.getAllProperties('attendee').map((p) => p.getParameter('cn'));
    expect(names).toEqual(['Dominique Bernard', 'Petit, Claude "Cheffe" Élodie']);
  });
});

describe('a participant that is not an address', () => {
  it.each(['Dominique Bernard <dominique.bernard@mairie.test>', 'pas une adresse', ' @mairie.test'])(
    '« %s » is the entry named',
    (entry) => {
      let caught: unknown;
      try {
        createEventObject(event(['claude.petit@mairie.test', entry]), writer);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(EventInputError);
      expect((caught as EventInputError).attendee).toBe(entry.trim());
      expect((caught as EventInputError).message).toBe(`invalid attendee: ${entry}`);
    },
  );

  it('a blank entry is left out, not refused', () => {
    const { raw } = createEventObject(event(['  ', 'claude.petit@mairie.test']), writer);
    expect(vevent(raw).getAllProperties('attendee')).toHaveLength(1);
  });
});
