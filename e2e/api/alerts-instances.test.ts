import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.ts';
import { initOrm, type Orm } from '../../server/db/orm.ts';
import { createServices, type Services } from '../../server/services.ts';
import { createTestDatabase, type TestDatabase } from '../../server/testing/database.ts';
import { counterLedgerMismatches, createUserWithKey, postData, TEST_ACTOR } from '../../server/testing/fixtures.ts';
import { spawnServer, STARTUP_CEILING_MS, type HarmonicProcess } from '../../server/testing/process.ts';
import { eventually, WebhookReceiver } from '../../server/testing/webhook-receiver.ts';

/**
 * Usage alerts fire exactly once per threshold however many processes admit the
 * calls that cross it: two real server processes on one PostgreSQL, 200
 * concurrent calls split between them, one 80% event at a receiver that
 * verifies it with the Standard Webhooks library.
 */
const ENV = { ALLOW_INSECURE_WEBHOOKS: 'true', HARMONIC_SECRET_KEY: Buffer.alloc(32, 7).toString('base64'), BCRYPT_COST: '4' };

let db: TestDatabase;
let orm: Orm;
let services: Services;
let receiver: WebhookReceiver;
const servers: { url: string; pid: number; proc: HarmonicProcess }[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  receiver = await new WebhookReceiver().start();
  // The test's own services share the servers' secret key, so the endpoint it registers is sealed as theirs.
  const config = loadConfig({ DATABASE_URL: db.url, LOG_LEVEL: 'silent', ...ENV });
  orm = await initOrm({ clientUrl: db.url });
  services = createServices({ config, logger: pino({ level: 'silent' }), orm });
  while (servers.length < 2) servers.push(await spawnServer(db.url, ENV));
}, 2 * STARTUP_CEILING_MS + 30_000);

afterAll(async () => {
  for (const s of servers) s.proc.kill('SIGKILL');
  await receiver?.close();
  await orm?.close();
  await db?.drop();
});

it('200 concurrent calls across two server processes cross 80% once: one row, one signed event', async () => {
  await orm.em.fork().execute(`insert into tiers (id, name, monthly_quota, price_cents) values (gen_random_uuid(), 'Alerted', 250, 0)`);
  const u = await createUserWithKey(services, { tier: 'Alerted' });
  const created = await services.webhooks.create(orm.em.fork(), {
    ownerId: u.userId,
    url: receiver.url('/two'),
    description: '',
    eventTypes: ['quota.threshold_reached', 'quota.exhausted'],
    actor: TEST_ACTOR,
  });
  receiver.trust('/two', created.secret);
  // One warm-up call per process, so both key caches are warm and the race is on admission and the ledger.
  for (const s of servers) expect((await postData(s.url, { query: 'warm', sources: 'kb' }, u.key)).status).toBe(200);

  const statuses = await Promise.all(
    Array.from({ length: 200 }, async (_, i) => {
      const res = await postData(servers[i % 2]!.url, { query: `cross ${i}`, sources: 'kb' }, u.key);
      await res.arrayBuffer();
      return res.status;
    }),
  );
  expect(statuses.every((s) => s === 200)).toBe(true);

  // 202 of 250: past 80% (200), short of the quota.
  const [event] = await receiver.waitFor('/two', (got) => got.length >= 1);
  // Every alert, delivery and email job either process queued has run: nothing more can still arrive.
  await eventually('the alert jobs to finish', async () => {
    const [row] = await orm.em.fork().execute<{ n: number }[]>(
      `select count(*)::int as n from pgboss.job where (name like 'alerts.%' or name = 'webhooks.deliver') and state in ('created', 'retry', 'active') and start_after <= now()`,
    );
    return row?.n === 0 ? true : undefined;
  });
  expect(receiver.at('/two')).toHaveLength(1);
  expect(event?.verified).toBe(true);
  expect(event?.payload).toMatchObject({ type: 'quota.threshold_reached', data: { userId: u.userId, threshold: { kind: 'percent', value: 80 }, used: 200, limit: 250 } });
  const rows = await orm.em.fork().execute<{ kind: string; value: number; at_count: string }[]>(`select kind, value, at_count from quota_alerts where user_id = ?`, [u.userId]);
  expect(rows).toEqual([{ kind: 'percent', value: 80, at_count: '200' }]);
  // Each process flushes its ledger on its own clock: wait for both, then the counter and the ledger agree.
  await eventually('the ledger to catch up with the counter', async () => ((await counterLedgerMismatches(services, [u.userId])).length === 0 ? true : undefined));
}, 180_000);
