import { describe, expect, it } from 'vitest';
import {
  birthdayBox,
  birthdayKey,
  birthdayText,
  clockText,
  frDate,
  isoDate,
  parseClock,
  pickerKeyMove,
  pickerWeeks,
} from '../../renderer/src/views/agenda/dates';

describe('times typed in the event forms (Agenda, Espaces)', () => {
  it('reads the ways agents write a time', () => {
    expect(parseClock('09:30')).toBe(9 * 60 + 30);
    expect(parseClock('9:30')).toBe(9 * 60 + 30);
    expect(parseClock('8h30')).toBe(8 * 60 + 30);
    expect(parseClock(' 8 h 30 ')).toBe(8 * 60 + 30);
    expect(parseClock('14h')).toBe(14 * 60);
    expect(parseClock('14 h')).toBe(14 * 60);
    expect(parseClock('14H15')).toBe(14 * 60 + 15);
    expect(parseClock('9')).toBe(9 * 60);
    expect(parseClock('23:59')).toBe(23 * 60 + 59);
    expect(parseClock('00:00')).toBe(0);
  });

  it('refuses what is not a time of the day', () => {
    for (const text of ['', ' ', '24:00', '9:60', '8h3', '830', 'midi', '9:30:00', '-1:00', '9 30'])
      expect(parseClock(text), text).toBeNull();
  });

  it('writes minutes as the forms show them', () => {
    expect(clockText(8 * 60 + 5)).toBe('08:05');
    expect(clockText(23 * 60 + 59)).toBe('23:59');
    expect(clockText(parseClock('8h30')!)).toBe('08:30');
  });
});

describe('dates typed in the event forms', () => {
  it('goes both ways between « JJ/MM/AAAA » and day keys', () => {
    expect(frDate('2026-12-07')).toBe('07/12/2026');
    expect(frDate('07/12/2026')).toBe('');
    expect(isoDate('07/12/2026')).toBe('2026-12-07');
    expect(isoDate('7/12/26')).toBe('2026-12-07');
    expect(isoDate('7.12.2026')).toBe('2026-12-07');
    expect(isoDate(frDate('2028-02-29'))).toBe('2028-02-29');
  });

  it('refuses days that do not exist', () => {
    for (const text of ['31/11/2026', '29/02/2027', '00/01/2026', '12/13/2026', '2026-12-07', 'demain'])
      expect(isoDate(text), text).toBeNull();
  });
});

describe('birthdays as agents type them (Contacts)', () => {
  const today = '2026-05-20';
  it('takes « 14/03/1975 », « 14/03/75 » (1975), « 14 mars 1975 », « 1er févr. 1980 », « 14/03 », and refuses what is no date', () => {
    expect(birthdayKey('14/03/1975', today)).toBe('1975-03-14');
    expect(birthdayKey('14/03/75', today)).toBe('1975-03-14');
    expect(birthdayKey('02/01/05', today)).toBe('2005-01-02');
    expect(birthdayKey('14 mars 1975', today)).toBe('1975-03-14');
    expect(birthdayKey('1er févr. 1980', today)).toBe('1980-02-01');
    expect(birthdayKey(' 3 AOUT 1990 ', today)).toBe('1990-08-03');
    expect(birthdayKey('14/03', today)).toBe('--03-14');
    expect(birthdayKey('29 février', today)).toBe('--02-29');
    expect(birthdayKey('', today)).toBe('');
    expect(birthdayKey('31/02/1975', today)).toBeNull();
    expect(birthdayKey('3 jui 1990', today)).toBeNull();
    expect(birthdayKey('14 mars 2030', today)).toBeNull();
    expect(birthdayKey('hier', today)).toBeNull();
  });
  it('shows them in French and gives them back to the form', () => {
    expect(birthdayText('1975-03-14')).toBe('14 mars 1975');
    expect(birthdayText('--03-14')).toBe('14 mars');
    expect(birthdayText('')).toBe('');
    expect(birthdayBox('1975-03-14')).toBe('14/03/1975');
    expect(birthdayBox('--03-14')).toBe('14/03');
  });
});

describe('the date picker (« Aller à une date », the event form)', () => {
  it('moves as the WAI-ARIA date picker does', () => {
    expect(pickerKeyMove('2026-12-08', 'ArrowLeft')).toBe('2026-12-07');
    expect(pickerKeyMove('2026-12-31', 'ArrowRight')).toBe('2027-01-01');
    expect(pickerKeyMove('2026-12-03', 'ArrowUp')).toBe('2026-11-26');
    expect(pickerKeyMove('2026-12-29', 'ArrowDown')).toBe('2027-01-05');
    // Tuesday 8 → Monday 7 and Sunday 13 of the same week.
    expect(pickerKeyMove('2026-12-08', 'Home')).toBe('2026-12-07');
    expect(pickerKeyMove('2026-12-08', 'End')).toBe('2026-12-13');
    // A month, kept inside the shorter month; with Maj, a year.
    expect(pickerKeyMove('2027-01-31', 'PageDown')).toBe('2027-02-28');
    expect(pickerKeyMove('2026-03-31', 'PageUp')).toBe('2026-02-28');
    expect(pickerKeyMove('2028-02-29', 'PageDown', true)).toBe('2029-02-28');
    expect(pickerKeyMove('2026-12-08', 'PageUp', true)).toBe('2025-12-08');
    for (const key of ['Enter', ' ', 'a', 'Tab']) expect(pickerKeyMove('2026-12-08', key)).toBeNull();
  });

  it('always shows six weeks from the Monday on or before the 1st', () => {
    const december = pickerWeeks('2026-12-08');
    expect(december).toHaveLength(6);
    expect(december.every((w) => w.length === 7)).toBe(true);
    expect(december[0]![0]).toBe('2026-11-30');
    expect(december[5]![6]).toBe('2027-01-10');
    // February 2027 starts on a Monday: its first row starts on the 1st.
    expect(pickerWeeks('2027-02-15')[0]![0]).toBe('2027-02-01');
    // Across the change to summer time (29 March 2026) the days follow one another.
    const march = pickerWeeks('2026-03-01').flat();
    expect(march.indexOf('2026-03-30') - march.indexOf('2026-03-29')).toBe(1);
  });
});
