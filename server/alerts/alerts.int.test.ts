import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Threshold } from '../../shared/alerts.ts';
import type { SubscribableEventType } from '../../shared/webhooks.ts';
import { setDatabaseClock } from '../testing/clock.ts';
import { createCustomer, Inbox, portalClient, signInCustomer } from '../testing/customers.ts';
import { createTestDatabase } from '../testing/database.ts';
import { counterLedgerMismatches, postData, TEST_ACTOR } from '../testing/fixtures.ts';
import { startTestServer, type TestServer } from '../testing/server.ts';
import { eventually, WebhookReceiver, type ReceivedWebhook } from '../testing/webhook-receiver.ts';
import { anchoredPeriod } from '../usage/admission/period.ts';

/**
 * Usage alerts end to end: real calls through /api/v1/data on a real server and database, the
 * ledger flush that detects crossings, and the webhook deliveries (verified by the Standard
 * Webhooks library at a local receiver) and emails they lead to.
 */
const ENV = { ALLOW_INSECURE_WEBHOOKS: 'true' };
const EVENTS: SubscribableEventType[] = ['quota.threshold_reached', 'quota.exhausted', 'quota.resolved', 'subscription.changed'];

let server: TestServer;
let receiver: WebhookReceiver;
const tierIds = new Map<string, string>();

interface Customer {
  userId: string;
  email: string;
  key: string;
  path: string;
}

/** A tier of `quota` requests a month, made once per server's database. */
async function tier(s: TestServer, quota: number | null): Promise<string> {
  const name = `Alerts ${quota ?? 'unlimited'}`;
  let id = tierIds.get(`${s.db.url} ${name}`);
  if (!id) {
    id = (await s.services.tiers.create(s.orm.em.fork(), { name, monthlyQuota: quota, priceCents: null, description: '', isDefault: false, public: false }, TEST_ACTOR)).id;
    tierIds.set(`${s.db.url} ${name}`, id);
  }
  return id;
}

/** A verified customer on a tier of `quota`, with a key and an endpoint at the receiver subscribed to the quota events. */
async function customer(s: TestServer, quota: number | null, thresholds?: Threshold[] | null): Promise<Customer> {
  const c = await createCustomer(s);
  const portal = portalClient(s, await signInCustomer(s, c.email, c.password));
  await s.services.users.update(s.orm.em.fork(), { id: c.userId, tierId: await tier(s, quota) }, TEST_ACTOR);
  if (thresholds !== undefined) await s.orm.em.fork().execute(`update users set alert_thresholds = ? where id = ?`, [thresholds === null ? null : JSON.stringify(thresholds), c.userId]);
  const key = await portal.portal.keys.create.mutate({ name: 'alerts' });
  const path = `/${randomBytes(4).toString('hex')}`;
  const created = await portal.portal.webhooks.create.mutate({ url: receiver.url(path), eventTypes: EVENTS });
  receiver.trust(path, created.secret);
  return { userId: c.userId, email: c.email, key: key.key, path };
}

/** `n` metered calls, `concurrency` at a time, then the ledger flushed (which is where alerts are detected). */
async function calls(s: TestServer | TestServer[], key: string, n: number, concurrency = 1): Promise<number[]> {
  const servers = Array.isArray(s) ? s : [s];
  const statuses: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const target = servers[next++ % servers.length] as TestServer;
        const res = await postData(target.url, { query: 'alerts', sources: 'kb' }, key);
        await res.arrayBuffer();
        statuses.push(res.status);
      }
    }),
  );
  for (const one of servers) await one.services.ledger.flush();
  return statuses;
}

async function alertRows(s: TestServer, userId: string) {
  return s.orm.em
    .fork()
    .execute<
      { kind: string; value: number; at_count: string; used: number; quota_limit: number | null; dispatched: boolean; resolved_reason: string | null }[]
    >(`select kind, value, at_count, used, quota_limit, dispatched_at is not null as dispatched, resolved_reason from quota_alerts where user_id = ? order by at_count, kind, value`, [userId]);
}

const events = (c: Customer, type?: string) => receiver.received.filter((r) => r.path === c.path && (type === undefined || r.payload.type === type));

