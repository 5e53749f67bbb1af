import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminClient, signInAs, type AdminSessionCookie } from '../../testing/admin.ts';
import { counterLedgerMismatches, createUserWithKey, postData, TEST_ACTOR } from '../../testing/fixtures.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';

let server: TestServer;
let owner: AdminSessionCookie;
let viewer: AdminSessionCookie;
let admin: ReturnType<typeof adminClient>;

beforeAll(async () => {
  server = await startTestServer();
  owner = await signInAs(server, 'owner');
  viewer = await signInAs(server, 'viewer');
  admin = adminClient(server, owner);
});
afterAll(() => server.close());

async function failure(call: Promise<unknown>): Promise<{ status: number; message: string; issues: { field: string; message: string }[] }> {
  try {
    await call;
  } catch (err) {
    if (err instanceof TRPCClientError) {
      const data = err.data as { httpStatus: number; issues?: { field: string; message: string }[] };
      return { status: data.httpStatus, message: err.message, issues: data.issues ?? [] };
    }
    throw err;
  }
  throw new Error('expected the call to fail');
}

async function auditFor(targetId: string): Promise<{ action: string; actorLabel: string; ip: string | null; details: Record<string, unknown> }[]> {
  return (await admin.admin.audit.list.query({ targetId, limit: 50 })).items.reverse();
}

// The guards themselves are checked for every procedure in server/routers/guards.int.test.ts.
describe('viewers', () => {
  it('lets a viewer read', async () => {
    const v = adminClient(server, viewer);
    expect((await v.admin.tiers.list.query()).length).toBeGreaterThanOrEqual(3);
    expect(await v.admin.users.list.query({})).toMatchObject({ page: 1 });
  });
});

describe('users', () => {
  it('creates, updates, suspends, reactivates and deletes, each audited with actor and IP', async () => {
    const tiers = await admin.admin.tiers.list.query();
    const pro = tiers.find((t) => t.name === 'Pro');
    const created = await admin.admin.users.create.mutate({ email: 'Lin@Example.com', name: 'Lin' });
    expect(created).toMatchObject({ email: 'lin@example.com', tier: 'Free', status: 'active' });
    const key = await admin.admin.keys.create.mutate({ userId: created.id, name: 'prod' });

    const updated = await admin.admin.users.update.mutate({ id: created.id, name: 'Lin Wu', tierId: pro?.id });
    expect(updated).toMatchObject({ name: 'Lin Wu', tier: 'Pro' });
    expect((await postData(server.url, { query: 'x', sources: 'kb' }, key.key)).headers.get('x-ratelimit-limit')).toBe('10000');

    await admin.admin.users.suspend.mutate({ id: created.id });
    expect((await postData(server.url, { query: 'x', sources: 'kb' }, key.key)).status).toBe(403);
    await admin.admin.users.reactivate.mutate({ id: created.id });
    expect((await postData(server.url, { query: 'x', sources: 'kb' }, key.key)).status).toBe(200);

    await admin.admin.users.delete.mutate({ id: created.id });
    expect((await postData(server.url, { query: 'x', sources: 'kb' }, key.key)).status).toBe(401);
    expect((await failure(admin.admin.users.get.query({ id: created.id }))).status).toBe(404);
    await server.services.ledger.flush();
    const [kept] = await server.orm.em.fork().execute<{ n: number }[]>(`select count(*)::int as n from usage_events where user_id = ?`, [created.id]);
    expect(kept?.n).toBe(2);
    // The email is free again.
    expect((await admin.admin.users.create.mutate({ email: 'lin@example.com', name: 'Lin again' })).id).not.toBe(created.id);

    const events = await auditFor(created.id);
    expect(events.map((e) => e.action)).toEqual(['user.created', 'user.updated', 'user.suspended', 'user.reactivated', 'user.deleted']);
    expect(events.every((e) => e.actorLabel === owner.email && e.ip === '127.0.0.1')).toBe(true);
    expect(events[1]?.details).toEqual({ name: { from: 'Lin', to: 'Lin Wu' }, tier: { from: 'Free', to: 'Pro' } });
    expect(events[4]?.details).toMatchObject({ keysRevoked: 1 });
  });

  it('names the field in validation errors and refuses a duplicate email', async () => {
    const bad = await failure(admin.admin.users.create.mutate({ email: 'nope', name: '' }));
    expect(bad.status).toBe(400);
    expect(bad.issues).toEqual([
      { field: 'email', message: 'must be an email address' },
      { field: 'name', message: 'must not be empty' },
    ]);
    await admin.admin.users.create.mutate({ email: 'dup@example.com', name: 'Dup' });
    const dup = await failure(admin.admin.users.create.mutate({ email: 'DUP@example.com', name: 'Dup 2' }));
    expect(dup.status).toBe(409);
    expect(dup.issues).toEqual([{ field: 'email', message: 'is already taken' }]);
    const unknownTier = await failure(admin.admin.users.create.mutate({ email: 'x@example.com', name: 'X', tierId: '00000000-0000-4000-8000-000000000000' }));
    expect(unknownTier).toMatchObject({ status: 400, issues: [{ field: 'tierId' }] });
  });

  it('searches, filters, sorts and pages', async () => {
    for (let i = 0; i < 7; i++) await admin.admin.users.create.mutate({ email: `page${i}@paging.test`, name: `Pager ${String.fromCharCode(71 - i)}` });
    const first = await admin.admin.users.list.query({ search: 'paging.test', sort: 'email', order: 'asc', pageSize: 3 });
    expect(first.total).toBe(7);
    expect(first.items.map((u) => u.email)).toEqual(['page0@paging.test', 'page1@paging.test', 'page2@paging.test']);
    const third = await admin.admin.users.list.query({ search: 'paging.test', sort: 'email', order: 'asc', pageSize: 3, page: 3 });
    expect(third.items.map((u) => u.email)).toEqual(['page6@paging.test']);
    const byName = await admin.admin.users.list.query({ search: 'pager', sort: 'name', order: 'asc', pageSize: 2 });
    expect(byName.items.map((u) => u.name)).toEqual(['Pager A', 'Pager B']);
    const none = await admin.admin.users.list.query({ search: '100%_' });
    expect(none.total).toBe(0);
    const bad = await failure(admin.admin.users.list.query({ pageSize: 1000 }));
    expect(bad.issues).toEqual([{ field: 'pageSize', message: 'must be at most 100' }]);
  });
});

