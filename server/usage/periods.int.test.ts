import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listUsersSchema } from '../../shared/admin.ts';
import { nativePool } from '../db/pool.ts';
import { setDatabaseClock } from '../testing/clock.ts';
import { counterLedgerMismatches, createUserWithKey, postData, TEST_ACTOR, type UserWithKey } from '../testing/fixtures.ts';
import { startTestServer, type TestServer } from '../testing/server.ts';

/**
 * Quota periods that follow the billing period (issue 14): a user with
 * `users.period_anchor` counts from renewal to renewal, everyone else by
 * calendar month. The database clock (harmonic_now()) is set per step, so a
 * renewal is crossed without waiting; two instances share one database.
 */
let a: TestServer;
let b: TestServer;
const QUOTA = 20;
beforeAll(async () => {
  a = await startTestServer({ env: { LOG_LEVEL: 'fatal' } });
  b = await startTestServer({ env: { LOG_LEVEL: 'fatal' }, db: a.db });
  await a.services.tiers.create(a.orm.em.fork(), { name: 'Pro-like', monthlyQuota: QUOTA, priceCents: 2900, description: '' }, TEST_ACTOR);
});
afterAll(async () => {
  await b?.close();
  await a?.close();
});

const query = { query: 'quota', sources: 'kb' };

interface Answer {
  status: number;
  used: number;
  reset: string | null;
  policy: string | null;
  retryAfter: string | null;
  body: { error?: { code?: string; resetAt?: string } };
}

/** `n` keyed calls at once, alternating between the two instances. */
async function callsOnBoth(n: number, key: string): Promise<Answer[]> {
  return Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const res = await postData((i % 2 === 0 ? a : b).url, query, key);
      return {
        status: res.status,
        used: Number(res.headers.get('x-ratelimit-used')),
        reset: res.headers.get('x-ratelimit-reset'),
        policy: res.headers.get('ratelimit-policy'),
        retryAfter: res.headers.get('retry-after'),
        body: (await res.json()) as Answer['body'],
      };
    }),
  );
}

async function setAnchor(userId: string, anchor: string | null): Promise<void> {
  await a.orm.em.fork().execute(`update users set period_anchor = ? where id = ?`, [anchor, userId]);
}

/** The user's counter rows and ledger counts per period key, after both instances flushed their ledgers. */
async function rows(userId: string): Promise<{ counters: Record<string, number>; ledger: Record<string, number> }> {
  await Promise.all([a.services.ledger.flush(), b.services.ledger.flush()]);
  const pool = await nativePool(a.orm.em.fork());
  const counters = await pool.query<{ period: string; used: number }>(`select period::text, used from usage_counters where user_id = $1`, [userId]);
  const ledger = await pool.query<{ period: string; n: number }>(
    `select period::text, count(*)::int as n from usage_events where user_id = $1 group by period`,
    [userId],
  );
  return {
    counters: Object.fromEntries(counters.rows.map((r) => [r.period, r.used])),
    ledger: Object.fromEntries(ledger.rows.map((r) => [r.period, r.n])),
  };
}

