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

/** The fake Lemon Squeezy's origin (the browser tests run with billing on against it); drive it with FakeLemonSqueezyControl. */
export function lemonSqueezyUrl(): string {
  const url = process.env['E2E_LEMONSQUEEZY_URL'];
  if (!url) throw new Error('E2E_LEMONSQUEEZY_URL is not set: global-setup.ts starts the fake Lemon Squeezy and sets it');
  return url;
}
