import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testing/database.ts';
import { spawnHarmonic } from '../testing/process.ts';
import { citusLayoutSql, distributionBlockers, DISTRIBUTION } from './distribution.ts';
import { initOrm, type Orm } from './orm.ts';

let db: TestDatabase;
let orm: Orm;
beforeAll(async () => {
  db = await createTestDatabase();
  orm = await initOrm({ clientUrl: db.url, poolMax: 2 });
});
afterAll(async () => {
  await orm.close();
  await db.drop();
});

describe('the Citus layout (server/db/distribution.ts)', () => {
  it('places every table of the migrated schema, and nothing else', async () => {
    const blockers = await distributionBlockers(orm.em.fork());
    expect(blockers.filter((b) => /placed/.test(b.problem))).toEqual([]);
  });

  // Pinned, so a change that adds a blocker (a unique index without user_id, a foreign key across shards)
  // fails here, and one that removes these must update docs/scaling.md too.
  it('lists exactly what still stands between this schema and create_distributed_table', async () => {
    expect(await distributionBlockers(orm.em.fork())).toEqual([
      // Demo calls are ledgered with no user; they move to demo_events, by client address (docs/scaling.md).
      { table: 'usage_events', problem: 'distribution column user_id is nullable' },
      { table: 'usage_events', problem: 'unique index usage_events_pkey (period, id) does not include user_id' },
    ]);
  });

  it('finds a unique index that Citus could not enforce, and a foreign key across shards', async () => {
    const em = orm.em.fork();
    const conn = em.getConnection();
    await conn.execute(`create table probe_events (user_id uuid not null, code text not null)`);
    await conn.execute(`create unique index probe_events_code on probe_events (code)`);
    await conn.execute(`alter table tiers add column probe_user uuid, add column probe_period date`);
    await conn.execute(`alter table tiers add constraint tiers_probe_fk foreign key (probe_user, probe_period) references usage_counters (user_id, period)`);
    try {
      const layout = { ...DISTRIBUTION, probe_events: { kind: 'distributed', column: 'user_id', colocateWith: 'usage_counters' } } as const;
      const blockers = await distributionBlockers(em, layout);
      expect(blockers).toContainEqual({ table: 'probe_events', problem: 'unique index probe_events_code (code) does not include user_id' });
      expect(blockers).toContainEqual({ table: 'tiers', problem: 'foreign key tiers_probe_fk points into distributed usage_counters from another shard' });
      expect(await distributionBlockers(em)).toContainEqual({ table: 'probe_events', problem: 'not placed: add it to server/db/distribution.ts' });
    } finally {
      await conn.execute(`alter table tiers drop constraint tiers_probe_fk, drop column probe_user, drop column probe_period`);
      await conn.execute(`drop table probe_events`);
    }
  });

  it('prints reference tables before the distributed tables that point at them, and each co-location group from its anchor', () => {
    const sql = citusLayoutSql();
    const at = (needle: string) => sql.findIndex((s) => s.includes(needle));
    expect(at(`create_reference_table('users')`)).toBeGreaterThan(0);
    expect(at(`create_reference_table('users')`)).toBeLessThan(at(`create_distributed_table('usage_events'`));
    expect(at(`create_distributed_table('usage_counters', 'user_id');`)).toBeLessThan(at(`create_distributed_table('usage_summaries', 'user_id', colocate_with => 'usage_counters')`));
    expect(sql).toContain(`select create_distributed_table('demo_counters', 'client_ip');`);
    expect(sql.some((s) => s.includes(`create_time_partitions(table_name => 'usage_events'`))).toBe(true);
    expect(sql.some((s) => s.includes(`alter_old_partitions_set_access_method('usage_events'`) && s.includes('columnar'))).toBe(true);
    expect(Object.keys(DISTRIBUTION).every((t) => sql.some((s) => s.includes(`'${t}'`)))).toBe(true);
  });

  it('is what `harmonic db citus-plan` prints, with the blockers on stderr and exit code 1', { timeout: 120_000 }, async () => {
    const proc = spawnHarmonic({ command: [process.execPath, 'server/cli/harmonic.ts', 'db', 'citus-plan'], env: { DATABASE_URL: db.url } });
    let stdout = '';
    proc.child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
    const { code } = await proc.exited;
    expect(code).toBe(1);
    expect(stdout.trim().split('\n')).toEqual(citusLayoutSql());
    expect(proc.output()).toMatch(/blocker: usage_events: distribution column user_id is nullable/);
  });
});
