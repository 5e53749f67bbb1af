import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.ts';
import { initOrm, type Orm } from '../../server/db/orm.ts';
import { createServices, type Services } from '../../server/services.ts';
import { createTestDatabase, type TestDatabase } from '../../server/testing/database.ts';
import { counterLedgerMismatches, createUserWithKey, postData, TEST_ACTOR } from '../../server/testing/fixtures.ts';
import { spawnServer, STARTUP_CEILING_MS, type HarmonicProcess } from '../../server/testing/process.ts';
import { startRoundRobin } from '../../server/testing/round-robin.ts';
import { adminClient, createAdmin, signIn } from '../../server/testing/admin.ts';

/**
 * Two real server processes on one PostgreSQL: quotas must be exact across
 * them, and a change made through one must be seen by the other at once.
 */
let db: TestDatabase;
let orm: Orm;
let services: Services;
const servers: { url: string; pid: number; proc: HarmonicProcess }[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  const config = loadConfig({ DATABASE_URL: db.url, BCRYPT_COST: '4', LOG_LEVEL: 'silent' });
  orm = await initOrm({ clientUrl: db.url });
  services = createServices({ config, logger: pino({ level: 'silent' }), orm });
});

// Starting a process is waited on until it is ready (spawnServer), so the ceilings only guard against a hang.
beforeEach(async () => {
  while (servers.length < 2) servers.push(await spawnServer(db.url));
}, 2 * STARTUP_CEILING_MS + 30_000);

afterAll(async () => {
  for (const s of servers) s.proc.kill('SIGKILL');
  await orm.close();
  await db.drop();
});

