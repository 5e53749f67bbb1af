import { expect, test } from './fixtures.ts';

// The URL the README and GET /api/v1/data print, with and without the trailing slash. The guard
// fails the test on any failed request or console error, so a missing asset or anything loaded
// from elsewhere (the CSP allows only this server) fails it too.
for (const path of ['/api/v1/docs', '/api/v1/docs/']) {
  test(`the API reference at ${path} renders the /data operation, offline`, async ({ page, baseURL }) => {
    const foreign: string[] = [];
    page.on('request', (req) => {
      if (new URL(req.url()).origin !== new URL(baseURL!).origin) foreign.push(req.url());
    });
    await page.goto(path);
    await expect(page.getByRole('heading', { name: /Harmonic API/ })).toBeVisible();
    const operation = page.locator('.opblock-post', { has: page.locator('[data-path="/data"]') });
    await expect(operation).toBeVisible();
    await expect(operation).toContainText('Answer a query from the chosen sources');
    expect(foreign).toEqual([]);
  });
}
