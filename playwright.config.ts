import { defineConfig } from '@playwright/test';

/**
 * Browser journeys against the real server on a real PostgreSQL (see
 * e2e/browser/global-setup.ts), driving Debian's chromium: Playwright's own
 * browser download cannot work here. scripts/test.ts builds the SPA first and
 * passes CHROMIUM_PATH and PLAYWRIGHT_JSON_OUTPUT_NAME.
 */
export default defineConfig({
  testDir: 'e2e/browser',
  testMatch: '**/*.spec.ts',
  globalSetup: './e2e/browser/global-setup.ts',
  outputDir: '.test-artifacts/playwright',
  // One server, one database: the specs share them, so run them one at a time (2 cores).
  workers: 1,
  fullyParallel: false,
  retries: 0,
  // Ceilings for a hang, not speed targets: on a busy 2-core machine chromium and the server share the cores with others.
  timeout: 90_000,
  expect: { timeout: 15_000 },
  reporter: [['list'], ['json', { outputFile: process.env['PLAYWRIGHT_JSON_OUTPUT_NAME'] ?? '.test-artifacts/playwright.json' }]],
  use: {
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1280, height: 800 },
    launchOptions: {
      executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    actionTimeout: 15_000,
    navigationTimeout: 30_000,
  },
});
