import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertKind } from '../../shared/alerts.ts';
import { adminClient, signInAs } from '../testing/admin.ts';
import { createCustomer, portalClient, signInCustomer } from '../testing/customers.ts';
import { TEST_ACTOR } from '../testing/fixtures.ts';
import { startTestServer, type TestServer } from '../testing/server.ts';
import { User } from '../users/entity.ts';
import { QuotaAlert } from './entity.ts';

/**
 * Alert thresholds, the portal's notices and the operator's feed. Alerts are
 * inserted as rows here (test data); firing them is the ledger flush's job,
 * tested with it.
 */
let server: TestServer;
let admin: ReturnType<typeof adminClient>;
beforeAll(async () => {
  server = await startTestServer();
  admin = adminClient(server, await signInAs(server, 'admin'));
});
afterAll(() => server.close());

async function customer(opts: { name?: string } = {}) {
  const c = await createCustomer(server, opts);
  return { ...c, portal: portalClient(server, await signInCustomer(server, c.email, c.password)) };
}

async function failure(call: Promise<unknown>): Promise<{ status: number; issues: { field: string; message: string }[] }> {
  try {
    await call;
  } catch (err) {
    if (err instanceof TRPCClientError) {
      const data = err.data as { httpStatus: number; issues?: { field: string; message: string }[] };
      return { status: data.httpStatus, issues: data.issues ?? [] };
    }
    throw err;
  }
  throw new Error('expected the call to fail');
}

interface AlertRowInput {
  kind?: AlertKind;
  value: number;
  used?: number;
  /** Days before the current period started, for an alert of an earlier period. */
  periodsAgo?: number;
  firedAt: Date;
  resolvedAt?: Date;
}

/** Inserts alerts for a user in their current period (or an earlier one), as the ledger flush would. */
async function insertAlerts(userId: string, rows: AlertRowInput[]): Promise<string[]> {
  const em = server.orm.em.fork();
  const period = await server.services.usage.period(em, userId);
  const user = em.getReference(User, userId);
  const alerts = rows.map((r) => {
    const start = new Date(period.start);
    const end = new Date(period.end);
    if (r.periodsAgo) {
      start.setUTCMonth(start.getUTCMonth() - r.periodsAgo);
      end.setUTCMonth(end.getUTCMonth() - r.periodsAgo);
    }
    const kind = r.kind ?? 'percent';
    const atCount = kind === 'count' ? r.value : Math.ceil((1000 * r.value) / 100);
    return em.create(QuotaAlert, {
      user,
      period: start.toISOString().slice(0, 10),
      kind,
      value: r.value,
      atCount,
      used: r.used ?? atCount,
      quotaLimit: 1000,
      periodStart: start,
      periodEnd: end,
      firedAt: r.firedAt,
      resolvedAt: r.resolvedAt ?? null,
      resolvedReason: r.resolvedAt ? 'period_reset' : null,
    });
  });
  await em.flush();
  return alerts.map((a) => a.id);
}

const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000);

describe('portal.alerts.settings and update', () => {
  it('follows the tier’s defaults until the customer sets their own, and goes back on null', async () => {
    const c = await customer();
    expect(await c.portal.portal.alerts.settings.query()).toEqual({
      thresholds: [
        { kind: 'percent', value: 80 },
        { kind: 'percent', value: 100 },
      ],
      usingTierDefaults: true,
      tierDefaults: [
        { kind: 'percent', value: 80 },
        { kind: 'percent', value: 100 },
      ],
      limit: 1000,
    });

    // Sorted (percentages first) and without repeats, as stored.
    const own = await c.portal.portal.alerts.update.mutate({
      thresholds: [
        { kind: 'count', value: 500 },
        { kind: 'percent', value: 90 },
        { kind: 'percent', value: 50 },
        { kind: 'percent', value: 90 },
      ],
    });
    expect(own).toMatchObject({
      thresholds: [
        { kind: 'percent', value: 50 },
        { kind: 'percent', value: 90 },
        { kind: 'count', value: 500 },
      ],
      usingTierDefaults: false,
    });
    expect(await c.portal.portal.alerts.settings.query()).toEqual(own);
    const audit = await admin.admin.audit.list.query({ targetId: c.userId });
    expect(audit.items[0]).toMatchObject({ action: 'user.alert_thresholds_set', actorType: 'customer' });

    // An empty list is "no alerts", not "the tier's".
    expect(await c.portal.portal.alerts.update.mutate({ thresholds: [] })).toMatchObject({ thresholds: [], usingTierDefaults: false });

    const back = await c.portal.portal.alerts.update.mutate({ thresholds: null });
    expect(back).toMatchObject({ usingTierDefaults: true, thresholds: [{ kind: 'percent', value: 80 }, { kind: 'percent', value: 100 }] });
  });

  it('refuses bad thresholds with a 400 naming the field, and keeps what was set', async () => {
    const c = await customer();
    await c.portal.portal.alerts.update.mutate({ thresholds: [{ kind: 'percent', value: 75 }] });
    const update = (thresholds: unknown) => failure(c.portal.portal.alerts.update.mutate({ thresholds } as never));

    const zero = await update([{ kind: 'percent', value: 0 }]);
    expect(zero).toEqual({ status: 400, issues: [{ field: 'thresholds.0.value', message: 'must be at least 1' }] });
    const tooHigh = await update([{ kind: 'percent', value: 50 }, { kind: 'percent', value: 1001 }]);
    expect(tooHigh).toEqual({ status: 400, issues: [{ field: 'thresholds.1.value', message: 'must be at most 1000' }] });
    const noCount = await update([{ kind: 'count', value: 0 }]);
    expect(noCount).toEqual({ status: 400, issues: [{ field: 'thresholds.0.value', message: 'must be at least 1' }] });
    const fraction = await update([{ kind: 'percent', value: 12.5 }]);
    expect(fraction.status).toBe(400);
    expect(fraction.issues[0]).toMatchObject({ field: 'thresholds.0.value' });
    const eleven = await update(Array.from({ length: 11 }, (_, i) => ({ kind: 'percent', value: i + 1 })));
    expect(eleven).toEqual({ status: 400, issues: [{ field: 'thresholds', message: 'must hold at most 10 thresholds' }] });
    const unknownKind = await update([{ kind: 'bytes', value: 10 }]);
    expect(unknownKind.status).toBe(400);
    expect(unknownKind.issues[0]?.field).toMatch(/^thresholds\.0/);
    const missing = await failure(c.portal.portal.alerts.update.mutate({} as never));
    expect(missing.status).toBe(400);
    expect(missing.issues[0]?.field).toBe('thresholds');

    expect((await c.portal.portal.alerts.settings.query()).thresholds).toEqual([{ kind: 'percent', value: 75 }]);
  });
});

