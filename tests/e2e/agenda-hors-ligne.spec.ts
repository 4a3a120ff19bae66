/**
 * Agenda and contacts offline: with Radicale stopped, an event created and another edited in the Agenda view,
 * and a contact created then edited in Contacts, show at once (events marked « en attente d’envoi au
 * serveur »); when Radicale returns, « Synchroniser » sends them and the server holds exactly those changes
 * (checked by REPORT / PROPFIND / GET sent directly to Radicale). An event also edited on the server in the
 * meantime gives a visible conflict notice: the server's version is kept, the user's is still there and
 * « Réappliquer ma modification » puts it on the server. agent3's calendar and address book (unique names).
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import ICAL from 'ical.js';
import { startServer, stopServer } from '../servers/index.js';
import { addressBookCards, bookPath, calendarPath, calendarResources, frDate, parisToday, radicale as radicaleAs } from './dav.js';
import { SHOTS_DIR, addAccountByCli, servers, startOstal, tempProfile, type RunningOstal } from './ostal.js';

let ostal: RunningOstal | undefined;
test.afterEach(async () => {
  await ostal?.stop();
  ostal = undefined;
});

const stamp = `e2e${Date.now().toString(36)}`;
const user = () => servers().users[2]!;

/** One request sent directly to Radicale as agent3 (not through Ostal). */
const radicale = (method: string, urlPath: string, body?: string) => radicaleAs(user(), method, urlPath, body);

/** SUMMARY of every event of agent3's « agenda » whose text holds `needle` (calendar-query REPORT), keyed by UID. */
async function serverEvents(needle: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const { raw } of await calendarResources(user(), needle))
    for (const v of new ICAL.Component(ICAL.parse(raw) as unknown[]).getAllSubcomponents('vevent'))
      out[String(v.getFirstPropertyValue('uid'))] = String(v.getFirstPropertyValue('summary'));
  return out;
}

/** « FN | TEL, TEL » of every card of agent3's address book whose text holds `needle` (PROPFIND then GET). */
async function serverCards(needle: string): Promise<string[]> {
  return (await addressBookCards(user(), needle))
    .map((raw) => {
      const card = new ICAL.Component(ICAL.parse(raw) as unknown[]);
      return `${String(card.getFirstPropertyValue('fn'))} | ${card
        .getAllProperties('tel')
        .map((p) => String(p.getFirstValue()))
        .join(', ')}`;
    })
    .sort();
}

/** Delete from Radicale every event and card of agent3 whose text holds `needle`. */
async function cleanup(needle: string): Promise<void> {
  for (const { href } of await calendarResources(user(), needle)) await radicale('DELETE', href);
  const list = await radicale(
    'PROPFIND',
    bookPath(user()),
    '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:getetag/></D:prop></D:propfind>',
  );
  for (const m of list.body.matchAll(/<(?:\w+:)?href>([^<]+\.vcf)<\/(?:\w+:)?href>/g))
    if ((await radicale('GET', m[1]!)).body.includes(needle)) await radicale('DELETE', m[1]!);
}

/** A fuzz-corpus file (tests/fixtures/fuzz) with STAMP replaced, in its own encoding (Windows-1252 or UTF-16LE). */
function fixture(file: string): Buffer {
  const bytes = fs.readFileSync(path.join(process.cwd(), 'tests/fixtures/fuzz', file));
  if (bytes[0] === 0xff && bytes[1] === 0xfe)
    return Buffer.concat([bytes.subarray(0, 2), Buffer.from(bytes.subarray(2).toString('utf16le').replaceAll('STAMP', stamp), 'utf16le')]);
  return Buffer.from(bytes.toString('latin1').replaceAll('STAMP', stamp), 'latin1');
}

const pad = (n: number) => String(n).padStart(2, '0');

