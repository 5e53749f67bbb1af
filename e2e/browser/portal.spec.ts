import { randomBytes } from 'node:crypto';
import type { Page } from '@playwright/test';
import pg from 'pg';
import { adminClient, signIn as adminSignIn } from '../../server/testing/admin.ts';
import { baseUrl, databaseUrl, E2E_ADMIN } from './env.ts';
import { callApi, expect, expectAccessible, expectFitsWidth, screenshot, settled, test } from './fixtures.ts';
import { emailCount, nextEmail, onThisServer } from './mail.ts';

const KEY = /^hm_[A-Za-z0-9]{32}$/;

const newCustomer = (who: string) => ({ name: `${who[0]?.toUpperCase()}${who.slice(1)} Customer`, email: `${who}-${randomBytes(3).toString('hex')}@example.com`, password: `plum-orbit-${randomBytes(4).toString('hex')}-lantern` });

async function signUp(page: Page, c: { name: string; email: string; password: string }): Promise<void> {
  await page.getByLabel('Name').fill(c.name);
  await page.getByLabel('Email').fill(c.email);
  await page.getByLabel('Password', { exact: true }).fill(c.password);
  await page.getByRole('button', { name: 'Create account' }).click();
}

async function signInToPortal(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** The ledger rows of one user: the record of their calls, which deleting the account keeps. */
async function ledgerRows(userId: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl() });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>('select count(*) as n from usage_events where user_id = $1', [userId]);
    return Number(rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}

async function adminApi() {
  return adminClient({ url: baseUrl() }, await adminSignIn({ url: baseUrl() }, E2E_ADMIN.email, E2E_ADMIN.password));
}

/**
 * A customer's whole life on the portal, in one browser, against the real
 * server and a real SMTP server: sign up from the front page, verify the email
 * from the message, create a key and read it from the reveal, call the API with
 * it, see the call on the overview, rotate the key (the old one gets 401),
 * reset the password through the emailed link, delete the account (the key gets
 * 401, the ledger stays). axe checks every screen on the way.
 */
