/**
 * Screen readers (RGAA 1.2, 4.7, 4.13, 7.1, 7.5, 8.1, 8.6, 9.1, 9.2, 12.6, 12.7): landmarks, one h1 and a heading
 * hierarchy without gaps on every screen, a window title naming the screen, decorative icons hidden, the skip link;
 * status regions whose text changes when a new mail arrives and when a participant joins, raises a hand or leaves a
 * meeting; video tiles as captioned figures and the meeting controls as a toolbar of toggle buttons.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import type { VisioServerProcess } from '../../server/src/spawn.js';
import { deleteFromInbox, imapFor } from './courrier-imap.js';
import { SHOTS_DIR, addAccountByCli, servers, startOstal, tempProfile, type RunningOstal } from './ostal.js';
import { copyRenderer } from './renderer-copy.js';
import { VISIO_CHROMIUM_ARGS, openVisioContext, ostalForVisio, prejoinReady, startVisio } from './visio-setup.js';

test.describe.configure({ mode: 'serial', timeout: 180_000 });
test.use({ launchOptions: { executablePath: process.env.OSTAL_CHROMIUM ?? '/usr/bin/chromium', args: VISIO_CHROMIUM_ARGS } });

const USER = 3;
const stamp = `lecteur${Date.now()}`;
let ostal: RunningOstal | undefined;
const others: RunningOstal[] = [];
let visio: VisioServerProcess | undefined;
let rendererCopy = '';

test.afterAll(async () => {
  await ostal?.stop();
  for (const o of others) await o.stop();
  await visio?.stop();
  if (rendererCopy) fs.rmSync(rendererCopy, { recursive: true, force: true });
  await deleteFromInbox(USER, stamp);
});

const SCREENS: [string, string][] = [
  ['courrier', 'Courrier'],
  ['agenda', 'Agenda'],
  ['contacts', 'Contacts'],
  ['fichiers', 'Fichiers'],
  ['visio', 'Visio'],
  ['espaces', 'Espaces'],
  ['reglages', 'Réglages'],
  ['aide', 'Aide'],
];

/** Landmarks, headings, icons of the current screen: a list of problems in French. */
async function structureProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const count = (selector: string) => document.querySelectorAll(selector).length;
    if (count('header.app-header, [role=banner]') !== 1) out.push('une seule bannière (header)');
    if (count('main, [role=main]') !== 1) out.push('une seule zone principale (main)');
    if (count('nav[aria-label]') < 1) out.push('une navigation nommée');
    const headings = Array.from(document.querySelectorAll('h1, h2, h3, h4, h5, h6')).filter(
      (h) => !h.closest('[hidden], [aria-hidden=true]') && (h as HTMLElement).offsetParent !== null,
    );
    const h1 = headings.filter((h) => h.tagName === 'H1');
    if (h1.length !== 1) out.push(`un seul h1 (${h1.length})`);
    let previous = 0;
    for (const h of headings) {
      const level = Number(h.tagName[1]);
      if (level > previous + 1) out.push(`titre h${level} « ${h.textContent?.trim()} » après un h${previous}`);
      previous = level;
    }
    for (const svg of Array.from(document.querySelectorAll('svg'))) {
      const labelled = svg.getAttribute('role') === 'img' && (svg.getAttribute('aria-label') || svg.getAttribute('aria-labelledby'));
      if (svg.getAttribute('aria-hidden') !== 'true' && !labelled) out.push(`icône non masquée : ${svg.outerHTML.slice(0, 60)}`);
    }
    if (document.doctype?.name !== 'html') out.push('type de document');
    return out;
  });
}

