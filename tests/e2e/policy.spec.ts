import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { SHOTS_DIR, servers, startOstal, type RunningOstal } from './ostal.js';

let ostal: RunningOstal | undefined;
test.afterEach(async () => {
  await ostal?.stop();
});

test('stratégie du service informatique : serveur de courrier préréglé et verrouillé dans l’assistant, réglage verrouillé et fonction désactivée', async ({
  page,
}) => {
  const s = servers();
  const agent = s.users[3];
  const policyFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-policy-')), 'policies.json');
  fs.writeFileSync(
    policyFile,
    JSON.stringify({
      domains: {
        'ostal.test': {
          imap: `imaps://localhost:${s.imap.tlsPort}`,
          smtp: `smtps://localhost:${s.smtp.tlsPort}`,
          caldav: `https://localhost:${s.radicale.port}/`,
          carddav: `https://localhost:${s.radicale.port}/`,
          locked: true,
        },
      },
      allowOtherDomains: false,
      disabledFeatures: ['fichiers'],
      settings: { 'mail.offlineWindow': { value: '3months', locked: true } },
    }),
  );
  // Discovery by DNS and autoconfig is turned off (no resolver, no autoconfig port): the servers can only come from the policy.
  ostal = await startOstal({ env: { OSTAL_POLICIES: policyFile, OSTAL_DNS_SERVERS: '127.0.0.1:9', OSTAL_DISCOVERY_HTTPS_PORT: '9' } });
  await page.goto(ostal.url);

  await page.getByLabel('Adresse de courriel').fill(agent.email);
  await page.getByLabel('Mot de passe', { exact: true }).fill(agent.password);
  await page.getByTestId('assistant-continue').click();
  const review = page.getByTestId('assistant-step-review');
  await expect(review).toBeVisible();
  await expect(review).toContainText(String(s.imap.tlsPort));
  await expect(review).toContainText('Réglé par votre service informatique');
  await page.screenshot({ path: path.join(SHOTS_DIR, 'policy-assistant.png') });

  // Manual settings keep the preset servers read-only.
  await page.getByRole('button', { name: 'Réglages manuels' }).click();
  const imapFields = page.getByTestId('server-imap');
  await expect(imapFields).toHaveAttribute('data-locked', 'true');
  for (const input of await imapFields.locator('input, select').all()) {
    expect((await input.isEditable()) && !(await input.isDisabled()), 'locked IMAP field must not be editable').toBe(false);
  }
  await page.screenshot({ path: path.join(SHOTS_DIR, 'policy-reglages-manuels.png') });
  await page.getByTestId('assistant-add').click();

  await expect(page.getByTestId('folder').filter({ hasText: 'Boîte de réception' })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('nav-fichiers')).toHaveCount(0);

  await page.getByTestId('nav-reglages').click();
  await page.getByTestId('reglages-general').click();
  const locked = page.getByTestId('setting-mail.offlineWindow');
  await expect(locked).toHaveAttribute('data-locked', 'true');
  await expect(locked).toContainText('Réglé par votre service informatique');
  await expect(locked.locator('select')).toBeDisabled();
  await expect(locked.locator('select')).toHaveValue('3months');
  await expect(page.getByTestId('policy-source')).toContainText(policyFile);
  await page.screenshot({ path: path.join(SHOTS_DIR, 'policy-reglages-general.png') });
});

test('stratégie : une adresse d’un autre domaine est refusée en français quand le service informatique l’interdit', async ({ page }) => {
  const policyFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-policy-')), 'policies.json');
  fs.writeFileSync(
    policyFile,
    JSON.stringify({
      domains: { 'ostal.test': { imap: 'imaps://localhost:1', smtp: 'smtps://localhost:1', locked: true } },
      allowOtherDomains: false,
    }),
  );
  ostal = await startOstal({ env: { OSTAL_POLICIES: policyFile } });
  await page.goto(ostal.url);
  await page.getByLabel('Adresse de courriel').fill('quelquun@ailleurs.fr');
  await page.getByLabel('Mot de passe', { exact: true }).fill('x');
  await page.getByTestId('assistant-continue').click();
  await expect(page.getByRole('alert')).toContainText('ostal.test');
});
