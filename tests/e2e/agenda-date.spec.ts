/**
 * « Aller à une date » (Outlook's and Thunderbird's date navigator): the Agenda's small month, opened by its button
 * or the G key, moved with the keyboard (flèches, Page suiv.), a day chosen with Entrée; the same month beside the
 * event form's date boxes, where Échap closes it and not the form; the event saved on the chosen day reaches
 * Radicale. agent5's calendar (unique titles).
 */
import path from 'node:path';
import { expect, test } from '@playwright/test';
import ICAL from 'ical.js';
import { addDays, axeProblems, calendarResources, deleteCalendarResources, frDate, parisToday, weekday } from './dav.js';
import { SHOTS_DIR, addAccountByCli, servers, startOstal, tempProfile, type RunningOstal } from './ostal.js';

let ostal: RunningOstal | undefined;
const stamp = `e2e${Date.now().toString(36)}`;
const agent5 = () => servers().users[4]!;

test.afterEach(async () => {
  await ostal?.stop();
  ostal = undefined;
  await deleteCalendarResources(agent5(), stamp);
});

/** « mardi 12 janvier 2027 », as the Agenda titles a day. */
const longDay = (key: string) =>
  new Intl.DateTimeFormat('fr-FR', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(
    new Date(`${key}T12:00:00Z`),
  );

/** The same day a month later, kept inside a shorter month (as the picker's Page suiv.). */
function nextMonth(key: string): string {
  const [y, m, d] = key.split('-').map(Number) as [number, number, number];
  const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  const date = new Date(Date.UTC(y, m, Math.min(d, last)));
  return date.toISOString().slice(0, 10);
}

test('agenda : « Aller à une date » (touche G, flèches, Page suiv., Entrée) et le petit mois du formulaire, jusqu’à Radicale', async ({
  page,
}) => {
  const profileDir = tempProfile();
  addAccountByCli(profileDir, agent5(), {}, 'mail,calendar');
  ostal = await startOstal({ profileDir });
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(ostal.url);
  await page.getByRole('button', { name: 'Agenda' }).click();
  await expect(page.getByTestId('agenda-timegrid')).toBeVisible({ timeout: 30_000 });
  const today = parisToday();
  const period = page.getByTestId('agenda-period');
  const picker = page.getByTestId('date-picker');

  // Day view, then G: the month opens on the day shown, today marked, the focus on it.
  await period.click();
  await page.keyboard.press('j');
  await expect(period).toHaveText(longDay(today));
  await page.keyboard.press('g');
  await expect(picker).toBeVisible();
  const todayButton = picker.locator(`button[data-day="${today}"]`);
  await expect(todayButton).toBeFocused();
  await expect(todayButton).toHaveAttribute('aria-current', 'date');
  await expect(todayButton).toHaveAccessibleName(longDay(today));
  // Page suiv. then → then Entrée: the Agenda goes to that day; the arrows did not change the Agenda's period.
  const target = addDays(nextMonth(today), 1);
  await page.keyboard.press('PageDown');
  await page.keyboard.press('ArrowRight');
  await expect(picker.locator(`button[data-day="${target}"]`)).toBeFocused();
  await expect(picker.getByRole('heading')).toHaveText(
    new Intl.DateTimeFormat('fr-FR', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${target}T12:00:00Z`)),
  );
  await expect(period).toHaveText(longDay(today));
  await page.screenshot({ path: path.join(SHOTS_DIR, 'agenda-aller-a-une-date.png') });
  expect(await axeProblems(page), 'axe-core, petit mois').toEqual([]);
  await page.keyboard.press('Enter');
  await expect(picker).toHaveCount(0);
  await expect(period).toHaveText(longDay(target));
  await expect(page.getByTestId('agenda-go-to-date')).toBeFocused();

  // By the button: Échap closes it and gives the focus back; a click elsewhere closes it too; « Aujourd’hui » goes back.
  await page.getByTestId('agenda-go-to-date').click();
  await expect(picker.locator(`button[data-day="${target}"]`)).toBeFocused();
  await expect(picker.locator('td[aria-selected="true"] button')).toHaveAttribute('data-day', target);
  await page.keyboard.press('Escape');
  await expect(picker).toHaveCount(0);
  await expect(page.getByTestId('agenda-go-to-date')).toBeFocused();
  await expect(period).toHaveText(longDay(target));
  await page.getByTestId('agenda-go-to-date').click();
  await expect(picker).toBeVisible();
  await period.click();
  await expect(picker).toHaveCount(0);
  await page.getByTestId('agenda-go-to-date').click();
  await picker.getByRole('button', { name: 'Aujourd’hui' }).click();
  await expect(period).toHaveText(longDay(today));

  // The event form: the start date's month opens on the form's day; a day clicked fills both dates (the end
  // followed the start); Échap in the end date's month closes the month, not the form.
  const monday = addDays(today, 14 - weekday(today));
  const chosen = addDays(monday, 2);
  const title = `Comité de pilotage ${stamp}`;
  await page.getByTestId('new-event').click();
  const editor = page.getByTestId('event-editor');
  await expect(editor).toBeVisible();
  await editor.getByLabel('Titre').fill(title);
  await editor.getByLabel('Date de début').fill(frDate(monday));
  await editor.getByLabel('Date de fin').fill(frDate(monday));
  await editor.getByRole('button', { name: 'Choisir le jour de début' }).click();
  await expect(editor.getByTestId('date-picker').locator(`button[data-day="${monday}"]`)).toBeFocused();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await expect(editor.getByTestId('date-picker').locator(`button[data-day="${chosen}"]`)).toBeFocused();
  await page.screenshot({ path: path.join(SHOTS_DIR, 'agenda-editeur-choisir-date.png') });
  await page.keyboard.press('Enter');
  await expect(editor.getByLabel('Date de début')).toHaveValue(frDate(chosen));
  await expect(editor.getByLabel('Date de fin')).toHaveValue(frDate(chosen));
  await editor.getByRole('button', { name: 'Choisir le jour de fin' }).click();
  await expect(editor.getByTestId('date-picker')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(editor.getByTestId('date-picker')).toHaveCount(0);
  await expect(editor).toBeVisible();
  await expect(editor.getByRole('button', { name: 'Choisir le jour de fin' })).toBeFocused();
  await editor.getByLabel('Heure de début').fill('14:00');
  await editor.getByLabel('Heure de fin').fill('15:00');
  await editor.getByTestId('save-event').click();
  await expect(editor).toBeHidden();

  // On Radicale, on the chosen day.
  await expect
    .poll(
      async () => {
        const [found] = await calendarResources(agent5(), title);
        if (!found) return null;
        const vevent = new ICAL.Component(ICAL.parse(found.raw) as unknown[]).getFirstSubcomponent('vevent')!;
        return String(vevent.getFirstPropertyValue('dtstart'));
      },
      { timeout: 30_000 },
    )
    .toBe(`${chosen}T14:00:00`);
});
