/**
 * An event that repeats too often (twenty hourly series since 2020, 400 000 occurrences), put on the server by
 * another client: the Agenda shows the week at once, with the other events, and says in French which event is shown
 * in part only. agent5's calendar (unique titles, removed at the end).
 */
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { axeProblems, calendarPath, deleteCalendarResources, putEvent } from './dav.js';
import { SHOTS_DIR, addAccountByCli, servers, startOstal, tempProfile, type RunningOstal } from './ostal.js';

const stamp = `rep${Date.now().toString(36)}`;
let ostal: RunningOstal | undefined;
test.afterEach(async () => {
  await ostal?.stop();
  ostal = undefined;
  await deleteCalendarResources(servers().users[4]!, stamp);
});

test('agenda : un événement qui se répète trop souvent est affiché en partie, avec un avis en français, sans bloquer la semaine', async ({
  page,
}) => {
  const user = servers().users[4]!; // agent5
  const title = `Rappel envahissant ${stamp}`;
  const rules = Array.from({ length: 20 }, (_, i) => `RRULE:FREQ=HOURLY;BYMINUTE=${i * 3};COUNT=20000`);
  const ics = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Ailleurs//FR',
    'BEGIN:VEVENT',
    `UID:${stamp}@ailleurs.test`,
    'DTSTAMP:20200101T000000Z',
    'DTSTART:20200106T080000Z',
    'DURATION:PT1M',
    ...rules,
    `SUMMARY:${title}`,
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');
  expect(await putEvent(user, `${calendarPath(user)}${stamp}.ics`, ics)).toBe(201);

  const profileDir = tempProfile();
  addAccountByCli(profileDir, user, {}, 'mail,calendar');
  ostal = await startOstal({ profileDir });
  await page.goto(ostal.url);
  await page.getByRole('button', { name: 'Agenda' }).click();
  await expect(page.getByTestId('agenda-timegrid')).toBeVisible({ timeout: 30_000 });
  await page.getByTestId('mode-semaine').click();
  const notice = page.getByTestId('agenda-truncated');
  await expect(notice).toHaveText(
    `«\u00a0${title}\u00a0» se répète trop souvent pour être affiché en entier\u00a0: une partie seulement de ses dates apparaît. Vous pouvez le supprimer, ou demander à son organisateur de le corriger.`,
  );
  // The event is there, and can be opened (to delete it).
  await expect(page.getByTestId('agenda-event').filter({ hasText: title }).first()).toBeVisible();
  await page.screenshot({ path: path.join(SHOTS_DIR, 'agenda-repetition-excessive.png') });
  expect(await axeProblems(page), 'axe-core, avis de répétition').toEqual([]);
});
