import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BillingEventState } from '../../shared/billing.ts';
import { adminClient, signInAs } from '../testing/admin.ts';
import { createCustomer, portalClient, signInCustomer } from '../testing/customers.ts';
import { createUserWithKey, postData, TEST_ACTOR } from '../testing/fixtures.ts';
import {
  deliverWebhook,
  invoiceWebhookBody,
  lemonSqueezyFixture,
  startFakeLemonSqueezy,
  subscriptionWebhookBody,
  TEST_LS_API_KEY,
  TEST_LS_SECRET,
  FakeLemonSqueezyControl,
  type FakeLemonSqueezy,
} from '../testing/lemonsqueezy.ts';
import { startTestServer, type TestServer } from '../testing/server.ts';
import { WebhookReceiver } from '../testing/webhook-receiver.ts';
import { subscriptionAnchor } from '../usage/admission/period.ts';
import { BILLING_RECHECK_QUEUE } from './service.ts';

/**
 * Billing end to end: the real server with billing on against the fake Lemon
 * Squeezy API, webhooks signed with the test secret and applied by the real
 * job, and the billing clock moved by the test (grace, ends_at) instead of waited for.
 */
const PRO_VARIANT = '896458';
const ENTERPRISE_VARIANT = '896459';
const DAY = 24 * 60 * 60 * 1000;

let fake: FakeLemonSqueezy;
let server: TestServer;
let off: TestServer;
let clockMs = Date.parse('2027-03-10T12:00:00Z');
let admin: ReturnType<typeof adminClient>;
let tierIds: Record<string, string>;

beforeAll(async () => {
  fake = await startFakeLemonSqueezy({ pageSize: 2 });
  fake.addVariant({ id: PRO_VARIANT, name: 'Pro monthly', price: 2900 });
  fake.addVariant({ id: ENTERPRISE_VARIANT, name: 'Enterprise monthly', price: 49_900 });
  [server, off] = await Promise.all([startTestServer({ env: { ...fake.env, ALLOW_INSECURE_WEBHOOKS: 'true' }, now: () => new Date(clockMs) }), startTestServer()]);
  admin = adminClient(server, await signInAs(server, 'owner'));
  const tiers = await admin.admin.tiers.list.query();
  tierIds = Object.fromEntries(tiers.map((t) => [t.name, t.id]));
  await admin.admin.tiers.setVariant.mutate({ tierId: tierIds['Pro']!, variantId: PRO_VARIANT });
}, 120_000);
afterAll(() => Promise.all([server?.close(), off?.close(), fake?.close()]));

let updatedSeq = Date.parse('2027-03-01T00:00:00Z');
/** A strictly later `updated_at` each call, as Lemon Squeezy's payloads carry. */
const later = () => new Date((updatedSeq += 60_000)).toISOString().replace('Z', '000Z');
const newSubscriptionId = () => String(5_000_000 + Math.floor(Math.random() * 4_000_000));

async function eventRow(id: string) {
  const [row] = await server.orm.em.fork().execute<{ state: BillingEventState; detail: string | null; user_id: string | null }[]>(`select state, detail, user_id from billing_events where id = ?`, [id]);
  return row;
}

