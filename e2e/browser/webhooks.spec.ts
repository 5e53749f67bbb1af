import { randomBytes } from 'node:crypto';
import { WebhookReceiver } from '../../server/testing/webhook-receiver.ts';
import { expect, expectAccessible, expectFitsWidth, screenshot, settled, test } from './fixtures.ts';

/**
 * A customer adds a webhook endpoint in the portal (a receiver this spec runs on
 * http://localhost, which verifies every delivery with the Standard Webhooks
 * library), reads its secret once, sends a test event and sees it delivered in
 * the log; then, at phone width, disables it.
 */
test('a customer adds a webhook endpoint, sends a test event and sees it delivered in the log', async ({ page }) => {
  test.setTimeout(240_000);
  const receiver = await new WebhookReceiver().start();
  try {
    const email = `hooks-${randomBytes(3).toString('hex')}@example.com`;
    await page.goto('/sign-up');
    await page.getByLabel('Name').fill('Hook Customer');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(`plum-orbit-${randomBytes(4).toString('hex')}-lantern`);
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible();

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Webhooks' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Webhooks' })).toBeVisible();
    await settled(page);
    await expect(page.getByText('No endpoints yet')).toBeVisible();
    await expectAccessible(page, 'webhooks, empty');

    // The form names what is wrong, under its field.
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    const add = page.getByRole('dialog', { name: 'Add a webhook endpoint' });
    await add.getByLabel('URL').fill(receiver.url('/portal'));
    await add.getByRole('button', { name: 'Add endpoint' }).click();
    await expect(add.getByText('Pick at least one event type.')).toBeVisible();
    await add.getByLabel(/key\.created/).check();
    await add.getByLabel(/key\.revoked/).check();
    await add.getByLabel('Description', { exact: false }).fill('Our ops bot');
    await expectAccessible(page, 'the add-endpoint dialog');
    await add.getByRole('button', { name: 'Add endpoint' }).click();

    // The secret, once.
    const reveal = page.getByRole('dialog', { name: "The endpoint's signing secret" });
    const secret = await reveal.getByLabel('Signing secret').inputValue();
    expect(secret).toMatch(/^whsec_/);
    receiver.trust('/portal', secret);
    await expectAccessible(page, 'the secret reveal');
    await reveal.getByRole('button', { name: 'I have copied it' }).click();
    await expect(page.getByText(secret)).toHaveCount(0);

    // A test event: delivered, verified, and in the log with its status code and one attempt.
    const card = page.getByRole('region', { name: receiver.url('/portal') });
    await card.getByRole('button', { name: 'Send test event' }).click();
    const [test] = await receiver.waitFor('/portal', (r) => r.length >= 1);
    expect(test?.verified).toBe(true);
    expect(test?.payload.type).toBe('webhook.test');
    const log = card.getByRole('table', { name: 'Deliveries' });
    const row = log.getByRole('row', { name: /webhook\.test/ });
    await expect(row).toContainText('Delivered');
    await expect(row).toContainText('200');
    await expect(row).toContainText(test?.id ?? 'msg_');
    await expectAccessible(page, 'webhooks with a delivery');
    await screenshot(page, 'portal-webhooks');

    // At phone width the screen still fits; disabling stops test events.
    await page.setViewportSize({ width: 390, height: 844 });
    await settled(page);
    await expectFitsWidth(page, 'webhooks on a phone');
    await card.getByRole('button', { name: 'Disable' }).click();
    await expect(card.getByText('Disabled', { exact: true })).toBeVisible();
    await expect(card.getByRole('button', { name: 'Send test event' })).toBeDisabled();
  } finally {
    await receiver.close();
  }
});
