/**
 * Agenda: a calendar shared to the agent in read-only (Radicale rights « r », tests/servers/configs.ts), as a
 * colleague's agenda or the town's public holidays on Nextcloud or SOGo. The calendars' list shows it with a lock
 * and « lecture seule »; its event opens in the details without « Modifier » nor « Supprimer », and cannot be
 * dragged nor resized (the file on Radicale stays byte for byte); « Nouvel événement » does not offer it. The agent's
 * own calendar beside it stays writable (its event has the resize handle).
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { addDays, parisToday, weekday } from './dav.js';
import { findEnglishWords } from './english-words.js';
import { SHOTS_DIR, addAccountByCli, servers, startOstal, tempProfile, type RunningOstal } from './ostal.js';
import { imapConnection } from '../integration/mail-offline-fixture.js';
import { eventIcs, readOnlyCalendarUser } from '../integration/read-only-fixture.js';

let ostal: RunningOstal | undefined;
const stamp = `e2electure${Date.now().toString(36)}`;
const HOUR_PX = 44;

test.afterEach(async () => {
  await ostal?.stop();
  ostal = undefined;
});

const tile = (page: Page, uid: string) => page.locator(`[data-testid="agenda-event"][data-uid="${uid}"]`);

async function gridPoint(page: Page, day: string, minutes: number): Promise<{ x: number; y: number }> {
  const box = (await page.locator(`.agenda-tg-col[data-day="${day}"]`).boundingBox())!;
  return { x: box.x + box.width / 2, y: box.y + (minutes / 60) * HOUR_PX };
}

test('agenda : un agenda partagé en lecture seule porte un cadenas, ses événements ne se modifient pas et ne bougent pas', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const s = servers();
  const monday = addDays(parisToday(), 21 - weekday(parisToday()));
  const [tuesday, wednesday] = [addDays(monday, 1), addDays(monday, 2)];
  const uids = { holiday: `ferie-${stamp}`, own: `propre-${stamp}` };
  const setup = await readOnlyCalendarUser(
    s,
    'test-e2e-lecture-seule',
    [{ uid: uids.holiday, ics: eventIcs(uids.holiday, tuesday, '10:00', '11:00', `Cérémonie du souvenir ${stamp}`) }],
    [{ uid: uids.own, ics: eventIcs(uids.own, tuesday, '14:00', '15:00', `Permanence ${stamp}`) }],
  );
  // Dovecot knows the new agent (it re-reads its file when it sees it changed) before the account is added.
  await (await imapConnection(s, setup.user)).logout();
  const before = fs.readFileSync(setup.storageOf(uids.holiday), 'utf8');

  const profileDir = tempProfile();
  addAccountByCli(profileDir, setup.user, {}, 'mail,calendar');
  ostal = await startOstal({ profileDir });
  await page.setViewportSize({ width: 1400, height: 1000 });
  await page.goto(ostal.url);
  await page.getByRole('button', { name: 'Agenda' }).click();
  await expect(page.getByTestId('agenda-timegrid')).toBeVisible({ timeout: 30_000 });

  // The calendars' list: the read-only one with its lock and « lecture seule », the agent's own without.
  const list = page.getByRole('list', { name: 'Agendas' });
  await expect(list).toBeVisible({ timeout: 30_000 });
  const shared = list.locator('[data-read-only="true"]');
  await expect(shared).toHaveCount(1);
  await expect(shared).toContainText(setup.readOnlyName);
  await expect(shared).toContainText('lecture seule');
  await expect(shared.getByTestId('agenda-calendar-lock').locator('svg')).toBeVisible();
  await expect(shared).toHaveAttribute(
    'title',
    `${setup.readOnlyName}, en lecture seule\u00a0: vous pouvez consulter ses événements, pas les modifier`,
  );
  const own = list.locator('[data-read-only="false"]');
  await expect(own).toContainText(setup.writableName);
  await expect(own.getByTestId('agenda-calendar-lock')).toHaveCount(0);

  await page.getByTestId('agenda-period').click();
  for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
  await expect(tile(page, uids.holiday)).toBeVisible({ timeout: 30_000 });
  await page.locator('.agenda-tg-scroll').evaluate((el) => (el.scrollTop = 9 * 44));
  const holidayItem = page.locator(`.agenda-tg-item:has([data-uid="${uids.holiday}"])`);
  const ownItem = page.locator(`.agenda-tg-item:has([data-uid="${uids.own}"])`);
  // The agent's own event may be moved (handle), the read-only one not.
  await expect(ownItem.getByTestId('agenda-event-resize')).toHaveCount(1);
  await expect(holidayItem.getByTestId('agenda-event-resize')).toHaveCount(0);
  await expect(holidayItem).not.toHaveClass(/is-movable/);

  // A drag of the read-only event to Wednesday 14:00: no ghost, nothing moves, nothing opens, nothing sent.
  const from = await gridPoint(page, tuesday, 10 * 60 + 10);
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  const to = await gridPoint(page, wednesday, 14 * 60 + 10);
  await page.mouse.move(to.x, to.y, { steps: 12 });
  await expect(page.getByTestId('agenda-drag-ghost')).toHaveCount(0);
  await page.mouse.up();
  await expect(page.getByTestId('event-details')).toHaveCount(0);
  await expect(page.getByTestId('event-editor')).toHaveCount(0);
  await expect(page.locator(`.agenda-tg-col[data-day="${tuesday}"]`).locator(`[data-uid="${uids.holiday}"]`)).toContainText(
    '10:00 – 11:00',
  );
  await expect(page.locator(`.agenda-tg-col[data-day="${wednesday}"]`).locator(`[data-uid="${uids.holiday}"]`)).toHaveCount(0);

  // Its details: who it belongs to, that it is read-only, no « Modifier » nor « Supprimer ».
  await tile(page, uids.holiday).click();
  const details = page.getByTestId('event-details');
  await expect(details).toBeVisible();
  await expect(details).toContainText(`Agenda\u00a0: ${setup.readOnlyName}`);
  await expect(details.getByTestId('event-read-only')).toContainText('Cet agenda est en lecture seule');
  await expect(details.getByRole('button', { name: 'Modifier' })).toHaveCount(0);
  await expect(details.getByRole('button', { name: /Supprimer/ })).toHaveCount(0);
  await expect(details.getByRole('button', { name: 'Fermer' })).toBeVisible();
  expect(findEnglishWords(await page.locator('main').innerText())).toEqual([]);
  await page.screenshot({ path: path.join(SHOTS_DIR, 'agenda-lecture-seule.png') });
  await details.getByRole('button', { name: 'Fermer' }).click();
  await expect(details).toHaveCount(0);

  // The agent's own event opens with « Modifier ».
  await tile(page, uids.own).click();
  await expect(details.getByRole('button', { name: 'Modifier' })).toBeVisible();
  await details.getByRole('button', { name: 'Fermer' }).click();

  // « Nouvel événement »: the read-only calendar is not offered (only one calendar left to write in: no choice shown).
  await page.getByTestId('new-event').click();
  const editor = page.getByTestId('event-editor');
  await expect(editor).toBeVisible();
  await expect(editor.locator('#ev-calendar')).toHaveCount(0);
  await page.keyboard.press('Escape');
  await expect(editor).toHaveCount(0);

  expect(fs.readFileSync(setup.storageOf(uids.holiday), 'utf8')).toBe(before);
});