test('a customer signs up, verifies, makes and rotates a key, resets the password and deletes the account', async ({ page, context, guard }) => {
  test.setTimeout(300_000);
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const me = newCustomer('lin');

  // 1. The front page: the product's name, the public tiers as a pricing table; sign up.
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1, name: 'Harmonic' })).toBeVisible();
  const plans = page.getByRole('list', { name: 'Plans' });
  await expect(plans.getByRole('heading', { name: 'Free' })).toBeVisible();
  await expect(plans.getByRole('heading', { name: 'Pro' })).toBeVisible();
  await expect(plans.getByRole('heading', { name: 'Enterprise' })).toHaveCount(0);
  await expectAccessible(page, 'the front page');
  await screenshot(page, 'portal-front');
  await page.getByRole('link', { name: 'Get started' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Create your account' })).toBeVisible();
  // Server-side rules show under their fields: this password is one every cracker tries first.
  guard.allow(/\/trpc\/portal\.auth\.signUp/);
  await signUp(page, { ...me, password: 'password1234' });
  await expect(page.getByText(/too common/i)).toBeVisible();
  await expectAccessible(page, 'sign-up with an error');
  await page.getByLabel('Password', { exact: true }).fill(me.password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible();
  await expect(page).toHaveURL(/\/app$/);
  await expect(page.getByText('Verify your email to create API keys.')).toBeVisible();

  // Until the email is verified, no key can be made.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API keys' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'API keys' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'New key' })).toBeDisabled();
  await expect(page.getByText('No keys yet')).toBeVisible();
  await expectAccessible(page, 'keys, before verification');

  // 2. The verification email, from the test SMTP server; follow its link.
  const verification = await nextEmail(me.email, '/verify-email');
  expect(verification.subject).toBe('Verify your email');
  await page.goto(onThisServer(verification.link));
  await expect(page.getByRole('heading', { level: 1, name: 'Your email is verified' })).toBeVisible();
  await expect(page.getByText(`${me.email} is verified`)).toBeVisible();
  await expectAccessible(page, 'the verified-email page');
  await page.getByRole('link', { name: 'Go to your dashboard' }).first().click();
  await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible();
  await expect(page.getByText('Verify your email to create API keys.')).toHaveCount(0);
  await settled(page);
  await expect(page.getByRole('meter', { name: 'Quota used this month' })).toHaveAttribute('aria-valuetext', '0 of 1,000 used');
  await expect(page.getByText('No requests in the last 30 days')).toBeVisible();
  await expectAccessible(page, 'the overview, empty');

  // 3. Create a key and read it from the reveal.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API keys' }).click();
  await page.getByRole('button', { name: 'New key' }).click();
  const create = page.getByRole('dialog', { name: 'New API key' });
  await create.getByRole('button', { name: 'Create key' }).click();
  await expect(create.getByText('Must not be empty.')).toBeVisible();
  await create.getByLabel('Name').fill('production');
  await create.getByRole('button', { name: 'Create key' }).click();
  const reveal = page.getByRole('dialog', { name: /Your new key/ });
  await expect(reveal.getByText('You will not see this key again.')).toBeVisible();
  const key = await reveal.getByLabel('API key').inputValue();
  expect(key).toMatch(KEY);
  await reveal.getByRole('button', { name: 'Copy key' }).click();
  await expect(reveal.getByRole('button', { name: 'Copied', exact: true })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);
  await expectAccessible(page, 'the key reveal');
  await reveal.getByRole('button', { name: 'I have copied it' }).click();
  const keys = page.getByRole('table', { name: 'API keys' });
  await expect(keys.getByRole('row', { name: /production/ })).toContainText('active');
  await expectAccessible(page, 'keys');

  // 4. Call POST /api/v1/data with it, from the test, as any client would.
  const answer = await callApi(key);
  expect(answer.status).toBe(200);
  const userId = answer.headers.get('x-user-id') ?? '';
  expect(userId).toMatch(/^[0-9a-f-]{36}$/);
  // The ledger is written in batches just after the call; the overview's analytics read it.
  await expect.poll(() => ledgerRows(userId)).toBe(1);

  // 5. The call shows on the overview: the quota, the chart's totals and the breakdowns.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Overview' }).click();
  await expect(page.getByRole('meter', { name: 'Quota used this month' })).toHaveAttribute('aria-valuetext', '1 of 1,000 used');
  await expect(page.getByRole('img', { name: '1 requests in 30 days, 0 errors, 0 refused (0 usage exceeded).' })).toBeVisible();
  await expect(page.getByRole('list', { name: 'Requests by endpoint' })).toContainText('/v1/data');
  await expect(page.getByRole('list', { name: 'Requests by status' })).toContainText('200');
  await expect(page.getByRole('region', { name: 'Getting started' }).getByLabel('curl command')).toContainText('/api/v1/data');
  await settled(page);
  await expectAccessible(page, 'the overview, with a call');
  await screenshot(page, 'portal-overview');

  // The playground, with the key just made (handed over in memory) and a key of someone else's refused.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Playground' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Playground' })).toBeVisible();
  await page.getByLabel('API key').fill(`hm_${'x'.repeat(32)}`);
  await page.getByRole('button', { name: 'Send request' }).click();
  await expect(page.getByText('This is not one of your keys.')).toBeVisible();
  await page.getByLabel('API key').fill(key);
  await page.getByRole('checkbox', { name: 'wiki' }).uncheck();
  await page.getByRole('button', { name: 'Send request' }).click();
  await expect(page.getByText('HTTP 200')).toBeVisible();
  await expect(page.locator('[data-header="X-RateLimit-Used"]')).toHaveText('2');
  await expectAccessible(page, 'the playground');

  // 6. Rotate the key, stopping the old one at once: the old key gets 401, the new one works.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API keys' }).click();
  await page.getByRole('button', { name: 'Rotate key production' }).click();
  const rotate = page.getByRole('dialog', { name: /Rotate/ });
  await expect(rotate.getByRole('radio', { name: 'Immediately' })).toBeChecked();
  await expectAccessible(page, 'the rotate dialog');
  await rotate.getByRole('button', { name: 'Rotate key' }).click();
  const rotated = page.getByRole('dialog', { name: /Your new key/ });
  await expect(rotated.getByText('The old key has stopped working.')).toBeVisible();
  const newKey = await rotated.getByLabel('API key').inputValue();
  expect(newKey).toMatch(KEY);
  expect(newKey).not.toBe(key);
  await rotated.getByRole('button', { name: 'I have copied it' }).click();
  expect((await callApi(key)).status).toBe(401);
  expect((await callApi(newKey)).status).toBe(200);
  // The old key is still this customer's: its 401 is counted as a refused call, apart from the requests.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Overview' }).click();
  await expect(page.getByRole('img', { name: '3 requests in 30 days, 0 errors, 1 refused (0 usage exceeded).' })).toBeVisible();
  await expect(page.getByText('1 key invalid')).toBeVisible();
  await expect(page.getByRole('list', { name: 'Requests by status' })).toContainText('401');

  // The plan and the account screens.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Plan' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Plan' })).toBeVisible();
  await expect(page.getByRole('list', { name: 'Plans' }).getByRole('listitem').filter({ hasText: 'Your plan' })).toContainText('Free');
  // No tier is for sale here (billing off, or no variant set): changing plan goes through the operator.
  await expect(page.getByText(/to move to another plan/i)).toBeVisible();
  await expect(page.getByRole('button', { name: /^(Upgrade|Change) to/ })).toHaveCount(0);
  await expectAccessible(page, 'the plan');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Account' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Account' })).toBeVisible();
  await expect(page.getByRole('list', { name: 'Sessions' }).getByText('This browser')).toBeVisible();
  await settled(page);
  await expectAccessible(page, 'the account');

  // 7. Reset the password through the emailed link: sign out, "forgot password", the email, a new password.
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await expect(page).toHaveURL(/\/login$/);
  await expectAccessible(page, 'sign-in');
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Forgot your password?' })).toBeVisible();
  await expectAccessible(page, 'forgot password');
  const since = await emailCount();
  await page.getByLabel('Email').fill(me.email);
  await page.getByRole('button', { name: 'Send the link' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Check your email' })).toBeVisible();
  const reset = await nextEmail(me.email, '/reset-password', since);
  expect(reset.subject).toBe('Reset your password');
  await page.goto(onThisServer(reset.link));
  await expect(page.getByRole('heading', { level: 1, name: 'Choose a new password' })).toBeVisible();
  await expectAccessible(page, 'reset password');
  const newPassword = `quartz-meadow-${randomBytes(4).toString('hex')}-harbor`;
  await page.getByLabel('New password', { exact: true }).fill(newPassword);
  await page.getByRole('button', { name: 'Set the new password' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Your password is changed' })).toBeVisible();
  // A reset link works once.
  guard.allow(/\/trpc\/portal\.auth\.resetPassword/);
  await page.goto(onThisServer(reset.link));
  await page.getByLabel('New password', { exact: true }).fill(`another-${newPassword}`);
  await page.getByRole('button', { name: 'Set the new password' }).click();
  await expect(page.getByRole('alert')).toContainText('The link was already used.');
  // The old password no longer signs in; the new one does.
  await page.goto('/login');
  guard.allow(/\/trpc\/portal\.auth\.signIn/);
  await signInToPortal(page, me.email, me.password);
  await expect(page.getByRole('alert')).toContainText('Invalid email or password');
  await signInToPortal(page, me.email, newPassword);
  await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible();

  // 8. Delete the account, confirming with the password and the typed email: the key gets 401, the ledger stays.
  await expect.poll(() => ledgerRows(userId)).toBe(3);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Account' }).click();
  await page.getByRole('button', { name: 'Delete my account' }).click();
  const remove = page.getByRole('dialog', { name: 'Delete your account?' });
  await remove.getByLabel('Password', { exact: true }).fill(newPassword);
  await remove.getByLabel(/Type your email/).fill('someone-else@example.com');
  guard.allow(/\/trpc\/portal\.account\.delete/);
  await remove.getByRole('button', { name: 'Delete my account' }).click();
  await expect(remove.getByText("Must be your account's email.")).toBeVisible();
  await expectAccessible(page, 'the delete dialog with an error');
  await remove.getByLabel(/Type your email/).fill(me.email);
  await remove.getByRole('button', { name: 'Delete my account' }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Harmonic' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Sign in' }).first()).toBeVisible();
  expect((await callApi(newKey)).status).toBe(401);
  expect(await ledgerRows(userId)).toBe(3);
});