function eventIcs(uid: string, day: string, hour: number, summary: string): string {
  const d = day.replaceAll('-', '');
  return [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Test//FR',
    'BEGIN:VEVENT',
    `UID:${uid}`,
    'DTSTAMP:20261130T120000Z',
    `DTSTART;TZID=Europe/Paris:${d}T${pad(hour)}0000`,
    `DTEND;TZID=Europe/Paris:${d}T${pad(hour + 1)}0000`,
    `SUMMARY:${summary}`,
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');
}

/** Open an event of the grid and change its title in the editor. */
async function retitle(page: Page, uid: string, title: string): Promise<void> {
  await page.locator(`[data-testid="agenda-event"][data-uid="${uid}"]`).first().click();
  const details = page.getByTestId('event-details');
  await details.getByTestId('edit-event').click();
  const editor = page.getByTestId('event-editor');
  await editor.getByLabel('Titre').fill(title);
  await editor.getByTestId('save-event').click();
  await expect(editor).toBeHidden();
}

test('agenda et contacts hors ligne : créés et modifiés pendant l’arrêt de Radicale, affichés aussitôt, envoyés au retour ; une modification concurrente donne un conflit visible, rien n’est perdu', async ({
  page,
}) => {
  test.setTimeout(180_000);
  const s = servers();
  const today = parisToday();
  const uids = { edit: `modif-${stamp}`, conflict: `conflit-${stamp}` };
  const titles = {
    edit: `Permanence ${stamp}`,
    edited: `Permanence déplacée ${stamp}`,
    conflict: `Commission ${stamp}`,
    conflictMine: `Commission (ma version) ${stamp}`,
    conflictServer: `Commission (version du serveur) ${stamp}`,
    created: `Réunion hors ligne ${stamp}`,
  };
  expect((await radicale('PUT', `${calendarPath(user())}${uids.edit}.ics`, eventIcs(uids.edit, today, 9, titles.edit))).status).toBe(201);
  const first = await radicale('PUT', `${calendarPath(user())}${uids.conflict}.ics`, eventIcs(uids.conflict, today, 14, titles.conflict));
  expect(first.status).toBe(201);

  const profileDir = tempProfile();
  // Contacts too: the address book must be known before Radicale stops (the first background sync may not reach it in time).
  addAccountByCli(profileDir, user(), {}, 'mail,calendar,contacts');
  ostal = await startOstal({ profileDir });
  await page.goto(ostal.url);
  await page.getByRole('button', { name: 'Agenda' }).click();
  await expect(page.getByTestId('agenda-timegrid')).toBeVisible({ timeout: 30_000 });
  const tile = (uid: string) => page.locator(`[data-testid="agenda-event"][data-uid="${uid}"]`).first();
  await expect(tile(uids.conflict)).toContainText(titles.conflict, { timeout: 30_000 });
  await expect(tile(uids.edit)).toContainText(titles.edit);

  let createdUid = '';
  const contact = { name: `Bérénice Roux ${stamp}`, phone: '04 67 00 00 00', phoneEdited: '04 67 99 88 77' };
  try {
    // Another client changes the « Commission » on the server (new ETag) just before the connection drops.
    const serverEdit = await radicale(
      'PUT',
      `${calendarPath(user())}${uids.conflict}.ics`,
      eventIcs(uids.conflict, today, 14, titles.conflictServer),
    );
    expect(serverEdit.status).toBeGreaterThanOrEqual(200);
    expect(serverEdit.status).toBeLessThan(300);
    expect(serverEdit.etag).not.toBe(first.etag);
    await stopServer(s, 'radicale');

    // A new event: shows at once, waiting to be sent.
    await page.getByTestId('new-event').click();
    const editor = page.getByTestId('event-editor');
    await editor.getByLabel('Titre').fill(titles.created);
    await editor.getByLabel('Date de début').fill(frDate(today));
    await editor.getByLabel('Heure de début').fill('11:00');
    await editor.getByLabel('Date de fin').fill(frDate(today));
    await editor.getByLabel('Heure de fin').fill('12:00');
    await editor.getByTestId('save-event').click();
    await expect(editor).toBeHidden();
    const created = page.getByTestId('agenda-event').filter({ hasText: titles.created });
    await expect(created).toHaveCount(1);
    await expect(created).toHaveClass(/is-pending/);
    await expect(created).toHaveAttribute('aria-label', /en attente d’envoi au serveur/);
    createdUid = (await created.getAttribute('data-uid'))!;
    expect(createdUid).toBeTruthy();

    // Two edits of existing events: shown at once, waiting too.
    await retitle(page, uids.edit, titles.edited);
    await expect(tile(uids.edit)).toContainText(titles.edited);
    await expect(tile(uids.edit)).toHaveClass(/is-pending/);
    await retitle(page, uids.conflict, titles.conflictMine);
    await expect(tile(uids.conflict)).toContainText(titles.conflictMine);
    await expect(tile(uids.conflict)).toHaveClass(/is-pending/);
    await page.screenshot({ path: path.join(SHOTS_DIR, 'agenda-hors-ligne.png') });

    // « Importer… » an Outlook « Unicode » (UTF-16) calendar offline: read right, kept for the server.
    await page
      .getByTestId('import-file')
      .setInputFiles({ name: 'utf-16.ics', mimeType: 'text/calendar', buffer: fixture('ics/utf-16.ics') });
    await expect(page.getByRole('status').filter({ hasText: 'événement(s) importé(s)' })).toContainText('2 événement(s) importé(s).');

    // Details of a waiting event say so.
    await tile(uids.edit).click();
    await expect(page.getByTestId('event-details')).toContainText('en attente d’envoi au serveur');
    await page.getByTestId('event-details').getByRole('button', { name: 'Fermer' }).click();

    // Contacts: created then edited offline, shown at once.
    await page.getByRole('button', { name: 'Contacts' }).click();
    await page.getByTestId('new-contact').click();
    const cEditor = page.getByTestId('contact-editor');
    await cEditor.getByLabel('Nom complet').fill(contact.name);
    await cEditor.getByLabel('Adresses électroniques').fill(`berenice.${stamp}@mairie.example`);
    await cEditor.getByLabel('Téléphones').fill(contact.phone);
    await cEditor.getByTestId('save-contact').click();
    await expect(cEditor).toBeHidden();
    const row = page.getByTestId('contact').filter({ hasText: contact.name });
    await expect(row).toBeVisible();
    await row.getByRole('button', { name: `Modifier ${contact.name}` }).click();
    await cEditor.getByLabel('Téléphones').fill(contact.phoneEdited);
    await cEditor.getByTestId('save-contact').click();
    await expect(cEditor).toBeHidden();
    await expect(row).toContainText(contact.phoneEdited);

    // « Importer… » an older Outlook export in Windows-1252: the accents are right, shown at once.
    await page
      .getByTestId('import-file')
      .setInputFiles({ name: 'carnet.vcf', mimeType: 'text/vcard', buffer: fixture('vcf/windows-1252.vcf') });
    await expect(page.getByRole('status').filter({ hasText: 'contact(s) importé(s)' })).toContainText('2 contact(s) importé(s).');
    await expect(page.getByTestId('contact').filter({ hasText: 'Cécile Dubœuf' })).toHaveCount(1);
    await page.screenshot({ path: path.join(SHOTS_DIR, 'agenda-hors-ligne-contacts.png') });
  } finally {
    await startServer(s, 'radicale');
  }

  // Back online: « Synchroniser » sends the waiting changes.
  await page.getByRole('button', { name: 'Agenda' }).click();
  await page.getByRole('button', { name: 'Synchroniser' }).click();
  await expect
    .poll(async () => serverEvents(stamp), { timeout: 60_000 })
    .toEqual({
      [uids.edit]: titles.edited,
      [uids.conflict]: titles.conflictServer,
      [createdUid]: titles.created,
      [`utf16-1-${stamp}`]: 'Réunion « bilan » à Périgueux',
      [`utf16-2-${stamp}`]: expect.any(String),
    });
  await expect(tile(uids.edit)).not.toHaveClass(/is-pending/, { timeout: 30_000 });
  await expect(tile(createdUid)).not.toHaveClass(/is-pending/);

  // The concurrent edit: a visible notice, the server's version shown, the user's kept aside.
  const conflict = page.getByTestId('agenda-conflict');
  await expect(conflict).toHaveCount(1, { timeout: 30_000 });
  await expect(conflict).toContainText(titles.conflictMine);
  await expect(tile(uids.conflict)).toContainText(titles.conflictServer);
  await page.screenshot({ path: path.join(SHOTS_DIR, 'agenda-conflit.png') });

  await page.getByRole('button', { name: 'Contacts' }).click();
  await page.getByRole('button', { name: 'Synchroniser' }).click();
  await expect
    .poll(
      async () => {
        const cards = await serverCards(stamp);
        return [
          cards.length,
          cards.includes(`${contact.name} | ${contact.phoneEdited}`),
          cards.some((c) => c.startsWith('Cécile Dubœuf | 05 65 ')),
        ];
      },
      { timeout: 60_000 },
    )
    .toEqual([3, true, true]);
  await expect(page.getByTestId('contact-conflict')).toHaveCount(0);

  // « Réappliquer ma modification »: the user's version reaches the server on top of the other one.
  await page.getByRole('button', { name: 'Agenda' }).click();
  await conflict.getByRole('button', { name: 'Réappliquer ma modification' }).click();
  await expect(conflict).toHaveCount(0);
  await expect(tile(uids.conflict)).toContainText(titles.conflictMine);
  await page.getByRole('button', { name: 'Synchroniser' }).click();
  await expect.poll(async () => (await serverEvents(stamp))[uids.conflict], { timeout: 60_000 }).toBe(titles.conflictMine);
  await expect(page.getByTestId('agenda-conflict')).toHaveCount(0);
});

test.afterAll(async () => {
  await cleanup(stamp);
});