const sorted = (xs: number[]) => [...xs].sort((x, y) => x - y);
const oneTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe('anchored quota periods', () => {
  it('admit exactly the quota on either side of a renewal, on two instances, with the renewal as the reset', async () => {
    const u = await createUserWithKey(a.services, { tier: 'Pro-like' });
    // Billing day the 31st, at 10:00 UTC: the period before the renewal is 31 January to 28 February 10:00.
    await setAnchor(u.userId, '2027-01-31T10:00:00Z');

    await setDatabaseClock(a.orm.em, new Date('2027-02-28T09:59:59Z'));
    const sent = Date.now();
    const before = await callsOnBoth(QUOTA * 2 + 10, u.key);
    const answered = Date.now();
    const admitted = before.filter((r) => r.status === 200);
    expect(admitted).toHaveLength(QUOTA);
    expect(before.filter((r) => r.status === 429)).toHaveLength(QUOTA + 10);
    // Each admitted call was counted once: the two instances together handed out 1..N.
    expect(sorted(admitted.map((r) => r.used))).toEqual(oneTo(QUOTA));
    for (const r of before) {
      expect(r.reset).toBe('2027-02-28T10:00:00.000Z');
      expect(r.policy).toBe(`"monthly";q=${QUOTA};w=${28 * 86400}`);
    }
    for (const r of before.filter((x) => x.status === 429)) {
      expect(r.body.error).toMatchObject({ code: 'QUOTA_EXCEEDED', resetAt: '2027-02-28T10:00:00.000Z' });
      // Seconds until the renewal, from when the server answered.
      expect(Number(r.retryAfter)).toBeGreaterThanOrEqual(Math.ceil((Date.parse('2027-02-28T10:00:00Z') - answered) / 1000));
      expect(Number(r.retryAfter)).toBeLessThanOrEqual(Math.ceil((Date.parse('2027-02-28T10:00:00Z') - sent) / 1000));
    }

    // The renewal itself: a fresh period, as exact, that lasts until 31 March.
    await setDatabaseClock(a.orm.em, new Date('2027-02-28T10:00:00Z'));
    const after = await callsOnBoth(QUOTA * 2 + 10, u.key);
    expect(sorted(after.filter((r) => r.status === 200).map((r) => r.used))).toEqual(oneTo(QUOTA));
    expect(after.filter((r) => r.status === 429)).toHaveLength(QUOTA + 10);
    for (const r of after) {
      expect(r.reset).toBe('2027-03-31T10:00:00.000Z');
      expect(r.policy).toBe(`"monthly";q=${QUOTA};w=${31 * 86400}`);
    }

    // The dashboard's near-quota list and the users list read the same (anchored) period.
    const overview = await a.services.reporting.overview(a.orm.em.fork(), 7);
    expect(overview.nearQuota.filter((x) => x.userId === u.userId).map((x) => x.used)).toEqual([QUOTA]);
    const list = await a.services.users.list(a.orm.em.fork(), listUsersSchema.parse({ search: u.email, sort: 'used' }));
    expect(list.items.map((x) => x.usedThisPeriod)).toEqual([QUOTA]);

    // One counter row per period, each equal to that period's ledger rows.
    expect(await rows(u.userId)).toEqual({
      counters: { '2027-01-31': QUOTA, '2027-02-28': QUOTA },
      ledger: { '2027-01-31': QUOTA, '2027-02-28': QUOTA },
    });
    expect(await counterLedgerMismatches(a.services, [u.userId])).toEqual([]);
  });

  it('start a fresh counter when a user subscribes mid-month and go back to the calendar row when they leave, counting every call once', async () => {
    const u = await createUserWithKey(a.services);
    const usedHeaders = async (n: number, key: UserWithKey['key']) => {
      const answers: Answer[] = [];
      // One after another, so each call's count is known in order.
      for (let i = 0; i < n; i++) answers.push(...(await callsOnBoth(1, key)));
      expect(answers.every((r) => r.status === 200)).toBe(true);
      return answers;
    };

    // Calendar month: three calls in March.
    await setDatabaseClock(a.orm.em, new Date('2027-03-10T12:00:00Z'));
    const calendar = await usedHeaders(3, u.key);
    expect(calendar.map((r) => r.used)).toEqual([1, 2, 3]);
    expect(calendar[0]?.reset).toBe('2027-04-01T00:00:00.000Z');

    // They subscribe: renewals on the 10th at 11:00. A fresh counter keyed by the period's first day.
    await setAnchor(u.userId, '2027-03-10T11:00:00Z');
    const subscribed = await usedHeaders(4, u.key);
    expect(subscribed.map((r) => r.used)).toEqual([1, 2, 3, 4]);
    expect(subscribed[0]?.reset).toBe('2027-04-10T11:00:00.000Z');
    expect(subscribed[0]?.policy).toBe(`"monthly";q=1000;w=${31 * 86400}`);
    expect(await rows(u.userId)).toEqual({ counters: { '2027-03-01': 3, '2027-03-10': 4 }, ledger: { '2027-03-01': 3, '2027-03-10': 4 } });

    // The quota state (what the portal shows) and the admin's users list follow the anchored period.
    const state = await a.services.usage.current(a.orm.em.fork(), u.userId);
    expect(state).toMatchObject({ used: 4, periodStart: '2027-03-10T11:00:00.000Z', resetAt: '2027-04-10T11:00:00.000Z' });
    expect(await a.services.usage.period(a.orm.em.fork(), u.userId)).toEqual({ start: '2027-03-10T11:00:00.000Z', end: '2027-04-10T11:00:00.000Z', anchored: true });
    const list = await a.services.users.list(a.orm.em.fork(), listUsersSchema.parse({ search: u.email }));
    expect(list.items.map((x) => x.usedThisPeriod)).toEqual([4]);

    // They leave ten days later: back on March's calendar row, which still holds the calls from before.
    await setDatabaseClock(a.orm.em, new Date('2027-03-20T12:00:00Z'));
    await setAnchor(u.userId, null);
    const left = await usedHeaders(2, u.key);
    expect(left.map((r) => r.used)).toEqual([4, 5]);
    expect(left[0]?.reset).toBe('2027-04-01T00:00:00.000Z');

    // 3 + 4 + 2 calls, each in exactly one row, each row equal to its ledger.
    const final = await rows(u.userId);
    expect(final).toEqual({ counters: { '2027-03-01': 5, '2027-03-10': 4 }, ledger: { '2027-03-01': 5, '2027-03-10': 4 } });
    expect(Object.values(final.counters).reduce((x, y) => x + y, 0)).toBe(9);
    expect(await counterLedgerMismatches(a.services, [u.userId])).toEqual([]);
  });

  it("are reset by an admin in the user's own current period only, and an anchor on the 1st at 00:00 shares the calendar row", async () => {
    const u = await createUserWithKey(a.services);
    await setDatabaseClock(a.orm.em, new Date('2027-05-02T00:00:00Z'));
    await callsOnBoth(2, u.key);
    // Renewals on the 15th at 09:00: on 2 May the period began on 15 April 09:00.
    await setAnchor(u.userId, '2027-01-15T09:00:00Z');
    await callsOnBoth(3, u.key);
    expect((await rows(u.userId)).counters).toEqual({ '2027-05-01': 2, '2027-04-15': 3 });

    const state = await a.services.reporting.resetUsage(a.orm.em.fork(), u.userId, TEST_ACTOR);
    expect(state).toMatchObject({ used: 0, periodStart: '2027-04-15T09:00:00.000Z', resetAt: '2027-05-15T09:00:00.000Z' });
    expect((await rows(u.userId)).counters).toEqual({ '2027-05-01': 2, '2027-04-15': 0 });

    // A period that starts on the 1st at 00:00 is the calendar month: same key, same row.
    await setAnchor(u.userId, '2027-02-01T00:00:00Z');
    const [same] = await callsOnBoth(1, u.key);
    expect(same).toMatchObject({ status: 200, used: 3, reset: '2027-06-01T00:00:00.000Z' });
    expect((await rows(u.userId)).counters).toEqual({ '2027-05-01': 3, '2027-04-15': 0 });
    expect(await counterLedgerMismatches(a.services, [u.userId])).toEqual([]);
  });

  it('are explained by the knowledge base as the docs explain them', async () => {
    const [entry] = await a.orm.em.fork().execute<{ body: string }[]>(`select body from kb_entries where title = 'Quotas and billing periods'`);
    expect(entry?.body).toContain('while you have a live subscription, it runs from one renewal to the next');
    expect(entry?.body).not.toContain('A period is a **calendar month in UTC**. Counting starts again');
  });
});