/** The main screens at phone width: nothing scrolls sideways, axe is happy, and the banners say why keys are refused. */
test('the portal at phone width, and a suspended customer told why', async ({ page }) => {
  test.setTimeout(240_000);
  await page.setViewportSize({ width: 390, height: 844 });
  const me = newCustomer('kai');

  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1, name: 'Harmonic' })).toBeVisible();
  await expectFitsWidth(page, 'the front page');
  await screenshot(page, 'portal-front');
  await page.getByRole('link', { name: 'Sign up', exact: true }).click();
  await expectFitsWidth(page, 'sign-up');
  await expectAccessible(page, 'sign-up');
  await screenshot(page, 'portal-sign-up');
  await signUp(page, me);
  await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible();

  for (const [link, heading] of [
    ['Overview', 'Overview'],
    ['API keys', 'API keys'],
    ['Playground', 'Playground'],
    ['Plan', 'Plan'],
    ['Alerts', 'Alerts'],
    ['Account', 'Account'],
  ] as const) {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: link }).click();
    await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible();
    await settled(page);
    await expectFitsWidth(page, heading);
    await expectAccessible(page, `${heading} at phone width`);
    await screenshot(page, `portal-${link.toLowerCase().replace(' ', '-')}`);
  }

  // An admin suspends the customer: every screen says why their keys are refused.
  const admin = await adminApi();
  const user = (await admin.admin.users.list.query({ search: me.email })).items[0];
  expect(user?.email).toBe(me.email);
  await admin.admin.users.suspend.mutate({ id: user?.id ?? '' });
  await page.reload();
  await expect(page.getByRole('alert').filter({ hasText: 'Your account is suspended' })).toContainText('Calls with your keys are refused (HTTP 403)');
  await expectAccessible(page, 'the suspended banner');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API keys' }).click();
  await expect(page.getByRole('button', { name: 'New key' })).toBeDisabled();
  await admin.admin.users.reactivate.mutate({ id: user?.id ?? '' });
});

