import { defineConfig } from '@playwright/test';

/** End-to-end tests: browser mode driven in Debian's Chromium (never a downloaded browser). */
export default defineConfig({
  testDir: 'tests/e2e',
  outputDir: 'test-results/e2e',
  globalSetup: './tests/e2e/global-setup.ts',
  timeout: 90_000,
  expect: { timeout: 15_000 },
  // One worker: the foundation spec stops and restarts the shared IMAP server, which other specs use.
  workers: 1,
  fullyParallel: false,
  // One second try: a test that fails then passes counts as passed but is listed loudly as « instable » at the end
  // of `npm test` (scripts/test.mjs), so timing flakes on a loaded machine neither hide nor sink the whole run.
  retries: 1,
  use: {
    browserName: 'chromium',
    headless: true,
    locale: 'fr-FR',
    timezoneId: 'Europe/Paris',
    viewport: { width: 1280, height: 800 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.OSTAL_CHROMIUM ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    },
  },
});
