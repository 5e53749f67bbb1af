import { randomBytes } from 'node:crypto';
import { adminClient, signIn as adminSignIn } from '../../server/testing/admin.ts';
import { WebhookReceiver } from '../../server/testing/webhook-receiver.ts';
import { baseUrl, E2E_ADMIN } from './env.ts';
import { callApi, expect, expectAccessible, expectFitsWidth, screenshot, settled, signIn, test } from './fixtures.ts';
import { emailCount, nextEmail, onThisServer } from './mail.ts';

async function adminApi() {
  return adminClient({ url: baseUrl() }, await adminSignIn({ url: baseUrl() }, E2E_ADMIN.email, E2E_ADMIN.password));
}

/** Where the alert email may link: the portal's usage overview, its Plan screen or its Alerts screen. */
const ALERT_EMAIL_LINKS = ['/app', '/app/plan', '/app/alerts'];

/**
 * The usage-alerts journey: a customer on a tier of 10 requests adds a webhook
 * endpoint for quota events (a test event shows in its log), looks at their
 * alert thresholds (the tier's 80% and 100%), then makes 8 real API calls. The
 * 80% alert fires once: the portal's banner and bell say so, the email arrives,
 * and quota.threshold_reached is delivered, signed, to the endpoint and shows
 * in its log. The operator sees it on the dashboard's feed and the user page,
 * and edits the tier's default thresholds.
 */