/** The deliveries at `c`'s endpoint once `count` of `type` have arrived. */
async function delivered(c: Customer, type: string, count: number): Promise<ReceivedWebhook[]> {
  await receiver.waitFor(c.path, () => events(c, type).length >= count);
  return events(c, type);
}

/** Waits until every alert, delivery and email job queued so far has run (nothing of the kind can then still arrive). */
async function settled(s: TestServer): Promise<void> {
  await eventually('the alert jobs to finish', async () => {
    const [row] = await s.orm.em.fork().execute<{ n: number }[]>(
      `select count(*)::int as n from pgboss.job where (name like 'alerts.%' or name = 'webhooks.deliver' or name like 'mail.%') and state in ('created', 'retry', 'active') and start_after <= now()`,
    );
    return row?.n === 0 ? true : undefined;
  });
}

beforeAll(async () => {
  receiver = await new WebhookReceiver().start();
  server = await startTestServer({ env: ENV });
});

afterAll(async () => {
  await server?.close();
  await receiver?.close();
});

describe('crossing thresholds', () => {
  it("fires the tier's 80% once, by webhook and email, then 100% and quota.exhausted once each", async () => {
    const inbox = new Inbox(server);
    const c = await customer(server, 10);
    const period = anchoredPeriod(new Date(), null);

    expect(await calls(server, c.key, 7)).toEqual(Array(7).fill(200));
    expect(await alertRows(server, c.userId)).toEqual([]);

    const since = inbox.mark();
    await calls(server, c.key, 1);
    const [reached] = await delivered(c, 'quota.threshold_reached', 1);
    expect(reached?.verified).toBe(true);
    expect(reached?.payload).toEqual({
      type: 'quota.threshold_reached',
      timestamp: expect.any(String),
      data: { userId: c.userId, threshold: { kind: 'percent', value: 80 }, used: 8, limit: 10, periodStart: period.start.toISOString(), resetAt: period.end.toISOString() },
    });
    const email = await inbox.next(c.email, '/app/plan', since);
    expect(email.subject).toBe('You have used 80% of your API quota');
    expect(email.text).toContain('80% of the quota reached: 8 of 10 requests this period');
    expect(email.text).toContain(`resets on ${period.end.toISOString().slice(0, 10)}`);
    expect(await alertRows(server, c.userId)).toEqual([{ kind: 'percent', value: 80, at_count: '8', used: 8, quota_limit: 10, dispatched: true, resolved_reason: null }]);

    // Two more reach the quota; the next is refused and fires nothing.
    expect(await calls(server, c.key, 3)).toEqual([200, 200, 429]);
    await delivered(c, 'quota.exhausted', 1);
    await delivered(c, 'quota.threshold_reached', 2);
    await settled(server);
    expect(events(c).map((r) => [r.payload.type, (r.payload.data['threshold'] as Threshold | undefined)?.value ?? null]).sort()).toEqual([
      ['quota.exhausted', null],
      ['quota.threshold_reached', 100],
      ['quota.threshold_reached', 80],
    ]);
    expect(events(c).every((r) => r.verified)).toBe(true);
    expect(events(c, 'quota.exhausted')[0]?.payload.data).toEqual({ userId: c.userId, used: 10, limit: 10, periodStart: period.start.toISOString(), resetAt: period.end.toISOString() });
    expect((await alertRows(server, c.userId)).map((r) => [r.kind, r.value, r.at_count, r.dispatched])).toEqual([
      ['percent', 80, '8', true],
      ['exhausted', 100, '10', true],
      ['percent', 100, '10', true],
    ]);
    // One email per alert, except that reaching the quota is one email however many alerts say so; the key never rides along.
    expect(inbox.sentTo(c.email, since).map((e) => e.subject).sort()).toEqual(['You have used 80% of your API quota', 'You have used all of your API quota'].sort());
    for (const r of events(c)) expect(r.body).not.toContain(c.key);
    for (const e of inbox.sentTo(c.email, since)) expect(e.text).not.toContain(c.key);

    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/^harmonic_alerts_fired_total\{kind="percent"\} [2-9]/m);
    expect(metrics).toMatch(/^harmonic_alerts_fired_total\{kind="exhausted"\} [1-9]/m);
  });

  it("a customer's own percent and count thresholds fire; an empty list fires nothing", async () => {
    const own = await customer(server, 10, [
      { kind: 'percent', value: 50 },
      { kind: 'count', value: 3 },
    ]);
    const off = await customer(server, 10, []);
    const unlimited = await customer(server, null, [
      { kind: 'count', value: 2 },
      { kind: 'percent', value: 50 },
    ]);
    await calls(server, own.key, 5);
    await calls(server, off.key, 10);
    await calls(server, unlimited.key, 4);
    const got = await delivered(own, 'quota.threshold_reached', 2);
    expect(got.map((r) => [r.payload.data['threshold'], r.payload.data['used']])).toEqual(
      expect.arrayContaining([
        [{ kind: 'count', value: 3 }, 3],
        [{ kind: 'percent', value: 50 }, 5],
      ]),
    );
    const [count] = await delivered(unlimited, 'quota.threshold_reached', 1);
    expect(count?.payload.data).toMatchObject({ threshold: { kind: 'count', value: 2 }, used: 2, limit: null });
    await settled(server);
    expect(events(own)).toHaveLength(2);
    expect(events(off)).toEqual([]);
    expect(await alertRows(server, off.userId)).toEqual([]);
    // Percentages mean nothing without a quota.
    expect(events(unlimited)).toHaveLength(1);
  });

  it('a malformed stored list never stops the ledger: its good entries still fire', async () => {
    const c = await customer(server, 10);
    await server.orm.em.fork().execute(`update users set alert_thresholds = ? where id = ?`, [
      JSON.stringify([{ kind: 'count', value: 'two' }, 5, { kind: 'percent', value: 1.5 }, { kind: 'count', value: 99_999_999_999 }, { kind: 'count', value: 2 }]),
      c.userId,
    ]);
    expect(await calls(server, c.key, 3)).toEqual([200, 200, 200]);
    expect(await counterLedgerMismatches(server.services, [c.userId])).toEqual([]);
    const [got] = await delivered(c, 'quota.threshold_reached', 1);
    expect(got?.payload.data).toMatchObject({ threshold: { kind: 'count', value: 2 }, used: 2 });
    expect((await alertRows(server, c.userId)).map((r) => [r.kind, r.value])).toEqual([['count', 2]]);
  });
});

