import { defineConfig } from 'vitest/config';

// Tests run as an agent in Paris whatever the machine's zone (the core follows the computer's zone,
// src/shared/time.ts); a test about another zone says so with setUserTimeZone. Workers inherit it.
process.env.TZ ??= 'Europe/Paris';

export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts', 'tests/integration/**/*.test.ts'],
    globalSetup: ['tests/servers/vitest-global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
  },
});