test('a customer crossing 80% of the quota sees the banner and the notification, gets the email and the quota.threshold_reached webhook', async ({ page }) => {
  test.setTimeout(300_000);
  const receiver = await new WebhookReceiver().start();
  try {
    const hex = randomBytes(3).toString('hex');
    const me = { name: 'Alert Customer', email: `alerts-${hex}@example.com`, password: `plum-orbit-${randomBytes(4).toString('hex')}-lantern` };
    await page.goto('/sign-up');
    await page.getByLabel('Name').fill(me.name);
    await page.getByLabel('Email').fill(me.email);
    await page.getByLabel('Password', { exact: true }).fill(me.password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible();
    // Alert emails go only to verified addresses (an unverified one may be someone else's).
    const verification = await nextEmail(me.email, '/verify-email');
    await page.goto(onThisServer(verification.link));
    await expect(page.getByRole('heading', { level: 1, name: 'Your email is verified' })).toBeVisible();
    await page.getByRole('link', { name: 'Go to your dashboard' }).first().click();
    await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible();

    // A small quota, so 8 real calls are 80% of it.
    const admin = await adminApi();
    const tier = await admin.admin.tiers.create.mutate({ name: `Tiny ${hex}`, monthlyQuota: 10, priceCents: 0 });
    const userId = (await admin.admin.users.list.query({ search: me.email })).items[0]?.id ?? '';
    expect(userId).not.toBe('');
    await admin.admin.users.update.mutate({ id: userId, tierId: tier.id });
    const { key } = await admin.admin.keys.create.mutate({ userId, name: 'production' });

    // 1. An endpoint for quota events; a test event reaches it and shows in its log.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Webhooks' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Webhooks' })).toBeVisible();
    await settled(page);
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    const add = page.getByRole('dialog', { name: 'Add a webhook endpoint' });
    await add.getByLabel('URL').fill(receiver.url('/alerts'));
    await add.getByLabel(/quota\.threshold_reached/).check();
    await add.getByLabel(/quota\.exhausted/).check();
    await add.getByRole('button', { name: 'Add endpoint' }).click();
    const reveal = page.getByRole('dialog', { name: "The endpoint's signing secret" });
    receiver.trust('/alerts', await reveal.getByLabel('Signing secret').inputValue());
    await reveal.getByRole('button', { name: 'I have copied it' }).click();
    const card = page.getByRole('region', { name: receiver.url('/alerts') });
    await card.getByRole('button', { name: 'Send test event' }).click();
    const [testEvent] = await receiver.waitFor('/alerts', (r) => r.length >= 1);
    expect(testEvent?.verified).toBe(true);
    await expect(card.getByRole('table', { name: 'Deliveries' }).getByRole('row', { name: /webhook\.test/ })).toContainText('Delivered');

    // 2. The Alerts screen: the tier's defaults are in force; thresholds of one's own replace them until they choose the defaults again.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Alerts' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Alerts' })).toBeVisible();
    await settled(page);
    const inForce = page.getByRole('list', { name: 'Thresholds in force' });
    await expect(inForce.getByRole('listitem')).toHaveText([/^80%/, /^100%/]);
    await expect(page.getByRole('region', { name: 'Notifications' }).getByText('No alerts yet')).toBeVisible();
    await page.getByLabel('Percent', { exact: true }).fill('0');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await expect(page.getByText('must be at least 1')).toBeVisible();
    await page.getByLabel('Percent', { exact: true }).fill('50');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await expect(inForce.getByRole('listitem')).toHaveText([/^50%/, /^80%/, /^100%/]);
    await expect(page.getByText('Replaced by your own')).toBeVisible();
    await inForce.getByRole('button', { name: 'Remove the alert at 80%' }).click();
    await expect(inForce.getByRole('listitem')).toHaveText([/^50%/, /^100%/]);
    await page.getByRole('button', { name: 'Use tier defaults' }).click();
    await expect(inForce.getByRole('listitem')).toHaveText([/^80%/, /^100%/]);
    await expectAccessible(page, 'the alerts screen');

    // 3. Eight real calls: 80% of the quota, while the customer is on the Overview (the Alerts screen would mark them seen at once).
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Overview' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible();
    const since = await emailCount();
    for (let i = 0; i < 8; i++) expect((await callApi(key)).status).toBe(200);

    // 4. The banner, on every screen, once the flush has fired the alert (the portal looks again on load).
    const banner = page.getByRole('status', { name: 'Usage alert' });
    await expect(async () => {
      await page.reload();
      await expect(banner).toBeVisible({ timeout: 5_000 });
    }).toPass({ timeout: 120_000 });
    await expect(banner).toContainText('80% of the quota reached: 8 of 10 requests this period — resets');
    await expect(banner.getByRole('link', { name: 'See plans and upgrade' })).toHaveAttribute('href', '/app/plan');

    // The bell counts it; opening the notifications lists it and marks it seen.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API keys' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'API keys' })).toBeVisible();
    await expect(banner).toBeVisible();
    await page.getByRole('link', { name: 'Notifications, 1 unread' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Alerts' })).toBeVisible();
    const list = page.getByRole('list', { name: 'Notifications' });
    await expect(list.getByRole('listitem')).toHaveCount(1);
    await expect(list.getByRole('listitem').first()).toContainText('80% of the quota reached: 8 of 10 requests this period');
    await expect(list.getByRole('listitem').first()).toContainText('Active');
    await expect(page.getByRole('link', { name: 'Notifications', exact: true })).toBeVisible();
    await expectAccessible(page, 'the alerts screen with an alert');
    await screenshot(page, 'portal-alerts');

    // 5. The email.
    const email = await nextEmail(me.email, ALERT_EMAIL_LINKS, since);
    expect(`${email.subject}\n${email.text}`).toContain('80%');
    // Used and the limit, however the email words them ("8 of 10 requests").
    expect(email.text).toMatch(/\b8\D+10\b/);

    // 6. quota.threshold_reached, signed, at the endpoint, and in its log.
    const got = await receiver.waitFor('/alerts', (r) => r.some((x) => x.payload.type === 'quota.threshold_reached'));
    const reached = got.filter((x) => x.payload.type === 'quota.threshold_reached');
    expect(reached).toHaveLength(1);
    expect(reached[0]?.verified).toBe(true);
    expect(reached[0]?.payload.data).toMatchObject({ userId, used: 8, limit: 10, threshold: { kind: 'percent', value: 80 } });
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Webhooks' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Webhooks' })).toBeVisible();
    await expect(card.getByRole('table', { name: 'Deliveries' }).getByRole('row', { name: /quota\.threshold_reached/ })).toContainText('Delivered');

    // At phone width the Alerts screen and its banner fit.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Alerts' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Alerts' })).toBeVisible();
    await settled(page);
    await expect(banner).toBeVisible();
    await expectFitsWidth(page, 'alerts on a phone');
    await page.setViewportSize({ width: 1280, height: 800 });

    // 7. The operator: the dashboard's feed, the user page, the tier's defaults.
    await page.goto('/admin/sign-in');
    await signIn(page);
    await expect(page.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeVisible();
    const feed = page.getByRole('region', { name: 'Recent alerts' });
    await expect(feed.getByRole('listitem').filter({ hasText: me.email })).toContainText('80% of the quota reached: 8 of 10 requests this period');
    await feed.getByRole('link', { name: me.email }).first().click();
    await expect(page.getByRole('heading', { level: 1, name: me.name })).toBeVisible();
    await expect(page.getByRole('region', { name: 'Usage alerts' }).getByRole('listitem')).toContainText(['80% of the quota reached']);

    await page.goto('/admin/tiers');
    await expect(page.getByRole('heading', { level: 1, name: 'Tiers' })).toBeVisible();
    const row = page.getByRole('row', { name: new RegExp(tier.name) });
    await expect(row).toContainText('80%, 100%');
    await row.getByRole('button', { name: `Edit the alert thresholds of ${tier.name}` }).click();
    const dialog = page.getByRole('dialog', { name: `Alerts for ${tier.name}` });
    await dialog.getByLabel(/Alert at/).fill('50, 0');
    await dialog.getByRole('button', { name: 'Save alerts' }).click();
    await expect(dialog.getByText('Must be at least 1.')).toBeVisible();
    await expectAccessible(page, 'the alert thresholds dialog');
    await dialog.getByLabel(/Alert at/).fill('100, 50 80');
    await dialog.getByRole('button', { name: 'Save alerts' }).click();
    await expect(dialog).toBeHidden();
    await expect(row).toContainText('50%, 80%, 100%');
    expect((await admin.admin.tiers.list.query()).find((t) => t.id === tier.id)?.alertPercents).toEqual([50, 80, 100]);
  } finally {
    await receiver.close();
  }
});
