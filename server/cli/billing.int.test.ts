import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCustomer } from '../testing/customers.ts';
import { deliverWebhook, startFakeLemonSqueezy, type FakeLemonSqueezy } from '../testing/lemonsqueezy.ts';
import { spawnHarmonic } from '../testing/process.ts';
import { startTestServer, type TestServer } from '../testing/server.ts';

/** `harmonic tiers set-variant` and `harmonic billing sync`, as processes, against the fake Lemon Squeezy API. */
let fake: FakeLemonSqueezy;
let server: TestServer;
beforeAll(async () => {
  fake = await startFakeLemonSqueezy();
  fake.addVariant({ id: '896458', name: 'Pro monthly' });
  server = await startTestServer({ env: fake.env });
}, 120_000);
afterAll(() => Promise.all([server?.close(), fake?.close()]));

async function harmonic(env: Record<string, string>, ...args: string[]) {
  const proc = spawnHarmonic({ command: [process.execPath, 'server/cli/harmonic.ts', ...args], env: { BCRYPT_COST: '4', DATABASE_URL: server.db.url, ...env } });
  let stdout = '';
  proc.child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
  const { code } = await proc.exited;
  return { code, stdout, output: proc.output() };
}

const tierOf = async (userId: string) => (await server.services.users.get(server.orm.em.fork(), userId)).tier;

describe('npx harmonic tiers set-variant / billing sync', { timeout: 300_000 }, () => {
  it('checks the variant with the API, then a sync puts a tier right that a missed webhook left wrong', async () => {
    const unknown = await harmonic(fake.env, 'tiers', 'set-variant', 'Pro', '424242');
    expect(unknown.code).toBe(2);
    expect(unknown.output).toMatch(/variantId: Lemon Squeezy has no variant 424242/);
    const bad = await harmonic(fake.env, 'tiers', 'set-variant', 'Pro', 'abc');
    expect(bad.code).toBe(2);
    expect(bad.output).toMatch(/variantId/);

    const set = await harmonic(fake.env, 'tiers', 'set-variant', 'pro', '896458');
    expect(set.code).toBe(0);
    expect(set.stdout.trim()).toBe('Pro is sold as Lemon Squeezy variant 896458.');
    expect(fake.requests.some((r) => r.path === '/variants/896458')).toBe(true);

    const c = await createCustomer(server);
    fake.setSubscription('4242001', { variant_id: 896458, status: 'active', status_formatted: 'Active', user_email: c.email });
    const delivered = await deliverWebhook(server, 'subscription_created', fake.subscriptionWebhook('subscription_created', '4242001', { user_id: c.userId }));
    expect(delivered.status).toBe(200);
    const deadline = Date.now() + 60_000;
    while ((await tierOf(c.userId)) !== 'Pro') {
      if (Date.now() > deadline) throw new Error('the subscription_created delivery was never applied');
      await new Promise((r) => setTimeout(r, 50));
    }

    // Lemon Squeezy expires it; the webhook never comes.
    fake.setSubscription('4242001', { status: 'expired', status_formatted: 'Expired', ends_at: new Date().toISOString() });
    const sync = await harmonic(fake.env, 'billing', 'sync');
    expect(sync.code).toBe(0);
    expect(sync.stdout).toMatch(/^Checked 1 subscriptions on 1 page: [1-9]\d* corrected, 0 without a user\.$/m);
    expect(await tierOf(c.userId)).toBe('Free');
    expect(sync.output).not.toContain(fake.apiKey);

    const cleared = await harmonic(fake.env, 'tiers', 'set-variant', 'Pro', 'none');
    expect(cleared.stdout.trim()).toBe('Pro is not sold through Lemon Squeezy.');
  });

  it('says billing is off when the Lemon Squeezy variables are unset', async () => {
    const off = await harmonic({}, 'billing', 'sync');
    expect(off.code).toBe(2);
    expect(off.output).toMatch(/Billing is off: set LEMONSQUEEZY_API_KEY/);
  });
});