/** Waits (a ceiling for a hang, not a speed target) until the stored delivery's job has run. */
async function processed(id: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const row = await eventRow(id);
    if (row && row.state !== 'pending') return row;
    if (Date.now() > deadline) throw new Error(`billing event ${id} is still ${row?.state ?? 'missing'} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Delivers a body and waits for its processing; the answer must be exactly 200. */
async function deliver(eventName: string, body: string | Buffer, target: TestServer = server) {
  const res = await deliverWebhook(target, eventName, body);
  expect(res.status).toBe(200);
  const answer = (await res.json()) as { id: string; duplicate: boolean };
  return { ...answer, ...(await processed(answer.id)) };
}

const subscriptionEvent = (eventName: string, id: string, userId: string | undefined, attributes: Record<string, unknown>) =>
  subscriptionWebhookBody({ eventName, id, attributes: { variant_id: Number(PRO_VARIANT), updated_at: later(), ...attributes }, customData: userId ? { user_id: userId } : undefined });

async function tierOf(userId: string) {
  return (await server.services.users.get(server.orm.em.fork(), userId)).tier;
}

async function anchorOf(userId: string): Promise<string | null> {
  const [row] = await server.orm.em.fork().execute<{ a: Date | null }[]>(`select period_anchor as a from users where id = ?`, [userId]);
  return row?.a ? new Date(row.a).toISOString() : null;
}

const count = async (sql: string, params: unknown[] = []) => (await server.orm.em.fork().execute<{ n: number }[]>(sql, params))[0]?.n ?? 0;

describe('the webhook', () => {
  it('verifies the shared signature vector over the recorded body as stored, and parks it unmatched', async () => {
    const vectors = JSON.parse(lemonSqueezyFixture('signature-vectors.json').toString('utf8')) as { vectors: { file: string; signature: string }[] };
    const vector = vectors.vectors.find((v) => v.file === 'webhook-subscription_created.json')!;
    const res = await deliverWebhook(server, 'subscription_created', lemonSqueezyFixture(vector.file), { signature: vector.signature });
    expect(res.status).toBe(200);
    const { id, duplicate } = (await res.json()) as { id: string; duplicate: boolean };
    expect(duplicate).toBe(false);
    // Its custom user id and email are nobody's here.
    expect(await processed(id)).toMatchObject({ state: 'unmatched', user_id: null });
    const detail = await admin.admin.billing.event.query({ id });
    expect(Buffer.from(detail.body, 'utf8').equals(lemonSqueezyFixture(vector.file))).toBe(true);
    expect(detail).toMatchObject({ eventName: 'subscription_created', resourceType: 'subscriptions', resourceId: '1334098', payloadEmail: 'customer@example.com', testMode: true });
  });

  it('refuses a bad, missing or foreign signature with 401 and stores nothing', async () => {
    const before = await count(`select count(*)::int as n from billing_events`);
    const body = subscriptionEvent('subscription_created', newSubscriptionId(), undefined, {});
    const tampered = await deliverWebhook(server, 'subscription_created', body, { signature: 'a'.repeat(64) });
    const missing = await deliverWebhook(server, 'subscription_created', body, { signature: null });
    const foreign = await deliverWebhook(server, 'subscription_created', body, { secret: 'another-secret' });
    const short = await deliverWebhook(server, 'subscription_created', body, { signature: 'abc' });
    for (const res of [tampered, missing, foreign, short]) {
      expect(res.status).toBe(401);
      expect((await res.json()).error).toMatchObject({ code: 'UNAUTHORIZED', message: expect.stringMatching(/X-Signature/) });
    }
    // The signed body with one byte changed.
    const changed = await deliverWebhook(server, 'subscription_created', body.replace('"on_trial"', '"on_triad"'), { signature: (await import('./signature.ts')).webhookSignature(body, TEST_LS_SECRET) });
    expect(changed.status).toBe(401);
    expect(await count(`select count(*)::int as n from billing_events`)).toBe(before);
  });

  it('answers 400 for signed bytes that are not JSON or not a webhook, and stores nothing', async () => {
    const before = await count(`select count(*)::int as n from billing_events`);
    const bad = await deliverWebhook(server, 'subscription_created', '{"meta": {');
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.code).toMatch(/BAD_REQUEST|VALIDATION_FAILED/);
    const notWebhook = await deliverWebhook(server, 'subscription_created', JSON.stringify({ data: { type: 'subscriptions', id: '1', attributes: {} } }));
    expect(notWebhook.status).toBe(400);
    expect((await notWebhook.json()).error.message).toMatch(/meta/);
    const mismatch = await deliverWebhook(server, 'order_created', subscriptionEvent('subscription_created', newSubscriptionId(), undefined, {}));
    expect(mismatch.status).toBe(400);
    expect((await mismatch.json()).error.message).toMatch(/X-Event-Name/);
    expect(await count(`select count(*)::int as n from billing_events`)).toBe(before);
  });

  it('refuses a body over its own limit with 413', async () => {
    const big = JSON.stringify({ meta: { event_name: 'x' }, data: { type: 'x', id: '1', attributes: { pad: 'x'.repeat(300 * 1024) } } });
    const res = await deliverWebhook(server, 'x', big);
    expect(res.status).toBe(413);
  });

  it('stores a retried delivery once and applies it once', async () => {
    const c = await createCustomer(server);
    const body = subscriptionEvent('subscription_created', newSubscriptionId(), c.userId, { status: 'active', status_formatted: 'Active', renews_at: '2027-04-02T09:00:00.000000Z', billing_anchor: 2 });
    const first = await deliver('subscription_created', body);
    const second = await deliverWebhook(server, 'subscription_created', body);
    expect(second.status).toBe(200);
    expect(await second.json()).toMatchObject({ id: first.id, duplicate: true });
    expect(await count(`select count(*)::int as n from billing_events where id = ?`, [first.id])).toBe(1);
    expect(await tierOf(c.userId)).toBe('Pro');
    expect(await count(`select count(*)::int as n from audit_events where actor_type = 'billing' and action = 'user.tier_changed' and target_id = ?`, [c.userId])).toBe(1);
  });

  it('announces the tier change as subscription.changed to the customer\'s endpoint, signed', async () => {
    const receiver = await new WebhookReceiver().start();
    try {
      const c = await createCustomer(server);
      const portal = portalClient(server, await signInCustomer(server, c.email, c.password));
      const created = await portal.portal.webhooks.create.mutate({ url: receiver.url('/billing'), eventTypes: ['subscription.changed'] });
      receiver.trust('/billing', created.secret);
      await deliver('subscription_created', subscriptionEvent('subscription_created', newSubscriptionId(), c.userId, { status: 'active', status_formatted: 'Active' }));
      expect(await tierOf(c.userId)).toBe('Pro');
      const [got] = await receiver.waitFor('/billing', (r) => r.length >= 1);
      expect(got?.verified).toBe(true);
      expect(got?.payload).toMatchObject({
        type: 'subscription.changed',
        data: { userId: c.userId, tierId: tierIds['Pro'], tierName: 'Pro', previousTierId: tierIds['Free'], status: 'active' },
      });
    } finally {
      await receiver.close();
    }
  });

  it('stores a delivery that reaches two instances at once once, and applies it once', async () => {
    // Before the second instance exists: either instance's worker may send the verification email, and the inbox reads this one's.
    const c = await createCustomer(server);
    const second = await startTestServer({ db: server.db, env: fake.env, now: () => new Date(clockMs) });
    try {
      const body = subscriptionEvent('subscription_created', newSubscriptionId(), c.userId, { status: 'active', status_formatted: 'Active' });
      const answers = await Promise.all([deliverWebhook(server, 'subscription_created', body), deliverWebhook(second, 'subscription_created', body)]);
      expect(answers.map((r) => r.status)).toEqual([200, 200]);
      const [a, b] = (await Promise.all(answers.map((r) => r.json()))) as { id: string; duplicate: boolean }[];
      expect(a!.id).toBe(b!.id);
      expect([a!.duplicate, b!.duplicate].sort()).toEqual([false, true]);
      expect(await processed(a!.id)).toMatchObject({ state: 'processed', user_id: c.userId });
      expect(await tierOf(c.userId)).toBe('Pro');
      expect(await count(`select attempts as n from billing_events where id = ?`, [a!.id])).toBe(1);
      expect(await count(`select count(*)::int as n from audit_events where actor_type = 'billing' and target_id = ?`, [c.userId])).toBe(1);
    } finally {
      await second.close();
    }
  });

  it('ignores order_created, recorded as it came', async () => {
    const res = await deliver('order_created', lemonSqueezyFixture('webhook-order_created.json'));
    expect(res.state).toBe('ignored');
  });
});

describe('the tier rules, one delivery at a time', () => {
  it('follows every status of the table, with the grace period and ends_at on the billing clock', async () => {
    const c = await createCustomer(server);
    const key = await server.services.keys.create(server.orm.em.fork(), { userId: c.userId, name: 'k', actor: TEST_ACTOR });
    const id = newSubscriptionId();
    const send = (eventName: string, attributes: Record<string, unknown>) => deliver(eventName, subscriptionEvent(eventName, id, c.userId, attributes));
    expect(await tierOf(c.userId)).toBe('Free');

    // on_trial → the variant's tier, periods anchored on the renewal.
    const trialEnds = '2027-03-17T10:23:32.000000Z';
    expect((await send('subscription_created', { status: 'on_trial', status_formatted: 'On Trial', trial_ends_at: trialEnds, renews_at: trialEnds, billing_anchor: 17 })).state).toBe('processed');
    expect(await tierOf(c.userId)).toBe('Pro');
    expect(await anchorOf(c.userId)).toBe(subscriptionAnchor(new Date(trialEnds), 17).toISOString());
    const data = await postData(server.url, { query: 'x', sources: 'kb' }, key.key);
    expect(data.headers.get('x-ratelimit-limit')).toBe('10000');

    // active → paid; audited by billing.
    await send('subscription_updated', { status: 'active', status_formatted: 'Active', trial_ends_at: null, renews_at: '2027-04-17T10:23:32.000000Z' });
    expect(await tierOf(c.userId)).toBe('Pro');
    const audits = await admin.admin.audit.list.query({ targetId: c.userId, action: 'user.tier_changed' });
    expect(audits.items[0]).toMatchObject({ actorType: 'billing', actorLabel: 'lemonsqueezy', details: { tier: { from: 'Free', to: 'Pro' } } });

    // past_due → paid for BILLING_GRACE_DAYS (3) from now, with the drop scheduled at that instant.
    await send('subscription_updated', { status: 'past_due', status_formatted: 'Past due' });
    expect(await tierOf(c.userId)).toBe('Pro');
    const graceEnd = new Date(clockMs + 3 * DAY);
    const scheduled = await server.orm.em.fork().execute<{ at: Date }[]>(`select start_after as at from pgboss.job where name = ? and data->>'userId' = ?`, [BILLING_RECHECK_QUEUE, c.userId]);
    expect(scheduled.map((r) => new Date(r.at).toISOString())).toContain(graceEnd.toISOString());
    const portal = portalClient(server, await signInCustomer(server, c.email, c.password));
    expect((await portal.portal.plan.get.query()).billing.subscription).toMatchObject({ status: 'past_due', graceEndsAt: graceEnd.toISOString(), grantsTier: true });
    // A second past_due delivery does not restart the grace.
    clockMs += DAY;
    await send('subscription_updated', { status: 'past_due', status_formatted: 'Past due' });
    expect((await portal.portal.plan.get.query()).billing.subscription?.graceEndsAt).toBe(graceEnd.toISOString());
    clockMs += 2 * DAY - 1000;
    expect(await server.services.billing.recheck(c.userId)).toBe(false);
    expect(await tierOf(c.userId)).toBe('Pro');
    clockMs += 1000;
    expect(await server.services.billing.recheck(c.userId)).toBe(true);
    expect(await tierOf(c.userId)).toBe('Free');
    expect(await anchorOf(c.userId)).toBeNull();
    const after = await postData(server.url, { query: 'x', sources: 'kb' }, key.key);
    expect(after.headers.get('x-ratelimit-limit')).toBe('1000');

    // Payment recovered: active again.
    await send('subscription_updated', { status: 'active', status_formatted: 'Active' });
    expect(await tierOf(c.userId)).toBe('Pro');

    // cancelled → paid until ends_at, then the default tier.
    const endsAt = new Date(clockMs + 10 * DAY);
    await send('subscription_cancelled', { status: 'cancelled', status_formatted: 'Cancelled', cancelled: true, ends_at: endsAt.toISOString() });
    expect(await tierOf(c.userId)).toBe('Pro');
    expect((await portal.portal.plan.get.query()).billing.subscription).toMatchObject({ status: 'cancelled', cancelled: true, endsAt: endsAt.toISOString() });
    clockMs = endsAt.getTime() - 1;
    await server.services.billing.recheck(c.userId);
    expect(await tierOf(c.userId)).toBe('Pro');
    clockMs = endsAt.getTime();
    await server.services.billing.recheck(c.userId);
    expect(await tierOf(c.userId)).toBe('Free');

    // resumed (it arrives as active) → paid again.
    await send('subscription_resumed', { status: 'active', status_formatted: 'Active', cancelled: false, ends_at: null });
    expect(await tierOf(c.userId)).toBe('Pro');
    // paused → default; unpaused → paid.
    await send('subscription_paused', { status: 'paused', status_formatted: 'Paused' });
    expect(await tierOf(c.userId)).toBe('Free');
    await send('subscription_unpaused', { status: 'active', status_formatted: 'Active' });
    expect(await tierOf(c.userId)).toBe('Pro');
    // unpaid → default.
    await send('subscription_updated', { status: 'unpaid', status_formatted: 'Unpaid' });
    expect(await tierOf(c.userId)).toBe('Free');
    await send('subscription_updated', { status: 'active', status_formatted: 'Active' });
    expect(await tierOf(c.userId)).toBe('Pro');
    // expired → default.
    await send('subscription_expired', { status: 'expired', status_formatted: 'Expired', cancelled: true, ends_at: new Date(clockMs).toISOString() });
    expect(await tierOf(c.userId)).toBe('Free');
    expect(await anchorOf(c.userId)).toBeNull();
  });

  it('drops the tier at ends_at by itself: the re-check job scheduled for that instant runs (wall clock)', async () => {
    const real = await startTestServer({ env: { ...fake.env, JOBS_POLL_SECONDS: '0.5' } });
    try {
      const pro = (await real.services.tiers.list(real.orm.em.fork())).find((t) => t.name === 'Pro')!;
      await real.services.tiers.setVariant(real.orm.em.fork(), pro.id, PRO_VARIANT, TEST_ACTOR);
      const c = await createCustomer(real);
      const subId = newSubscriptionId();
      const tier = async () => (await real.services.users.get(real.orm.em.fork(), c.userId)).tier;
      const until = async (want: string) => {
        // The deadline is a ceiling for a hang on a loaded machine, not a speed target.
        const deadline = Date.now() + 60_000;
        while ((await tier()) !== want) {
          if (Date.now() > deadline) throw new Error(`not on ${want} within a minute`);
          await new Promise((r) => setTimeout(r, 50));
        }
      };
      expect((await deliverWebhook(real, 'subscription_created', subscriptionEvent('subscription_created', subId, c.userId, { status: 'active', status_formatted: 'Active' }))).status).toBe(200);
      await until('Pro');
      const endsAt = new Date(Date.now() + 1500);
      const res = await deliverWebhook(
        real,
        'subscription_cancelled',
        subscriptionEvent('subscription_cancelled', subId, c.userId, { status: 'cancelled', status_formatted: 'Cancelled', cancelled: true, ends_at: endsAt.toISOString() }),
      );
      expect(res.status).toBe(200);
      const { id } = (await res.json()) as { id: string };
      // No webhook and no reconciliation after this: only the job scheduled at ends_at can move the tier.
      await until('Free');
      expect(Date.now()).toBeGreaterThanOrEqual(endsAt.getTime());
      const [event] = await real.orm.em.fork().execute<{ processed_at: Date }[]>(`select processed_at from billing_events where id = ?`, [id]);
      const [audit] = await real.orm.em.fork().execute<{ details: { cause: string } }[]>(
        `select details from audit_events where actor_type = 'billing' and target_id = ? order by id desc limit 1`,
        [c.userId],
      );
      // On a machine so slow that the cancellation was applied after ends_at, the event itself dropped the tier.
      expect(audit?.details.cause).toBe(event && new Date(event.processed_at) < endsAt ? 'recheck' : 'subscription_cancelled');
    } finally {
      await real.close();
    }
  });

  it('ends in the newest state when deliveries arrive out of order', async () => {
    const c = await createCustomer(server);
    const id = newSubscriptionId();
    const created = subscriptionEvent('subscription_created', id, c.userId, { status: 'active', status_formatted: 'Active' });
    const expired = subscriptionEvent('subscription_expired', id, c.userId, { status: 'expired', status_formatted: 'Expired', ends_at: '2027-03-01T00:00:00.000000Z' });
    expect((await deliver('subscription_expired', expired)).state).toBe('processed');
    expect(await tierOf(c.userId)).toBe('Free');
    const older = await deliver('subscription_created', created);
    expect(older).toMatchObject({ state: 'processed', detail: expect.stringMatching(/^Skipped: older than the stored subscription/) });
    expect(await tierOf(c.userId)).toBe('Free');
    const sub = (await admin.admin.billing.user.query({ id: c.userId })).subscription;
    expect(sub).toMatchObject({ id, status: 'expired', grantsTier: false });
  });

  it('stores a subscription of an unknown variant, keeps the tier, and fails the event naming the variant', async () => {
    const c = await createCustomer(server);
    const res = await deliver('subscription_created', subscriptionEvent('subscription_created', newSubscriptionId(), c.userId, { status: 'active', status_formatted: 'Active', variant_id: 777001 }));
    expect(res.state).toBe('failed');
    expect(res.detail).toMatch(/variant 777001/);
    expect(await tierOf(c.userId)).toBe('Free');
    const page = await admin.admin.billing.events.query({ state: 'failed' });
    expect(page.items.map((e) => e.id)).toContain(res.id);
    expect(page.counts.failed).toBeGreaterThan(0);
    expect((await admin.admin.billing.user.query({ id: c.userId })).subscription).toMatchObject({ variantId: '777001', tierId: null, grantsTier: false });
  });

  it('matches by a verified email without custom data, but never an unverified sign-up', async () => {
    const verified = await createCustomer(server);
    const byEmail = await deliver('subscription_created', subscriptionEvent('subscription_created', newSubscriptionId(), undefined, { status: 'active', status_formatted: 'Active', user_email: verified.email.toUpperCase() }));
    expect(byEmail).toMatchObject({ state: 'processed', user_id: verified.userId });
    expect(await tierOf(verified.userId)).toBe('Pro');

    const adminMade = await createUserWithKey(server.services);
    const byAdminEmail = await deliver('subscription_created', subscriptionEvent('subscription_created', newSubscriptionId(), undefined, { status: 'active', status_formatted: 'Active', user_email: adminMade.email }));
    expect(byAdminEmail.user_id).toBe(adminMade.userId);

    const unverified = await createCustomer(server, { verified: false });
    const subId = newSubscriptionId();
    const parked = await deliver('subscription_created', subscriptionEvent('subscription_created', subId, undefined, { status: 'active', status_formatted: 'Active', user_email: unverified.email }));
    expect(parked).toMatchObject({ state: 'unmatched', user_id: null });
    expect(await tierOf(unverified.userId)).toBe('Free');

    // An admin assigns it; the subscription follows that user from then on.
    const assigned = await admin.admin.billing.assign.mutate({ id: parked.id, userId: unverified.userId });
    expect(assigned).toMatchObject({ state: 'processed', userId: unverified.userId });
    expect(await tierOf(unverified.userId)).toBe('Pro');
    const next = await deliver('subscription_expired', subscriptionEvent('subscription_expired', subId, undefined, { status: 'expired', status_formatted: 'Expired', user_email: unverified.email }));
    expect(next).toMatchObject({ state: 'processed', user_id: unverified.userId });
    expect(await tierOf(unverified.userId)).toBe('Free');
  });

  it('records payment events as invoices through subscription_id, for the portal and the admin panel', async () => {
    const c = await createCustomer(server);
    const subId = newSubscriptionId();
    await deliver('subscription_created', subscriptionEvent('subscription_created', subId, c.userId, { status: 'active', status_formatted: 'Active' }));
    const invoiceId = String(7_000_000 + Math.floor(Math.random() * 1_000_000));
    const paid = await deliver('subscription_payment_success', invoiceWebhookBody({ eventName: 'subscription_payment_success', id: invoiceId, subscriptionId: subId }));
    expect(paid).toMatchObject({ state: 'processed', user_id: c.userId });
    const refunded = await deliver(
      'subscription_payment_refunded',
      invoiceWebhookBody({ eventName: 'subscription_payment_refunded', id: invoiceId, subscriptionId: subId, attributes: { status: 'refunded', refunded: true, updated_at: '2024-06-20T10:00:00.000000Z' } }),
    );
    expect(refunded.state).toBe('processed');
    const portal = portalClient(server, await signInCustomer(server, c.email, c.password));
    expect(await portal.portal.plan.invoices.query()).toEqual([
      expect.objectContaining({ id: invoiceId, subscriptionId: subId, status: 'refunded', refunded: true, lastEvent: 'subscription_payment_refunded', currency: 'EUR', totalCents: 1999, totalFormatted: '€19.99' }),
    ]);
    expect((await admin.admin.billing.user.query({ id: c.userId })).invoices.map((i) => i.id)).toEqual([invoiceId]);
  });
});

describe('the portal with billing on', () => {
  it('buys through a checkout, then changes variant instead of buying twice, cancels and resumes', async () => {
    await admin.admin.tiers.update.mutate({ id: tierIds['Enterprise']!, public: true });
    await admin.admin.tiers.setVariant.mutate({ tierId: tierIds['Enterprise']!, variantId: ENTERPRISE_VARIANT });
    const c = await createCustomer(server);
    const portal = portalClient(server, await signInCustomer(server, c.email, c.password));
    const plan = await portal.portal.plan.get.query();
    expect(plan).toMatchObject({ billingEnabled: true, purchasable: [tierIds['Pro'], tierIds['Enterprise']], billing: { subscription: null, period: { anchored: false } } });
    expect((await portal.portal.public.info.query()).billingEnabled).toBe(true);

    await expect(portal.portal.plan.changePlan.mutate({ tierId: tierIds['Free']! })).rejects.toMatchObject({ data: { httpStatus: 400 }, message: expect.stringMatching(/tierId/) });

    const checkout = await portal.portal.plan.changePlan.mutate({ tierId: tierIds['Pro']! });
    expect(checkout.kind).toBe('checkout');
    const made = fake.checkouts.at(-1)!;
    expect(checkout).toEqual({ kind: 'checkout', url: made.url });
    expect(made).toMatchObject({ variantId: PRO_VARIANT, email: c.email, custom: { user_id: c.userId } });
    const port = new URL(server.url).port;
    expect(made.redirectUrl).toBe(`http://localhost:${port}/app/plan?checkout=done`);
    const request = fake.requests.findLast((r) => r.method === 'POST' && r.path === '/checkouts')!;
    expect(request.headers).toMatchObject({ accept: 'application/vnd.api+json', 'content-type': 'application/vnd.api+json', authorization: `Bearer ${TEST_LS_API_KEY}` });
    const page = await fetch(made.url);
    expect(await page.text()).toContain('Fake Lemon Squeezy checkout');

    // Renewing a month after the billing clock's now.
    const { id: subId } = fake.completeCheckout(made.id, { renews_at: new Date(clockMs + 30 * DAY).toISOString() });
    await deliver('subscription_created', fake.subscriptionWebhook('subscription_created', subId, { user_id: c.userId }));
    const bought = await portal.portal.plan.get.query();
    expect(bought.current.name).toBe('Pro');
    expect(bought.billing.subscription).toMatchObject({ id: subId, status: 'active', tierName: 'Pro', grantsTier: true });
    expect(bought.billing.period.anchored).toBe(true);

    await expect(portal.portal.plan.changePlan.mutate({ tierId: tierIds['Pro']! })).rejects.toMatchObject({ data: { httpStatus: 400 } });
    const checkoutsBefore = fake.checkouts.length;
    const changed = await portal.portal.plan.changePlan.mutate({ tierId: tierIds['Enterprise']! });
    expect(changed).toMatchObject({ kind: 'changed', subscription: { id: subId, variantId: ENTERPRISE_VARIANT, tierName: 'Enterprise' } });
    expect(fake.checkouts.length).toBe(checkoutsBefore);
    expect(fake.requests.findLast((r) => r.method === 'PATCH')).toMatchObject({ path: `/subscriptions/${subId}`, body: { data: { type: 'subscriptions', id: subId, attributes: { variant_id: Number(ENTERPRISE_VARIANT) } } } });
    expect(await tierOf(c.userId)).toBe('Enterprise');

    const cancelled = await portal.portal.plan.cancel.mutate();
    expect(cancelled).toMatchObject({ status: 'cancelled', cancelled: true, endsAt: expect.any(String), grantsTier: true });
    expect(await tierOf(c.userId)).toBe('Enterprise');
    expect(fake.requests.findLast((r) => r.path === `/subscriptions/${subId}` && r.method !== 'GET')?.method).toBe('DELETE');
    const resumed = await portal.portal.plan.resume.mutate();
    expect(fake.requests.findLast((r) => r.method === 'PATCH')?.body).toMatchObject({ data: { attributes: { cancelled: false } } });
    expect(resumed).toMatchObject({ status: 'active', cancelled: false, endsAt: null });

    const links = await portal.portal.plan.paymentLinks.mutate();
    const again = await portal.portal.plan.paymentLinks.mutate();
    expect(links.updatePaymentMethod).toMatch(new RegExp(`^${fake.origin}/subscription/${subId}/payment-details\\?expires=`));
    expect(again.updatePaymentMethod).not.toBe(links.updatePaymentMethod);

    const actions = (await admin.admin.audit.list.query({ targetId: c.userId })).items.filter((e) => e.actorType === 'customer').map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['billing.checkout_started', 'billing.plan_changed', 'billing.subscription_cancelled', 'billing.subscription_resumed']));
    await admin.admin.tiers.update.mutate({ id: tierIds['Enterprise']!, public: false });
  });
});

