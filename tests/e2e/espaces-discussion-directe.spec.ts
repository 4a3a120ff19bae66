/**
 * « Discussions directes » in the browser, each agent with its own Ostal on the run's Prosody: agent2's Ostal is open;
 * agent1 starts a direct discussion with agent2 by name (« Bernard », a contact of agent1's address book) and writes;
 * agent2's list shows the discussion with its unread count, and opening it shows the message, credited to agent1 by
 * the name agent2's contacts give its address (the address in the tooltip), and clears the count.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { deleteFromInbox, imapFor } from './courrier-imap.js';
import { bookPath, radicale } from './dav.js';
import { SHOTS_DIR, addAccountByCli, logTail, servers, startOstal, tempProfile, type RunningOstal } from './ostal.js';

const ostals: RunningOstal[] = [];
const contexts: BrowserContext[] = [];

test.afterEach(async () => {
  if (test.info().status !== test.info().expectedStatus) for (const o of ostals) console.log(logTail(o.profileDir));
  for (const c of contexts.splice(0)) await c.close().catch(() => undefined);
  for (const o of ostals.splice(0)) await o.stop();
});

async function open(browser: Browser, ostal: RunningOstal): Promise<Page> {
  const context = await browser.newContext({ locale: 'fr-FR', timezoneId: 'Europe/Paris' });
  contexts.push(context);
  const page = await context.newPage();
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(ostal.url);
  await page.getByRole('button', { name: 'Espaces' }).click();
  await expect(page.getByRole('heading', { name: 'Discussions directes' })).toBeVisible();
  return page;
}

test('espaces : discussion directe — agent1 écrit à agent2, qui la voit avec son compte de non-lus', async ({ browser }) => {
  test.setTimeout(120_000);
  const s = servers();
  const [a1, a2] = [s.users[0]!, s.users[1]!];
  const tag = crypto.randomUUID().slice(0, 6);
  const text = `Bonjour, pouvez-vous relire la délibération sur la médiathèque avant jeudi\u00a0? (${tag})`;
  const p1 = tempProfile();
  const p2 = tempProfile();
  // Contacts too: each agent's address book holds the others (tests/fixtures/seed), which name them here.
  addAccountByCli(p1, a1, {}, 'mail,contacts');
  addAccountByCli(p2, a2, {}, 'mail,contacts');
  const two = await startOstal({ profileDir: p2 });
  ostals.push(two);
  const page2 = await open(browser, two);
  const one = await startOstal({ profileDir: p1 });
  ostals.push(one);
  const page1 = await open(browser, one);

  // agent1: « Nouvelle discussion avec » a name that is several contacts, a name that is nobody, then agent2's family
  // name alone (« Bernard »): the one contact it names.
  const problem = page1
    .getByRole('alert')
    .filter({ hasText: 'correspond' })
    .or(page1.getByRole('alert').filter({ hasText: 'valable' }));
  await page1.getByTestId('direct-address').fill('D');
  await page1.getByTestId('direct-start').click();
  await expect(problem).toHaveText(
    'Plusieurs contacts correspondent à «\u00a0D\u00a0»\u00a0: choisissez-le dans la liste ou tapez son adresse.',
  );
  await page1.getByTestId('direct-address').fill('Zorglub');
  await page1.getByTestId('direct-start').click();
  await expect(problem).toContainText('«\u00a0Zorglub\u00a0» n’est pas une adresse valable');
  const family = a2.name.split(' ').pop()!;
  await page1.getByTestId('direct-address').fill(family);
  await page1.getByTestId('direct-start').click();
  await expect(page1.getByRole('heading', { name: `Discussion directe avec ${a2.name}` })).toBeVisible();
  await expect(page1.getByTestId('direct-title')).toHaveAttribute('data-address', a2.email);
  await expect(page1.getByTestId('direct-title')).toHaveAttribute('title', a2.email);
  await expect(page1.getByTestId('direct-peer-address')).toHaveText(a2.email);
  await expect(problem).toHaveCount(0);
  await page1.getByTestId('direct-input').fill(text);
  await page1.getByTestId('direct-send').click();
  const sent = page1.getByTestId('direct-message').filter({ hasText: tag });
  // agent1's own name (its account's), not its address.
  await expect(sent.locator('.discussion-from')).toHaveText(a1.name);
  await expect(sent).not.toContainText('en attente', { timeout: 15_000 });
  await page1.screenshot({ path: path.join(SHOTS_DIR, 'espaces-discussion-directe-nom.png') });

  // agent2: the discussion with agent1 appears under agent1's name, with its unread count.
  const item = page2.getByTestId('direct-item').filter({ has: page2.locator(`[data-address="${a1.email}"]`) });
  await expect(item).toBeVisible({ timeout: 30_000 });
  await expect(item.locator('.espaces-item-name')).toHaveText(a1.name);
  await expect(item.locator('.espaces-item-name')).toHaveAttribute('title', a1.email);
  await expect(item.getByTestId('direct-unread')).toHaveText(/^\d+ non lus?$/);
  await expect(item).toContainText(tag);
  await page2.screenshot({ path: path.join(SHOTS_DIR, 'espaces-discussion-directe.png') });

  // Opened: the message, credited to agent1; the count is cleared.
  await item.click();
  const received = page2.getByTestId('direct-message').filter({ hasText: tag });
  await expect(received.locator('.discussion-from')).toHaveText(a1.name);
  await expect(received.locator('.discussion-from')).toHaveAttribute('title', a1.email);
  await expect(page2.getByRole('heading', { name: `Discussion directe avec ${a1.name}` })).toBeVisible();
  await expect(received.locator('.discussion-text')).toHaveText(text);
  await expect(item.getByTestId('direct-unread')).toHaveCount(0);
  await page2.screenshot({ path: path.join(SHOTS_DIR, 'espaces-discussion-directe-ouverte.png') });
});

test('espaces : « Discuter » sur la fiche d’un contact ouvre la discussion directe avec son adresse', async ({ browser }) => {
  test.setTimeout(120_000);
  const s = servers();
  const [a1, a2] = [s.users[0]!, s.users[1]!];
  const tag = crypto.randomUUID().slice(0, 6);
  const name = `Collègue ${tag}`;
  // A card in agent1's address book, written by another client, with agent2's address (capitals as people type them).
  const uid = `discuter-${tag}`;
  const vcard = ['BEGIN:VCARD', 'VERSION:3.0', `UID:${uid}`, `FN:${name}`, `EMAIL:${a2.email.toUpperCase()}`, 'END:VCARD', ''].join('\r\n');
  expect((await radicale(a1, 'PUT', `${bookPath(a1)}${uid}.vcf`, vcard)).status).toBe(201);
  // And a message from agent2 in agent1's inbox: « Discuter » beside its sender too.
  const subject = `Relecture ${tag}`;
  const imap = await imapFor(0);
  try {
    await imap.append(
      'INBOX',
      `From: ${a2.name} <${a2.email}>\r\nTo: ${a1.email}\r\nSubject: ${subject}\r\nMessage-ID: <${uid}@ostal.test>\r\n\r\nBonjour.\r\n`,
    );
  } finally {
    await imap.logout();
  }
  try {
    const p1 = tempProfile();
    addAccountByCli(p1, a1, {}, 'mail,contacts');
    const one = await startOstal({ profileDir: p1 });
    ostals.push(one);
    const context = await browser.newContext({ locale: 'fr-FR', timezoneId: 'Europe/Paris' });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(one.url);
    await page.getByRole('button', { name: 'Contacts' }).click();
    const card = page.getByTestId('contact').filter({ hasText: name });
    await expect(card).toBeVisible({ timeout: 30_000 });
    // Only colleagues (an address in the agent's own domain): not a correspondent of another organisation.
    const outsider = page.getByTestId('contact').filter({ hasText: 'sdis.example' }).first();
    await expect(outsider).toBeVisible();
    await expect(outsider.getByTestId('contact-discuss')).toHaveCount(0);
    await expect(card.getByTestId('contact-discuss')).toHaveText('Discuter');
    await expect(card.getByTestId('contact-discuss')).toHaveAccessibleName(`Discuter avec ${name}`);
    await card.getByTestId('contact-discuss').click();
    await expect(page.getByRole('button', { name: 'Espaces' })).toHaveAttribute('aria-current', 'page');
    // The address of the card (in capitals on it), as the core keeps it; named by one of agent1's contacts.
    await expect(page.getByTestId('direct-title')).toHaveAttribute('data-address', a2.email);
    await expect(page.getByTestId('direct-title')).not.toContainText(a2.email);
    await expect(page.getByTestId('direct-input')).toBeVisible();

    // From the message's sender, in Courrier.
    await page.getByRole('button', { name: 'Courrier' }).click();
    await page.getByTestId('message').filter({ hasText: subject }).click();
    const headers = page.getByTestId('reader-headers');
    await expect(headers.getByTestId('contact-discuss')).toHaveAccessibleName(`Discuter avec ${a2.name}`);
    await page.screenshot({ path: path.join(SHOTS_DIR, 'courrier-discuter.png') });
    await headers.getByTestId('contact-discuss').click();
    await expect(page.getByTestId('direct-title')).toHaveAttribute('data-address', a2.email);
  } finally {
    await radicale(a1, 'DELETE', `${bookPath(a1)}${uid}.vcf`);
    await deleteFromInbox(0, uid);
  }
});
