import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarmonicClient, type RateLimit } from '../../client/sdk/index.ts';
import { createUserWithKey, postData, type UserWithKey } from '../testing/fixtures.ts';
import type { KeyedRouter } from './keyed.ts';
import type { AppRouter } from './root.ts';
import { startTestServer, type TestServer } from '../testing/server.ts';

let server: TestServer;
let active: UserWithKey;

beforeAll(async () => {
  server = await startTestServer();
  active = await createUserWithKey(server.services);
});
afterAll(() => server.close());

describe('the typed client', () => {
  it('returns the same per-source shape as REST, with rate-limit headers', async () => {
    const seen: RateLimit[] = [];
    const harmonic = createHarmonicClient({ baseUrl: server.url, apiKey: active.key, onRateLimit: (r) => seen.push(r) });
    const viaTrpc = await harmonic.data.fetch.mutate({ query: 'quota headers', sources: ['kb'] });
    const viaRest = await (await postData(server.url, { query: 'quota headers', sources: ['kb'] }, active.key)).json();

    const shape = (a: typeof viaTrpc) => ({
      query: a.query,
      sources: Object.fromEntries(Object.entries(a.sources).map(([k, r]) => [k, { ...r, tookMs: 0, cached: false }])),
      merged: a.merged,
    });
    expect(shape(viaTrpc)).toEqual(shape(viaRest));
    expect(Object.keys(viaTrpc.sources)).toEqual(['kb']);
    expect(seen).toEqual([expect.objectContaining({ limit: 1000, used: 1, remaining: 999, userId: active.userId, demo: false })]);
  });

  it('reads usage and manages keys, inferred end to end', async () => {
    const harmonic = createHarmonicClient({ baseUrl: server.url, apiKey: active.key });
    const current = await harmonic.usage.current.query();
    expect(current).toMatchObject({ userId: active.userId, tier: 'Free', limit: 1000 });
    const analytics = await harmonic.usage.analytics.query({ days: 3 });
    expect(analytics.daily).toHaveLength(3);

    const created = await harmonic.keys.create.mutate({ name: 'from the typed client' });
    expect(created.key).toMatch(/^hm_[A-Za-z0-9]{32}$/);
    const listed = await harmonic.keys.list.query();
    expect(listed.map((k) => k.id)).toContain(created.id);
    const rotated = await harmonic.keys.rotate.mutate({ id: created.id, gracePeriodSeconds: 60 });
    expect(rotated.previous.status).toBe('active');
    const revoked = await harmonic.keys.revoke.mutate({ id: rotated.key.id });
    expect(revoked.status).toBe('revoked');
  });

  it('surfaces errors with their HTTP status and field', async () => {
    const harmonic = createHarmonicClient({ baseUrl: server.url, apiKey: active.key });
    const bad = await harmonic.data.fetch.mutate({ query: 'x', sources: ['nope' as 'kb'] }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(TRPCClientError);
    const err = bad as TRPCClientError<never>;
    expect(err.data).toMatchObject({ httpStatus: 400, appCode: 'VALIDATION_FAILED', issues: [{ field: 'sources.0' }] });
    expect(err.message).toMatch(/Unknown source "nope"\. Valid sources: wiki, arxiv, news, weather, kb/);

    const anonymous = createHarmonicClient({ baseUrl: server.url, apiKey: 'hm_wrong' });
    const denied = (await anonymous.usage.current.query().catch((e: unknown) => e)) as TRPCClientError<never>;
    expect(denied.data).toMatchObject({ httpStatus: 401, code: 'UNAUTHORIZED' });
  });

  it('sets the rate-limit headers on a tRPC 429 too', async () => {
    const u = await createUserWithKey(server.services);
    await server.orm.em.fork().execute(
      `insert into usage_counters (user_id, period, used) values (?, date_trunc('month', now() at time zone 'utc')::date, 1000)`,
      [u.userId],
    );
    const res = await fetch(`${server.url}/trpc/data.fetch`, {
      method: 'POST',
      headers: { 'x-api-key': u.key, 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'x', sources: 'kb' }),
    });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(res.headers.get('x-ratelimit-remaining')).toBe('0');
    expect((await res.json()).error.data).toMatchObject({ appCode: 'QUOTA_EXCEEDED', details: { limit: 1000, used: 1000 } });
  });
});

// The client package's router type is the AppRouter's keyed part, exactly: any drift fails `tsc`.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const keyedRouterMatches: Same<KeyedRouter['_def']['record'], Pick<AppRouter['_def']['record'], 'data' | 'usage' | 'keys'>> = true;

describe('KeyedRouter', () => {
  it('is the AppRouter minus the admin, auth and system routers', () => {
    expect(keyedRouterMatches).toBe(true);
  });
});
