/**
 * Agenda in the browser: a weekly event created in « Nouvel événement » (participant, visio, rappel) shows in
 * the week grid and reaches Radicale; one occurrence moved (« Cet événement ») and one cancelled land on
 * Radicale as RECURRENCE-ID and EXDATE (checked by a REPORT sent directly to Radicale, not through Ostal);
 * « Rejoindre » opens Visio with the link. Screenshots of the day, week and month views and of the dialogs.
 * agent5's calendar (unique titles).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import ICAL from 'ical.js';
import {
  addDays,
  axeProblems,
  calendarByUid,
  calendarPath,
  deleteCalendarResources,
  frDate,
  parisToday,
  putEvent,
  weekday,
} from './dav.js';
import { SHOTS_DIR, addAccountByCli, servers, startOstal, tempProfile, type RunningOstal, expectConnectionState } from './ostal.js';

let ostal: RunningOstal | undefined;
const stamp = `e2e${Date.now().toString(36)}`;

test.afterEach(async () => {
  await ostal?.stop();
  ostal = undefined;
  // A test that failed half-way leaves no event behind to be due (or shown) in the next one.
  await deleteCalendarResources(agent5(), stamp);
});
const VISIO = 'https://visio.ostal.test';

const agent5 = () => servers().users[4]!;

/** What Radicale holds for the event: the master's RRULE and EXDATEs, and each override's RECURRENCE-ID → DTSTART. */
async function serverShape(
  uid: string,
): Promise<{ rrule: string; exdates: string[]; overrides: Record<string, string>; summary: string; conference: string | null } | null> {
  const [raw] = await calendarByUid(agent5(), uid);
  if (!raw) return null;
  const vevents = new ICAL.Component(ICAL.parse(raw) as unknown[]).getAllSubcomponents('vevent');
  const master = vevents.find((v) => !v.hasProperty('recurrence-id'))!;
  const overrides: Record<string, string> = {};
  for (const o of vevents.filter((v) => v.hasProperty('recurrence-id')))
    overrides[String(o.getFirstPropertyValue('recurrence-id'))] = String(o.getFirstPropertyValue('dtstart'));
  return {
    rrule: String(master.getFirstPropertyValue('rrule') ?? ''),
    exdates: master.getAllProperties('exdate').map((p) => String(p.getFirstValue())),
    overrides,
    summary: String(master.getFirstPropertyValue('summary')),
    conference: (master.getFirstPropertyValue('conference') as string | null) ?? null,
  };
}

/** The DTSTART of the event's master on Radicale (« 2026-12-21T10:00:00 »). */
async function serverStart(uid: string): Promise<string> {
  const [raw] = await calendarByUid(agent5(), uid);
  const vevent = new ICAL.Component(ICAL.parse(raw!) as unknown[])
    .getAllSubcomponents('vevent')
    .find((v) => !v.hasProperty('recurrence-id'))!;
  return String(vevent.getFirstPropertyValue('dtstart'));
}

/** The ATTENDEE values of the event's master on Radicale. */
async function serverAttendees(uid: string): Promise<string[]> {
  const [raw] = await calendarByUid(agent5(), uid);
  const vevent = new ICAL.Component(ICAL.parse(raw!) as unknown[])
    .getAllSubcomponents('vevent')
    .find((v) => !v.hasProperty('recurrence-id'))!;
  return vevent.getAllProperties('attendee').map((p) => String(p.getFirstValue()));
}

async function pressOnGrid(page: Page, key: string): Promise<void> {
  await page.getByTestId('agenda-period').click();
  await page.keyboard.press(key);
}

