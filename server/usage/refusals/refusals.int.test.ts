import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarmonicClient } from '../../../client/sdk/index.ts';
import type { UsageAnalytics } from '../../../shared/usage.ts';
import { buildKey, LOOKUP_LENGTH } from '../../keys/format.ts';
import { adminClient, signInAs } from '../../testing/admin.ts';
import { counterLedgerMismatches, createUserWithKey, postData, TEST_ACTOR, type UserWithKey } from '../../testing/fixtures.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';
import { RefusalWriter } from './writer.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const query = { query: 'quota', sources: 'kb' };
const today = () => new Date().toISOString().slice(0, 10);

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** A well-formed key for `lookupId` with a random secret: what anyone can make, and no one's key. */
const forged = (lookupId: string) => buildKey(lookupId, Array.from(randomBytes(18), (b) => ALPHABET[b % 62]).join(''));
const lookupOf = (key: string) => key.slice(3, 3 + LOOKUP_LENGTH);

/** `n` data calls with `key`, `concurrency` at a time; their statuses. */
async function calls(n: number, key: string, concurrency = 25): Promise<number[]> {
  const statuses: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, n) }, async () => {
      while (next < n) {
        next++;
        const res = await postData(server.url, query, key);
        await res.arrayBuffer();
        statuses.push(res.status);
      }
    }),
  );
  return statuses;
}

const tally = (statuses: number[]) => statuses.reduce<Record<number, number>>((t, s) => ({ ...t, [s]: (t[s] ?? 0) + 1 }), {});

async function rowCount(sql: string, params: unknown[]): Promise<number> {
  const [row] = await server.orm.em.fork().execute<{ n: number }[]>(`select count(*)::int as n from (${sql}) x`, params);
  return row?.n ?? 0;
}

async function analyticsOf(key: string): Promise<UsageAnalytics> {
  const res = await fetch(`${server.url}/api/v1/usage?action=analytics&days=7`, { headers: { 'x-api-key': key } });
  expect(res.status).toBe(200);
  return (await res.json()) as UsageAnalytics;
}

