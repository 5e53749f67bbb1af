import { randomBytes } from 'node:crypto';
import { baseUrl } from './env.ts';
import { expect, settled, signIn, test } from './fixtures.ts';

test('an owner adds an admin, who changes their password and signs out everywhere', async ({ page, browser, guard }) => {
  const email = `ops-${randomBytes(3).toString('hex')}@e2e.test`;
  await page.goto('/admin/admins');
  await signIn(page);
  await expect(page.getByRole('heading', { level: 1, name: 'Admins' })).toBeVisible();
  await settled(page);

  // A new admin with a generated password, shown once.
  await page.getByRole('button', { name: 'New admin' }).click();
  const dialog = page.getByRole('dialog', { name: 'New admin' });
  await dialog.getByLabel('Email').fill(email);
  await dialog.getByLabel('Role').selectOption('admin');
  await dialog.getByRole('button', { name: 'Create admin' }).click();
  const reveal = page.getByRole('dialog', { name: `Password for ${email}` });
  await expect(reveal.getByText('You will not see this password again.')).toBeVisible();
  const password = await reveal.getByLabel('Generated password').inputValue();
  expect(password.length).toBeGreaterThanOrEqual(12);
  await reveal.getByRole('button', { name: 'Done' }).click();
  await expect(page.getByRole('table', { name: 'Admin accounts' })).toContainText(email);

  // They sign in elsewhere and change their password: a wrong current one is named under its field.
  // A second browser (its own cookies), watched for errors like the first.
  const otherContext = await browser.newContext({ baseURL: baseUrl() });
  const other = await otherContext.newPage();
  const problems: string[] = [];
  other.on('console', (m) => void (m.type() === 'error' && !m.location().url.includes('auth.changePassword') && problems.push(m.text())));
  other.on('pageerror', (e) => void problems.push(e.message));
  guard.allow(/\/trpc\/auth\.changePassword/);
  await other.goto('/admin/sign-in');
  await signIn(other, email, password);
  await expect(other.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeVisible();
  await other.getByRole('button', { name: /^Account:/ }).click();
  await other.getByRole('menuitem', { name: 'Change password' }).click();
  const change = other.getByRole('dialog', { name: 'Change your password' });
  await change.getByLabel('Current password').fill('not-my-password');
  await change.getByLabel('New password').fill('a-brand-new-password-42');
  await change.getByRole('button', { name: 'Change password' }).click();
  await expect(change.getByText('Is not your current password.')).toBeVisible();
  await change.getByLabel('Current password').fill(password);
  await change.getByRole('button', { name: 'Change password' }).click();
  await expect(other.getByText('Password changed', { exact: true })).toBeVisible();

  // Sign out everywhere, after confirming: back to sign-in, and the new password works.
  await other.getByRole('button', { name: /^Account:/ }).click();
  await other.getByRole('menuitem', { name: 'Sign out everywhere' }).click();
  await other.getByRole('alertdialog').getByRole('button', { name: 'Sign out everywhere' }).click();
  await expect(other).toHaveURL(/\/admin\/sign-in$/);
  await signIn(other, email, 'a-brand-new-password-42');
  await expect(other.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeVisible();
  await otherContext.close();
  expect(problems).toEqual([]);
});