test('an old admin path opens its /admin screen, query and all', async ({ page }) => {
  await page.goto('/users?sort=email&order=asc');
  await expect(page).toHaveURL(/\/admin\/sign-in\?next=%2Fusers%3Fsort%3Demail%26order%3Dasc$/);
  await expect(page.getByRole('heading', { name: 'Sign in to Harmonic' })).toBeVisible();
});

/**
 * The admin app's side of the portal: the users table and page show where a
 * customer came from and whether they verified, with "resend verification";
 * Settings closes and opens sign-up; a tier's "public" box puts it on the
 * front page or takes it off.
 */
test('an admin sees where customers came from, resends a verification, closes sign-up and unpublishes a tier', async ({ page, browser }) => {
  test.setTimeout(240_000);
  const customer = newCustomer('noor');
  // The customer and a visitor each browse in a context of their own (cookies apart from the admin's).
  const portalContext = await browser.newContext({ baseURL: baseUrl() });
  const portal = await portalContext.newPage();
  await portal.goto('/sign-up');
  await signUp(portal, customer);
  await expect(portal.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible();
  const first = await nextEmail(customer.email, '/verify-email');

  await page.goto('/admin/sign-in');
  await page.getByLabel('Email').fill(E2E_ADMIN.email);
  await page.getByLabel('Password').fill(E2E_ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeVisible();

  // Origin and verification, in the table and on the user's page; the link sent again.
  await page.goto(`/admin/users?q=${encodeURIComponent(customer.email)}`);
  const row = page.getByRole('table', { name: 'Users' }).getByRole('row', { name: new RegExp(customer.email) });
  await expect(row).toContainText('Self sign-up');
  await expect(row).toContainText('Unverified');
  await row.getByRole('link', { name: customer.email }).click();
  await expect(page.getByRole('heading', { level: 1, name: customer.name })).toBeVisible();
  await expect(page.getByText('Signed up on the portal')).toBeVisible();
  await page.getByRole('button', { name: 'More actions' }).click();
  await page.getByRole('menuitem', { name: 'Resend verification email' }).click();
  await expect(page.getByText(`Sent a verification link to ${customer.email}`, { exact: true })).toBeVisible();
  const again = await nextEmail(customer.email, '/verify-email', first.index + 1);
  expect(again.link).not.toBe(first.link);

  const api = await adminApi();
  try {
    // Sign-up closed from Settings: the portal says to contact the operator.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Settings' })).toBeVisible();
    await expectAccessible(page, 'admin settings');
    await page.getByRole('button', { name: 'Close sign-up' }).click();
    await expect(page.getByRole('button', { name: 'Open sign-up' })).toBeVisible();
    const visitorContext = await browser.newContext({ baseURL: baseUrl() });
    const visitor = await visitorContext.newPage();
    await visitor.goto('/');
    await expect(visitor.getByText('Sign-up is closed here. To get an account, contact the operator of this service.')).toBeVisible();
    await expect(visitor.getByRole('link', { name: 'Get started' })).toHaveCount(0);
    await expectAccessible(visitor, 'the front page, sign-up closed');
    await visitor.goto('/sign-up');
    await expect(visitor.getByRole('heading', { level: 1, name: 'Sign-up is closed' })).toBeVisible();
    await page.getByRole('button', { name: 'Open sign-up' }).click();
    await expect(page.getByRole('button', { name: 'Close sign-up' })).toBeVisible();

    // Pro taken off the public pages, then put back.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tiers' }).click();
    await page.getByRole('button', { name: 'Edit tier Pro' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit Pro' });
    await edit.getByRole('checkbox', { name: /^Public/ }).uncheck();
    await edit.getByRole('button', { name: 'Save' }).click();
    await expect(page.getByRole('row', { name: /Pro/ })).not.toContainText('Public');
    await visitor.goto('/');
    await expect(visitor.getByRole('list', { name: 'Plans' }).getByRole('heading', { name: 'Free' })).toBeVisible();
    await expect(visitor.getByRole('list', { name: 'Plans' }).getByRole('heading', { name: 'Pro' })).toHaveCount(0);
    await visitorContext.close();
  } finally {
    // The other specs expect the server as global setup made it.
    await api.admin.settings.update.mutate({ signupEnabled: true });
    const pro = (await api.admin.tiers.list.query()).find((t) => t.name === 'Pro');
    if (pro) await api.admin.tiers.update.mutate({ id: pro.id, public: true });
  }
  await portalContext.close();
});

test('the portal works from the keyboard alone, with a visible focus', async ({ page }) => {
  const me = newCustomer('ren');
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1, name: 'Harmonic' })).toBeVisible();
  // The first Tab reaches "Skip to content", which moves focus to the page's content.
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to content' });
  await expect(skip).toBeFocused();
  await expect(skip).toBeVisible();
  await page.keyboard.press('Enter');
  await expect(page.locator('#main')).toBeFocused();
  await page.keyboard.press('Tab');
  const start = page.getByRole('link', { name: 'Get started' });
  await expect(start).toBeFocused();
  expect(await start.evaluate((el) => getComputedStyle(el).outlineStyle)).not.toBe('none');
  await page.keyboard.press('Enter');

  // Sign up without a mouse: the name field has focus, Tab walks the form, Enter submits it.
  await expect(page.getByLabel('Name')).toBeFocused();
  await page.keyboard.type(me.name);
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Email')).toBeFocused();
  await page.keyboard.type(me.email);
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Password', { exact: true })).toBeFocused();
  await page.keyboard.type(me.password);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible();

  // The screens are links in the main navigation, reached and followed from the keyboard.
  const keys = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API keys' });
  await keys.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'API keys' })).toBeVisible();
  await expect(keys).toHaveAttribute('aria-current', 'page');
});