describe('tiers', () => {
  it('creates, edits (the new quota applies at once) and deletes; refuses to delete a tier in use, saying why', async () => {
    const tier = await admin.admin.tiers.create.mutate({ name: 'Starter', monthlyQuota: 2, priceCents: 900, description: 'Tiny' });
    expect(tier).toMatchObject({ name: 'Starter', monthlyQuota: 2, priceCents: 900, users: 0 });
    const u = await createUserWithKey(server.services, { tier: 'Starter' });
    for (let i = 0; i < 2; i++) expect((await postData(server.url, { query: 'x', sources: 'kb' }, u.key)).status).toBe(200);
    expect((await postData(server.url, { query: 'x', sources: 'kb' }, u.key)).status).toBe(429);

    await admin.admin.tiers.update.mutate({ id: tier.id, monthlyQuota: 3 });
    const after = await postData(server.url, { query: 'x', sources: 'kb' }, u.key);
    expect(after.status).toBe(200);
    expect(after.headers.get('x-ratelimit-limit')).toBe('3');

    const inUse = await failure(admin.admin.tiers.delete.mutate({ id: tier.id }));
    expect(inUse).toMatchObject({ status: 409, message: '1 user is on Starter; move them to another tier first' });

    const free = (await admin.admin.tiers.list.query()).find((t) => t.name === 'Free');
    const isDefault = await failure(admin.admin.tiers.delete.mutate({ id: free?.id ?? '' }));
    expect(isDefault.message).toMatch(/default tier/);

    const spare = await admin.admin.tiers.create.mutate({ name: 'Spare', monthlyQuota: null, priceCents: null });
    expect(await admin.admin.tiers.delete.mutate({ id: spare.id })).toEqual({ deleted: true });
    expect((await auditFor(tier.id)).map((e) => e.action)).toEqual(['tier.created', 'tier.updated']);
    expect((await auditFor(spare.id)).map((e) => e.action)).toEqual(['tier.created', 'tier.deleted']);
  });

  it('refuses bad tiers clearly', async () => {
    const neg = await failure(admin.admin.tiers.create.mutate({ name: 'Neg', monthlyQuota: -1, priceCents: 0 }));
    expect(neg.issues).toEqual([{ field: 'monthlyQuota', message: 'must not be negative' }]);
    const taken = await failure(admin.admin.tiers.create.mutate({ name: 'pro', monthlyQuota: 1, priceCents: 0 }));
    expect(taken).toMatchObject({ status: 409, issues: [{ field: 'name', message: 'is already taken' }] });
  });
});