describe('the fake driven from another process (the browser journey)', () => {
  it('completes a checkout and builds the webhook that moves the tier', async () => {
    const control = new FakeLemonSqueezyControl(fake.origin);
    const c = await createCustomer(server);
    const portal = portalClient(server, await signInCustomer(server, c.email, c.password));
    const checkout = await portal.portal.plan.changePlan.mutate({ tierId: tierIds['Pro']! });
    const listed = (await control.checkouts()).find((k) => checkout.kind === 'checkout' && k.url === checkout.url)!;
    expect(listed).toMatchObject({ email: c.email, custom: { user_id: c.userId } });
    const { id } = await control.completeCheckout(listed.id, { renews_at: new Date(clockMs + 30 * DAY).toISOString() });
    await deliver('subscription_created', await control.subscriptionWebhook('subscription_created', id, listed.custom));
    expect(await tierOf(c.userId)).toBe('Pro');
    await control.setSubscription(id, { status: 'expired', status_formatted: 'Expired' });
    await deliver('subscription_expired', await control.subscriptionWebhook('subscription_expired', id, listed.custom));
    expect(await tierOf(c.userId)).toBe('Free');
  });
});

describe('admin', () => {
  it('sets a tier variant only when Lemon Squeezy has it', async () => {
    await expect(admin.admin.tiers.setVariant.mutate({ tierId: tierIds['Enterprise']!, variantId: '424242' })).rejects.toMatchObject({
      data: { httpStatus: 400 },
      message: expect.stringMatching(/variantId/),
    });
    expect(fake.requests.findLast((r) => r.path.startsWith('/variants/'))?.path).toBe('/variants/424242');
    await expect(admin.admin.tiers.setVariant.mutate({ tierId: tierIds['Free']!, variantId: PRO_VARIANT })).rejects.toMatchObject({ data: { httpStatus: 400 } });
  });

  it('reconciles a missed webhook: the tier is put right, page by page, and the drift counted', async () => {
    const c = await createCustomer(server);
    const subId = newSubscriptionId();
    fake.setSubscription(subId, { variant_id: Number(PRO_VARIANT), status: 'active', status_formatted: 'Active', user_email: c.email, updated_at: later() });
    await deliver('subscription_created', fake.subscriptionWebhook('subscription_created', subId, { user_id: c.userId }));
    expect(await tierOf(c.userId)).toBe('Pro');
    // More subscriptions than one page holds (the fake pages by 2).
    for (let i = 0; i < 3; i++) fake.setSubscription(newSubscriptionId(), { variant_id: Number(PRO_VARIANT), status: 'active', status_formatted: 'Active', user_email: `nobody-${randomBytes(3).toString('hex')}@example.com` });
    // The subscription expires in Lemon Squeezy, and its webhook never arrives.
    fake.setSubscription(subId, { status: 'expired', status_formatted: 'Expired', ends_at: new Date(clockMs).toISOString() });
    const result = await admin.admin.billing.sync.mutate();
    expect(result.pages).toBeGreaterThanOrEqual(2);
    expect(result.checked).toBe(fake.subscriptions.size);
    expect(result.drifted).toBeGreaterThanOrEqual(1);
    expect(await tierOf(c.userId)).toBe('Free');
    const listCalls = fake.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/subscriptions?'));
    expect(listCalls.at(-1)?.path).toMatch(/page\[number\]=|page%5Bnumber%5D=/);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/^harmonic_billing_drift_total [1-9]/m);
    const audit = await admin.admin.audit.list.query({ action: 'billing.drift_corrected' });
    expect(audit.items[0]).toMatchObject({ actorType: 'billing' });
    expect((await admin.admin.billing.status.query()).lastReconciliation).toMatchObject({ checked: result.checked, drifted: result.drifted, error: null });
    // A second run finds nothing more to correct.
    expect((await admin.admin.billing.sync.mutate()).drifted).toBe(0);
    // The strangers' subscriptions are parked for an admin.
    expect((await admin.admin.billing.events.query({ state: 'unmatched' })).items.some((e) => e.detail?.includes('reconciliation'))).toBe(true);
  });

  it('shows status and revenue, never the key or secret', async () => {
    const status = await admin.admin.billing.status.query();
    expect(status).toMatchObject({ enabled: true, storeId: fake.storeId, apiUrl: fake.apiUrl, graceDays: 3, reconcileEveryMinutes: 60 });
    const before = await admin.admin.billing.revenue.query();
    const c = await createCustomer(server);
    await deliver('subscription_created', subscriptionEvent('subscription_created', newSubscriptionId(), c.userId, { status: 'active', status_formatted: 'Active' }));
    const revenue = await admin.admin.billing.revenue.query();
    // One more Pro subscription at Pro's list price ($29), and one more live user on Pro.
    expect(revenue.mrrCents - before.mrrCents).toBe(2900);
    expect(revenue.liveSubscriptions - before.liveSubscriptions).toBe(1);
    expect(revenue.listPriceCents - before.listPriceCents).toBe(2900 + 0);
    const everything = JSON.stringify([status, revenue, server.logs, server.responses.map((r) => r.body)]);
    expect(everything).not.toContain(TEST_LS_API_KEY);
    expect(everything).not.toContain(TEST_LS_SECRET);
  });

  it('replays a failed event once its variant is sold: the tier then follows', async () => {
    const c = await createCustomer(server);
    fake.addVariant({ id: '777002', name: 'Enterprise yearly' });
    const failed = await deliver('subscription_created', subscriptionEvent('subscription_created', newSubscriptionId(), c.userId, { status: 'active', status_formatted: 'Active', variant_id: 777002 }));
    expect(failed.state).toBe('failed');
    expect(await tierOf(c.userId)).toBe('Free');
    const before = await admin.admin.billing.event.query({ id: failed.id });
    await admin.admin.tiers.setVariant.mutate({ tierId: tierIds['Enterprise']!, variantId: '777002' });
    try {
      const replayed = await admin.admin.billing.replay.mutate({ id: failed.id });
      expect(replayed).toMatchObject({ state: 'processed', detail: expect.stringMatching(/re-evaluated/), attempts: before.attempts + 1, userId: c.userId });
      expect(await tierOf(c.userId)).toBe('Enterprise');
      expect((await admin.admin.audit.list.query({ action: 'billing.event_replayed' })).items[0]).toMatchObject({ actorType: 'admin', targetId: failed.id });
    } finally {
      await admin.admin.tiers.setVariant.mutate({ tierId: tierIds['Enterprise']!, variantId: null });
    }
  });
});

