import { randomBytes } from 'node:crypto';
import type { Page } from '@playwright/test';
import { adminClient, signIn as adminSignIn } from '../../server/testing/admin.ts';
import { baseUrl, E2E_ADMIN, lemonSqueezyUrl } from './env.ts';
import { callApi, expect, expectAccessible, expectFitsWidth, screenshot, settled, signIn, test } from './fixtures.ts';
import { deliverWebhook, FakeLemonSqueezyControl, invoiceWebhookBody } from '../../server/testing/lemonsqueezy.ts';

/** Pro's variant on the fake store: the recorded subscription_created delivery's. */
const PRO_VARIANT = '896458';

let fake: FakeLemonSqueezyControl;
let proTierId = '';

async function adminApi() {
  return adminClient({ url: baseUrl() }, await adminSignIn({ url: baseUrl() }, E2E_ADMIN.email, E2E_ADMIN.password));
}

async function signUp(page: Page, c: { name: string; email: string; password: string }): Promise<void> {
  await page.goto('/sign-up');
  await page.getByLabel('Name').fill(c.name);
  await page.getByLabel('Email').fill(c.email);
  await page.getByLabel('Password', { exact: true }).fill(c.password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible();
}

const webhook = async (eventName: string, body: string) => {
  const res = await deliverWebhook({ url: baseUrl() }, eventName, body);
  expect(res.status, `${eventName} is accepted`).toBe(200);
};

/** The fake Lemon Squeezy global-setup.ts started, driven from here; Pro is sold as PRO_VARIANT while this file runs. */
test.beforeAll(async () => {
  fake = new FakeLemonSqueezyControl(lemonSqueezyUrl());
  await fake.addVariant(PRO_VARIANT, { name: 'Pro', productName: 'Harmonic', price: 2900 });
  const admin = await adminApi();
  const pro = (await admin.admin.tiers.list.query()).find((t) => t.name === 'Pro');
  if (!pro) throw new Error('the seeded Pro tier is missing');
  proTierId = pro.id;
  const set = await admin.admin.tiers.setVariant.mutate({ tierId: proTierId, variantId: PRO_VARIANT });
  expect(set.lemonsqueezyVariantId).toBe(PRO_VARIANT);
  // Setting it asked Lemon Squeezy whether the variant exists.
  expect((await fake.requests()).some((r) => r.method === 'GET' && r.path === `/variants/${PRO_VARIANT}`)).toBe(true);
});

/** The other specs find no tier for sale, as before billing. */
test.afterAll(async () => {
  if (proTierId) await (await adminApi()).admin.tiers.setVariant.mutate({ tierId: proTierId, variantId: null });
});

/**
 * The journey: a customer upgrades in the portal and lands on the
 * (fake) checkout; Lemon Squeezy's signed subscription_created arrives; the
 * portal, waiting back from checkout, shows Pro; the API's headers say
 * X-RateLimit-Limit: 10000; they cancel (Pro stays until the period ends),
 * then the subscription expires: back to Free, and 1,000.
 */
test('a customer upgrades to Pro through checkout, then cancels and is back on Free when it expires', async ({ page }) => {
  test.setTimeout(300_000);
  const me = { name: 'Ada Customer', email: `ada-${randomBytes(3).toString('hex')}@example.com`, password: `plum-orbit-${randomBytes(4).toString('hex')}-lantern` };
  await signUp(page, me);
  const admin = await adminApi();
  const user = (await admin.admin.users.list.query({ search: me.email })).items[0];
  expect(user?.email).toBe(me.email);
  const userId = user?.id ?? '';
  const key = (await admin.admin.keys.create.mutate({ userId, name: 'production' })).key;
  const before = await callApi(key);
  expect(before.status).toBe(200);
  expect(before.headers.get('x-ratelimit-limit')).toBe('1000');

  // 1. Upgrade from the Plan screen: the browser goes to Lemon Squeezy's checkout, made for this customer.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Plan' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Plan' })).toBeVisible();
  await settled(page);
  await expect(page.getByText(/to move to another plan/i)).toHaveCount(0);
  await expect(page.getByTestId('usage-period')).toContainText('calendar month (UTC)');
  await expect(page.getByRole('region', { name: 'Billing history' }).getByText('No payments yet')).toBeVisible();
  await expectAccessible(page, 'the plan, billing on');
  await screenshot(page, 'portal-plan-upgrade');
  await page.getByRole('button', { name: 'Upgrade to Pro' }).click();
  await expect(page.getByRole('heading', { name: 'Fake Lemon Squeezy checkout' })).toBeVisible();
  expect(page.url().startsWith(fake.origin)).toBe(true);
  const checkout = (await fake.checkouts()).at(-1);
  expect(checkout).toMatchObject({ variantId: PRO_VARIANT, email: me.email, custom: { user_id: userId } });
  expect(checkout?.redirectUrl).toMatch(/\/app\/plan\?checkout=done$/);

  // Back from checkout before the webhook: the portal says the plan updates in a moment, and waits for it.
  // The redirect is on PUBLIC_URL (else http://localhost:<port>); the browser's session is on 127.0.0.1: same server, same path.
  const back = new URL(checkout?.redirectUrl ?? '');
  await page.goto(`${back.pathname}${back.search}`);
  await expect(page).toHaveURL(/\/app\/plan\?checkout=done$/);
  await expect(page.getByText('Payment received — your plan updates in a moment')).toBeVisible();
  await expectAccessible(page, 'the plan, back from checkout');

  // 2. Lemon Squeezy delivers subscription_created, signed with the webhook secret; then the first invoice.
  const sub = await fake.completeCheckout(checkout?.id ?? '');
  await webhook('subscription_created', await fake.subscriptionWebhook('subscription_created', sub.id, { user_id: userId }));
  await webhook(
    'subscription_payment_success',
    invoiceWebhookBody({
      eventName: 'subscription_payment_success',
      id: String(Number(sub.id) + 7),
      subscriptionId: sub.id,
      customData: { user_id: userId },
      attributes: { billing_reason: 'initial', status: 'paid', status_formatted: 'Paid', currency: 'USD', subtotal: 2900, total: 2900, subtotal_formatted: '$29.00', total_formatted: '$29.00', user_email: me.email },
    }),
  );

  // 3. The portal shows Pro without a reload, with its renewal date and the payment.
  await expect(page.getByRole('status').filter({ hasText: 'Payment received' })).toContainText('You are on Pro now.');
  const current = page.getByRole('region', { name: 'Your plan' });
  await expect(current).toContainText('You are on Pro');
  await expect(current.getByTestId('subscription-status')).toContainText(/Active\s*Renews on/);
  await expect(current.getByTestId('usage-period')).toContainText("following your subscription's renewals");
  await expect(page.getByRole('list', { name: 'Plans' }).getByRole('listitem').filter({ hasText: 'Your plan' })).toContainText('Pro');
  await page.reload();
  await expect(page.getByRole('table', { name: 'Invoices' }).getByRole('row', { name: /First payment/ })).toContainText('$29.00');
  await settled(page);
  await expectAccessible(page, 'the plan, on Pro');
  await screenshot(page, 'portal-plan-pro');

  // 4. The API follows: Pro's quota in the headers.
  const onPro = await callApi(key);
  expect(onPro.status).toBe(200);
  expect(onPro.headers.get('x-ratelimit-limit')).toBe('10000');

  // 5. Cancel: asked first, the plan stays until the period ends, and can be resumed until then.
  await page.getByRole('button', { name: 'Cancel plan' }).click();
  const confirm = page.getByRole('alertdialog', { name: 'Cancel your plan?' });
  await expect(confirm).toContainText('You keep Pro until');
  await expectAccessible(page, 'the cancel dialog');
  await confirm.getByRole('button', { name: 'Cancel plan' }).click();
  await expect(confirm).toHaveCount(0);
  // Lemon Squeezy's documented cancel: DELETE /v1/subscriptions/:id.
  expect((await fake.requests()).some((r) => r.method === 'DELETE' && r.path === `/subscriptions/${sub.id}`)).toBe(true);
  await webhook('subscription_cancelled', await fake.subscriptionWebhook('subscription_cancelled', sub.id, { user_id: userId }));
  await page.reload();
  await expect(current.getByTestId('subscription-status')).toContainText(/Cancelling\s*Cancels on/);
  await expect(current.getByRole('button', { name: 'Resume plan' })).toBeVisible();
  await expect(current).toContainText('You are on Pro');
  expect((await callApi(key)).headers.get('x-ratelimit-limit')).toBe('10000');
  await expectAccessible(page, 'the plan, cancelling');

  // ...then it expires: back on Free, in the portal and in the API's headers.
  await fake.setSubscription(sub.id, { status: 'expired', status_formatted: 'Expired', ends_at: new Date().toISOString().replace('Z', '000Z') });
  await webhook('subscription_expired', await fake.subscriptionWebhook('subscription_expired', sub.id, { user_id: userId }));
  await expect
    .poll(async () => (await callApi(key)).headers.get('x-ratelimit-limit'), { message: 'the expired subscription leaves the customer on Free' })
    .toBe('1000');
  await page.reload();
  await expect(current).toContainText('You are on Free');
  await expect(current.getByTestId('subscription-status')).toContainText(/Ended\s*Ended on/);
  await expect(page.getByRole('button', { name: 'Upgrade to Pro' })).toBeVisible();
  await expectAccessible(page, 'the plan, expired');
  await page.setViewportSize({ width: 390, height: 844 });
  await settled(page);
  await expectFitsWidth(page, 'the plan with its billing history');
  await expectAccessible(page, 'the plan at phone width');
  await screenshot(page, 'portal-plan-expired');

  // The admin app saw it all: the user's Billing tab, and the events, processed.
  const adminPage = await page.context().newPage();
  await adminPage.goto('/admin/sign-in');
  await signIn(adminPage);
  await expect(adminPage.getByRole('heading', { name: 'Dashboard' })).toBeVisible();
  await expect(adminPage.getByRole('list', { name: 'Monthly revenue' })).toBeVisible();
  await adminPage.goto(`/admin/users/${userId}?tab=billing`);
  const events = adminPage.getByRole('table', { name: "This user's webhook events" });
  for (const name of ['subscription_created', 'subscription_payment_success', 'subscription_cancelled', 'subscription_expired']) {
    await expect(events.getByRole('row').filter({ hasText: name })).toContainText('Processed');
  }
  await expect(adminPage.getByRole('table', { name: 'Invoices' })).toContainText('$29.00');
  await settled(adminPage);
  await expectAccessible(adminPage, "the user's billing tab");
  await adminPage.goto('/admin/billing?state=processed');
  await expect(adminPage.getByRole('heading', { level: 1, name: 'Billing' })).toBeVisible();
  await adminPage.getByRole('table', { name: 'Webhook events' }).getByRole('link', { name: 'subscription_created' }).first().click();
  const drawer = adminPage.getByRole('dialog', { name: 'Webhook event' });
  await expect(drawer.getByRole('region', { name: 'Raw body' })).toContainText(`"user_id":"${userId}"`);
  await expectAccessible(adminPage, 'the event drawer');
  await adminPage.setViewportSize({ width: 390, height: 844 });
  await expectFitsWidth(adminPage, 'the event drawer');
  await screenshot(adminPage, 'admin-billing-event');
});