describe('portal.alerts.notifications and markSeen', () => {
  it('shows this period’s unresolved alerts highest first, the recent ones newest first, and counts what fired since last opened', async () => {
    const c = await customer();
    const other = await customer();
    const [p80, p100, resolved, earlier] = await insertAlerts(c.userId, [
      { value: 80, firedAt: minutesAgo(30) },
      { kind: 'exhausted', value: 100, firedAt: minutesAgo(10) },
      { value: 50, firedAt: minutesAgo(40), resolvedAt: minutesAgo(5) },
      { value: 90, periodsAgo: 1, firedAt: minutesAgo(60 * 24 * 40) },
    ]);
    await insertAlerts(other.userId, [{ value: 80, firedAt: minutesAgo(1) }]);

    const view = await c.portal.portal.alerts.notifications.query();
    expect(view.active.map((a) => a.id)).toEqual([p100, p80]);
    expect(view.recent.map((a) => a.id)).toEqual([p100, p80, resolved, earlier]);
    expect(view.unread).toBe(4);
    expect(view.active[1]).toMatchObject({ userId: c.userId, kind: 'percent', value: 80, atCount: 800, used: 800, limit: 1000, resolvedAt: null, resolvedReason: null });
    expect(view.recent[2]).toMatchObject({ resolvedReason: 'period_reset', resolvedAt: expect.any(String) });
    expect(JSON.stringify(view)).not.toContain(other.userId);

    expect(await c.portal.portal.alerts.markSeen.mutate()).toEqual({ unread: 0 });
    expect((await c.portal.portal.alerts.notifications.query()).unread).toBe(0);
    // The other customer's notices are theirs: still unread.
    expect((await other.portal.portal.alerts.notifications.query()).unread).toBe(1);

    const seenAt = (await server.orm.em.fork().findOneOrFail(User, { id: c.userId })).notificationsSeenAt;
    expect(seenAt).toBeInstanceOf(Date);
    await insertAlerts(c.userId, [{ kind: 'count', value: 950, firedAt: new Date((seenAt as Date).getTime() + 1000) }]);
    const after = await c.portal.portal.alerts.notifications.query();
    expect(after.unread).toBe(1);
    expect(after.active.map((a) => a.kind)).toEqual(['exhausted', 'count', 'percent']);
  });

  it('lists at most 50 recent alerts', async () => {
    const c = await customer();
    await insertAlerts(
      c.userId,
      Array.from({ length: 55 }, (_, i) => ({ kind: 'count' as const, value: i + 1, firedAt: minutesAgo(60 - i) })),
    );
    const view = await c.portal.portal.alerts.notifications.query();
    expect(view.recent).toHaveLength(50);
    expect(view.recent[0]?.value).toBe(55);
    expect(view.unread).toBe(55);
  });
});