test('structure pour les lecteurs d’écran : repères, titres, titre de fenêtre, lien d’évitement, nouveau courriel annoncé', async ({
  page,
}) => {
  const s = servers();
  const profileDir = tempProfile();
  addAccountByCli(profileDir, s.users[USER]);
  ostal = await startOstal({ profileDir });
  await page.goto(ostal.url);
  await expect(page.getByTestId('message').first()).toBeVisible({ timeout: 30_000 });

  // The skip link comes first and takes the focus to the main content.
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Aller au contenu principal' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.locator('main')).toBeFocused();

  const problems: string[] = [];
  for (const [view, label] of SCREENS) {
    if (view !== 'courrier') await page.getByTestId(`nav-${view}`).click();
    await expect(page.getByRole('main').getByRole('heading', { level: 1, name: label })).toBeVisible();
    await expect(page).toHaveTitle(view === 'courrier' ? /^Courrier( \(\d+\))? – Ostal$/ : `${label} – Ostal`);
    await expect(page.getByRole('banner')).toHaveCount(1);
    for (const p of await structureProblems(page)) problems.push(`${view} : ${p}`);
  }
  expect(problems).toEqual([]);

  // The main navigation, as a screen reader gets it.
  await expect(page.getByRole('navigation', { name: 'Navigation principale' })).toMatchAriaSnapshot(`
    - navigation "Navigation principale":
      - list:
        - listitem:
          - button "Courrier"
        - listitem:
          - button "Agenda"
        - listitem:
          - button "Contacts"
        - listitem:
          - button "Fichiers"
        - listitem:
          - button "Visio"
        - listitem:
          - button "Espaces"
        - listitem:
          - button "Réglages"
        - listitem:
          - button "Aide"
  `);

  // Réglages › Accessibilité: the statement, with its rate.
  await page.getByTestId('nav-reglages').click();
  await page.getByTestId('reglages-accessibilite').click();
  const statement = page.getByRole('article', { name: 'Déclaration d’accessibilité d’Ostal' });
  await expect(statement.getByRole('heading', { level: 3, name: 'État de conformité' })).toBeVisible();
  await expect(statement).toContainText(/taux de conformité\s:\s\d+,\d\s%/);
  expect(await structureProblems(page)).toEqual([]);
  await page.screenshot({ path: path.join(SHOTS_DIR, 'a11y-reglages-accessibilite.png'), fullPage: true });

  // A new mail is announced by Courrier's status region (polite), notifications on or off.
  await page.getByTestId('nav-courrier').click();
  await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', /^(online|syncing)$/, { timeout: 30_000 });
  const announcer = page.getByTestId('courrier-announcer');
  await expect(announcer).toHaveAttribute('role', 'status');
  await expect(announcer).toHaveText('');
  // The list is known before the mail comes (what was there at start is never announced).
  await page.waitForTimeout(1000);
  const subject = `Compte rendu du conseil ${stamp}`;
  const client = await imapFor(USER);
  try {
    const raw = [
      'From: Joël Lefèvre <joel.lefevre@ostal.test>',
      `To: ${s.users[USER].email}`,
      `Subject: =?UTF-8?B?${Buffer.from(subject).toString('base64')}?=`,
      `Message-ID: <${stamp}@ostal.test>`,
      `Date: ${new Date().toUTCString()}`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Le compte rendu est en pièce jointe.',
      '',
    ].join('\r\n');
    await client.append('INBOX', raw, []);
  } finally {
    await client.logout().catch(() => undefined);
  }
  await expect(announcer).toHaveText(`Nouveau message de Joël Lefèvre : ${subject}`, { timeout: 30_000 });
});

test('visio : vignettes légendées, barre de commandes, arrivée, main levée et départ annoncés', async ({ browser }) => {
  const s = servers();
  // Accounts first (discovery through the test DNS), then the meeting server.
  const profiles = [1, 2].map((index) => {
    const profileDir = tempProfile();
    addAccountByCli(profileDir, s.users[index]!);
    return profileDir;
  });
  rendererCopy = await copyRenderer('ostal-a11y-renderer');
  visio = await startVisio();
  const organiser = await ostalForVisio(visio, rendererCopy, 1, { profileDir: profiles[0] });
  others.push(organiser);
  const participant = await ostalForVisio(visio, rendererCopy, 2, { profileDir: profiles[1] });
  others.push(participant);
  const nameB = s.users[2]!.name;

  const a = await openVisioContext(browser, organiser);
  await a.page.getByTestId('nav-visio').click();
  await a.page.getByTestId('visio-new').click();
  const link = await a.page.getByTestId('visio-created-link').inputValue();
  await a.page.getByTestId('visio-enter-created').click();
  await prejoinReady(a.page);
  await a.page.getByTestId('visio-rejoindre').click();
  await expect(a.page.getByTestId('visio-meeting')).toHaveAttribute('data-phase', 'joined');
  const announcer = a.page.getByTestId('visio-announcer');
  await expect(announcer).toHaveAttribute('role', 'status');

  const b = await openVisioContext(browser, participant);
  await b.page.getByTestId('nav-visio').click();
  await b.page.getByTestId('visio-link').fill(link);
  await b.page.getByTestId('visio-join').click();
  await prejoinReady(b.page);
  await b.page.getByTestId('visio-rejoindre').click();
  await expect(b.page.getByTestId('visio-meeting')).toHaveAttribute('data-phase', 'joined');

  await expect(announcer).toHaveText(`${nameB} a rejoint la réunion.`, { timeout: 20_000 });
  // The tiles are figures named by their caption; the controls are a toolbar of toggle buttons.
  await expect(a.page.getByRole('figure', { name: new RegExp(`^${nameB}`) })).toBeVisible();
  await expect(a.page.getByRole('figure', { name: /\(vous\)/ })).toBeVisible();
  const toolbar = a.page.getByRole('toolbar', { name: 'Commandes de la réunion' });
  await expect(toolbar.getByRole('button', { name: 'Lever la main', pressed: false })).toBeVisible();
  await expect(toolbar.getByRole('button', { name: 'Quitter' })).toBeVisible();

  await b.page.getByTestId('visio-hand').click();
  await expect(announcer).toHaveText(`${nameB} lève la main.`, { timeout: 20_000 });
  await a.page.screenshot({ path: path.join(SHOTS_DIR, 'a11y-visio-annonces.png') });
  await b.page.getByTestId('visio-quitter').click();
  await expect(announcer).toHaveText(`${nameB} a quitté la réunion.`, { timeout: 20_000 });
  await a.page.getByTestId('visio-quitter').click();
  await a.context.close();
  await b.context.close();
});
