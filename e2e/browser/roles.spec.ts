import { adminClient, signIn as apiSignIn } from '../../server/testing/admin.ts';
import { baseUrl, E2E_ADMIN } from './env.ts';
import { expect, settled, signIn, test } from './fixtures.ts';

test('a viewer sees everything and can change nothing', async ({ page }) => {
  const owner = adminClient({ url: baseUrl() }, await apiSignIn({ url: baseUrl() }, E2E_ADMIN.email, E2E_ADMIN.password));
  const email = `viewer-${Date.now()}@e2e.test`;
  await owner.admin.accounts.create.mutate({ email, role: 'viewer', password: 'viewer-password-123' });
  const user = await owner.admin.users.create.mutate({ email: `watched-${Date.now()}@example.com`, name: 'Watched User' });
  await owner.admin.keys.create.mutate({ userId: user.id, name: 'ci' });

  await page.goto('/admin/users');
  await signIn(page, email, 'viewer-password-123');
  await expect(page.getByRole('heading', { level: 1, name: 'Users' })).toBeVisible();
  await settled(page);
  await expect(page.getByRole('button', { name: 'New user' })).toHaveCount(0);
  // Owners only: no Admins screen in the menu, and its URL leads back to the dashboard.
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admins' })).toHaveCount(0);

  await page.goto(`/admin/users/${user.id}?tab=keys`);
  await expect(page.getByRole('table', { name: 'API keys' })).toContainText('ci');
  await expect(page.getByRole('button', { name: /Rotate|Revoke|New key|Change tier|Suspend/ })).toHaveCount(0);
  await page.goto('/admin/tiers');
  await expect(page.getByRole('table', { name: 'Tiers' })).toContainText('Enterprise');
  await expect(page.getByRole('button', { name: /New tier|Edit|Delete/ })).toHaveCount(0);
  await page.goto('/admin/admins');
  await expect(page.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeVisible();

  // A viewer still manages their own account.
  await page.getByRole('button', { name: /^Account:/ }).click();
  await expect(page.getByRole('menuitem', { name: 'Change password' })).toBeVisible();
  await expect(page.getByRole('menu')).toContainText('viewer');
});