describe('keys of any user', () => {
  it('creates (shown once), lists masked, rotates with grace and revokes, all audited', async () => {
    const u = await createUserWithKey(server.services);
    const created = await admin.admin.keys.create.mutate({ userId: u.userId, name: 'by admin' });
    expect(created.key).toMatch(/^hm_[A-Za-z0-9]{32}$/);
    const list = await admin.admin.keys.list.query({ userId: u.userId });
    expect(JSON.stringify(list)).not.toContain(created.key.slice(11));
    const rotated = await admin.admin.keys.rotate.mutate({ id: created.id, gracePeriodSeconds: 3600 });
    expect(rotated.previous).toMatchObject({ status: 'active', replacedById: rotated.key.id });
    await admin.admin.keys.revoke.mutate({ id: rotated.key.id });
    expect((await postData(server.url, { query: 'x', sources: 'kb' }, rotated.key.key)).status).toBe(401);
    expect((await auditFor(created.id)).map((e) => e.action)).toEqual(['key.created', 'key.rotated']);
    expect((await auditFor(rotated.key.id)).map((e) => e.action)).toEqual(['key.created', 'key.revoked']);
  });

  it('audits a key expiry when the maintenance job sees it', async () => {
    const u = await createUserWithKey(server.services);
    const soon = await server.services.keys.create(server.orm.em.fork(), { userId: u.userId, name: 'short', expiresAt: new Date(Date.now() + 100), actor: TEST_ACTOR });
    await new Promise((r) => setTimeout(r, 200));
    // The server's own maintenance timer may get there first; either way the expiry is audited exactly once.
    await server.services.maintenance.runOnce();
    await expect.poll(async () => (await auditFor(soon.id)).map((e) => e.action), { timeout: 30_000 }).toEqual(['key.created', 'key.expired']);
    await server.services.maintenance.runOnce();
    expect((await auditFor(soon.id)).map((e) => e.action)).toEqual(['key.created', 'key.expired']);
  });
});

describe('analytics', () => {
  it('the overview and the per-user view read the same ledger as the headers', async () => {
    const busy = await createUserWithKey(server.services, { tier: 'Pro' });
    const before = await admin.admin.analytics.overview.query({ days: 7 });
    let lastUsed = '';
    for (let i = 0; i < 5; i++) lastUsed = (await postData(server.url, { query: 'x', sources: 'kb' }, busy.key)).headers.get('x-ratelimit-used') ?? '';
    const overview = await admin.admin.analytics.overview.query({ days: 7 });
    expect(overview.requestsToday - before.requestsToday).toBe(5);
    expect(overview.daily).toHaveLength(7);
    expect(overview.daily.at(-1)?.bySource['kb']).toBeGreaterThanOrEqual(5);
    expect(overview.topUsers.find((t) => t.userId === busy.userId)?.requests).toBe(5);
    expect(overview.byEndpoint.find((b) => b.key === '/api/v1/data')?.requests).toBeGreaterThanOrEqual(5);
    expect(overview.byStatus.find((b) => b.key === '200')?.requests).toBeGreaterThanOrEqual(5);
    const pro = overview.revenue.find((r) => r.tier === 'Pro');
    expect(pro?.monthlyRevenueCents).toBe((pro?.payingUsers ?? 0) * 2900);
    expect(overview.revenue.find((r) => r.tier === 'Enterprise')?.monthlyRevenueCents).toBeNull();

    const mine = await admin.admin.analytics.user.query({ userId: busy.userId, days: 7 });
    expect(mine.quota.used).toBe(Number(lastUsed));
    expect(mine.usage.totals.requests).toBe(5);
  });

  it('lists users near or over their quota', async () => {
    const near = await createUserWithKey(server.services);
    await server.orm.em.fork().execute(
      `insert into usage_counters (user_id, period, used) values (?, date_trunc('month', now() at time zone 'utc')::date, 950)`,
      [near.userId],
    );
    const overview = await admin.admin.analytics.overview.query({ days: 1 });
    expect(overview.nearQuota).toContainEqual(expect.objectContaining({ userId: near.userId, used: 950, quota: 1000, utilisation: 0.95 }));
  });

  it("resets a user's usage for the period, audited, and the ledger still agrees", async () => {
    const u = await createUserWithKey(server.services);
    for (let i = 0; i < 3; i++) await postData(server.url, { query: 'x', sources: 'kb' }, u.key);
    const reset = await admin.admin.analytics.resetUsage.mutate({ userId: u.userId });
    expect(reset).toMatchObject({ used: 0, remaining: 1000 });
    const next = await postData(server.url, { query: 'x', sources: 'kb' }, u.key);
    expect(next.headers.get('x-ratelimit-used')).toBe('1');
    expect(await counterLedgerMismatches(server.services, [u.userId])).toEqual([]);
    expect((await auditFor(u.userId)).map((e) => [e.action, e.details])).toContainEqual(['usage.reset', { usedBefore: 3 }]);
  });
});

