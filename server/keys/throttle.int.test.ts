import { randomBytes } from 'node:crypto';
import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarmonicClient } from '../../client/sdk/index.ts';
import { createUserWithKey } from '../testing/fixtures.ts';
import { startTestServer, type TestServer } from '../testing/server.ts';
import { buildKey, LOOKUP_LENGTH } from './format.ts';
import { DEFAULT_VERIFY_THROTTLE } from './throttle.ts';
import { expectResponsesMatchDocument } from '../testing/openapi.ts';

// Two instances on one database: `direct` sees the test's own address (127.0.0.1); `proxied` sits
// behind a trusted proxy, so each request can come from the address its X-Forwarded-For names.
let direct: TestServer;
let proxied: TestServer;

beforeAll(async () => {
  direct = await startTestServer();
  proxied = await startTestServer({ db: direct.db, env: { TRUST_PROXY: 'true' } });
});
afterAll(async () => {
  await proxied?.close();
  await direct?.close();
});

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** A well-formed key (valid checksum) for `lookupId` with a random secret: what anyone can make. */
const forged = (lookupId: string) => buildKey(lookupId, Array.from(randomBytes(18), (b) => ALPHABET[b % 62]).join(''));
const lookupOf = (key: string) => key.slice(3, 3 + LOOKUP_LENGTH);

const usage = (server: TestServer, key: string, from?: string) =>
  fetch(`${server.url}/api/v1/usage`, { headers: { 'x-api-key': key, ...(from ? { 'x-forwarded-for': from } : {}) } });

/** `n` forged keys for `lookupId`, `concurrency` at a time; the statuses, and the bodies of the 429s. */
async function flood(server: TestServer, lookupId: string, n: number, from: (i: number) => string | undefined, concurrency = 8) {
  const statuses: number[] = [];
  const refusals: { body: unknown; retryAfter: string | null }[] = [];
  for (let i = 0; i < n; i += concurrency) {
    const round = await Promise.all(
      Array.from({ length: Math.min(concurrency, n - i) }, (_, j) => usage(server, forged(lookupId), from(i + j))),
    );
    for (const res of round) {
      statuses.push(res.status);
      if (res.status === 429) refusals.push({ body: await res.json(), retryAfter: res.headers.get('retry-after') });
      else await res.arrayBuffer();
    }
  }
  return { statuses, refusals };
}

describe('a flood of well-formed keys with random secrets', () => {
  it('on a live lookup id, from one address, costs a bounded number of bcrypt compares and answers 429', async () => {
    const victim = await createUserWithKey(direct.services);
    expect((await usage(direct, victim.key)).status).toBe(200);
    const before = direct.services.bcrypt.compares;

    const { statuses, refusals } = await flood(direct, lookupOf(victim.key), 120, () => undefined);
    const compares = direct.services.bcrypt.compares - before;
    expect(new Set(statuses)).toEqual(new Set([401, 429]));
    // Without the throttle each of the 120 would cost a compare.
    expect(compares).toBeLessThanOrEqual(DEFAULT_VERIFY_THROTTLE.maxFailuresPerLookupId);
    expect(statuses.filter((s) => s === 401)).toHaveLength(compares);
    for (const r of refusals) {
      expect(r.body).toEqual({ error: { code: 'RATE_LIMITED', message: expect.stringMatching(/^Too many failed API key attempts/), retryAfterSeconds: expect.any(Number) } });
      expect(Number(r.retryAfter)).toBeGreaterThanOrEqual(1);
    }

    // The real key: untouched while cached, and (verified here before) still let in once its cache entry is gone.
    expect((await usage(direct, victim.key)).status).toBe(200);
    direct.services.keyCache.clear();
    expect((await usage(direct, victim.key)).status).toBe(200);
    expect(direct.services.bcrypt.compares - before - compares).toBe(1);
  });

  it('on the tRPC transport too: TOO_MANY_REQUESTS with Retry-After', async () => {
    const victim = await createUserWithKey(direct.services);
    // One at a time, so each forged key costs its compare until the id is over budget.
    const { statuses } = await flood(direct, lookupOf(victim.key), DEFAULT_VERIFY_THROTTLE.maxFailuresPerLookupId + 2, () => undefined, 1);
    expect(statuses.at(-1)).toBe(429);
    const res = await fetch(`${direct.url}/trpc/usage.current`, { headers: { 'x-api-key': forged(lookupOf(victim.key)) } });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const harmonic = createHarmonicClient({ baseUrl: direct.url, apiKey: forged(lookupOf(victim.key)) });
    const err = await harmonic.usage.current.query().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TRPCClientError);
    expect((err as TRPCClientError<never>).data).toMatchObject({ code: 'TOO_MANY_REQUESTS', httpStatus: 429, appCode: 'RATE_LIMITED' });
  });

  it('from many addresses costs one compare per fresh address, and cannot lock out a key this instance never saw', async () => {
    // Created through the other instance, so `proxied` has never verified it.
    const victim = await createUserWithKey(direct.services);
    const id = lookupOf(victim.key);
    const before = proxied.services.bcrypt.compares;

    // One persistent attacker address: it stops costing anything after its budget.
    const single = await flood(proxied, id, 60, () => '203.0.113.66');
    expect(single.statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    // A botnet: 30 addresses, each sending 3 keys; the id is over budget, so each address gets at most one try.
    const bots = await flood(proxied, id, 90, (i) => `198.51.100.${i % 30}`, 6);
    const compares = proxied.services.bcrypt.compares - before;
    expect(compares).toBeLessThanOrEqual(DEFAULT_VERIFY_THROTTLE.maxFailuresPerLookupId + 30);
    expect(bots.statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(60);

    // The holder, from an address that has not failed, gets in; an address that has been flooding does not.
    expect((await usage(proxied, victim.key, '203.0.113.66')).status).toBe(429);
    expect((await usage(proxied, victim.key, '192.0.2.10')).status).toBe(200);
    // Once verified it is cached, so even the flooding address's copy of it would be let in.
    expect((await usage(proxied, victim.key, '203.0.113.66')).status).toBe(200);
  });
});

// Last: the throttle's 429s (and everything else above) are documented, Retry-After included.
it('every /api/v1 response above matches the OpenAPI document exactly', async () => {
  expect((await expectResponsesMatchDocument(direct)) + (await expectResponsesMatchDocument(proxied))).toBeGreaterThan(0);
});
