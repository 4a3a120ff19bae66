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
