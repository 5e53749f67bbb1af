import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { counterLedgerMismatches, createUserWithKey, postData, setUsedThisPeriod, TEST_ACTOR } from '../testing/fixtures.ts';
import { startTestServer, type TestServer } from '../testing/server.ts';
import { anchoredPeriod } from './admission/period.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { DEMO_MONTHLY_QUOTA: '3' } });
});
afterAll(() => server.close());

const query = { query: 'quota', sources: 'kb' };
const resetAt = anchoredPeriod(new Date(), null).end.toISOString();

async function callsInParallel(n: number, key: string | undefined, concurrency = 25, headers: Record<string, string> = {}): Promise<number[]> {
  const statuses: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        next++;
        const res = await postData(server.url, query, key, headers);
        await res.arrayBuffer();
        statuses.push(res.status);
      }
    }),
  );
  return statuses;
}

describe('metered calls', () => {
  it('an authenticated request carries every rate-limit header', async () => {
    const u = await createUserWithKey(server.services);
    const res = await postData(server.url, query, u.key);
    expect(res.status).toBe(200);
    const h = Object.fromEntries(res.headers);
    expect(h).toMatchObject({
      'x-ratelimit-limit': '1000',
      'x-ratelimit-used': '1',
      'x-ratelimit-remaining': '999',
      'x-ratelimit-reset': resetAt,
      'x-user-id': u.userId,
      'ratelimit-policy': expect.stringMatching(/^"monthly";q=1000;w=\d+$/),
      ratelimit: expect.stringMatching(/^"monthly";r=999;t=\d+$/),
    });
    expect(h['x-response-time']).toMatch(/^\d+(\.\d+)?ms$/);
    expect(h['x-demo-mode']).toBeUndefined();
  });

  it('a demo request gets 200 and X-Demo-Mode: true, metered per client IP', async () => {
    const ip = { 'x-forwarded-for': '198.51.100.7' }; // ignored: TRUST_PROXY is off, so all calls here share 127.0.0.1
    const res = await postData(server.url, query, undefined, ip);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-demo-mode')).toBe('true');
    expect(res.headers.get('x-user-id')).toBe('demo');
    expect(res.headers.get('x-ratelimit-limit')).toBe('3');
    expect((await res.json()).sources.kb.status).toEqual(expect.stringMatching(/ok|empty/));
  });

  it('the demo quota runs out with a 429 like any other', async () => {
    // One demo call was made above, so of five at once exactly two fit in the quota of three.
    const statuses = await callsInParallel(5, undefined, 5);
    expect(statuses.filter((s) => s === 200)).toHaveLength(2);
    expect(statuses.filter((s) => s === 429)).toHaveLength(3);
    const res = await postData(server.url, query);
    expect(res.status).toBe(429);
    expect(res.headers.get('x-demo-mode')).toBe('true');
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
  });

  it("the 1,001st call of a Free user in one month gets 429 with Retry-After and a body naming limit, used and reset", async () => {
    const u = await createUserWithKey(server.services);
    const statuses = await callsInParallel(1000, u.key);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1000);

    const sent = Date.now();
    const res = await postData(server.url, query, u.key);
    const answered = Date.now();
    expect(res.status).toBe(429);
    const retryAfter = Number(res.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    // The seconds left until the reset at some instant between sending and the answer, however long that took.
    expect(retryAfter).toBeGreaterThanOrEqual(Math.ceil((Date.parse(resetAt) - answered) / 1000));
    expect(retryAfter).toBeLessThanOrEqual(Math.ceil((Date.parse(resetAt) - sent) / 1000));
    expect(res.headers.get('x-ratelimit-limit')).toBe('1000');
    expect(res.headers.get('x-ratelimit-used')).toBe('1000');
    expect(res.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(res.headers.get('ratelimit')).toMatch(/^"monthly";r=0;t=\d+$/);
    const body = await res.json();
    expect(body.error).toMatchObject({ code: 'QUOTA_EXCEEDED', limit: 1000, used: 1000, remaining: 0, resetAt });
    expect(body.error.message).toMatch(/quota of 1000/);

    // Refused calls are not charged: the count stays at the limit, and the ledger agrees.
    expect(await counterLedgerMismatches(server.services, [u.userId])).toEqual([]);
    const current = await server.services.usage.current(server.orm.em.fork(), u.userId);
    expect(current).toMatchObject({ used: 1000, limit: 1000, remaining: 0, tier: 'Free' });
  });

  it("a Pro user's responses carry X-RateLimit-Limit: 10000", async () => {
    const u = await createUserWithKey(server.services, { tier: 'Pro' });
    const res = await postData(server.url, query, u.key);
    expect(res.headers.get('x-ratelimit-limit')).toBe('10000');
    expect(res.headers.get('x-ratelimit-remaining')).toBe('9999');
  });

  it('Enterprise has no quota but is still counted', async () => {
    const u = await createUserWithKey(server.services, { tier: 'Enterprise' });
    await setUsedThisPeriod(server.services, u.userId, 5_000_000);
    const res = await postData(server.url, query, u.key);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-ratelimit-limit')).toBe('unlimited');
    expect(res.headers.get('x-ratelimit-remaining')).toBe('unlimited');
    expect(res.headers.get('x-ratelimit-used')).toBe('5000001');
    expect(res.headers.get('ratelimit-policy')).toBeNull();
  });

  it('a tier change applies to the very next request', async () => {
    const u = await createUserWithKey(server.services);
    expect((await postData(server.url, query, u.key)).headers.get('x-ratelimit-limit')).toBe('1000');
    await server.services.users.setTier(server.orm.em.fork(), u.userId, 'Pro', TEST_ACTOR);
    expect((await postData(server.url, query, u.key)).headers.get('x-ratelimit-limit')).toBe('10000');
  });

  it('all of a user’s keys share one quota', async () => {
    const u = await createUserWithKey(server.services);
    const second = await server.services.keys.create(server.orm.em.fork(), { userId: u.userId, name: 'second', actor: TEST_ACTOR });
    await setUsedThisPeriod(server.services, u.userId, 999);
    expect((await postData(server.url, query, second.key)).status).toBe(200);
    expect((await postData(server.url, query, u.key)).status).toBe(429);
  });

  it('admits exactly what is left under heavy concurrency: 200 calls, 100 left', async () => {
    const u = await createUserWithKey(server.services);
    await setUsedThisPeriod(server.services, u.userId, 900);
    const statuses = await callsInParallel(200, u.key, 50);
    expect(statuses.filter((s) => s === 200)).toHaveLength(100);
    expect(statuses.filter((s) => s === 429)).toHaveLength(100);
    const current = await server.services.usage.current(server.orm.em.fork(), u.userId);
    expect(current.used).toBe(1000);
  });

  it('batches concurrent admissions and stays exact for several users at once', async () => {
    const sizesBefore = server.services.usage.batchers?.keys.batchSizes.length ?? 0;
    const users = await Promise.all([1, 5, 20].map(async (left) => {
      const u = await createUserWithKey(server.services);
      await setUsedThisPeriod(server.services, u.userId, 1000 - left);
      return { ...u, left };
    }));
    const results = await Promise.all(
      users.flatMap((u) => Array.from({ length: 40 }, async () => {
        const res = await postData(server.url, query, u.key);
        await res.arrayBuffer();
        return { user: u.userId, status: res.status, used: Number(res.headers.get('x-ratelimit-used')) };
      })),
    );
    for (const u of users) {
      const mine = results.filter((r) => r.user === u.userId);
      expect(mine.filter((r) => r.status === 200)).toHaveLength(u.left);
      // Admitted calls are numbered one after another, as if they had come one by one.
      expect(mine.filter((r) => r.status === 200).map((r) => r.used).sort((a, b) => a - b)).toEqual(
        Array.from({ length: u.left }, (_, i) => 1000 - u.left + i + 1),
      );
      expect(mine.filter((r) => r.status === 429).every((r) => r.used === 1000)).toBe(true);
    }
    const sizes = server.services.usage.batchers?.keys.batchSizes.slice(sizesBefore) ?? [];
    expect(Math.max(...sizes)).toBeGreaterThan(1);
  });

  it('is just as exact with batching turned off', async () => {
    const unbatched = await startTestServer({ db: server.db, env: { ADMISSION_BATCHING: 'false' } });
    try {
      const u = await createUserWithKey(unbatched.services);
      await setUsedThisPeriod(unbatched.services, u.userId, 970);
      const statuses = await Promise.all(Array.from({ length: 60 }, async () => (await postData(unbatched.url, query, u.key)).status));
      expect(statuses.filter((s) => s === 200)).toHaveLength(30);
      expect(unbatched.services.usage.batchers).toBeUndefined();
    } finally {
      await unbatched.close();
    }
  });

  it('does not charge a call whose body is invalid', async () => {
    const u = await createUserWithKey(server.services);
    const res = await postData(server.url, { query: '' }, u.key);
    expect(res.status).toBe(400);
    expect((await server.services.usage.current(server.orm.em.fork(), u.userId)).used).toBe(0);
  });
});

describe('the ledger', () => {
  it('records every admitted call, and counters equal ledger rows', async () => {
    const u = await createUserWithKey(server.services);
    await callsInParallel(40, u.key, 10);
    await server.services.ledger.flush();
    const [row] = await server.orm.em.fork().execute<{ n: number; endpoints: string[]; sources: string[] }[]>(
      `select count(*)::int as n, array_agg(distinct endpoint) as endpoints, array_agg(distinct s) as sources
         from usage_events, unnest(sources) s where user_id = ?`,
      [u.userId],
    );
    expect(row).toEqual({ n: 40, endpoints: ['/api/v1/data'], sources: ['kb'] });
    expect(await counterLedgerMismatches(server.services, [u.userId])).toEqual([]);

    const [key] = await server.orm.em.fork().execute<{ usage_count: string; last_used_at: string | null }[]>(
      `select usage_count, last_used_at from key_usage where user_id = ? and key_id = ?`,
      [u.userId, u.keyId],
    );
    expect(Number(key?.usage_count)).toBe(40);
    expect(key?.last_used_at).not.toBeNull();
  });

  it('usage analytics returns a daily breakdown from the same ledger', async () => {
    const u = await createUserWithKey(server.services);
    await callsInParallel(7, u.key, 7);
    const res = await fetch(`${server.url}/api/v1/usage?action=analytics&days=7`, { headers: { 'x-api-key': u.key } });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.daily).toHaveLength(7);
    expect(body.daily.at(-1)).toEqual({ date: new Date().toISOString().slice(0, 10), requests: 7, units: 7, errors: 0 });
    expect(body.daily.slice(0, 6).every((d: { requests: number }) => d.requests === 0)).toBe(true);
    expect(body.byEndpoint).toEqual([{ key: '/api/v1/data', requests: 7, units: 7 }]);
    expect(body.bySource).toEqual([{ key: 'kb', requests: 7, units: 7 }]);
    expect(body.byStatus).toEqual([{ key: '200', requests: 7, units: 7 }]);
    expect(body.p95ResponseMs).toEqual(expect.any(Number));
    expect(body.totals).toEqual({ requests: 7, units: 7, errors: 0 });

    const current = await (await fetch(`${server.url}/api/v1/usage?action=current`, { headers: { 'x-api-key': u.key } })).json();
    expect(current).toMatchObject({ used: 7, limit: 1000, remaining: 993, resetAt });
  });

  it('rejects bad analytics parameters with 400 naming the field', async () => {
    const u = await createUserWithKey(server.services);
    for (const [qs, field] of [
      ['action=analytics&days=0', 'days'],
      ['action=analytics&days=abc', 'days'],
      ['action=analytics&days=367', 'days'],
      ['action=explode', 'action'],
    ]) {
      const res = await fetch(`${server.url}/api/v1/usage?${qs}`, { headers: { 'x-api-key': u.key } });
      expect(res.status, qs).toBe(400);
      expect((await res.json()).error.issues[0].field, qs).toBe(field);
    }
  });

  it('manual tracking is admitted and counted like a call', async () => {
    const u = await createUserWithKey(server.services);
    await setUsedThisPeriod(server.services, u.userId, 990);
    const track = (units: number) =>
      fetch(`${server.url}/api/v1/usage/track`, {
        method: 'POST',
        headers: { 'x-api-key': u.key, 'content-type': 'application/json' },
        body: JSON.stringify({ endpoint: 'pdf-render', source: 'worker', units }),
      });
    const ok = await track(10);
    expect(ok.status).toBe(201);
    expect(await ok.json()).toMatchObject({ recorded: true, units: 10, used: 1000, remaining: 0 });
    expect(ok.headers.get('x-ratelimit-used')).toBe('1000');
    const over = await track(1);
    expect(over.status).toBe(429);

    await server.services.ledger.flush();
    const [row] = await server.orm.em.fork().execute<{ endpoint: string; units: number; sources: string[] }[]>(
      `select endpoint, units, sources from usage_events where user_id = ?`,
      [u.userId],
    );
    expect(row).toEqual({ endpoint: 'pdf-render', units: 10, sources: ['worker'] });
  });
});