describe('refused calls in analytics', () => {
  let u: UserWithKey;
  let spare: UserWithKey['key'];
  const expected = { overQuota: 295, suspended: 4, keyInvalid: 8 };

  beforeAll(async () => {
    // A tier of five calls a month, then a flood: everything past the five is a 429.
    await server.services.tiers.create(server.orm.em.fork(), { name: 'Tiny', monthlyQuota: 5, priceCents: 0, description: '' }, TEST_ACTOR);
    u = await createUserWithKey(server.services, { tier: 'Tiny' });
    spare = (await server.services.keys.create(server.orm.em.fork(), { userId: u.userId, name: 'spare', actor: TEST_ACTOR })).key;
    const old = (await server.services.keys.create(server.orm.em.fork(), { userId: u.userId, name: 'old', actor: TEST_ACTOR })).key;
    const flood = await calls(300, u.key);
    expect(tally(flood)).toEqual({ 200: 5, 429: 295 });

    // The spare key is verified and cached by one more call (one more 429), then revoked behind the
    // cache's back: admission refuses the cached key (1), key auth finds it revoked (2), then the cached refusal answers (3..6).
    expect((await postData(server.url, query, spare)).status).toBe(429);
    expected.overQuota++;
    await server.orm.em.fork().execute(`update api_keys set revoked_at = now() where user_id = ? and name = 'spare'`, [u.userId]);
    expect(tally(await calls(6, spare, 1))).toEqual({ 401: 6 });
    // A key that expired before its first call: key auth finds it dead (1), then the cache's refusal (2).
    await server.orm.em.fork().execute(`update api_keys set expires_at = now() - interval '1 second' where user_id = ? and name = 'old'`, [u.userId]);
    expect(tally(await calls(2, old, 1))).toEqual({ 401: 2 });

    // Made-up keys, and the user's own lookup id with a wrong secret, are nobody's refusals.
    expect(tally(await calls(5, forged(lookupOf(u.key)), 1))).toEqual({ 401: 5 });
    expect(tally(await calls(3, forged(lookupOf(u.key).replace(/./, (c) => (c === 'A' ? 'B' : 'A'))), 1))).toEqual({ 401: 3 });

    // Suspended behind the key cache's back: admission refuses the cached key, then key auth does.
    await server.orm.em.fork().execute(`update users set status = 'suspended' where id = ?`, [u.userId]);
    expect(tally(await calls(4, u.key, 2))).toEqual({ 403: 4 });
    await server.services.users.setStatus(server.orm.em.fork(), u.userId, 'active', TEST_ACTOR);
  });

  it('GET /api/v1/usage?action=analytics counts them by reason and day, and byStatus shows every call', async () => {
    const body = await analyticsOf(u.key);
    const total = expected.overQuota + expected.suspended + expected.keyInvalid;
    expect(body.refused).toMatchObject({ total, ...expected });
    expect(body.refused.daily).toHaveLength(7);
    expect(body.refused.daily.at(-1)).toEqual({ date: today(), ...expected });
    expect(body.refused.daily.slice(0, 6).every((d) => d.overQuota + d.suspended + d.keyInvalid === 0)).toBe(true);
    expect(body.byStatus).toEqual([
      { key: '429', requests: expected.overQuota, units: 0 },
      { key: '401', requests: expected.keyInvalid, units: 0 },
      { key: '200', requests: 5, units: 5 },
      { key: '403', requests: expected.suspended, units: 0 },
    ]);
    // Totals stay the admitted calls, the ones the quota counted.
    expect(body.totals).toEqual({ requests: 5, units: 5, errors: 0 });
    expect(body.daily.at(-1)).toEqual({ date: today(), requests: 5, units: 5, errors: 0 });
  });

  it('the typed tRPC client shows the same numbers', async () => {
    const harmonic = createHarmonicClient({ baseUrl: server.url, apiKey: u.key });
    const viaTrpc = await harmonic.usage.analytics.query({ days: 7 });
    const viaRest = await analyticsOf(u.key);
    expect(viaTrpc.refused).toEqual(viaRest.refused);
    expect(viaTrpc.byStatus).toEqual(viaRest.byStatus);
  });

  it('the database stays bounded: one counter row per reason and day, and no ledger row for any refusal', async () => {
    await server.services.refusals.flush();
    expect(await rowCount(`select 1 from refusal_counters where user_id = ?`, [u.userId])).toBe(3);
    const [row] = await server.orm.em.fork().execute<{ n: number; units: number }[]>(
      `select count(*)::int as n, coalesce(sum(units), 0)::int as units from usage_events where user_id = ?`,
      [u.userId],
    );
    expect(row).toEqual({ n: 5, units: 5 });
    expect(await counterLedgerMismatches(server.services, [u.userId])).toEqual([]);
    // Made-up keys were counted for nobody.
    expect(await rowCount(`select 1 from refusal_counters where user_id <> ?`, [u.userId])).toBe(0);
  });

  it("the admin dashboard totals everyone's refusals, and the user page shows this user's", async () => {
    const other = await createUserWithKey(server.services);
    await server.services.users.setStatus(server.orm.em.fork(), other.userId, 'suspended', TEST_ACTOR);
    expect(tally(await calls(2, other.key, 1))).toEqual({ 403: 2 });

    const admin = adminClient(server, await signInAs(server, 'viewer'));
    const overview = await admin.admin.analytics.overview.query({ days: 7 });
    expect(overview.refused).toMatchObject({
      total: expected.overQuota + expected.suspended + 2 + expected.keyInvalid,
      overQuota: expected.overQuota,
      suspended: expected.suspended + 2,
      keyInvalid: expected.keyInvalid,
    });
    expect(overview.byStatus).toContainEqual({ key: '403', requests: expected.suspended + 2, units: 0 });
    expect(overview.requests).toBe(5);

    const page = await admin.admin.analytics.user.query({ userId: other.userId, days: 7 });
    expect(page.usage.refused).toMatchObject({ total: 2, overQuota: 0, suspended: 2, keyInvalid: 0 });
  });
});

