import { randomBytes } from 'node:crypto';
import { adminClient, signIn as apiSignIn } from '../../server/testing/admin.ts';
import { portalClient } from '../../server/testing/customers.ts';
import { baseUrl, E2E_ADMIN } from './env.ts';
import { callApi, expect, expectAccessible, expectFitsWidth, screenshot, settled, signIn, test } from './fixtures.ts';

/**
 * Every main screen at desktop (1280 px) and phone (390 px) width: it renders
 * its heading and content without a console error or a failed request, fits the
 * screen without sideways scrolling, and is kept as a screenshot artifact.
 */
let userId = '';
let kbId = '';
/** Whether the server runs with billing (LEMONSQUEEZY_*): the billing panels show their data, or say billing is off. */
let billingOn = false;

test.beforeAll(async () => {
  const session = await apiSignIn({ url: baseUrl() }, E2E_ADMIN.email, E2E_ADMIN.password);
  const admin = adminClient({ url: baseUrl() }, session);
  const user = await admin.admin.users.create.mutate({ email: `grace-${randomBytes(3).toString('hex')}@example.com`, name: 'Grace Hopper' });
  userId = user.id;
  const key = await admin.admin.keys.create.mutate({ userId, name: 'production' });
  await admin.admin.keys.create.mutate({ userId, name: 'staging' });
  for (const query of ['rate limiting', 'api keys', 'quota']) expect((await callApi(key.key, { query, sources: ['kb'] })).status).toBe(200);
  expect((await callApi(key.key, { query: '', sources: ['kb'] })).status).toBe(400);
  kbId = (await admin.admin.kb.list.query({ pageSize: 1 })).items[0]?.id ?? '';
  billingOn = (await portalClient({ url: baseUrl() }).portal.public.info.query()).billingEnabled;
  // An operator endpoint nobody listens on: its test event waits for a retry, so the log has a row with "Retry now".
  const hook = await admin.admin.webhooks.create.mutate({ url: 'http://localhost:9/harmonic', description: 'Ops', eventTypes: ['key.created', 'key.revoked'] });
  await admin.admin.webhooks.sendTest.mutate({ id: hook.endpoint.id });
});

const SCREENS = [
  { name: 'dashboard', path: () => '/admin/', heading: 'Dashboard' },
  { name: 'users', path: () => '/admin/users', heading: 'Users' },
  { name: 'user-overview', path: () => `/admin/users/${userId}`, heading: 'Grace Hopper' },
  { name: 'user-keys', path: () => `/admin/users/${userId}?tab=keys`, heading: 'Grace Hopper' },
  { name: 'user-billing', path: () => `/admin/users/${userId}?tab=billing`, heading: 'Grace Hopper' },
  { name: 'user-webhooks', path: () => `/admin/users/${userId}?tab=webhooks`, heading: 'Grace Hopper' },
  { name: 'user-activity', path: () => `/admin/users/${userId}?tab=activity`, heading: 'Grace Hopper' },
  { name: 'keys', path: () => `/admin/keys?user=${userId}`, heading: 'API keys' },
  { name: 'tiers', path: () => '/admin/tiers', heading: 'Tiers' },
  { name: 'billing', path: () => '/admin/billing', heading: 'Billing' },
  { name: 'kb', path: () => '/admin/kb', heading: 'Knowledge base' },
  { name: 'kb-search', path: () => '/admin/kb?q=rotate%20keys', heading: 'Knowledge base' },
  { name: 'kb-entry', path: () => `/admin/kb/${kbId}`, heading: undefined },
  { name: 'kb-new', path: () => '/admin/kb/new', heading: 'New article' },
  { name: 'audit', path: () => '/admin/audit', heading: 'Audit log' },
  { name: 'webhooks', path: () => '/admin/webhooks', heading: 'Webhooks' },
  { name: 'settings', path: () => '/admin/settings', heading: 'Settings' },
  { name: 'admins', path: () => '/admin/admins', heading: 'Admins' },
] as const;

for (const width of [1280, 390]) {
  test(`every main screen renders cleanly at ${width} px`, async ({ page, guard }) => {
    // A dozen screens, each with axe and a full-page screenshot: minutes on a busy machine.
    test.setTimeout(480_000);
    // Billing off: admin.billing.* answers 503 and the dashboard, the user's Billing tab and the Billing screen say so (checked below).
    if (!billingOn) guard.allow(/\/trpc\/[^?]*admin\.billing\./);
    await page.setViewportSize({ width, height: width > 800 ? 800 : 844 });
    await page.goto('/admin/sign-in');
    await expect(page.getByRole('heading', { name: 'Sign in to Harmonic' })).toBeVisible();
    await expectAccessible(page, 'sign-in');
    await screenshot(page, 'sign-in');
    await signIn(page);
    await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible();

    for (const screen of SCREENS) {
      await page.goto(screen.path());
      if (screen.heading) await expect(page.getByRole('heading', { level: 1, name: screen.heading })).toBeVisible();
      else await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
      await settled(page);
      if (!billingOn && ['dashboard', 'user-billing', 'billing'].includes(screen.name)) await expect(page.getByText('Billing is off — set LEMONSQUEEZY_API_KEY, _STORE_ID and _WEBHOOK_SECRET')).toBeVisible();
      await expectFitsWidth(page, screen.name);
      await expectAccessible(page, screen.name);
      await screenshot(page, screen.name);
    }

    // The playground, after a demo call (the upstream sources are unreachable here; kb answers).
    await page.goto('/admin/playground?sources=%5B%22kb%22%5D');
    await page.getByRole('button', { name: 'Send request' }).click();
    await expect(page.getByText('HTTP 200')).toBeVisible();
    await expect(page.locator('[data-header="X-Demo-Mode"]')).toHaveText('true');
    await expectAccessible(page, 'playground');
    await screenshot(page, 'playground');

    // The menus and dialogs people meet most.
    if (width < 1024) {
      await page.getByRole('button', { name: 'Open menu' }).click();
      await expect(page.getByRole('dialog', { name: 'Menu' }).getByRole('link', { name: 'Users' })).toBeVisible();
      await screenshot(page, 'menu');
      await page.getByRole('dialog', { name: 'Menu' }).getByRole('link', { name: 'Users' }).click();
      await expect(page.getByRole('heading', { level: 1, name: 'Users' })).toBeVisible();
    } else {
      await page.goto('/admin/users');
    }
    await page.getByRole('button', { name: 'New user' }).first().click();
    await expect(page.getByRole('dialog', { name: 'New user' })).toBeVisible();
    await expectAccessible(page, 'the new-user dialog');
    await screenshot(page, 'dialog-new-user');
  });
}
