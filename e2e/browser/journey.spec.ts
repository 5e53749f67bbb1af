import { randomBytes } from 'node:crypto';
import { E2E_ADMIN } from './env.ts';
import { callApi, expect, settled, signIn, test } from './fixtures.ts';

const KEY = /^hm_[A-Za-z0-9]{32}$/;

/**
 * The whole admin journey of issue 6, in one browser session, against the real
 * server on a real PostgreSQL: sign in (after a wrong password), create a user,
 * issue a key and read it from the reveal, use it in the playground and from
 * the test, see the usage, change the tier and see the new limit, rotate (the
 * old key gets 401), revoke, find every step in the audit log, sign out.
 */
test('an admin runs the whole life of a customer from the browser', async ({ page, context, guard }) => {
  test.setTimeout(180_000);
  const email = `ada-${randomBytes(3).toString('hex')}@example.com`;
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);

  // 1. Sign in, seeing a wrong-password message first.
  guard.allow(/\/trpc\/auth\.signIn/);
  await page.goto('/admin/');
  await expect(page).toHaveURL(/\/admin\/sign-in$/);
  await expect(page).toHaveTitle('Sign in · Harmonic');
  await signIn(page, E2E_ADMIN.email, 'not-the-password');
  await expect(page.getByRole('alert')).toContainText('Invalid email or password');
  await expect(page.getByLabel('Password')).toBeFocused();
  await signIn(page);
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible();
  await expect(page).toHaveURL(/\/admin\/?$/);

  // 2. Create a user.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
  await expect(page).toHaveTitle('Users · Harmonic');
  await page.getByRole('button', { name: 'New user' }).first().click();
  const create = page.getByRole('dialog', { name: 'New user' });
  await create.getByRole('button', { name: 'Create user' }).click();
  await expect(create.getByText('Must be an email address.')).toBeVisible();
  await create.getByLabel('Email').fill(email);
  await create.getByLabel('Name').fill('Ada Lovelace');
  await create.getByRole('button', { name: 'Create user' }).click();
  await expect(page.getByRole('heading', { name: 'Ada Lovelace' })).toBeVisible();
  const userId = /\/users\/([0-9a-f-]{36})/.exec(page.url())?.[1] ?? '';
  expect(userId).not.toBe('');
  await expect(page.getByRole('meter', { name: 'Quota used this month' })).toHaveAttribute('aria-valuetext', '0 of 1,000 used');

  // 3. Issue a key and read it from the reveal.
  await page.getByRole('tab', { name: 'API keys' }).click();
  await expect(page).toHaveURL(/tab=keys/);
  await page.getByRole('button', { name: 'New key' }).first().click();
  const newKey = page.getByRole('dialog', { name: 'New API key' });
  await newKey.getByLabel('Name').fill('production');
  await newKey.getByRole('button', { name: 'Create key' }).click();
  const reveal = page.getByRole('dialog', { name: /Your new key/ });
  await expect(reveal.getByText('You will not see this key again.')).toBeVisible();
  const key = await reveal.getByLabel('API key').inputValue();
  expect(key).toMatch(KEY);
  await reveal.getByRole('button', { name: 'Copy key' }).click();
  await expect(reveal.getByRole('button', { name: 'Copied', exact: true })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);

  // 4. Use it in the playground (handed over in memory, never in the URL) and from the test.
  await reveal.getByRole('button', { name: 'Try it in the playground' }).click();
  await expect(page.getByRole('heading', { name: 'Playground' })).toBeVisible();
  expect(page.url()).not.toContain(key);
  await expect(page.getByLabel('API key')).toHaveValue(key);
  await page.getByLabel('Query').fill('rate limiting');
  await page.getByRole('checkbox', { name: 'wiki' }).uncheck();
  await page.getByRole('checkbox', { name: 'kb' }).check();
  await page.getByRole('button', { name: 'Send request' }).click();
  await expect(page.getByText('HTTP 200')).toBeVisible();
  await expect(page.locator('[data-header="X-RateLimit-Limit"]')).toHaveText('1000');
  await expect(page.locator('[data-header="X-RateLimit-Used"]')).toHaveText('1');
  await expect(page.locator('[data-source="kb"]').getByText('ok', { exact: true })).toBeVisible();
  await expect(page.getByRole('list', { name: 'Merged results' }).getByRole('listitem').first()).toBeVisible();
  await expect(page.getByLabel('curl command')).toContainText('-H "X-API-Key: $HARMONIC_KEY"');
  await page.getByRole('tab', { name: 'TypeScript (typed client)' }).click();
  await expect(page.getByLabel('Typed client snippet')).toContainText("harmonic.data.fetch.mutate({ query: \"rate limiting\", sources: [\"kb\"], limit: 5 })");
  expect(page.url()).not.toContain(key);

  const direct = await callApi(key);
  expect(direct.status).toBe(200);
  expect(direct.headers.get('x-ratelimit-used')).toBe('2');

  // 5. The usage appears on the user's page and on the dashboard.
  await page.goto(`/admin/users/${userId}`);
  await expect(page.getByRole('meter', { name: 'Quota used this month' })).toHaveAttribute('aria-valuetext', '2 of 1,000 used');
  await expect(page.getByText('Requests (30 d)').locator('..')).toContainText('2');
  await expect(page.getByRole('list', { name: 'Requests by source' })).toContainText('kb');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' }).click();
  await expect(page.getByRole('table', { name: 'Top users' })).toContainText(email);
  await expect(page.getByRole('table', { name: 'Top users' }).getByRole('row', { name: new RegExp(email) })).toContainText('2');
  await page.getByRole('button', { name: 'By source' }).click();
  await expect(page).toHaveURL(/chart=source/);
  await settled(page);

  // 6. Change the tier and see the new limit in the headers.
  await page.goto(`/admin/users/${userId}`);
  await page.getByRole('button', { name: 'Change tier' }).click();
  const tierDialog = page.getByRole('dialog', { name: 'Change tier' });
  const pro = await tierDialog.locator('option', { hasText: /^Pro ·/ }).getAttribute('value');
  await tierDialog.getByLabel('Tier').selectOption(pro ?? '');
  await tierDialog.getByRole('button', { name: 'Change tier' }).click();
  await expect(page.getByText(`${email} is now on Pro`, { exact: true })).toBeVisible();
  await expect(page.getByRole('meter', { name: 'Quota used this month' })).toHaveAttribute('aria-valuetext', '2 of 10,000 used');
  const afterTier = await callApi(key);
  expect(afterTier.headers.get('x-ratelimit-limit')).toBe('10000');
  // …and in the playground, with the key pasted this time.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Playground' }).click();
  await page.getByRole('button', { name: 'API key', exact: true }).click();
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Send request' }).click();
  await expect(page.locator('[data-header="X-RateLimit-Limit"]')).toHaveText('10000');
  await expect(page.locator('[data-header="X-RateLimit-Used"]')).toHaveText('4');

  // 7. Rotate the key: the old one gets 401 at once, the new one works.
  await page.goto(`/admin/users/${userId}?tab=keys`);
  await page.getByRole('button', { name: 'Rotate key production' }).click();
  const rotate = page.getByRole('dialog', { name: /Rotate/ });
  await rotate.getByLabel('Immediately').check();
  await rotate.getByRole('button', { name: 'Rotate key' }).click();
  const rotated = page.getByRole('dialog', { name: /Your new key/ });
  await expect(rotated.getByText('The old key has stopped working.')).toBeVisible();
  const newKeyValue = await rotated.getByLabel('API key').inputValue();
  expect(newKeyValue).toMatch(KEY);
  expect(newKeyValue).not.toBe(key);
  await rotated.getByRole('button', { name: 'I have copied it' }).click();
  expect((await callApi(key)).status).toBe(401);
  expect((await callApi(newKeyValue)).status).toBe(200);

  // 8. Revoke, after confirming.
  await page.getByRole('button', { name: 'Revoke key production' }).click();
  const confirm = page.getByRole('alertdialog', { name: /Revoke/ });
  await expect(confirm).toContainText('stops working at once');
  await confirm.getByRole('button', { name: 'Revoke key' }).click();
  await expect(confirm).toBeHidden();
  await expect(page.getByRole('table', { name: 'API keys' }).getByText('revoked')).toHaveCount(2);
  expect((await callApi(newKeyValue)).status).toBe(401);

  // 9. Every step is in the audit log: on the user's trail, and in the audit log filtered by actor and action.
  await page.getByRole('tab', { name: 'Activity' }).click();
  const trail = page.getByRole('table', { name: 'Audit trail' });
  for (const action of ['user.created', 'key.created', 'user.tier_changed', 'key.rotated', 'key.revoked']) {
    await expect(trail.getByText(action, { exact: true }).first()).toBeVisible();
  }
  await expect(trail.getByText('tier: Free → Pro')).toBeVisible();
  await expect(trail.getByText('key.created', { exact: true })).toHaveCount(2);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).click();
  await page.getByLabel('Actor').fill(E2E_ADMIN.email);
  await page.getByLabel('Action').selectOption('key.');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page).toHaveURL(/action=key\./);
  const log = page.getByRole('table', { name: 'Audit events' });
  await expect(log.getByText('key.revoked', { exact: true })).toHaveCount(1);
  await expect(log.getByText('key.rotated', { exact: true })).toHaveCount(1);
  await expect(log.getByText('user.created', { exact: true })).toHaveCount(0);
  await page.reload();
  await expect(page.getByLabel('Action')).toHaveValue('key.');
  await expect(log.getByText('key.rotated', { exact: true })).toHaveCount(1);

  // 10. Sign out: the app is closed until the next sign-in.
  await page.getByRole('button', { name: /^Account:/ }).click();
  await page.getByRole('menuitem', { name: 'Sign out', exact: true }).click();
  await expect(page).toHaveURL(/\/admin\/sign-in$/);
  await page.goto('/admin/users');
  await expect(page).toHaveURL(/\/admin\/sign-in\?next=%2Fusers$/);
  await expect(page.getByRole('heading', { name: 'Sign in to Harmonic' })).toBeVisible();
});
