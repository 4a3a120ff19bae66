/**
 * A view that fails to draw no longer blanks the window (renderer/src/components/ViewErrorBoundary.tsx). The page's
 * API socket is routed through Playwright (`routeApiAnswers`): the core's answer to `contacts.list` is replaced by a
 * list holding `null`, which Contacts cannot draw. Expected: a French message in the view's place with
 * « Réessayer », the navigation still working, the technical line in the core's log; once the answers are right
 * again, « Réessayer » and a return to the view both draw it.
 */
import path from 'node:path';
import fs from 'node:fs';
import { expect, test } from '@playwright/test';
import { routeApiAnswers } from './api-route.js';
import { findEnglishWords, stripNonProse } from './english-words.js';
import { SHOTS_DIR, addAccountByCli, servers, startOstal, tempProfile, type RunningOstal } from './ostal.js';

let ostal: RunningOstal | undefined;
test.afterEach(async () => {
  await ostal?.stop();
  ostal = undefined;
});

test('écran en erreur : un module qui ne peut pas s’afficher laisse le reste d’Ostal utilisable, et se réessaie', async ({ page }) => {
  const profileDir = tempProfile();
  addAccountByCli(profileDir, servers().users[4]!, {}, 'mail,contacts');
  ostal = await startOstal({ profileDir });

  let corrupt = true;
  let corrupted = 0;
  await routeApiAnswers(page, 'contacts.list', (reply, send) => {
    const { id, ...rest } = JSON.parse(reply) as { id: number; result?: unknown };
    if (!corrupt || !('result' in rest)) return send(reply);
    corrupted++;
    send(JSON.stringify({ id, result: [null] }));
  });

  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  await page.goto(ostal.url);
  await page.getByRole('button', { name: 'Contacts' }).click();

  const failed = page.getByTestId('view-failed');
  await expect(failed).toBeVisible({ timeout: 30_000 });
  expect(corrupted).toBeGreaterThan(0);
  await expect(failed).toContainText('Cet écran n’a pas pu s’afficher');
  await expect(failed.getByRole('button', { name: 'Réessayer' })).toBeVisible();
  // The rest of the window is there: navigation and header.
  await expect(page.getByRole('button', { name: 'Courrier' })).toBeVisible();
  const text = stripNonProse(await page.locator('body').innerText());
  expect(findEnglishWords(text), 'mots anglais à l’écran').toEqual([]);
  expect(text).not.toMatch(/TypeError|Cannot read|null/);
  fs.mkdirSync(SHOTS_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS_DIR, 'ecran-en-erreur.png') });

  // The technical line is in the core's log (not on screen).
  const logFile = path.join(profileDir, 'logs', 'ostal.log');
  await expect
    .poll(() => (fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : ''), { timeout: 10_000 })
    .toMatch(/renderer: a screen failed to draw.*"view":"contacts"/);

  // Another module draws normally; coming back to Contacts while it still fails shows the message again.
  await page.getByRole('button', { name: 'Courrier' }).click();
  await expect(failed).toBeHidden();
  await expect(
    page
      .getByTestId('message-list')
      .or(page.getByRole('heading', { name: /Boîte de réception/ }))
      .first(),
  ).toBeVisible({
    timeout: 30_000,
  });
  await page.getByRole('button', { name: 'Contacts' }).click();
  await expect(failed).toBeVisible();

  // Answers right again: « Réessayer » draws the view anew (its list asked again).
  corrupt = false;
  await failed.getByRole('button', { name: 'Réessayer' }).click();
  await expect(failed).toBeHidden();
  await expect(page.getByTestId('new-contact')).toBeVisible({ timeout: 30_000 });

  // Only the corrupted answers failed (each caught by the boundary, none left unhandled).
  expect(pageErrors.filter((m) => !/null/.test(m))).toEqual([]);
});
