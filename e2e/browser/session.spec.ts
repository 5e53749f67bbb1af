import pg from 'pg';
import { databaseUrl } from './env.ts';
import { expect, settled, signIn, test } from './fixtures.ts';

/** Ends every admin session in the database, as 12 idle hours would. */
async function expireAllSessions(): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl() });
  await client.connect();
  try {
    await client.query(`update admin_sessions set expires_at = now() - interval '1 second'`);
  } finally {
    await client.end();
  }
}

test('an expired session returns to sign-in, then back to the same place', async ({ page, guard }) => {
  await page.goto('/admin/users?sort=email&order=asc');
  await expect(page).toHaveURL(/\/admin\/sign-in\?next=/);
  await signIn(page);
  // Straight back to where the link pointed.
  await expect(page).toHaveURL(/\/admin\/users\?sort=email&order=asc$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Users' })).toBeVisible();
  await settled(page);

  await expireAllSessions();
  guard.allow(/\/trpc\/admin\./);
  // The next thing the admin does needs the server, which now says the session is over.
  await page.getByRole('button', { name: 'Name' }).click();
  await expect(page).toHaveURL(/\/admin\/sign-in\?next=%2Fusers%3Fsort%3Dname%26order%3Dasc$/);
  await expect(page.getByText('Your session has expired. Sign in again to carry on where you were.')).toBeVisible();
  await signIn(page);
  await expect(page).toHaveURL(/\/admin\/users\?sort=name&order=asc$/);
  await expect(page.getByRole('columnheader', { name: 'Name' })).toHaveAttribute('aria-sort', 'ascending');
});

test('a lockout says how long it lasts', async ({ page, guard }) => {
  guard.allow(/\/trpc\/auth\.signIn/);
  await page.goto('/admin/sign-in');
  for (let i = 1; i <= 5; i++) {
    await signIn(page, 'locked-out@e2e.test', `wrong-password-${i}`);
    if (i < 5) await expect(page.getByRole('alert')).toContainText('Invalid email or password');
  }
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('Too many failed sign-ins');
  await expect(alert).toContainText(/Try again in 1[45] min/);
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeDisabled();
});

test('the sign-in form works from the keyboard alone, with a visible focus', async ({ page }) => {
  await page.goto('/admin/sign-in');
  const email = page.getByLabel('Email');
  await expect(email).toBeFocused();
  await page.keyboard.type('owner@e2e.test');
  await page.keyboard.press('Tab');
  const password = page.getByLabel('Password');
  await expect(password).toBeFocused();
  const outline = await password.evaluate((el) => getComputedStyle(el).outlineStyle);
  expect(outline).not.toBe('none');
  await page.keyboard.press('Enter');
  // Submitting with an empty password names the field, and keeps focus there.
  await expect(page.getByText('Enter your password.')).toBeVisible();
  await expect(password).toBeFocused();
  await page.keyboard.type('e2e-owner-password-7Qx');
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeVisible();

  // In the app, the first Tab reaches "Skip to content", which moves focus to the main content.
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to content' });
  await expect(skip).toBeFocused();
  await expect(skip).toBeVisible();
  await page.keyboard.press('Enter');
  await expect(page.locator('#main')).toBeFocused();
});
