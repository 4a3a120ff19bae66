/**
 * Agenda: a meeting moved with the mouse in the week grid (Outlook, Thunderbird). Events put directly on Radicale three
 * weeks ahead: one dragged from Monday 10:00 to Wednesday 14:30 (a ghost with « 14:30 – 15:30 » while dragging), one
 * lengthened by its bottom edge, a drag given up with Échap (nothing changes on the server), a meeting the agent
 * organises (who will be told is said before « Déplacer et prévenir ») and an invitation received (not movable).
 * Every change is read back on Radicale (DTSTART/DTEND), not through Ostal.
 */
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import ICAL from 'ical.js';
import { addDays, calendarByUid, calendarPath, deleteCalendarResources, parisToday, putEvent, weekday } from './dav.js';
import { SHOTS_DIR, addAccountByCli, servers, startOstal, tempProfile, type RunningOstal } from './ostal.js';

let ostal: RunningOstal | undefined;
const stamp = `e2edrag${Date.now().toString(36)}`;
const agent = () => servers().users[4]!;
const HOUR_PX = 44;

test.afterEach(async () => {
  await ostal?.stop();
  ostal = undefined;
  await deleteCalendarResources(agent(), stamp);
});

function eventIcs(uid: string, day: string, from: string, to: string, summary: string, extra: string[] = []): string {
  const d = day.replaceAll('-', '');
  return [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Test//FR',
    'BEGIN:VEVENT',
    `UID:${uid}`,
    'DTSTAMP:20261130T120000Z',
    `DTSTART;TZID=Europe/Paris:${d}T${from.replace(':', '')}00`,
    `DTEND;TZID=Europe/Paris:${d}T${to.replace(':', '')}00`,
    `SUMMARY:${summary}`,
    ...extra,
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');
}

/** DTSTART and DTEND of the event on Radicale (« 2026-12-21T10:00:00 »). */
async function serverTimes(uid: string): Promise<{ start: string; end: string } | null> {
  const [raw] = await calendarByUid(agent(), uid);
  if (!raw) return null;
  const vevent = new ICAL.Component(ICAL.parse(raw) as unknown[]).getFirstSubcomponent('vevent')!;
  return { start: String(vevent.getFirstPropertyValue('dtstart')), end: String(vevent.getFirstPropertyValue('dtend')) };
}

/** The point of the grid at `minutes` of `day` (column's middle, or `dx` from its left). */
async function gridPoint(page: Page, day: string, minutes: number, dx?: number): Promise<{ x: number; y: number }> {
  const box = (await page.locator(`.agenda-tg-col[data-day="${day}"]`).boundingBox())!;
  return { x: box.x + (dx ?? box.width / 2), y: box.y + (minutes / 60) * HOUR_PX };
}

async function dragTo(page: Page, from: { x: number; y: number }, to: { x: number; y: number }): Promise<void> {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(to.x, to.y, { steps: 12 });
}

const tile = (page: Page, uid: string) => page.locator(`[data-testid="agenda-event"][data-uid="${uid}"]`);

test('agenda : un rendez-vous déplacé et allongé à la souris, exactement ainsi sur Radicale ; Échap annule ; une invitation reçue ne bouge pas', async ({
  page,
}) => {
  test.setTimeout(150_000);
  const s = servers();
  const me = agent();
  const monday = addDays(parisToday(), 21 - weekday(parisToday()));
  const [tuesday, wednesday, thursday, friday] = [1, 2, 3, 4].map((n) => addDays(monday, n)) as [string, string, string, string];
  const uids = { move: `move-${stamp}`, resize: `resize-${stamp}`, invited: `invite-${stamp}`, meeting: `reunion-${stamp}` };
  const put = async (uid: string, ics: string) => expect(await putEvent(me, `${calendarPath(me)}${uid}.ics`, ics)).toBe(201);
  await put(uids.move, eventIcs(uids.move, monday, '10:00', '11:00', `Point budget ${stamp}`));
  await put(uids.resize, eventIcs(uids.resize, tuesday, '09:00', '10:00', `Revue courrier ${stamp}`));
  await put(
    uids.invited,
    eventIcs(uids.invited, thursday, '11:00', '12:00', `Comité invité ${stamp}`, [
      `ORGANIZER;CN=${s.users[1]!.name}:mailto:${s.users[1]!.email}`,
      `ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:${me.email}`,
    ]),
  );
  await put(
    uids.meeting,
    eventIcs(uids.meeting, friday, '09:00', '10:00', `Réunion d’équipe ${stamp}`, [
      `ORGANIZER:mailto:${me.email}`,
      `ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:${s.users[1]!.email}`,
    ]),
  );

  const profileDir = tempProfile();
  addAccountByCli(profileDir, me, {}, 'mail,calendar');
  ostal = await startOstal({ profileDir });
  await page.setViewportSize({ width: 1400, height: 1000 });
  await page.goto(ostal.url);
  await page.getByRole('button', { name: 'Agenda' }).click();
  await expect(page.getByTestId('agenda-timegrid')).toBeVisible({ timeout: 30_000 });
  await page.getByTestId('agenda-period').click();
  for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
  await expect(tile(page, uids.move)).toBeVisible({ timeout: 30_000 });
  // 9:00 at the top of the hours: 9:00 to 15:30 in sight.
  await page.locator('.agenda-tg-scroll').evaluate((el) => (el.scrollTop = 9 * 44));
  const ghost = page.getByTestId('agenda-drag-ghost');

  // Monday 10:00 → Wednesday 14:30: grabbed 10 minutes into the tile, let go 10 minutes under 14:30.
  await dragTo(page, await gridPoint(page, monday, 10 * 60 + 10), await gridPoint(page, wednesday, 14 * 60 + 40));
  await expect(ghost).toBeVisible();
  await expect(ghost).toContainText('14:30 – 15:30');
  await expect(page.locator(`.agenda-tg-col[data-day="${wednesday}"]`).getByTestId('agenda-drag-ghost')).toHaveCount(1);
  await page.screenshot({ path: path.join(SHOTS_DIR, 'agenda-deplacer-glisser.png') });
  await page.mouse.up();
  // No dialog for a plain event: saved at once, neither the details nor a new event open on the way.
  await expect(page.getByTestId('event-details')).toHaveCount(0);
  await expect(page.getByTestId('event-editor')).toHaveCount(0);
  const moved = page.locator(`.agenda-tg-col[data-day="${wednesday}"]`).locator(`[data-uid="${uids.move}"]`);
  await expect(moved).toContainText('14:30 – 15:30');
  await expect(ghost).toHaveCount(0);
  await expect
    .poll(() => serverTimes(uids.move), { timeout: 30_000 })
    .toEqual({ start: `${wednesday}T14:30:00`, end: `${wednesday}T15:30:00` });

  // Tuesday 09:00 – 10:00, its bottom edge down to 10:30.
  const handle = page.locator(`.agenda-tg-item:has([data-uid="${uids.resize}"])`).getByTestId('agenda-event-resize');
  const edge = (await handle.boundingBox())!;
  await dragTo(page, { x: edge.x + edge.width / 2, y: edge.y + edge.height / 2 }, await gridPoint(page, tuesday, 10 * 60 + 32));
  await expect(ghost).toContainText('09:00 – 10:30');
  await page.mouse.up();
  await expect(tile(page, uids.resize)).toContainText('09:00 – 10:30');
  await expect
    .poll(() => serverTimes(uids.resize), { timeout: 30_000 })
    .toEqual({ start: `${tuesday}T09:00:00`, end: `${tuesday}T10:30:00` });

  // Échap while dragging: the tile goes back, nothing is saved, letting go then opens nothing.
  await dragTo(page, await gridPoint(page, wednesday, 14 * 60 + 45), await gridPoint(page, friday, 11 * 60 + 45));
  await expect(ghost).toContainText('11:30 – 12:30');
  await page.keyboard.press('Escape');
  await expect(ghost).toHaveCount(0);
  await page.mouse.up();
  await expect(page.getByTestId('event-editor')).toHaveCount(0);
  await expect(moved).toContainText('14:30 – 15:30');
  await expect(page.locator(`.agenda-tg-col[data-day="${friday}"]`).locator(`[data-uid="${uids.move}"]`)).toHaveCount(0);
  await page.getByRole('button', { name: 'Synchroniser' }).click();
  await page.waitForTimeout(2000);
  expect(await serverTimes(uids.move)).toEqual({ start: `${wednesday}T14:30:00`, end: `${wednesday}T15:30:00` });

  // A simple click still opens the event.
  await moved.click();
  await expect(page.getByTestId('event-details')).toContainText('de 14:30 à 15:30');
  await page.getByTestId('event-details').getByRole('button', { name: 'Fermer' }).click();

  // An invitation received: not movable, no ghost, the server keeps it where its organiser put it.
  const invited = page.locator(`.agenda-tg-item:has([data-uid="${uids.invited}"])`);
  await expect(invited).not.toHaveClass(/is-movable/);
  await expect(invited.getByTestId('agenda-event-resize')).toHaveCount(0);
  await dragTo(page, await gridPoint(page, thursday, 11 * 60 + 10), await gridPoint(page, thursday, 13 * 60 + 10));
  await expect(ghost).toHaveCount(0);
  await page.mouse.up();
  // Let go elsewhere: nothing opens either (neither its details nor a new event where the pointer is).
  await page.waitForTimeout(300);
  await expect(page.getByTestId('event-editor')).toHaveCount(0);
  await expect(page.getByTestId('event-details')).toHaveCount(0);
  await expect(page.locator(`.agenda-tg-col[data-day="${thursday}"]`).locator(`[data-uid="${uids.invited}"]`)).toContainText(
    '11:00 – 12:00',
  );
  expect(await serverTimes(uids.invited)).toEqual({ start: `${thursday}T11:00:00`, end: `${thursday}T12:00:00` });

  // A meeting the agent organises: who will be told is said first; « Déplacer et prévenir » saves.
  await dragTo(page, await gridPoint(page, friday, 9 * 60 + 10), await gridPoint(page, friday, 13 * 60 + 10));
  await page.mouse.up();
  const dialog = page.getByTestId('move-event');
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText(`${s.users[1]!.name} recevra la modification par courriel.`);
  await expect(dialog).toContainText('de 13:00 à 14:00');
  await expect(ghost).toBeVisible();
  await page.screenshot({ path: path.join(SHOTS_DIR, 'agenda-deplacer-prevenir.png') });
  await dialog.getByRole('button', { name: 'Déplacer et prévenir' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(tile(page, uids.meeting)).toContainText('13:00 – 14:00');
  await expect
    .poll(() => serverTimes(uids.meeting), { timeout: 30_000 })
    .toEqual({ start: `${friday}T13:00:00`, end: `${friday}T14:00:00` });
  await page.screenshot({ path: path.join(SHOTS_DIR, 'agenda-deplacer-apres.png') });
});

function allDayIcs(uid: string, first: string, endExclusive: string, summary: string, extra: string[] = []): string {
  return [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Test//FR',
    'BEGIN:VEVENT',
    `UID:${uid}`,
    'DTSTAMP:20261130T120000Z',
    `DTSTART;VALUE=DATE:${first.replaceAll('-', '')}`,
    `DTEND;VALUE=DATE:${endExclusive.replaceAll('-', '')}`,
    `SUMMARY:${summary}`,
    ...extra,
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');
}

/** DTSTART and DTEND of an all-day event on Radicale, and whether both are dates (VALUE=DATE). */
async function serverDates(uid: string): Promise<{ start: string; end: string; dates: boolean } | null> {
  const [raw] = await calendarByUid(agent(), uid);
  if (!raw) return null;
  const vevent = new ICAL.Component(ICAL.parse(raw) as unknown[]).getFirstSubcomponent('vevent')!;
  const [start, end] = [vevent.getFirstProperty('dtstart')!, vevent.getFirstProperty('dtend')!];
  return { start: String(start.getFirstValue()), end: String(end.getFirstValue()), dates: start.type === 'date' && end.type === 'date' };
}

/** The middle of a box of the page. */
async function middle(page: Page, selector: string): Promise<{ x: number; y: number }> {
  const box = (await page.locator(selector).first().boundingBox())!;
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

test('agenda : déplacer par jours dans le mois et la bande « journée », défilement de la grille en glissant vers le bas', async ({
  page,
}) => {
  test.setTimeout(180_000);
  const s = servers();
  const me = agent();
  // The second week of next month: Monday to Friday, all in that month.
  const today = parisToday();
  const firstNext = addDays(today.slice(0, 8) + '01', 40).slice(0, 8) + '01';
  const monday = addDays(firstNext, 7 - weekday(firstNext));
  const [tuesday, wednesday, thursday, friday] = [1, 2, 3, 4].map((n) => addDays(monday, n)) as [string, string, string, string];
  const uids = {
    atelier: `atelier-${stamp}`,
    seminaire: `seminaire-${stamp}`,
    invited: `invite2-${stamp}`,
    permanence: `permanence-${stamp}`,
    late: `tard-${stamp}`,
  };
  const put = async (uid: string, ics: string) => expect(await putEvent(me, `${calendarPath(me)}${uid}.ics`, ics)).toBe(201);
  await put(uids.atelier, eventIcs(uids.atelier, tuesday, '10:00', '11:30', `Atelier ${stamp}`));
  await put(uids.seminaire, allDayIcs(uids.seminaire, monday, wednesday, `Séminaire ${stamp}`));
  await put(
    uids.invited,
    eventIcs(uids.invited, wednesday, '14:00', '15:00', `Comité invité ${stamp}`, [
      `ORGANIZER;CN=${s.users[1]!.name}:mailto:${s.users[1]!.email}`,
      `ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:${me.email}`,
    ]),
  );
  await put(
    uids.permanence,
    allDayIcs(uids.permanence, friday, addDays(friday, 1), `Permanence ${stamp}`, [
      `ORGANIZER:mailto:${me.email}`,
      `ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:${s.users[1]!.email}`,
    ]),
  );
  await put(uids.late, eventIcs(uids.late, wednesday, '09:00', '10:00', `Bilan tardif ${stamp}`));

  const profileDir = tempProfile();
  addAccountByCli(profileDir, me, {}, 'mail,calendar');
  ostal = await startOstal({ profileDir });
  await page.setViewportSize({ width: 1400, height: 1000 });
  await page.goto(ostal.url);
  await page.getByRole('button', { name: 'Agenda' }).click();
  await expect(page.getByTestId('agenda-timegrid')).toBeVisible({ timeout: 30_000 });
  await page.getByTestId('agenda-period').click();
  await page.keyboard.press('m');
  await expect(page.getByTestId('agenda-month')).toBeVisible();
  await page.keyboard.press('ArrowRight');
  const cell = (day: string) => `.agenda-month-day[data-day="${day}"]`;
  const chip = (day: string, uid: string) => page.locator(`${cell(day)} [data-testid="agenda-event"][data-uid="${uid}"]`);
  await expect(chip(tuesday, uids.atelier)).toBeVisible({ timeout: 30_000 });
  const ghost = page.getByTestId('agenda-drag-ghost');

  // Month: Tuesday's 10:00 – 11:30 onto Thursday, its hours kept; the ghost is in Thursday's cell.
  await dragTo(page, await middle(page, `${cell(tuesday)} [data-uid="${uids.atelier}"]`), await middle(page, cell(thursday)));
  const thursdayGhost = page.locator(cell(thursday)).getByTestId('agenda-drag-ghost');
  await expect(thursdayGhost).toContainText(`Atelier ${stamp}`);
  await expect(thursdayGhost.getByTestId('agenda-drag-time')).toHaveText('10:00');
  await expect(ghost).toHaveCount(1);
  await expect(chip(tuesday, uids.atelier)).toHaveClass(/is-dragged/);
  await page.screenshot({ path: path.join(SHOTS_DIR, 'agenda-deplacer-mois.png') });
  await page.mouse.up();
  await expect(page.getByTestId('event-details')).toHaveCount(0);
  await expect(page.getByTestId('event-editor')).toHaveCount(0);
  await expect(chip(thursday, uids.atelier)).toBeVisible();
  await expect(chip(tuesday, uids.atelier)).toHaveCount(0);
  await expect(ghost).toHaveCount(0);
  await expect
    .poll(() => serverTimes(uids.atelier), { timeout: 30_000 })
    .toEqual({ start: `${thursday}T10:00:00`, end: `${thursday}T11:30:00` });

  // Month: the two-day seminar (Monday, Tuesday) grabbed on its Tuesday, let go on Thursday: Wednesday and Thursday.
  await dragTo(page, await middle(page, `${cell(tuesday)} [data-uid="${uids.seminaire}"]`), await middle(page, cell(thursday)));
  await expect(page.locator(cell(wednesday)).getByTestId('agenda-drag-ghost')).toContainText(`Séminaire ${stamp}`);
  await expect(page.locator(cell(thursday)).getByTestId('agenda-drag-ghost')).toHaveCount(1);
  await expect(ghost).toHaveCount(2);
  await page.mouse.up();
  await expect(chip(wednesday, uids.seminaire)).toBeVisible();
  await expect(chip(thursday, uids.seminaire)).toBeVisible();
  await expect(chip(monday, uids.seminaire)).toHaveCount(0);
  await expect.poll(() => serverDates(uids.seminaire), { timeout: 30_000 }).toEqual({ start: wednesday, end: friday, dates: true });

  // Month: Échap gives the drag up; letting go then opens nothing and the server keeps Thursday.
  await dragTo(page, await middle(page, `${cell(thursday)} [data-uid="${uids.atelier}"]`), await middle(page, cell(friday)));
  await expect(page.locator(cell(friday)).getByTestId('agenda-drag-ghost')).toHaveCount(1);
  await page.keyboard.press('Escape');
  await expect(ghost).toHaveCount(0);
  await page.mouse.up();
  await page.waitForTimeout(300);
  await expect(page.getByTestId('event-editor')).toHaveCount(0);
  await expect(chip(thursday, uids.atelier)).toBeVisible();
  // An invitation received does not move in the month either.
  await expect(chip(wednesday, uids.invited)).not.toHaveClass(/is-movable/);
  await dragTo(page, await middle(page, `${cell(wednesday)} [data-uid="${uids.invited}"]`), await middle(page, cell(friday)));
  await expect(ghost).toHaveCount(0);
  await page.mouse.up();
  await page.waitForTimeout(300);
  await expect(page.getByTestId('event-editor')).toHaveCount(0);
  await expect(page.getByTestId('event-details')).toHaveCount(0);
  await expect(chip(wednesday, uids.invited)).toBeVisible();
  expect(await serverTimes(uids.atelier)).toEqual({ start: `${thursday}T10:00:00`, end: `${thursday}T11:30:00` });
  expect(await serverTimes(uids.invited)).toEqual({ start: `${wednesday}T14:00:00`, end: `${wednesday}T15:00:00` });
  // A click still opens the event.
  await chip(thursday, uids.atelier).click();
  await expect(page.getByTestId('event-details')).toContainText('de 10:00 à 11:30');
  await page.getByTestId('event-details').getByRole('button', { name: 'Fermer' }).click();

  // The week (Monday's cell, Entrée: its day; S: its week). The all-day band: Friday's meeting onto Tuesday.
  await page.locator(cell(monday)).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('agenda-timegrid')).toBeVisible();
  await page.keyboard.press('s');
  const bandCell = (day: string) => `.agenda-tg-allday-cell[data-day="${day}"]`;
  await expect(page.locator(`${bandCell(friday)} [data-uid="${uids.permanence}"]`)).toBeVisible();
  await dragTo(page, await middle(page, `${bandCell(friday)} [data-uid="${uids.permanence}"]`), await middle(page, bandCell(tuesday)));
  await expect(page.locator(bandCell(tuesday)).getByTestId('agenda-drag-ghost')).toContainText(`Permanence ${stamp}`);
  await page.mouse.up();
  const dialog = page.getByTestId('move-event');
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText('toute la journée');
  await expect(dialog).toContainText(`${s.users[1]!.name} recevra la modification par courriel.`);
  await page.screenshot({ path: path.join(SHOTS_DIR, 'agenda-deplacer-bande.png') });
  await dialog.getByRole('button', { name: 'Déplacer et prévenir' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(page.locator(`${bandCell(tuesday)} [data-uid="${uids.permanence}"]`)).toBeVisible();
  await expect.poll(() => serverDates(uids.permanence), { timeout: 30_000 }).toEqual({ start: tuesday, end: wednesday, dates: true });

  // Auto-scroll: a shorter window, the grid from 8:00 (19:00 out of sight); the pointer held at the grid's bottom edge
  // scrolls it down to the evening, then Wednesday's 09:00 meeting is let go at 19:00.
  await page.setViewportSize({ width: 1400, height: 700 });
  const scroller = page.locator('.agenda-tg-scroll');
  await scroller.evaluate((el) => (el.scrollTop = 8 * 44));
  const area = (await scroller.boundingBox())!;
  expect((await gridPoint(page, wednesday, 19 * 60)).y).toBeGreaterThan(area.y + area.height);
  await dragTo(page, await gridPoint(page, wednesday, 9 * 60 + 10), { x: area.x + area.width / 2, y: area.y + area.height - 4 });
  await expect(ghost).toBeVisible();
  await expect.poll(() => scroller.evaluate((el) => el.scrollTop >= el.scrollHeight - el.clientHeight - 1), { timeout: 10_000 }).toBe(true);
  const evening = await gridPoint(page, wednesday, 19 * 60 + 10);
  expect(evening.y).toBeGreaterThan(area.y + 60);
  expect(evening.y).toBeLessThan(area.y + area.height - 60);
  await page.mouse.move(evening.x, evening.y, { steps: 4 });
  await expect(ghost).toContainText('19:00 – 20:00');
  await page.screenshot({ path: path.join(SHOTS_DIR, 'agenda-deplacer-defilement.png') });
  await page.mouse.up();
  await expect(page.locator(`.agenda-tg-col[data-day="${wednesday}"]`).locator(`[data-uid="${uids.late}"]`)).toContainText('19:00 – 20:00');
  await expect
    .poll(() => serverTimes(uids.late), { timeout: 30_000 })
    .toEqual({ start: `${wednesday}T19:00:00`, end: `${wednesday}T20:00:00` });
});