describe('RefusalWriter', () => {
  it('sums a flood into one pending count per user, day and reason, and writes it in one flush', async () => {
    const u = await createUserWithKey(server.services);
    let now = Date.parse('2026-03-01T23:59:59Z');
    const writer = new RefusalWriter({ orm: server.orm, logger: server.services.logger, flushIntervalMs: 60_000, maxBatch: 500, now: () => now });
    for (let i = 0; i < 1000; i++) writer.count(u.userId, 'over_quota');
    writer.count(u.userId, 'key_invalid');
    now += 1000; // the next UTC day
    writer.count(u.userId, 'over_quota');
    writer.count(u.userId, 'over_quota', new Date('2026-03-01T12:00:00Z')); // a database time of its own decides its day
    expect(writer.pending).toBe(3);
    await writer.flush();
    expect(writer.pending).toBe(0);
    writer.count(u.userId, 'over_quota');
    await writer.stop();

    const rows = await server.orm.em.fork().execute<{ day: string; reason: string; count: string }[]>(
      `select to_char(day, 'YYYY-MM-DD') as day, reason, count from refusal_counters where user_id = ? order by day, reason`,
      [u.userId],
    );
    expect(rows.map((r) => ({ ...r, count: Number(r.count) }))).toEqual([
      { day: '2026-03-01', reason: 'key_invalid', count: 1 },
      { day: '2026-03-01', reason: 'over_quota', count: 1001 },
      { day: '2026-03-02', reason: 'over_quota', count: 2 },
    ]);
    expect(writer.written).toBe(1004);
  });

  it('keeps the counts of a failed flush, with those counted meanwhile, and writes them on the next', async () => {
    const u = await createUserWithKey(server.services);
    const writer = new RefusalWriter({ orm: server.orm, logger: server.services.logger, flushIntervalMs: 60_000, maxBatch: 500, now: () => Date.parse('2026-04-10T10:00:00Z') });
    const em = server.orm.em.fork();
    writer.count(u.userId, 'suspended');
    writer.count(u.userId, 'suspended');
    await em.execute(`alter table refusal_counters rename to refusal_counters_away`);
    try {
      await expect(writer.flush()).rejects.toThrow(/refusal_counters/);
    } finally {
      await em.execute(`alter table refusal_counters_away rename to refusal_counters`);
    }
    expect(writer.pending).toBe(1);
    writer.count(u.userId, 'suspended');
    await writer.flush();
    const [row] = await em.execute<{ count: string }[]>(`select count from refusal_counters where user_id = ? and day = '2026-04-10' and reason = 'suspended'`, [u.userId]);
    expect(Number(row?.count)).toBe(3);
  });

  it('flushes on its own once maxBatch counts are waiting, and skips users deleted since', async () => {
    const users = await Promise.all([1, 2, 3].map(() => createUserWithKey(server.services)));
    const writer = new RefusalWriter({ orm: server.orm, logger: server.services.logger, flushIntervalMs: 60_000, maxBatch: 4, now: () => Date.parse('2026-05-05T10:00:00Z') });
    writer.count(randomUUID(), 'over_quota'); // no such user: must not hold the batch up
    for (const u of users) writer.count(u.userId, 'over_quota');
    const deadline = Date.now() + 30_000;
    while (writer.pending > 0 || (await rowCount(`select 1 from refusal_counters where day = '2026-05-05'`, [])) < 3) {
      if (Date.now() > deadline) throw new Error(`still pending: ${writer.pending}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await rowCount(`select 1 from refusal_counters where day = '2026-05-05'`, [])).toBe(3);
    await writer.stop();
  });
});