describe('two server processes on one PostgreSQL', () => {
  it('admit exactly 100 of 200 concurrent calls for a user with 100 left, and the ledger agrees after SIGTERM', async () => {
    // A tier of 102 calls: two warm-up calls (one per process, so both key caches are warm
    // and the race is on admission, not verification) leave exactly 100.
    await orm.em.fork().execute(`insert into tiers (id, name, monthly_quota, price_cents) values (gen_random_uuid(), 'Tight', 102, 0)`);
    const u = await createUserWithKey(services, { tier: 'Tight' });
    for (const s of servers) expect((await postData(s.url, { query: 'warm', sources: 'kb' }, u.key)).status).toBe(200);

    const statuses = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const res = await postData(servers[i % 2]!.url, { query: `race ${i}`, sources: 'kb' }, u.key);
        await res.arrayBuffer();
        return res.status;
      }),
    );
    expect(statuses.filter((s) => s === 200)).toHaveLength(100);
    expect(statuses.filter((s) => s === 429)).toHaveLength(100);
    const [counter] = await orm.em.fork().execute<{ used: number }[]>(`select used from usage_counters where user_id = ?`, [u.userId]);
    expect(counter?.used).toBe(102);

    // Each process flushes its buffered ledger rows on SIGTERM and exits 0.
    const stopping = servers.splice(0, servers.length);
    for (const s of stopping) process.kill(s.pid, 'SIGTERM');
    for (const s of stopping) expect((await s.proc.exited).code).toBe(0);
    const [ledger] = await orm.em.fork().execute<{ n: number }[]>(`select count(*)::int as n from usage_events where user_id = ?`, [u.userId]);
    expect(ledger?.n).toBe(102);
    expect(await counterLedgerMismatches(services, [u.userId])).toEqual([]);
    // Both processes' refusals land in one counter row, added together, none lost on SIGTERM.
    const refused = await orm.em.fork().execute<{ reason: string; count: string }[]>(`select reason, count from refusal_counters where user_id = ?`, [u.userId]);
    expect(refused.map((r) => ({ reason: r.reason, count: Number(r.count) }))).toEqual([{ reason: 'over_quota', count: 100 }]);
  }, 120_000);

  it('a key revoked through one process is refused by the other on its very next request', async () => {
    const [a, b] = servers as [(typeof servers)[0], (typeof servers)[0]];
    const u = await createUserWithKey(services);
    expect((await postData(b.url, { query: 'warm', sources: 'kb' }, u.key)).status).toBe(200);

    const revoked = await fetch(`${a.url}/api/v1/keys/${u.keyId}`, { method: 'DELETE', headers: { 'x-api-key': u.key } });
    expect(revoked.status).toBe(200);
    // B still has the key in its cache unless the NOTIFY came first; admission re-checks it in PostgreSQL either way.
    const started = performance.now();
    expect((await postData(b.url, { query: 'after', sources: 'kb' }, u.key)).status).toBe(401);
    console.log(`revocation seen by the other process on its next request, answered after ${(performance.now() - started).toFixed(1)} ms`);
  });

  it('a suspension and a tier change made through the admin API of one process are seen by the other on its very next request', async () => {
    const [a, b] = servers as [(typeof servers)[0], (typeof servers)[0]];
    const { email, password } = await createAdmin(services, 'admin');
    const session = await signIn(a, email, password);
    const adminA = adminClient(a, session);
    const u = await createUserWithKey(services);
    expect((await postData(b.url, { query: 'warm', sources: 'kb' }, u.key)).headers.get('x-ratelimit-limit')).toBe('1000');

    const nextOnB = async () => {
      const started = performance.now();
      const res = await postData(b.url, { query: 'next', sources: 'kb' }, u.key);
      return { res, ms: performance.now() - started };
    };
    const pro = (await adminA.admin.tiers.list.query()).find((t) => t.name === 'Pro');
    await adminA.admin.users.update.mutate({ id: u.userId, tierId: pro?.id });
    const tier = await nextOnB();
    expect(tier.res.headers.get('x-ratelimit-limit')).toBe('10000');
    await adminA.admin.users.suspend.mutate({ id: u.userId });
    const suspended = await nextOnB();
    expect(suspended.res.status).toBe(403);
    console.log(`tier change seen by the other process on its next request (${tier.ms.toFixed(1)} ms), suspension too (${suspended.ms.toFixed(1)} ms)`);
  });

  it('three processes behind a round-robin balancer admit exactly what is left for several users close to their quota', { timeout: STARTUP_CEILING_MS + 120_000 }, async () => {
    while (servers.length < 3) servers.push(await spawnServer(db.url));
    const balancer = await startRoundRobin(servers.map((s) => s.url));
    try {
      const users = await Promise.all([3, 17, 60].map(async (left) => {
        const u = await createUserWithKey(services);
        await orm.em.fork().execute(
          `insert into usage_counters (user_id, period, used) values (?, date_trunc('month', now() at time zone 'utc')::date, ?)`,
          [u.userId, 1000 - left],
        );
        return { ...u, left };
      }));
      const results = await Promise.all(
        users.flatMap((u) => Array.from({ length: 120 }, async (_, i) => {
          const res = await postData(balancer.url, { query: `rr ${i}`, sources: 'kb' }, u.key);
          await res.arrayBuffer();
          return { userId: u.userId, status: res.status };
        })),
      );
      for (const u of users) {
        const mine = results.filter((r) => r.userId === u.userId);
        expect(mine.filter((r) => r.status === 200), `user with ${u.left} left`).toHaveLength(u.left);
        expect(mine.filter((r) => r.status === 429)).toHaveLength(120 - u.left);
        const [row] = await orm.em.fork().execute<{ used: number }[]>(`select used from usage_counters where user_id = ?`, [u.userId]);
        expect(row?.used).toBe(1000);
      }
    } finally {
      await balancer.close();
    }
  });

  it('a suspension and a tier change made elsewhere apply to the next request on both', async () => {
    const u = await createUserWithKey(services);
    for (const s of servers) expect((await postData(s.url, { query: 'warm', sources: 'kb' }, u.key)).headers.get('x-ratelimit-limit')).toBe('1000');
    await services.users.setTier(orm.em.fork(), u.userId, 'Pro', TEST_ACTOR);
    for (const s of servers) expect((await postData(s.url, { query: 'tier', sources: 'kb' }, u.key)).headers.get('x-ratelimit-limit')).toBe('10000');
    await services.users.setStatus(orm.em.fork(), u.userId, 'suspended', TEST_ACTOR);
    for (const s of servers) expect((await postData(s.url, { query: 'suspended', sources: 'kb' }, u.key)).status).toBe(403);
  });
});