test('agenda : un événement hebdomadaire créé dans la vue, une date déplacée et une annulée, exactement ainsi sur Radicale', async ({
  page,
}) => {
  const s = servers();
  const profileDir = tempProfile();
  addAccountByCli(profileDir, s.users[4]!, {}, 'mail,calendar');
  const policyFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-agenda-policy-')), 'policies.json');
  fs.writeFileSync(policyFile, JSON.stringify({ settings: { 'visio.serverUrl': { value: VISIO, locked: true } } }));
  ostal = await startOstal({ profileDir, env: { OSTAL_POLICIES: policyFile } });
  await page.goto(ostal.url);
  await page.getByRole('button', { name: 'Agenda' }).click();
  await expect(page.getByTestId('agenda-timegrid')).toBeVisible({ timeout: 30_000 });
  await expectConnectionState(page, profileDir, 'online');
  // The current week shows where today is now: one line, in today's column, at the time of day (Outlook's red line).
  const nowLine = page.getByTestId('agenda-now');
  await expect(nowLine).toHaveCount(1);
  await expect(page.locator(`.agenda-tg-col[data-day="${parisToday()}"]`).getByTestId('agenda-now')).toHaveCount(1);
  const lineMinutes = ((await nowLine.evaluate((line) => parseFloat((line as HTMLElement).style.top))) / 44) * 60;
  const wall = new Date();
  const minutesNow =
    Number(wall.toLocaleString('en-GB', { timeZone: 'Europe/Paris', hour: '2-digit', hourCycle: 'h23' })) * 60 + wall.getMinutes();
  const apart = Math.abs(lineMinutes - minutesNow);
  expect(Math.min(apart, 24 * 60 - apart), 'minutes between the line and the clock').toBeLessThanOrEqual(2);
  // In sight when the week opens, whatever the time of day (the grid opens on 7:00 unless now is elsewhere).
  const hours = page.getByRole('region', { name: 'Heures de la journée (flèches pour faire défiler)' });
  const [lineBox, hoursBox] = [(await nowLine.boundingBox())!, (await hours.boundingBox())!];
  expect(lineBox.y).toBeGreaterThanOrEqual(hoursBox.y);
  expect(lineBox.y).toBeLessThanOrEqual(hoursBox.y + hoursBox.height);
  await page.screenshot({ path: path.join(SHOTS_DIR, 'agenda-maintenant.png') });

  // Monday two weeks ahead: the whole series is in the future.
  const monday = addDays(parisToday(), 14 - weekday(parisToday()));
  const title = `Réunion de service ${stamp}`;
  const gridTop = async () => (await page.getByTestId('agenda-timegrid').boundingBox())!.y;
  await page.getByTestId('new-event').click();
  const editor = page.getByTestId('event-editor');
  await expect(editor).toBeVisible();
  await editor.getByLabel('Titre').fill(title);
  await editor.getByLabel('Date de début').fill(frDate(monday));
  // Times as agents write them (« 10h », « 11 h »): read, and shown back as « 10:00 » once the box is left.
  await editor.getByLabel('Heure de début').fill('10h');
  await editor.getByLabel('Date de fin').fill(frDate(monday));
  await expect(editor.getByLabel('Heure de début')).toHaveValue('10:00');
  await editor.getByLabel('Heure de fin').fill('11 h');
  await editor.getByLabel('Lieu').fill('Salle des mariages');
  await expect(editor.getByLabel('Heure de fin')).toHaveValue('11:00');
  // A participant picked as « Nom <adresse> » and left in the field (saved without Entrée): its address is invited,
  // not the text typed.
  const participants = editor.getByLabel('Participants', { exact: true });
  await participants.fill(`${s.users[1]!.name} <${s.users[1]!.email}>`);
  await editor.getByLabel('Répétition').selectOption({ label: 'Toutes les semaines le lundi' });
  await editor.getByLabel('Rappel').selectOption({ label: '15 minutes avant' });
  await editor.getByTestId('add-visio').click();
  await expect(editor.getByTestId('editor-meeting-link')).toContainText(`${VISIO}/salle/`);
  const link = ((await editor.getByTestId('editor-meeting-link').locator('code').textContent()) ?? '').trim();
  expect(link).toMatch(/^https:\/\/visio\.ostal\.test\/salle\/[A-Za-z0-9_-]{22}$/);
  await page.screenshot({ path: path.join(SHOTS_DIR, 'agenda-editeur.png') });
  expect(await axeProblems(page), 'axe-core, éditeur').toEqual([]);
  const topBefore = await gridTop();
  await editor.getByTestId('save-event').click();
  await expect(editor).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: 'Événement enregistré' })).toBeVisible();
  // The confirmation floats over the page: the grid does not move under the pointer when it comes (and goes).
  expect(await gridTop()).toBe(topBefore);

  // Two weeks ahead in the grid (keyboard).
  await pressOnGrid(page, 'ArrowRight');
  await page.keyboard.press('ArrowRight');
  const events = page.getByTestId('agenda-event').filter({ hasText: title });
  await expect(events).toHaveCount(1);
  const uid = (await events.first().getAttribute('data-uid'))!;
  expect(uid).toBeTruthy();
  await expect.poll(async () => (await serverShape(uid))?.summary, { timeout: 30_000 }).toBe(title);
  expect((await serverShape(uid))!.rrule).toBe('FREQ=WEEKLY;BYDAY=MO');
  expect((await serverShape(uid))!.conference).toBe(link);
  expect(await serverStart(uid)).toBe(`${monday}T10:00:00`);
  expect(await serverAttendees(uid)).toEqual([`mailto:${s.users[1]!.email}`]);
  // A one-hour tile in the week: the long title wraps over the tile's two lines (Outlook), not cut after « Réunion
  // de se… »; the block ends on a whole line (nothing half drawn at the bottom of the tile).
  const tileText = await events.first().evaluate((tile) => {
    const title = tile.querySelector('.agenda-event-title') as HTMLElement;
    const block = tile.querySelector('.agenda-event-lines') as HTMLElement;
    const line = parseFloat(getComputedStyle(title).lineHeight);
    return {
      titleLines: Math.round(title.getBoundingClientRect().height / line),
      blockLines: block.getBoundingClientRect().height / line,
      inside: block.getBoundingClientRect().bottom <= tile.getBoundingClientRect().bottom,
    };
  });
  expect(tileText).toEqual({ titleLines: 2, blockLines: 2, inside: true });
  await page.screenshot({ path: path.join(SHOTS_DIR, 'agenda-semaine.png') });
  expect(await axeProblems(page), 'axe-core, semaine').toEqual([]);

  // Details: « Rejoindre » is offered.
  await events.first().click();
  const details = page.getByTestId('event-details');
  await expect(details).toContainText('de 10:00 à 11:00');
  await expect(details).toContainText(s.users[1]!.email);
  await expect(details.getByTestId('join-meeting')).toBeVisible();
  await page.screenshot({ path: path.join(SHOTS_DIR, 'agenda-details.png') });
  expect(await axeProblems(page), 'axe-core, détails').toEqual([]);
  await details.getByRole('button', { name: 'Fermer' }).click();

  // Next week: « Cet événement » moved to Tuesday 14:00.
  await pressOnGrid(page, 'ArrowRight');
  await page.getByTestId('agenda-event').filter({ hasText: title }).click();
  await details.getByTestId('edit-event').click();
  await expect(editor.getByLabel('Cet événement', { exact: true })).toBeChecked();
  const tuesday = addDays(monday, 8);
  await editor.getByLabel('Date de début').fill(frDate(tuesday));
  await editor.getByLabel('Heure de début').fill('14:00');
  await editor.getByLabel('Date de fin').fill(frDate(tuesday));
  await editor.getByLabel('Heure de fin').fill('15:00');
  await editor.getByTestId('save-event').click();
  await expect(editor).toBeHidden();
  await expect(page.locator(`.agenda-tg-col[data-day="${tuesday}"]`).getByTestId('agenda-event').filter({ hasText: title })).toBeVisible();

  // The week after: that one is cancelled.
  await pressOnGrid(page, 'ArrowRight');
  await page.getByTestId('agenda-event').filter({ hasText: title }).click();
  await details.getByTestId('delete-occurrence').click();
  // A participant is told: asked first (« Ne pas supprimer » keeps it), as Outlook.
  const confirm = details.getByTestId('delete-confirm');
  await expect(confirm).toContainText(`${s.users[1]!.name} recevra une annulation par courriel. Supprimer quand même\u00a0?`);
  await page.screenshot({ path: path.join(SHOTS_DIR, 'agenda-suppression-confirmer.png') });
  await confirm.getByRole('button', { name: 'Ne pas supprimer' }).click();
  await expect(confirm).toHaveCount(0);
  await expect(page.getByTestId('agenda-event').filter({ hasText: title })).toHaveCount(1);
  await details.getByTestId('delete-occurrence').click();
  await details.getByTestId('delete-confirm-yes').click();
  await expect(page.getByTestId('agenda-event').filter({ hasText: title })).toHaveCount(0);

  const at = (key: string, time: string) => `${key}T${time}:00`;
  await expect
    .poll(async () => serverShape(uid), { timeout: 30_000 })
    .toEqual({
      rrule: 'FREQ=WEEKLY;BYDAY=MO',
      exdates: [at(addDays(monday, 14), '10:00')],
      overrides: { [at(addDays(monday, 7), '10:00')]: at(tuesday, '14:00') },
      summary: title,
      conference: link,
    });

  // Day and month views.
  await pressOnGrid(page, 'ArrowLeft');
  await page.getByTestId('mode-jour').click();
  // The day view opens on the anchor (today + 21 days): walk to the Tuesday of the moved occurrence.
  const shift = 1 - weekday(parisToday());
  await page.getByTestId('agenda-period').click();
  for (let i = 0; i < Math.abs(shift); i++) await page.keyboard.press(shift > 0 ? 'ArrowRight' : 'ArrowLeft');
  await expect(page.getByTestId('agenda-period')).toContainText('mardi');
  await expect(page.getByTestId('agenda-event').filter({ hasText: title })).toBeVisible();
  // Wide enough for the title on one line: the one-hour tile draws its time line whole under it.
  expect(
    await page
      .getByTestId('agenda-event')
      .filter({ hasText: title })
      .evaluate((tile) => {
        const title = tile.querySelector('.agenda-event-title')!.getBoundingClientRect();
        const time = tile.querySelector('.agenda-event-time')!.getBoundingClientRect();
        const block = tile.querySelector('.agenda-event-lines')!.getBoundingClientRect();
        return { titleOneLine: time.top >= title.bottom - 0.5, timeWhole: time.height > 0 && time.bottom <= block.bottom + 0.5 };
      }),
  ).toEqual({ titleOneLine: true, timeWhole: true });
  await page.screenshot({ path: path.join(SHOTS_DIR, 'agenda-jour.png') });
  await page.keyboard.press('m');
  await expect(page.getByTestId('agenda-month')).toBeVisible();
  await expect(page.getByTestId('agenda-event').filter({ hasText: title }).first()).toBeVisible();
  await page.screenshot({ path: path.join(SHOTS_DIR, 'agenda-mois.png') });
  expect(await axeProblems(page), 'axe-core, mois').toEqual([]);

  // « Rejoindre »: Visio opens with the link in the address.
  await page.getByTestId('agenda-event').filter({ hasText: title }).first().click();
  await details.getByTestId('join-meeting').click();
  await expect(page.getByRole('heading', { level: 1, name: 'Visio' })).toBeVisible();
  // The Visio view takes the link from the address (?salle=) and opens the screen before entering, with that link.
  await expect(page.getByTestId('visio-prejoin')).toBeVisible();
  await page.getByRole('button', { name: 'Retour' }).click();
  await expect(page.getByTestId('visio-link')).toHaveValue(link);
  await deleteCalendarResources(agent5(), stamp);
});

