/**
 * Agenda of an agent in La Réunion: the browser (timezoneId) and the core (TZ) both in Indian/Reunion, as on an
 * agent's computer there. An event created at 09:00 in « Nouvel événement » shows at 09:00 in the week grid and
 * reaches Radicale as DTSTART;TZID=Indian/Reunion:…T090000 with its VTIMEZONE (05:00 UTC); an event written in
 * Europe/Paris by another client shows at the Réunion time of that instant (10:00 in Paris is 13:00 in La
 * Réunion in winter, 12:00 in summer). Screenshot of the week in Réunion time. agent5's calendar (unique titles).
 */
import path from 'node:path';
import { expect, test } from '@playwright/test';
import ICAL from 'ical.js';
import { addDays, calendarByUid, calendarPath, deleteCalendarResources, frDate, putEvent, weekday } from './dav.js';
import { SHOTS_DIR, addAccountByCli, servers, startOstal, tempProfile, type RunningOstal, expectConnectionState } from './ostal.js';

const ZONE = 'Indian/Reunion';
test.use({ timezoneId: ZONE });

let ostal: RunningOstal | undefined;
test.afterEach(async () => {
  await ostal?.stop();
  ostal = undefined;
});

const stamp = `e2etz${Date.now().toString(36)}`;
const agent5 = () => servers().users[4]!;

/** Wall clock of an instant in a zone: 'YYYY-MM-DD' and 'HH:mm'. */
function wall(ms: number, timeZone: string): { day: string; time: string } {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(ms)
      .map((x) => [x.type, x.value]),
  );
  return { day: `${p.year}-${p.month}-${p.day}`, time: `${p.hour}:${p.minute}` };
}

/** Offset of a zone from UTC at an instant, in minutes. */
function offsetMinutes(ms: number, timeZone: string): number {
  const w = wall(ms, timeZone);
  return Math.round((Date.parse(`${w.day}T${w.time}:00Z`) - Math.floor(ms / 60_000) * 60_000) / 60_000);
}

/** Europe/Paris as other clients send it. */
const PARIS_VTIMEZONE = [
  'BEGIN:VTIMEZONE',
  'TZID:Europe/Paris',
  'BEGIN:DAYLIGHT',
  'TZOFFSETFROM:+0100',
  'TZOFFSETTO:+0200',
  'DTSTART:19810329T020000',
  'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
  'END:DAYLIGHT',
  'BEGIN:STANDARD',
  'TZOFFSETFROM:+0200',
  'TZOFFSETTO:+0100',
  'DTSTART:19961027T030000',
  'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
  'END:STANDARD',
  'END:VTIMEZONE',
];

