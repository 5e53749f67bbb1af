import { defineConfig } from 'vitest/config';

/**
 * Two projects: `unit` (pure code, beside the code it tests) and `integration`
 * (the real HTTP server on a real PostgreSQL; one database per test file, so
 * files run in parallel). Browser journeys run under Playwright (playwright.config.ts).
 * Both refuse any connection beyond loopback (server/testing/no-internet.ts).
 *
 * The timeouts are ceilings for a hang, not speed targets: a shared 2-core
 * machine can be many times slower than an idle one, and a test must not fail
 * for that. Tests that measure time use a manual clock or assert ordering;
 * speed is measured by the benchmarks (docs/benchmarks.md).
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
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['server/**/*.int.test.ts', 'e2e/api/**/*.test.ts'],
          globalSetup: ['server/testing/global-setup.ts'],
          setupFiles: ['server/testing/no-internet.ts'],
          pool: 'forks',
          // Integration tests start servers, processes and PostgreSQL clusters and send thousands of requests.
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