test('a customer whose session ended signs in again and is back where they were', async ({ page, guard }) => {
  const me = newCustomer('ode');
  await page.goto('/sign-up');
  await signUp(page, me);
  await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible();
  await settled(page);

  // As 7 idle days would.
  const client = new pg.Client({ connectionString: databaseUrl() });
  await client.connect();
  try {
    await client.query(`update customer_sessions set expires_at = now() - interval '1 second' where user_id = (select id from users where email = $1)`, [me.email]);
  } finally {
    await client.end();
  }
  guard.allow(/\/trpc\/portal\./);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Plan' }).click();
  await expect(page).toHaveURL(/\/login\?next=%2Fapp%2Fplan$/);
  await expect(page.getByText('Your session has ended. Sign in again to carry on where you were.')).toBeVisible();
  await signInToPortal(page, me.email, me.password);
  await expect(page).toHaveURL(/\/app\/plan$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Plan' })).toBeVisible();
});

test('a customer changes their email through the new address’s link, and ends a session of another browser', async ({ page, browser }) => {
  const me = newCustomer('ada');
  await page.goto('/sign-up');
  await signUp(page, me);
  await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible();

  // A second browser signed in to the same account.
  const other = await browser.newContext({ baseURL: baseUrl() });
  const otherPage = await other.newPage();
  await otherPage.goto('/login');
  await signInToPortal(otherPage, me.email, me.password);
  await expect(otherPage.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible();

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Account' }).click();
  const sessions = page.getByRole('list', { name: 'Sessions' });
  await expect(sessions.getByRole('listitem')).toHaveCount(2);
  await sessions.getByRole('button', { name: /^End the session/ }).click();
  await page.getByRole('alertdialog', { name: 'End this session?' }).getByRole('button', { name: 'End session' }).click();
  await expect(sessions.getByRole('listitem')).toHaveCount(1);
  await expect(sessions.getByText('This browser')).toBeVisible();
  await other.close();

  // The change waits for the new address's link; until then the old email stays.
  const newEmail = `ada-new-${randomBytes(3).toString('hex')}@example.com`;
  const email = page.getByRole('region', { name: 'Email' });
  await email.getByLabel('New email').fill(newEmail);
  await email.getByLabel('Current password', { exact: true }).fill(me.password);
  await email.getByRole('button', { name: 'Change email' }).click();
  await expect(email.getByText(`Waiting for ${newEmail} to be confirmed`)).toBeVisible();
  await expectAccessible(page, 'the account, with an email change pending');
  const confirm = await nextEmail(newEmail, '/confirm-email');
  await page.goto(onThisServer(confirm.link));
  await expect(page.getByRole('heading', { level: 1, name: 'Your email is changed' })).toBeVisible();
  await expect(page.getByText(`Your account's email is now ${newEmail}.`)).toBeVisible();
  await page.goto('/app/account');
  await expect(page.getByRole('region', { name: 'Email' })).toContainText(newEmail);
  await expect(page.getByRole('region', { name: 'Email' }).getByText('Waiting for')).toHaveCount(0);
});
