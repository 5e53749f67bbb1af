import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUserWithKey, postData, setUsedThisPeriod } from './testing/fixtures.ts';
import { startTestServer, type TestServer } from './testing/server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { DEMO_MONTHLY_QUOTA: '1' } });
});
afterAll(() => server.close());

/** The sum of the samples of `name` whose labels include `labels`, in Prometheus text format. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) sum += Number(line.split(' ').at(-1));
  }
  return sum;
}

describe('/metrics', () => {
  it('counts requests, admissions, auth failures, the key cache, sources, the ledger and the pool', async () => {
    const u = await createUserWithKey(server.services);
    await postData(server.url, { query: 'a', sources: 'kb' }, u.key); // miss, then admitted
    await postData(server.url, { query: 'b', sources: 'kb' }, u.key); // hit
    await setUsedThisPeriod(server.services, u.userId, 1000);
    await postData(server.url, { query: 'c', sources: 'kb' }, u.key); // rejected
    await postData(server.url, { query: 'd', sources: 'kb' }, 'hm_bad'); // malformed
    await postData(server.url, { query: 'e', sources: 'kb' }); // demo admitted
    await postData(server.url, { query: 'f', sources: 'kb' }); // demo rejected

    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(sample(text, 'harmonic_http_requests_total', { route: '/api/v1/data', method: 'POST', status: '200' })).toBe(3);
    expect(sample(text, 'harmonic_http_requests_total', { route: '/api/v1/data', method: 'POST', status: '429' })).toBe(2);
    expect(sample(text, 'harmonic_http_request_duration_seconds_count', { route: '/api/v1/data', status: '401' })).toBe(1);
    expect(sample(text, 'harmonic_quota_admissions_total', { outcome: 'admitted', kind: 'key' })).toBe(2);
    expect(sample(text, 'harmonic_quota_admissions_total', { outcome: 'rejected', kind: 'key' })).toBe(1);
    expect(sample(text, 'harmonic_quota_admissions_total', { outcome: 'admitted', kind: 'demo' })).toBe(1);
    expect(sample(text, 'harmonic_quota_admissions_total', { outcome: 'rejected', kind: 'demo' })).toBe(1);
    expect(sample(text, 'harmonic_auth_failures_total', { reason: 'malformed' })).toBe(1);
    expect(sample(text, 'harmonic_key_cache_lookups_total', { result: 'miss' })).toBe(1);
    expect(sample(text, 'harmonic_key_cache_lookups_total', { result: 'hit' })).toBe(2);
    expect(sample(text, 'harmonic_source_duration_seconds_count', { source: 'kb' })).toBe(3);
    expect(text).toMatch(/^harmonic_ledger_lag_seconds \d/m);
    expect(text).toMatch(/^harmonic_ledger_pending_events \d/m);
    expect(text).toMatch(/^harmonic_refusal_pending_counts \d/m);
    expect(text).toMatch(/^harmonic_refused_calls_written \d/m);
    expect(sample(text, 'harmonic_db_pool_connections', { state: 'total' })).toBeGreaterThan(0);
    expect(text).toMatch(/^harmonic_process_cpu_seconds_total /m);
  });

  it('labels tRPC by procedure, and unknown paths without inventing labels', async () => {
    await fetch(`${server.url}/trpc/system.health`);
    await fetch(`${server.url}/trpc/not.a.procedure${'x'.repeat(50)}`);
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(sample(text, 'harmonic_http_requests_total', { route: '/trpc/system.health' })).toBe(1);
    expect(sample(text, 'harmonic_http_requests_total', { route: '/trpc/(unknown)' })).toBe(1);
    expect(text).not.toContain('xxxxxxxxxx');
  });

  it('answers only loopback and private client addresses by default, judged by the real client address', async () => {
    // The test client is on loopback; TRUST_PROXY makes it a proxy, so X-Forwarded-For says who the client is.
    const proxied = await startTestServer({ db: server.db, env: { TRUST_PROXY: '127.0.0.1' } });
    try {
      const from = (xff: string) => fetch(`${proxied.url}/metrics`, { headers: { 'x-forwarded-for': xff } });
      const refused = await from('203.0.113.7');
      expect(refused.status).toBe(403);
      expect(await refused.json()).toEqual({ error: { code: 'FORBIDDEN', message: expect.stringContaining('METRICS_TOKEN') } });
      // A spoofed private address left of the real one changes nothing.
      expect((await from('10.0.0.1, 203.0.113.7')).status).toBe(403);
      expect((await from('2001:db8::1')).status).toBe(403);
      for (const xff of ['10.1.2.3', '192.168.0.9', 'fd00::1', '203.0.113.7, 172.16.0.4']) expect((await from(xff)).status, xff).toBe(200);
      expect((await fetch(`${proxied.url}/metrics`)).status).toBe(200);
    } finally {
      await proxied.close();
    }
  });

  it('asks everyone for the bearer token when METRICS_TOKEN is set, and a wrong one looks like a missing one', async () => {
    const guarded = await startTestServer({ db: server.db, env: { METRICS_TOKEN: 'a-long-metrics-token', TRUST_PROXY: 'true' } });
    try {
      const get = (headers: Record<string, string>) => fetch(`${guarded.url}/metrics`, { headers });
      const missing = await get({});
      expect(missing.status).toBe(401);
      const wrong = [await get({ authorization: 'Bearer a-long-metrics-tokeX' }), await get({ authorization: 'Bearer a' }), await get({ authorization: 'a-long-metrics-token' })];
      for (const res of wrong) {
        expect(res.status).toBe(401);
        expect(await res.json()).toEqual(await missing.clone().json());
      }
      expect((await get({ authorization: 'Bearer a-long-metrics-token', 'x-forwarded-for': '203.0.113.7' })).status).toBe(200);
    } finally {
      await guarded.close();
    }
  });
});