describe('the audit log', () => {
  it('filters by actor, action, target and date, and pages', async () => {
    const mine = await admin.admin.audit.list.query({ actor: owner.email, limit: 200 });
    expect(mine.items.length).toBeGreaterThan(5);
    expect(mine.items.every((e) => e.actorLabel === owner.email)).toBe(true);
    const tiers = await admin.admin.audit.list.query({ action: 'tier.', limit: 200 });
    expect(new Set(tiers.items.map((e) => e.action))).toEqual(new Set(['tier.created', 'tier.updated', 'tier.deleted']));
    const future = await admin.admin.audit.list.query({ from: new Date(Date.now() + 60_000).toISOString() });
    expect(future.items).toEqual([]);
    const page1 = await admin.admin.audit.list.query({ limit: 2 });
    expect(page1.nextBefore).toEqual(expect.any(Number));
    const page2 = await admin.admin.audit.list.query({ limit: 2, before: page1.nextBefore ?? 0 });
    expect(page2.items[0]?.id).toBeLessThan(page1.items[1]?.id ?? 0);
    const someone = await createUserWithKey(server.services);
    await admin.admin.keys.create.mutate({ userId: someone.userId, name: 'second' });
    await admin.admin.users.suspend.mutate({ id: someone.userId });
    const trail = await admin.admin.audit.list.query({ userId: someone.userId });
    expect(trail.items.map((e) => e.action).reverse()).toEqual(['user.created', 'key.created', 'key.created', 'user.suspended']);
    const bad = await failure(admin.admin.audit.list.query({ from: 'yesterday' }));
    expect(bad.issues[0]?.field).toBe('from');
  });
});

describe('admin accounts (owners only)', () => {
  it('an owner creates an admin with a generated password shown once; the last owner cannot step down', async () => {
    const created = await admin.admin.accounts.create.mutate({ email: 'ops@example.com', role: 'admin' });
    expect(created.generatedPassword).toMatch(/^[A-Za-z2-9-]{27}$/);
    expect(JSON.stringify(await admin.admin.accounts.list.query())).not.toContain(created.generatedPassword ?? '');
    const me = await admin.auth.me.query();
    const demote = await failure(admin.admin.accounts.update.mutate({ id: me?.admin.id ?? '', role: 'admin' }));
    expect(demote).toMatchObject({ status: 409, message: 'This is the last owner; make another admin an owner first' });
    const adminSession = adminClient(server, await signInAs(server, 'admin'));
    expect((await failure(adminSession.admin.accounts.list.query())).status).toBe(403);
  });
});

describe('the knowledge base', () => {
  it('creates, searches, edits and deletes entries, audited, and /api/v1/data sees each change at once', async () => {
    const u = await createUserWithKey(server.services);
    const ask = async (query: string) => {
      const res = await postData(server.url, { query, sources: 'kb' }, u.key);
      return (await res.json()).sources.kb as { status: string; items: { title: string }[] };
    };
    expect((await ask('zanzibar ferry timetable')).status).toBe('empty');

    const entry = await admin.admin.kb.create.mutate({ title: 'Zanzibar ferry timetable', body: 'Ferries leave **Stone Town** hourly.', tags: ['Travel', 'travel'] });
    expect(entry).toMatchObject({ title: 'Zanzibar ferry timetable', tags: ['travel'] });
    expect((await ask('zanzibar ferry timetable')).items[0]?.title).toBe('Zanzibar ferry timetable');

    const found = await admin.admin.kb.list.query({ search: 'stone town' });
    expect(found.items[0]).toMatchObject({ id: entry.id, excerpt: expect.stringContaining('Stone') });
    const seeded = await admin.admin.kb.list.query({ pageSize: 5 });
    expect(seeded.total).toBeGreaterThanOrEqual(30);

    await admin.admin.kb.update.mutate({ id: entry.id, title: 'Pemba ferry timetable' });
    expect((await ask('pemba ferry')).items[0]?.title).toBe('Pemba ferry timetable');

    await admin.admin.kb.delete.mutate({ id: entry.id });
    expect((await ask('pemba ferry')).status).toBe('empty');
    expect((await failure(admin.admin.kb.get.query({ id: entry.id }))).status).toBe(404);
    expect((await auditFor(entry.id)).map((e) => e.action)).toEqual(['kb.created', 'kb.updated', 'kb.deleted']);
  });

  it('names the field for bad entries', async () => {
    const bad = await failure(admin.admin.kb.create.mutate({ title: '', body: 'x', tags: ['x'.repeat(51)] }));
    expect(bad.issues).toEqual([
      { field: 'title', message: 'must not be empty' },
      { field: 'tags.0', message: 'must be at most 50 characters' },
    ]);
  });
});