describe('exactly once', () => {
  it('200 concurrent calls across two instances cross 80% once: one row, one event', async () => {
    const db = await createTestDatabase();
    const one = await startTestServer({ env: ENV, db });
    let two: TestServer | undefined;
    try {
      // Signed up before the second instance starts: the verification email is a job either may work.
      const c = await customer(one, 240);
      two = await startTestServer({ env: ENV, db });
      expect((await calls([one, two], c.key, 200, 40)).every((s) => s === 200)).toBe(true);
      await delivered(c, 'quota.threshold_reached', 1);
      // Both instances sweep too: still nothing twice.
      await Promise.all([one.services.alerts.sweep(0), two.services.alerts.sweep(0)]);
      await settled(one);
      expect(events(c)).toHaveLength(1);
      expect(events(c)[0]?.payload.data).toMatchObject({ threshold: { kind: 'percent', value: 80 }, used: 192, limit: 240 });
      expect(await alertRows(one, c.userId)).toEqual([{ kind: 'percent', value: 80, at_count: '192', used: 192, quota_limit: 240, dispatched: true, resolved_reason: null }]);
      expect(await counterLedgerMismatches(one.services, [c.userId])).toEqual([]);
    } finally {
      await two?.close();
      await one.close();
      await db.drop();
    }
  });

  it('an alert whose announcement was never queued (a crash after the flush) is sent by the sweep', async () => {
    const c = await customer(server, 10);
    const hook = server.services.ledger.onAlerts;
    server.services.ledger.onAlerts = async () => undefined;
    try {
      await calls(server, c.key, 8);
    } finally {
      server.services.ledger.onAlerts = hook;
    }
    expect(await alertRows(server, c.userId)).toMatchObject([{ kind: 'percent', value: 80, dispatched: false }]);
    // Not yet: the sweep leaves the flush its grace to queue the job itself.
    expect(await server.services.alerts.sweep()).toBe(0);
    expect(await server.services.alerts.sweep(0)).toBe(1);
    const [got] = await delivered(c, 'quota.threshold_reached', 1);
    expect(got?.payload.data).toMatchObject({ threshold: { kind: 'percent', value: 80 }, used: 8 });
    expect(await alertRows(server, c.userId)).toMatchObject([{ dispatched: true }]);
  });
});

