/**
 * Agenda, recurring events in the browser: a weekly series created in « Nouvel événement »; on its third date
 * « Cet événement et les suivants » moves the hours: Radicale then holds two series (the first ending before
 * that date with an UNTIL in UTC, the second starting there at the new hours), checked by a REPORT sent
 * directly to Radicale; the week views show the right hours; « À venir » lists the dates grouped by day with
 * French headings, is used with the keyboard (↓, Entrée opens the details); « Supprimer cet événement et les
 * suivants » ends the new series. Screenshots and axe-core. agent3's calendar (unique titles).
 */
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import ICAL from 'ical.js';
import {
  addDays,
  axeProblems,
  calendarPath,
  calendarResources,
  deleteCalendarResources,
  frDate,
  parisToday,
  putEvent,
  weekday,
} from './dav.js';
import { SHOTS_DIR, addAccountByCli, servers, startOstal, tempProfile, type RunningOstal, expectConnectionState } from './ostal.js';

let ostal: RunningOstal | undefined;
test.afterEach(async () => {
  await ostal?.stop();
  ostal = undefined;
});

const stamp = `e2erec${Date.now().toString(36)}`;
const USER = 2;

const agent3 = () => servers().users[USER]!;

/** The series Radicale holds for a title: per resource, the master's DTSTART (Paris wall clock), RRULE and UID. */
async function serverSeries(
  title: string,
): Promise<{ uid: string; dtstart: string; tzid: string | null; rrule: string; relatedTo: string | null }[]> {
  const out = [];
  for (const { raw } of await calendarResources(agent3(), title)) {
    const master = new ICAL.Component(ICAL.parse(raw) as unknown[])
      .getAllSubcomponents('vevent')
      .find((v) => !v.hasProperty('recurrence-id'))!;
    out.push({
      uid: String(master.getFirstPropertyValue('uid')),
      dtstart: String(master.getFirstPropertyValue('dtstart')),
      tzid: (master.getFirstProperty('dtstart')!.getParameter('tzid') as string | undefined) ?? null,
      rrule: String(master.getFirstPropertyValue('rrule') ?? ''),
      relatedTo: (master.getFirstPropertyValue('related-to') as string | null) ?? null,
    });
  }
  return out.sort((a, b) => a.dtstart.localeCompare(b.dtstart));
}