describe('admin.tiers.setAlertPercents', () => {
  it('sets a tier’s defaults (sorted, without repeats), shows them in the tier list and to the tier’s customers, audited', async () => {
    const tier = await admin.admin.tiers.create.mutate({ name: `Alerts ${Date.now()}`, monthlyQuota: 200, priceCents: 0 });
    expect(tier.alertPercents).toEqual([80, 100]);
    const set = await admin.admin.tiers.setAlertPercents.mutate({ id: tier.id, percents: [100, 50, 50, 90] });
    expect(set.alertPercents).toEqual([50, 90, 100]);
    expect((await admin.admin.tiers.list.query()).find((t) => t.id === tier.id)?.alertPercents).toEqual([50, 90, 100]);
    const audit = await admin.admin.audit.list.query({ targetId: tier.id });
    expect(audit.items[0]).toMatchObject({ action: 'tier.alert_percents_set', details: { alertPercents: { from: [80, 100], to: [50, 90, 100] } } });

    const c = await customer();
    await server.services.users.setTier(server.orm.em.fork(), c.userId, tier.name, TEST_ACTOR);
    expect(await c.portal.portal.alerts.settings.query()).toMatchObject({
      usingTierDefaults: true,
      limit: 200,
      tierDefaults: [50, 90, 100].map((value) => ({ kind: 'percent', value })),
      thresholds: [50, 90, 100].map((value) => ({ kind: 'percent', value })),
    });

    expect((await admin.admin.tiers.setAlertPercents.mutate({ id: tier.id, percents: [] })).alertPercents).toEqual([]);
    expect((await c.portal.portal.alerts.settings.query()).thresholds).toEqual([]);
  });

  it('refuses bad percentages naming the field, and an unknown tier', async () => {
    const [tier] = await admin.admin.tiers.list.query();
    const id = tier?.id ?? '';
    expect(await failure(admin.admin.tiers.setAlertPercents.mutate({ id, percents: [0] }))).toEqual({ status: 400, issues: [{ field: 'percents.0', message: 'must be at least 1' }] });
    expect(await failure(admin.admin.tiers.setAlertPercents.mutate({ id, percents: [80, 1001] }))).toEqual({ status: 400, issues: [{ field: 'percents.1', message: 'must be at most 1000' }] });
    expect(await failure(admin.admin.tiers.setAlertPercents.mutate({ id, percents: Array.from({ length: 11 }, (_, i) => i + 1) }))).toEqual({
      status: 400,
      issues: [{ field: 'percents', message: 'must hold at most 10 thresholds' }],
    });
    expect(await failure(admin.admin.tiers.setAlertPercents.mutate({ id: 'nope', percents: [80] }))).toEqual({ status: 400, issues: [{ field: 'id', message: 'must be a tier id (a UUID)' }] });
    expect((await failure(admin.admin.tiers.setAlertPercents.mutate({ id: '00000000-0000-4000-8000-000000000000', percents: [80] }))).status).toBe(404);
  });
});

describe('admin.alerts.feed', () => {
  it('is the latest alerts across users, newest first, with who they are about; or one user’s', async () => {
    const a = await customer({ name: 'Ada Feed' });
    const b = await customer({ name: 'Bob Feed' });
    const base = Date.now() + 60 * 60_000;
    const [aOld] = await insertAlerts(a.userId, [{ value: 80, firedAt: new Date(base) }]);
    const [bNew] = await insertAlerts(b.userId, [{ kind: 'exhausted', value: 100, firedAt: new Date(base + 2000) }]);
    const [aNew] = await insertAlerts(a.userId, [{ value: 100, firedAt: new Date(base + 1000), resolvedAt: new Date(base + 3000) }]);

    const feed = await admin.admin.alerts.feed.query({ limit: 3 });
    expect(feed.map((x) => x.id)).toEqual([bNew, aNew, aOld]);
    expect(feed[0]).toMatchObject({ userId: b.userId, email: b.email, name: 'Bob Feed', tier: 'Free', kind: 'exhausted', value: 100, limit: 1000 });
    expect(feed[1]).toMatchObject({ resolvedReason: 'period_reset' });

    expect((await admin.admin.alerts.feed.query({ userId: a.userId })).map((x) => x.id)).toEqual([aNew, aOld]);
    expect(await admin.admin.alerts.feed.query({ limit: 1 })).toHaveLength(1);
    expect(await admin.admin.alerts.feed.query({ userId: (await customer()).userId })).toEqual([]);
  });

  it('refuses a bad limit or user id naming the field, and an unknown user', async () => {
    expect(await failure(admin.admin.alerts.feed.query({ limit: 0 }))).toEqual({ status: 400, issues: [{ field: 'limit', message: 'must be at least 1' }] });
    expect(await failure(admin.admin.alerts.feed.query({ limit: 101 }))).toEqual({ status: 400, issues: [{ field: 'limit', message: 'must be at most 100' }] });
    expect(await failure(admin.admin.alerts.feed.query({ userId: 'x' }))).toEqual({ status: 400, issues: [{ field: 'userId', message: 'must be a user id (a UUID)' }] });
    expect((await failure(admin.admin.alerts.feed.query({ userId: '00000000-0000-4000-8000-000000000000' }))).status).toBe(404);
  });
});
