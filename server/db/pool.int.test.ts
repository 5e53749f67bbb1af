import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUserWithKey, type UserWithKey } from '../testing/fixtures.ts';
import { startTestServer, type TestServer } from '../testing/server.ts';
import { UsageEvent } from '../usage/entity.ts';
import type { LedgerEvent } from '../usage/admission/repository.ts';
import { anchoredPeriod } from '../usage/admission/period.ts';

/**
 * Repositories send their hand-written SQL through nativePool. From a
 * transactional EntityManager it must run inside that transaction: commit
 * with it and roll back with it, never on a pooled connection of its own.
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { LOG_LEVEL: 'fatal', LEDGER_FLUSH_MS: '60000' } });
});
afterAll(() => server.close());

const event = (u: UserWithKey, status = 200): LedgerEvent => ({
  period: anchoredPeriod(new Date(), null).key,
  userId: u.userId,
  apiKeyId: u.keyId,
  clientIp: '127.0.0.1',
  endpoint: '/test',
  method: 'POST',
  sources: [],
  status,
  responseTimeMs: 1,
  units: 1,
  createdAt: new Date().toISOString(),
  usedAfter: 1,
  limit: null,
  periodStart: new Date().toISOString(),
  periodEnd: new Date().toISOString(),
});

async function ledgerRows(userId: string): Promise<{ events: number; keyUsage: number; summaries: number }> {
  const [row] = await server.orm.em.fork().execute<{ events: number; keyUsage: number; summaries: number }[]>(
    `select (select count(*)::int from usage_events where user_id = ?) as events,
            (select coalesce(sum(usage_count), 0)::int from key_usage where user_id = ?) as "keyUsage",
            (select coalesce(sum(requests), 0)::int from usage_summaries where user_id = ?) as summaries`,
    [userId, userId, userId],
  );
  return row ?? { events: -1, keyUsage: -1, summaries: -1 };
}

describe('nativePool', () => {
  it('runs a repository statement from tx.getRepository() inside the transaction: rolled back with it', async () => {
    const u = await createUserWithKey(server.services);
    await expect(
      server.orm.em.fork().transactional(async (tx) => {
        await tx.getRepository(UsageEvent).insertBatch([event(u)]);
        // Visible inside the transaction: it ran on the transaction's connection.
        expect((await ledgerRowsIn(tx, u.userId)).events).toBe(1);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await ledgerRows(u.userId)).toEqual({ events: 0, keyUsage: 0, summaries: 0 });
  });

  it('and committed with it', async () => {
    const u = await createUserWithKey(server.services);
    await server.orm.em.fork().transactional(async (tx) => {
      await tx.getRepository(UsageEvent).insertBatch([event(u), event(u)]);
    });
    expect(await ledgerRows(u.userId)).toEqual({ events: 2, keyUsage: 2, summaries: 2 });
  });

  it('writes a ledger batch of several users (one statement each) all or nothing', async () => {
    const [a, b] = await Promise.all([createUserWithKey(server.services), createUserWithKey(server.services)]);
    if (!a || !b) throw new Error('no users');
    const repo = server.orm.em.fork().getRepository(UsageEvent);
    // b's row is one the database refuses (status is a smallint): a's must not stay written either.
    await expect(repo.insertBatch([event(a), event(b, 99_999)])).rejects.toThrow();
    expect(await ledgerRows(a.userId)).toEqual({ events: 0, keyUsage: 0, summaries: 0 });
    await repo.insertBatch([event(a), event(b), event(a)]);
    expect(await ledgerRows(a.userId)).toEqual({ events: 2, keyUsage: 2, summaries: 2 });
    expect(await ledgerRows(b.userId)).toEqual({ events: 1, keyUsage: 1, summaries: 1 });
  });
});

async function ledgerRowsIn(tx: { execute: TestServer['orm']['em']['execute'] }, userId: string) {
  const [row] = await tx.execute<{ events: number }[]>(`select count(*)::int as events from usage_events where user_id = ?`, [userId]);
  return row ?? { events: -1 };
}
