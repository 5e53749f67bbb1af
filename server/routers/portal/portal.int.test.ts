import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminClient, signInAs } from '../../testing/admin.ts';
import { createCustomer, portalClient, signInCustomer } from '../../testing/customers.ts';
import { TEST_ACTOR } from '../../testing/fixtures.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';

/** What the portal shows: the front page before sign-in, the Plan screen and the usage overview. */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

describe('portal.public.info', () => {
  it('names the product and lists the public tiers (Free and Pro; Enterprise is negotiated), cheapest first', async () => {
    const info = await portalClient(server).portal.public.info.query();
    expect(info).toEqual({
      productName: 'Harmonic',
      signupEnabled: true,
      billingEnabled: false,
      tiers: [
        { id: expect.any(String), name: 'Free', monthlyQuota: 1000, priceCents: 0, description: expect.any(String), isDefault: true },
        { id: expect.any(String), name: 'Pro', monthlyQuota: 10000, priceCents: 2900, description: expect.any(String), isDefault: false },
      ],
    });
  });

  it('follows the admins’ public flag, which is audited', async () => {
    const admin = adminClient(server, await signInAs(server, 'admin'));
    const enterprise = (await admin.admin.tiers.list.query()).find((t) => t.name === 'Enterprise');
    expect(enterprise?.public).toBe(false);
    expect((await admin.admin.tiers.update.mutate({ id: enterprise?.id ?? '', public: true })).public).toBe(true);
    try {
      expect((await portalClient(server).portal.public.info.query()).tiers.map((t) => t.name)).toEqual(['Free', 'Pro', 'Enterprise']);
      const audit = await admin.admin.audit.list.query({ targetId: enterprise?.id ?? '' });
      expect(audit.items[0]).toMatchObject({ action: 'tier.updated', details: { public: { from: false, to: true } } });
    } finally {
      await admin.admin.tiers.update.mutate({ id: enterprise?.id ?? '', public: false });
    }
    const created = await admin.admin.tiers.create.mutate({ name: `Hidden ${Date.now()}`, monthlyQuota: 5, priceCents: 100 });
    expect(created.public).toBe(false);
    expect((await portalClient(server).portal.public.info.query()).tiers.map((t) => t.name)).toEqual(['Free', 'Pro']);
  });
});

describe('portal.plan.get', () => {
  it('shows the customer’s own tier, public or not, beside the public ones', async () => {
    const c = await createCustomer(server);
    const portal = portalClient(server, await signInCustomer(server, c.email, c.password));
    const plan = await portal.portal.plan.get.query();
    expect(plan.current).toMatchObject({ name: 'Free', isDefault: true });
    expect(plan.tiers.map((t) => t.name)).toEqual(['Free', 'Pro']);
    expect(plan.billingEnabled).toBe(false);

    await server.services.users.setTier(server.orm.em.fork(), c.userId, 'Enterprise', TEST_ACTOR);
    expect((await portal.portal.plan.get.query()).current).toMatchObject({ name: 'Enterprise', monthlyQuota: null, priceCents: null });
  });
});

describe('portal.usage.overview', () => {
  it('is this period’s quota and the last days’ calls of the customer’s keys, and no one else’s', async () => {
    const c = await createCustomer(server);
    const other = await createCustomer(server);
    const portal = portalClient(server, await signInCustomer(server, c.email, c.password));
    const { key } = await portal.portal.keys.create.mutate({ name: 'prod' });
    const otherKey = (await portalClient(server, await signInCustomer(server, other.email, other.password)).portal.keys.create.mutate({ name: 'x' })).key;
    const track = (k: string, units: number) =>
      fetch(`${server.url}/api/v1/usage/track`, { method: 'POST', headers: { 'x-api-key': k, 'content-type': 'application/json' }, body: JSON.stringify({ endpoint: '/render', units }) });
    expect((await track(key, 2)).status).toBe(201);
    expect((await track(key, 3)).status).toBe(201);
    expect((await track(otherKey, 7)).status).toBe(201);

    const overview = await portal.portal.usage.overview.query({ days: 7 });
    expect(overview.quota).toMatchObject({ userId: c.userId, tier: 'Free', limit: 1000, used: 5, remaining: 995 });
    expect(overview.analytics).toMatchObject({ days: 7 });
    expect(JSON.stringify(overview.analytics)).toContain('"units":5');
    expect(JSON.stringify(overview)).not.toContain(other.userId);

    await expect(portal.portal.usage.overview.query({ days: 0 })).rejects.toMatchObject({ data: { code: 'BAD_REQUEST' } });
  });
});

describe('users an admin creates', () => {
  it('have origin admin and no verified email, from the admin app and the management API alike', async () => {
    const admin = adminClient(server, await signInAs(server, 'admin'));
    const fromApp = await admin.admin.users.create.mutate({ email: `app-${Date.now()}@example.com`, name: 'From the app' });
    expect(fromApp).toMatchObject({ origin: 'admin', emailVerifiedAt: null });

    const { key } = await server.services.managementKeys.create(server.orm.em.fork(), { name: 'ops', scopes: ['users:write'], actor: TEST_ACTOR });
    const res = await fetch(`${server.url}/api/v1/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ email: `api-${Date.now()}@example.com`, name: 'From the API' }),
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ origin: 'admin', emailVerifiedAt: null });

    const list = await admin.admin.users.list.query({ search: fromApp.email });
    expect(list.items[0]).toMatchObject({ origin: 'admin', emailVerifiedAt: null });
  });
});

describe('an admin changing a customer’s email', () => {
  it('leaves the new address unverified until its link is followed', async () => {
    const c = await createCustomer(server);
    const admin = adminClient(server, await signInAs(server, 'admin'));
    const email = `renamed-${Date.now()}@example.com`;
    expect(await admin.admin.users.update.mutate({ id: c.userId, email })).toMatchObject({ email, emailVerifiedAt: null });
    const portal = portalClient(server, await signInCustomer(server, email, c.password));
    await expect(portal.portal.keys.create.mutate({ name: 'x' })).rejects.toMatchObject({ data: { code: 'FORBIDDEN' } });
  });
});
