import { randomBytes } from 'node:crypto';
import { expect, settled, signIn, test } from './fixtures.ts';

test('tiers: create, edit, and a delete refused while in use, saying why', async ({ page, guard }) => {
  const name = `Starter ${randomBytes(2).toString('hex')}`;
  await page.goto('/admin/tiers');
  await signIn(page);
  await expect(page.getByRole('heading', { level: 1, name: 'Tiers' })).toBeVisible();
  await settled(page);

  // Create, with the shared schema's checks first.
  await page.getByRole('button', { name: 'New tier' }).click();
  const dialog = page.getByRole('dialog', { name: 'New tier' });
  await dialog.getByLabel('Monthly quota (requests)').fill('-5');
  await dialog.getByRole('button', { name: 'Create tier' }).click();
  await expect(dialog.getByText('Must not be negative.')).toBeVisible();
  await expect(dialog.getByText('Must not be empty.')).toBeVisible();
  await dialog.getByLabel('Name').fill(name);
  await dialog.getByLabel('Monthly quota (requests)').fill('2500');
  await dialog.getByLabel('Price per month (USD)').fill('9.50');
  await dialog.getByRole('button', { name: 'Create tier' }).click();
  const row = page.getByRole('table', { name: 'Tiers' }).getByRole('row', { name: new RegExp(name) });
  await expect(row).toContainText('2,500');
  await expect(row).toContainText('$9.50');

  // A duplicate name is refused by the server (409), under the field.
  guard.allow(/\/trpc\/admin\.tiers\.(create|delete)/);
  await page.getByRole('button', { name: 'New tier' }).click();
  await dialog.getByLabel('Name').fill('pro');
  await dialog.getByRole('button', { name: 'Create tier' }).click();
  await expect(dialog.getByText('Is already taken.')).toBeVisible();
  await dialog.getByRole('button', { name: 'Cancel' }).click();

  // Edit: unlimited.
  await page.getByRole('button', { name: `Edit tier ${name}` }).click();
  const edit = page.getByRole('dialog', { name: `Edit ${name}` });
  await edit.getByLabel('Unlimited quota').check();
  await edit.getByRole('button', { name: 'Save' }).click();
  await expect(row).toContainText('Unlimited');

  // Put a user on it: deleting is refused with the server's reason.
  await page.goto('/admin/users');
  await page.getByRole('button', { name: 'New user' }).first().click();
  const newUser = page.getByRole('dialog', { name: 'New user' });
  await newUser.getByLabel('Email').fill(`tiered-${randomBytes(3).toString('hex')}@example.com`);
  await newUser.getByLabel('Name').fill('On the new tier');
  const tierId = await newUser.locator('option', { hasText: new RegExp(`^${name} ·`) }).getAttribute('value');
  await newUser.getByLabel('Tier').selectOption(tierId ?? '');
  await newUser.getByRole('button', { name: 'Create user' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'On the new tier' })).toBeVisible();

  await page.goto('/admin/tiers');
  await page.getByRole('button', { name: `Delete tier ${name}` }).click();
  const confirm = page.getByRole('alertdialog');
  await confirm.getByRole('button', { name: 'Delete tier' }).click();
  await expect(confirm.getByRole('alert')).toContainText(`1 user is on ${name}; move them to another tier first`);
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(row).toBeVisible();
});
