/** The owner the test server is bootstrapped with (HARMONIC_ADMIN_EMAIL / _PASSWORD). */
export const E2E_ADMIN = { email: 'owner@e2e.test', password: 'e2e-owner-password-7Qx' } as const;

export function baseUrl(): string {
  const url = process.env['E2E_BASE_URL'];
  if (!url) throw new Error('E2E_BASE_URL is not set: run the browser tests with `npx playwright test` (global setup starts the server)');
  return url;
}

export function databaseUrl(): string {
  const url = process.env['E2E_DATABASE_URL'];
  if (!url) throw new Error('E2E_DATABASE_URL is not set');
  return url;
}

/** Where the server expects Lemon Squeezy's API (LEMONSQUEEZY_API_URL): billing.spec.ts starts its fake there. */
export function lemonSqueezyPort(): number {
  const port = Number(process.env['E2E_LEMONSQUEEZY_PORT']);
  if (!Number.isInteger(port) || port <= 0) throw new Error('E2E_LEMONSQUEEZY_PORT is not set');
  return port;
}
