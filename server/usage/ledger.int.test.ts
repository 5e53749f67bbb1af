import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { nativePool } from '../db/pool.ts';
import { counterLedgerMismatches, createUserWithKey } from '../testing/fixtures.ts';
import { startTestServer, type TestServer } from '../testing/server.ts';

/**
 * The ledger must never lose an admitted call: the counter is its running
 * total. These admit calls for real, then hand the writer rows the database
 * refuses, as a call that slipped past validation would.
 */
let server: TestServer;
beforeAll(async () => {
  // A long flush interval: the test decides when the ledger is written.
  server = await startTestServer({ env: { LOG_LEVEL: 'fatal', LEDGER_FLUSH_MS: '60000' } });
});
afterAll(() => server.close());

async function admitted(key: string) {
  const { services } = server;
  const verified = await services.keys.authenticate(services.orm.em.fork(), key);
  const admission = await services.usage.admitKey(services.orm.em.fork(), verified);
  return (endpoint: string, sources: string[] = []) => ({
    period: admission.period,
    userId: admission.userId,
    apiKeyId: admission.keyId,
    clientIp: null,
    endpoint,
    method: 'TRACK',
    sources,
    status: 201,
    responseTimeMs: 1,
    units: 1,
    createdAt: admission.at.toISOString(),
    usedAfter: admission.used,
    limit: admission.limit,
    periodStart: admission.periodStart.toISOString(),
    periodEnd: admission.resetAt.toISOString(),
  });
}

describe('the ledger writer', () => {
  it('writes a row the database refuses repaired, in a batch with good rows, so the counter still equals the ledger', async () => {
    const { services } = server;
    const u = await createUserWithKey(services);
    const rows = [
      (await admitted(u.key))('/v1/good'),
      (await admitted(u.key))('/v1/nul\u0000here', ['s\u0000']),
      (await admitted(u.key))('/v1/lone\uD800'),
      (await admitted(u.key))(`/v1/${'ü'.repeat(300)}`),
      (await admitted(u.key))('/v1/good again'),
    ];
    for (const row of rows) services.ledger.append(row);
    const repairedBefore = services.ledger.repaired;
    await services.ledger.flush();

    expect(await counterLedgerMismatches(services, [u.userId])).toEqual([]);
    const pool = await nativePool(services.orm.em.fork());
    const { rows: written } = await pool.query<{ endpoint: string; sources: string[] }>(
      'select endpoint, sources from usage_events where user_id = $1 order by id',
      [u.userId],
    );
    expect(written.map((r) => r.endpoint)).toEqual(['/v1/good', '/v1/nul\uFFFDhere', '/v1/lone\uFFFD', `/v1/${'ü'.repeat(196)}`, '/v1/good again']);
    expect(written[1]?.sources).toEqual(['s\uFFFD']);
    expect(services.ledger.repaired - repairedBefore).toBe(3);
    expect(services.ledger.lost).toBe(0);
  });

  it('refuses to meter a call whose ledger row could not be stored, before counting it', async () => {
    const { services } = server;
    const u = await createUserWithKey(services);
    const key = await services.keys.authenticate(services.orm.em.fork(), u.key);
    const call = { endpoint: '/v1/\u0000', method: 'TRACK', sources: [], startedAt: performance.now() };
    const err = await services.usage.meter(services.orm.em.fork(), { kind: 'key', key }, call, async () => 'ran').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).status).toBe(400);
    expect((await services.usage.current(services.orm.em.fork(), u.userId)).used).toBe(0);
    expect(await counterLedgerMismatches(services, [u.userId])).toEqual([]);
  });
});