/** UTC form of a Paris wall-clock time, as in an UNTIL: '20261214T085959Z' for one second before 10:00 on 14 December. */
function untilBefore(key: string, time: string): string {
  const guess = Date.parse(`${key}T${time}:00Z`);
  const paris = new Date(guess).toLocaleString('sv-SE', { timeZone: 'Europe/Paris' }).replace(' ', 'T');
  const offset = Date.parse(`${paris}Z`) - guess;
  return new Date(guess - offset - 1000)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

async function pressOnGrid(page: Page, key: string): Promise<void> {
  await page.getByTestId('agenda-period').click();
  await page.keyboard.press(key);
}

test('agenda : « Cet événement et les suivants » coupe la série en deux sur Radicale ; « À venir » liste les dates par jour, au clavier', async ({
  page,
}) => {
  const s = servers();
  const profileDir = tempProfile();
  // Two all-day events put directly on Radicale, today and tomorrow, for the « Aujourd’hui » and « Demain » headings.
  const today = parisToday();
  for (const [n, day] of [today, addDays(today, 1)].entries()) {
    const uid = `${stamp}-jour${n}`;
    const ics = [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//Test//FR',
      'BEGIN:VEVENT',
      `UID:${uid}`,
      'DTSTAMP:20261130T120000Z',
      `DTSTART;VALUE=DATE:${day.replaceAll('-', '')}`,
      `DTEND;VALUE=DATE:${addDays(day, 1).replaceAll('-', '')}`,
      `SUMMARY:Permanence ${n ? 'demain' : 'du jour'} ${stamp}`,
      'END:VEVENT',
      'END:VCALENDAR',
      '',
    ].join('\r\n');
    expect(await putEvent(agent3(), `${calendarPath(agent3())}${uid}.ics`, ics)).toBe(201);
  }
  addAccountByCli(profileDir, s.users[USER]!, {}, 'mail,calendar');
  ostal = await startOstal({ profileDir });
  await page.goto(ostal.url);
  await page.getByRole('button', { name: 'Agenda' }).click();
  await expect(page.getByTestId('agenda-timegrid')).toBeVisible({ timeout: 30_000 });
  await expectConnectionState(page, profileDir, 'online');

  try {
    // Weekly on Monday from next week's Monday, 10:00–11:00: four dates in the next 30 days.
    // On a Sunday the next Monday is tomorrow, and a fifth Monday (day 29) falls in « À venir »'s 30 days: start a week later.
    const ahead = 7 - weekday(today);
    const startIn = ahead === 1 ? 8 : ahead;
    const monday = addDays(today, startIn);
    const title = `Commission des finances ${stamp}`;
    await page.getByTestId('new-event').click();
    const editor = page.getByTestId('event-editor');
    await editor.getByLabel('Titre').fill(title);
    await editor.getByLabel('Date de début').fill(frDate(monday));
    await editor.getByLabel('Heure de début').fill('10:00');
    await editor.getByLabel('Date de fin').fill(frDate(monday));
    await editor.getByLabel('Heure de fin').fill('11:00');
    // The choices follow the start date: the weekday, its rank in the month, the working days.
    const repeat = editor.getByLabel('Répétition');
    await expect(repeat.locator('option', { hasText: 'Toutes les semaines le lundi' })).toHaveCount(1);
    await expect(
      repeat.locator('option', { hasText: /^Le (premier|deuxième|troisième|quatrième|dernier) lundi du mois$/ }).first(),
    ).toBeAttached();
    await expect(repeat.locator('option', { hasText: 'Tous les jours ouvrés (du lundi au vendredi)' })).toHaveCount(1);
    await repeat.selectOption({ label: 'Toutes les semaines le lundi' });
    await editor.getByTestId('save-event').click();
    await expect(editor).toBeHidden();

    // Third date: « Cet événement et les suivants » at 14:00–15:00.
    const third = addDays(monday, 14);
    // The week view starts on Monday: the third date's week is this many weeks after this one (3, or 4 on a Sunday).
    const weeksToThird = (weekday(today) + startIn + 14) / 7;
    await pressOnGrid(page, 'ArrowRight');
    for (let i = 1; i < weeksToThird; i++) await page.keyboard.press('ArrowRight');
    const inThird = page.locator(`.agenda-tg-col[data-day="${third}"]`).getByTestId('agenda-event').filter({ hasText: title });
    await expect(inThird).toHaveCount(1);
    const oldUid = (await inThird.getAttribute('data-uid'))!;
    await inThird.click();
    const details = page.getByTestId('event-details');
    await expect(details).toContainText('de 10:00 à 11:00');
    await details.getByTestId('edit-event').click();
    await expect(editor.getByLabel('Cet événement', { exact: true })).toBeChecked();
    await editor.getByLabel('Cet événement et les suivants').check();
    await editor.getByLabel('Heure de début').fill('14:00');
    await editor.getByLabel('Heure de fin').fill('15:00');
    await page.screenshot({ path: path.join(SHOTS_DIR, 'agenda-et-les-suivants.png') });
    expect(await axeProblems(page), 'axe-core, éditeur').toEqual([]);
    await editor.getByTestId('save-event').click();
    await expect(editor).toBeHidden();
    await expect(page.getByRole('status').filter({ hasText: 'Modification enregistrée pour cet événement et les suivants' })).toBeVisible();

    // The week views: 14:00 from the third date on, 10:00 before.
    const tile = (day: string) => page.locator(`.agenda-tg-col[data-day="${day}"]`).getByTestId('agenda-event').filter({ hasText: title });
    await expect(tile(third)).toContainText('14:00 – 15:00');
    const newUid = (await tile(third).getAttribute('data-uid'))!;
    expect(newUid).not.toBe(oldUid);
    await pressOnGrid(page, 'ArrowRight');
    await expect(tile(addDays(monday, 21))).toContainText('14:00 – 15:00');
    await pressOnGrid(page, 'ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    await expect(tile(addDays(monday, 7))).toContainText('10:00 – 11:00');
    await expect(tile(addDays(monday, 7))).toHaveAttribute('data-uid', oldUid);

    // Radicale: two series, the first ending one second before the third date (UTC), the second starting there.
    await expect
      .poll(async () => serverSeries(title), { timeout: 30_000 })
      .toEqual([
        {
          uid: oldUid,
          dtstart: `${monday}T10:00:00`,
          tzid: 'Europe/Paris',
          rrule: `FREQ=WEEKLY;BYDAY=MO;UNTIL=${untilBefore(third, '10:00')}`,
          relatedTo: null,
        },
        { uid: newUid, dtstart: `${third}T14:00:00`, tzid: 'Europe/Paris', rrule: 'FREQ=WEEKLY;BYDAY=MO', relatedTo: oldUid },
      ]);

    // « À venir » (key A): grouped by day with French headings, the hours of each series.
    await page.getByTestId('agenda-period').click();
    await page.keyboard.press('a');
    const upcoming = page.getByTestId('agenda-upcoming');
    await expect(upcoming).toBeVisible();
    await expect(page.getByTestId('mode-avenir')).toHaveAttribute('aria-pressed', 'true');
    const heading = (day: string) =>
      day === addDays(today, 1)
        ? 'Demain'
        : new Intl.DateTimeFormat('fr-FR', {
            timeZone: 'UTC',
            weekday: 'long',
            day: 'numeric',
            month: 'long',
            ...(day.slice(0, 4) !== today.slice(0, 4) ? { year: 'numeric' as const } : {}),
          }).format(new Date(`${day}T12:00:00Z`));
    const dates = [monday, addDays(monday, 7), third, addDays(monday, 21)];
    for (const [i, day] of dates.entries()) {
      const group = upcoming.locator(`[data-testid="upcoming-day"][data-day="${day}"]`);
      await expect(group.getByRole('heading')).toHaveText(new RegExp(`^${heading(day)}$`, 'i'));
      await expect(group.getByTestId('agenda-event').filter({ hasText: title })).toContainText(i < 2 ? '10:00 – 11:00' : '14:00 – 15:00');
    }
    const todayGroup = upcoming.locator(`[data-testid="upcoming-day"][data-day="${today}"]`);
    await expect(todayGroup.getByRole('heading')).toHaveText('Aujourd’hui');
    await expect(todayGroup.getByTestId('agenda-event').filter({ hasText: `Permanence du jour ${stamp}` })).toContainText(
      'Toute la journée',
    );
    const tomorrowGroup = upcoming.locator(`[data-testid="upcoming-day"][data-day="${addDays(today, 1)}"]`);
    await expect(tomorrowGroup.getByRole('heading')).toHaveText('Demain');
    await expect(tomorrowGroup.getByTestId('agenda-event').filter({ hasText: `Permanence demain ${stamp}` })).toBeVisible();
    // Days without events have no heading: the first group is today's.
    await expect(upcoming.getByTestId('upcoming-day').first()).toHaveAttribute('data-day', today);
    const items = upcoming.getByTestId('agenda-event').filter({ hasText: title });
    await expect(items).toHaveCount(4);
    expect(await axeProblems(page), 'axe-core, à venir').toEqual([]);

    // Keyboard: focus the first date of the series, ↓ ↓ to the third, Entrée opens its details.
    await items.first().focus();
    await page.screenshot({ path: path.join(SHOTS_DIR, 'agenda-a-venir.png') });
    const all = upcoming.getByTestId('agenda-event');
    const firstIndex = await all.evaluateAll((els, uid) => els.findIndex((e) => e.getAttribute('data-uid') === uid), oldUid);
    const thirdIndex = await all.evaluateAll((els, uid) => els.findIndex((e) => e.getAttribute('data-uid') === uid), newUid);
    for (let i = firstIndex; i < thirdIndex; i++) await page.keyboard.press('ArrowDown');
    await expect(items.nth(2)).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(details).toContainText('de 14:00 à 15:00');
    await expect(details).toContainText('Une date d’un événement répété');

    // « Supprimer cet événement et les suivants » on the third date… at the first date of the new series: it goes.
    await details.getByTestId('delete-following').click();
    await expect(details).toBeHidden();
    await expect(items).toHaveCount(2);
    await expect.poll(async () => (await serverSeries(title)).map((x) => x.uid), { timeout: 30_000 }).toEqual([oldUid]);
  } finally {
    await deleteCalendarResources(agent3(), stamp);
  }
});
