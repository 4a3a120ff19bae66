import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { expect, test } from '@playwright/test';
import { SHOTS_DIR, ostalEnv, servers, startOstal, tempProfile, type RunningOstal } from './ostal.js';

/**
 * Réglages › Comptes › Modifier: changing a server address asks for the password again (issue 12). Without it the
 * editor says so on the password field and sends nothing; with it, the new address is checked and saved.
 */
const s = servers();
const user = s.users[2];
let ostal: RunningOstal;

test.beforeAll(async () => {
  const profileDir = tempProfile();
  const env = ostalEnv(s, { OSTAL_E2E_PASSWORD: user.password });
  const r = spawnSync(
    process.execPath,
    [
      'bin/ostal.mjs',
      'account',
      'add',
      '--email',
      user.email,
      '--name',
      user.name,
      '--password-env',
      'OSTAL_E2E_PASSWORD',
      '--profile',
      profileDir,
    ],
    { env, encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`ostal account add failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  ostal = await startOstal({ profileDir, env: { OSTAL_E2E_PASSWORD: '' } });
});

test.afterAll(async () => {
  await ostal?.stop();
});

test('changer l’adresse d’un serveur redemande le mot de passe, puis enregistre', async ({ page }) => {
  await page.goto(ostal.url);
  await page.getByTestId('nav-reglages').click();
  await page.getByTestId('reglages-comptes').click();
  await page.getByTestId('edit-account').first().click();
  const editor = page.getByTestId('account-editor');
  await expect(editor).toBeVisible();
  const password = editor.getByTestId('account-password');
  await expect(password.locator('label')).toHaveText('Nouveau mot de passe');

  // Another IMAP address: the other port of the same test server (implicit TLS ↔ STARTTLS).
  const imap = editor.getByTestId('server-imap');
  const security = imap.locator('select[name="imap-security"]');
  const toTls = (await security.inputValue()) === 'starttls';
  const newPort = String(toTls ? s.imap.tlsPort : s.imap.port);
  await security.selectOption(toTls ? 'tls' : 'starttls');
  await imap.locator('input[name="imap-port"]').fill(newPort);
  await expect(password.locator('label')).toHaveText('Mot de passe du compte');
  await editor.getByTestId('save-account').click();
  await expect(password).toContainText('Saisissez le mot de passe du compte pour utiliser la nouvelle adresse du serveur.');
  await expect(password.locator('input')).toBeFocused();
  await page.screenshot({ path: path.join(SHOTS_DIR, 'reglages-compte-mot-de-passe.png') });

  await password.locator('input').fill(user.password);
  await editor.getByTestId('save-account').click();
  await expect(editor).toBeHidden({ timeout: 30_000 });
  await expect(page.getByTestId('account').first()).toContainText(newPort);
});