test('agenda : un événement créé directement sur le serveur apparaît après synchronisation ; le rappel d’un événement proche s’affiche dans toute l’application, « Rappeler dans 5 min » le cache', async ({
  page,
}) => {
  const s = servers();
  const profileDir = tempProfile();
  addAccountByCli(profileDir, s.users[4]!, {}, 'mail,calendar');
  ostal = await startOstal({ profileDir });
  await page.goto(ostal.url);
  await page.getByRole('button', { name: 'Agenda' }).click();
  await expect(page.getByTestId('agenda-timegrid')).toBeVisible({ timeout: 30_000 });

  // An event created directly on Radicale (not through Ostal) appears after « Synchroniser ».
  const serverTitle = `Créé sur le serveur ${stamp}`;
  const today = parisToday();
  const serverUid = `serveur-${stamp}`;
  const ics = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Test//FR',
    'BEGIN:VEVENT',
    `UID:${serverUid}`,
    'DTSTAMP:20261130T120000Z',
    `DTSTART;VALUE=DATE:${today.replaceAll('-', '')}`,
    `DTEND;VALUE=DATE:${addDays(today, 1).replaceAll('-', '')}`,
    `SUMMARY:${serverTitle}`,
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');
  expect(await putEvent(agent5(), `${calendarPath(agent5())}${serverUid}.ics`, ics)).toBe(201);
  await expect(page.getByTestId('agenda-event').filter({ hasText: serverTitle })).toHaveCount(0);
  await page.getByRole('button', { name: 'Synchroniser' }).click();
  await expect(page.getByTestId('agenda-event').filter({ hasText: serverTitle })).toBeVisible({ timeout: 30_000 });

  // Starts in 10 minutes (Paris wall clock), 15-minute reminder (the default of a new event).
  const paris = (ms: number) => {
    const p = Object.fromEntries(
      new Intl.DateTimeFormat('fr-FR', {
        timeZone: 'Europe/Paris',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      })
        .formatToParts(new Date(ms))
        .map((x) => [x.type, x.value]),
    );
    return { date: `${p.day}/${p.month}/${p.year}`, time: `${p.hour}:${p.minute}` };
  };
  const start = paris(Date.now() + 10 * 60_000);
  const end = paris(Date.now() + 40 * 60_000);
  const title = `Point rapide ${stamp}`;
  await page.getByTestId('new-event').click();
  const editor = page.getByTestId('event-editor');
  await editor.getByLabel('Titre').fill(title);
  await editor.getByLabel('Date de début').fill(start.date);
  await editor.getByLabel('Heure de début').fill(start.time);
  await editor.getByLabel('Date de fin').fill(end.date);
  await editor.getByLabel('Heure de fin').fill(end.time);
  await expect(editor.getByLabel('Rappel')).toHaveValue('15');
  await editor.getByTestId('add-visio').click();
  // No Visio server in this profile's settings: a French message, the event can still be saved.
  await expect(editor.getByRole('alert')).toContainText('Aucun serveur de visio n’est configuré');
  await editor.getByTestId('save-event').click();
  await expect(editor).toBeHidden();

  // The reminder shows in any view.
  await page.getByRole('button', { name: 'Courrier' }).click();
  const reminders = page.getByTestId('agenda-reminders');
  await expect(reminders).toContainText(title, { timeout: 45_000 });
  await expect(reminders).toContainText(`Commence à ${start.time}`);
  await page.screenshot({ path: path.join(SHOTS_DIR, 'agenda-rappel.png') });
  // This event's own notice (another event of agent5 may be due at the same time, e.g. left by a failed try).
  const notice = reminders.getByRole('alert').filter({ hasText: title });
  await notice.getByTestId('reminder-snooze').click();
  await expect(notice).toHaveCount(0);

  // Clean up: delete it from the agenda, in « À venir » (10 minutes from now may already be next week: at 23:50
  // on a Sunday the week shown does not hold it).
  await page.getByRole('button', { name: 'Agenda' }).click();
  await page.getByTestId('mode-avenir').click();
  await page.getByTestId('agenda-event').filter({ hasText: title }).first().click();
  await page.getByTestId('event-details').getByTestId('delete-event').click();
  await expect(page.getByTestId('agenda-event').filter({ hasText: title })).toHaveCount(0);
  await deleteCalendarResources(agent5(), stamp);
});