test('agenda à La Réunion : un rendez-vous de 9 h reste à 9 h dans la grille et sur Radicale (TZID Indian/Reunion), un rendez-vous de 10 h à Paris s’affiche à l’heure de La Réunion', async ({
  page,
}) => {
  const s = servers();
  const user = agent5();
  const reunionToday = wall(Date.now(), ZONE).day;
  // Monday of next week (Réunion calendar).
  const monday = addDays(reunionToday, 7 - weekday(reunionToday));

  // Written in Paris by another client, before Ostal's first synchronisation: Monday 10:00 Europe/Paris.
  const parisTitle = `Visio avec Paris ${stamp}`;
  const parisUid = `paris-${stamp}`;
  const compact = monday.replaceAll('-', '');
  const parisIcs = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Autre logiciel//FR',
    ...PARIS_VTIMEZONE,
    'BEGIN:VEVENT',
    `UID:${parisUid}`,
    'DTSTAMP:20261201T080000Z',
    `DTSTART;TZID=Europe/Paris:${compact}T100000`,
    `DTEND;TZID=Europe/Paris:${compact}T110000`,
    `SUMMARY:${parisTitle}`,
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');
  expect(await putEvent(user, `${calendarPath(user)}${parisUid}.ics`, parisIcs)).toBe(201);
  // 10:00 in Paris that day, as an instant, then on La Réunion's clocks (13:00 in winter, 12:00 in summer).
  const parisGuess = Date.parse(`${monday}T10:00:00Z`);
  const parisInstant = parisGuess - offsetMinutes(parisGuess, 'Europe/Paris') * 60_000;
  const parisInReunion = wall(parisInstant, ZONE);
  expect(parisInReunion.day).toBe(monday);
  expect(parisInReunion.time).toBe(offsetMinutes(parisInstant, 'Europe/Paris') === 60 ? '13:00' : '12:00');

  const profileDir = tempProfile();
  addAccountByCli(profileDir, s.users[4]!, { TZ: ZONE }, 'mail,calendar');
  ostal = await startOstal({ profileDir, env: { TZ: ZONE } });
  await page.goto(ostal.url);
  // The browser is in La Réunion too.
  expect(await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone)).toBe(ZONE);
  await page.getByRole('button', { name: 'Agenda' }).click();
  await expect(page.getByTestId('agenda-timegrid')).toBeVisible({ timeout: 30_000 });
  // Connected to its core; the first background sync (mail, files…) may still run — writes are local first and the
  // checks on Radicale below wait for the replay (waiting for « En ligne » took over 30 s once in a fresh-clone run).
  await expectConnectionState(page, profileDir, /^(online|syncing)$/);

  // Monday 09:00–10:00, typed in La Réunion.
  const title = `Permanence Saint-Denis ${stamp}`;
  await page.getByTestId('new-event').click();
  const editor = page.getByTestId('event-editor');
  await expect(editor).toBeVisible();
  await editor.getByLabel('Titre').fill(title);
  await editor.getByLabel('Date de début').fill(frDate(monday));
  await editor.getByLabel('Heure de début').fill('09:00');
  await editor.getByLabel('Date de fin').fill(frDate(monday));
  await editor.getByLabel('Heure de fin').fill('10:00');
  await editor.getByTestId('save-event').click();
  await expect(editor).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: 'Événement enregistré' })).toBeVisible();

  // Next week in the grid: 09:00 in Monday's column, the Paris event at its Réunion time.
  await page.getByTestId('agenda-period').click();
  await page.keyboard.press('ArrowRight');
  const column = page.locator(`.agenda-tg-col[data-day="${monday}"]`);
  const mine = column.getByTestId('agenda-event').filter({ hasText: title });
  await expect(mine).toHaveCount(1);
  await expect(mine.locator('.agenda-event-time')).toHaveText('09:00 – 10:00');
  const fromParis = column.getByTestId('agenda-event').filter({ hasText: parisTitle });
  await expect(fromParis).toHaveCount(1, { timeout: 30_000 });
  const parisEnd = wall(parisInstant + 3_600_000, ZONE).time;
  await expect(fromParis.locator('.agenda-event-time')).toHaveText(`${parisInReunion.time} – ${parisEnd}`);
  // Placed at 09:00 and at 13:00 (or 12:00) on the time grid, not just labelled so.
  const hourPx = 44;
  const topOf = async (chip: typeof mine) => chip.evaluate((el) => parseFloat((el.parentElement as HTMLElement).style.top));
  expect(await topOf(mine)).toBeCloseTo(9 * hourPx, 0);
  expect(await topOf(fromParis)).toBeCloseTo(Number(parisInReunion.time.slice(0, 2)) * hourPx, 0);
  await mine.scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(SHOTS_DIR, 'agenda-semaine-reunion.png') });

  // Details in Réunion time.
  await mine.click();
  const details = page.getByTestId('event-details');
  await expect(details).toContainText('de 09:00 à 10:00');
  await details.getByRole('button', { name: 'Fermer' }).click();

  // On Radicale (read directly, not through Ostal): 09:00 in Indian/Reunion with its VTIMEZONE, i.e. 05:00 UTC.
  const uid = (await mine.getAttribute('data-uid'))!;
  expect(uid).toBeTruthy();
  await expect.poll(async () => (await calendarByUid(user, uid)).length, { timeout: 30_000 }).toBe(1);
  const [raw] = await calendarByUid(user, uid);
  const vcal = new ICAL.Component(ICAL.parse(raw!) as unknown[]);
  const vevent = vcal.getFirstSubcomponent('vevent')!;
  const dtstart = vevent.getFirstProperty('dtstart')!;
  expect(dtstart.getParameter('tzid')).toBe(ZONE);
  expect(raw).toContain(`DTSTART;TZID=${ZONE}:${compact}T090000`);
  const vtz = vcal.getAllSubcomponents('vtimezone').find((z) => z.getFirstPropertyValue('tzid') === ZONE);
  expect(vtz, 'VTIMEZONE Indian/Reunion').toBeTruthy();
  ICAL.TimezoneService.register(vtz!);
  const start = vevent.getFirstPropertyValue('dtstart') as ICAL.Time;
  expect(start.toJSDate().toISOString()).toBe(`${monday}T05:00:00.000Z`);

  await deleteCalendarResources(user, stamp);
});