describe('with billing off', () => {
  it('answers the webhook 404, says billingEnabled false and refuses changePlan with 409', async () => {
    const res = await deliverWebhook(off, 'subscription_created', lemonSqueezyFixture('webhook-subscription_created.json'));
    expect(res.status).toBe(404);
    expect(await off.orm.em.fork().execute(`select count(*)::int as n from billing_events`)).toEqual([{ n: 0 }]);
    const c = await createCustomer(off);
    const portal = portalClient(off, await signInCustomer(off, c.email, c.password));
    expect((await portal.portal.public.info.query()).billingEnabled).toBe(false);
    const plan = await portal.portal.plan.get.query();
    expect(plan).toMatchObject({ billingEnabled: false, purchasable: [], billing: { subscription: null, period: { anchored: false } } });
    const tiers = (await portal.portal.public.info.query()).tiers;
    await expect(portal.portal.plan.changePlan.mutate({ tierId: tiers.find((t) => t.name === 'Pro')!.id })).rejects.toMatchObject({ data: { httpStatus: 409 } });
    expect(await portal.portal.plan.invoices.query()).toEqual([]);
    const offAdmin = adminClient(off, await signInAs(off, 'owner'));
    expect(await offAdmin.admin.billing.status.query()).toMatchObject({ enabled: false, storeId: null, lastReconciliation: null });
    await expect(offAdmin.admin.billing.sync.mutate()).rejects.toMatchObject({ data: { httpStatus: 409 } });
    const pro = (await offAdmin.admin.tiers.list.query()).find((t) => t.name === 'Pro')!;
    await expect(offAdmin.admin.tiers.setVariant.mutate({ tierId: pro.id, variantId: '1' })).rejects.toMatchObject({ data: { httpStatus: 409 }, message: expect.stringMatching(/Billing is off/) });
  });
});