describe('resolution', () => {
  it('an upgrade to a bigger quota resolves the thresholds it undoes, once', async () => {
    const c = await customer(server, 10, [
      { kind: 'percent', value: 80 },
      { kind: 'count', value: 5 },
    ]);
    await calls(server, c.key, 9);
    await delivered(c, 'quota.threshold_reached', 2);
    const before = await tier(server, 10);
    const bigger = await tier(server, 100);
    await server.services.users.update(server.orm.em.fork(), { id: c.userId, tierId: bigger }, TEST_ACTOR);
    const [changed] = await delivered(c, 'subscription.changed', 1);
    expect(changed?.payload.data).toEqual({ userId: c.userId, tierId: bigger, tierName: 'Alerts 100', previousTierId: before, status: 'assigned_by_admin' });
    const [resolved] = await delivered(c, 'quota.resolved', 1);
    expect(resolved?.verified).toBe(true);
    expect(resolved?.payload.data).toMatchObject({ userId: c.userId, threshold: { kind: 'percent', value: 80 }, reason: 'upgrade', used: 9, limit: 100 });
    // Again, on demand: nothing more to resolve; the count still holds.
    expect(await server.services.alerts.resolve()).toBe(0);
    await settled(server);
    expect(events(c, 'quota.resolved')).toHaveLength(1);
    expect((await alertRows(server, c.userId)).map((r) => [r.kind, r.resolved_reason])).toEqual([
      ['count', null],
      ['percent', 'upgrade'],
    ]);
  });

  it("raising a tier's quota resolves what it undoes for the users on it", async () => {
    const c = await customer(server, 10);
    const own = await server.services.tiers.create(server.orm.em.fork(), { name: 'Alerts raised', monthlyQuota: 10, priceCents: null, description: '', isDefault: false, public: false }, TEST_ACTOR);
    await server.services.users.update(server.orm.em.fork(), { id: c.userId, tierId: own.id }, TEST_ACTOR);
    await calls(server, c.key, 8);
    await delivered(c, 'quota.threshold_reached', 1);
    await server.services.tiers.update(server.orm.em.fork(), { id: own.id, monthlyQuota: 20 }, TEST_ACTOR);
    const [resolved] = await delivered(c, 'quota.resolved', 1);
    expect(resolved?.payload.data).toMatchObject({ threshold: { kind: 'percent', value: 80 }, reason: 'upgrade', used: 8, limit: 20 });
  });

  it('a new period resolves every alert of the old one, once', async () => {
    const db = await createTestDatabase();
    const s = await startTestServer({ env: ENV, db });
    try {
      const c = await customer(s, 4);
      await calls(s, c.key, 4);
      await delivered(c, 'quota.exhausted', 1);
      await delivered(c, 'quota.threshold_reached', 2);
      expect(await s.services.alerts.resolve()).toBe(0);

      const next = anchoredPeriod(new Date(), null).end;
      await setDatabaseClock(s.orm.em, new Date(next.getTime() + 5_000));
      const [first, second] = await Promise.all([s.services.alerts.resolve(), s.services.alerts.resolve()]);
      expect((first ?? 0) + (second ?? 0)).toBe(3);
      const got = await delivered(c, 'quota.resolved', 3);
      const following = anchoredPeriod(new Date(next.getTime() + 5_000), null);
      expect(got.map((r) => (r.payload.data['threshold'] as Threshold).value).sort()).toEqual([100, 100, 80]);
      for (const r of got) {
        expect(r.verified).toBe(true);
        expect(r.payload.data).toMatchObject({ reason: 'period_reset', used: 0, limit: 4, periodStart: following.start.toISOString(), resetAt: following.end.toISOString() });
      }
      await s.services.alerts.sweep(0);
      await settled(s);
      expect(events(c, 'quota.resolved')).toHaveLength(3);
      // The new period starts afresh: its 80% fires again.
      await calls(s, c.key, 4);
      await delivered(c, 'quota.exhausted', 2);
    } finally {
      await s.close();
      await db.drop();
    }
  });
});
