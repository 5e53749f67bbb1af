import { defineConfig } from 'vitest/config';

/**
 * Two projects: `unit` (pure code, beside the code it tests) and `integration`
 * (the real HTTP server on a real PostgreSQL; one database per test file, so
 * files run in parallel). Browser journeys run under Playwright (playwright.config.ts).
 * Both refuse any connection beyond loopback (server/testing/no-internet.ts).
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['server/**/*.test.ts', 'shared/**/*.test.ts', 'client/**/*.test.{ts,tsx}'],
          exclude: ['**/*.int.test.ts', '**/node_modules/**'],
          environment: 'node',
          setupFiles: ['server/testing/no-internet.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['server/**/*.int.test.ts', 'e2e/api/**/*.test.ts'],
          globalSetup: ['server/testing/global-setup.ts'],
          setupFiles: ['server/testing/no-internet.ts'],
          pool: 'forks',
          testTimeout: 30_000,
          hookTimeout: 90_000,
        },
      },
    ],
  },
});
