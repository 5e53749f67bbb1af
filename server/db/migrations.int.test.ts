import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReferenceKind } from '@mikro-orm/core';
import { createEmptyDatabase, type TestDatabase } from '../testing/database.ts';
import { initOrm, type Orm } from './orm.ts';
import { migrateDown, migrateUp, pendingMigrations } from './migrate.ts';
import { migrationsList } from './migrations/index.ts';

const DOMAIN_TABLES = [
  'account_tokens',
  'admin_accounts',
  'admin_sessions',
  'api_keys',
  'audit_events',
  'auth_throttle',
  'billing_events',
  'billing_reconciliations',
  'customer_sessions',
  'demo_counters',
  'invoices',
  'kb_entries',
  'key_usage',
  'management_keys',
  'quota_alerts',
  'refusal_counters',
  'settings',
  'subscriptions',
  'tiers',
  'usage_counters',
  'usage_events',
  'usage_summaries',
  'users',
  'webhook_deliveries',
  'webhook_endpoints',
];

/** Keys with and without usage, for the key_usage migration. */
const USER = '00000000-0000-4000-8000-000000000001';
const USED = '00000000-0000-4000-8000-0000000000a1';
const UNUSED = '00000000-0000-4000-8000-0000000000a2';

let db: TestDatabase;
let orm: Orm;

async function schema() {
  const conn = orm.em.getConnection();
  const columns = await conn.execute<{ t: string; c: string; type: string; nullable: string }[]>(
    `select table_name as t, column_name as c, data_type as type, is_nullable as nullable
       from information_schema.columns
      where table_schema = 'public' and table_name not like 'usage_events\\_%'
      order by 1, 2`,
  );
  const indexes = await conn.execute<{ indexname: string }[]>(
    `select indexname from pg_indexes where schemaname = 'public' and tablename not like 'usage_events\\_%' order by 1`,
  );
  const tables = [...new Set(columns.map((r) => r.t))].filter((t) => t !== 'mikro_orm_migrations');
  return { tables, columns, indexes: indexes.map((i) => i.indexname) };
}

beforeAll(async () => {
  db = await createEmptyDatabase();
  orm = await initOrm({ clientUrl: db.url });
});
afterAll(async () => {
  await orm.close();
  await db.drop();
});

describe('migrations', () => {
  it('migrate up, all the way down, and up again, checking the schema each time', async () => {
    expect(await pendingMigrations(orm)).toEqual(migrationsList.map((m) => m.name));

    await migrateUp(orm);
    const first = await schema();
    expect(first.tables).toEqual(DOMAIN_TABLES);
    expect(await pendingMigrations(orm)).toEqual([]);

    const reverted = await migrateDown(orm, { all: true });
    expect(reverted).toHaveLength(migrationsList.length);
    expect((await schema()).tables).toEqual([]);

    await migrateUp(orm);
    expect(await schema()).toEqual(first);
  });

  it('rolls back one step at a time', async () => {
    const last = migrationsList.at(-1)?.name;
    expect(await migrateDown(orm)).toEqual([last]);
    expect(await pendingMigrations(orm)).toEqual([last]);
    await migrateUp(orm);
    expect(await pendingMigrations(orm)).toEqual([]);
  });

  it('seeds the three tiers: Free 1,000 at $0, Pro 10,000 at $29, Enterprise unlimited', async () => {
    const tiers = await orm.em.getConnection().execute(
      `select name, monthly_quota, price_cents, is_default from tiers order by coalesce(monthly_quota, 2147483647)`,
    );
    expect(tiers).toEqual([
      { name: 'Free', monthly_quota: 1000, price_cents: 0, is_default: true },
      { name: 'Pro', monthly_quota: 10000, price_cents: 2900, is_default: false },
      { name: 'Enterprise', monthly_quota: null, price_cents: null, is_default: false },
    ]);
  });

  it('partitions the ledger by month, with this month and the next two ready', async () => {
    const parts = await orm.em.getConnection().execute<{ name: string }[]>(
      `select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
        where i.inhparent = 'usage_events'::regclass order by 1`,
    );
    const month = (offset: number) => {
      const d = new Date();
      const m = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + offset, 1));
      return `usage_events_${m.getUTCFullYear()}_${String(m.getUTCMonth() + 1).padStart(2, '0')}`;
    };
    expect(parts.map((p) => p.name)).toEqual(expect.arrayContaining([month(0), month(1), month(2), 'usage_events_default']));
  });

  it('has a column for every property of every entity', async () => {
    const columns = await orm.em.getConnection().execute<{ t: string; c: string }[]>(
      `select table_name as t, column_name as c from information_schema.columns where table_schema = 'public'`,
    );
    const have = new Set(columns.map((r) => `${r.t}.${r.c}`));
    const missing: string[] = [];
    for (const meta of Object.values(orm.getMetadata().getAll())) {
      if (meta.virtual || meta.embeddable || meta.abstract) continue;
      for (const prop of meta.props) {
        if (prop.persist === false || prop.kind === ReferenceKind.ONE_TO_MANY || prop.kind === ReferenceKind.MANY_TO_MANY) continue;
        for (const field of prop.fieldNames ?? []) {
          if (!have.has(`${meta.tableName}.${field}`)) missing.push(`${meta.className}.${prop.name} → ${meta.tableName}.${field}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('lets several instances start at once on an empty database: one migrates, the rest wait', async () => {
    const fresh = await createEmptyDatabase();
    const orms = await Promise.all([1, 2, 3].map(() => initOrm({ clientUrl: fresh.url })));
    try {
      const applied = await Promise.all(orms.map((o) => migrateUp(o)));
      expect(applied.flat()).toEqual(migrationsList.map((m) => m.name));
      expect(await pendingMigrations(orms[0] as Orm)).toEqual([]);
    } finally {
      await Promise.all(orms.map((o) => o.close()));
      await fresh.drop();
    }
  });

  it('Migration20261201100000_key_usage moves usage_count and last_used_at from api_keys to key_usage, and back on down()', async () => {
    await migrateUp(orm);
    await migrateDown(orm, { to: 'Migration20261125000000_throttle_scopes' });
    const conn = orm.em.getConnection();
    await conn.execute(`insert into users (id, email, name, tier_id) select ?, 'a@example.com', 'a', id from tiers where is_default`, [USER]);
    await conn.execute(
      `insert into api_keys (id, user_id, name, lookup_id, key_hash, usage_count, last_used_at)
       values (?, ?, 'used', 'AAAAAAAA', 'x', 42, '2026-11-20T10:00:00Z'), (?, ?, 'unused', 'BBBBBBBB', 'x', 0, null)`,
      [USED, USER, UNUSED, USER],
    );

    await migrateUp(orm);
    expect(await conn.execute(`select user_id, key_id, usage_count::int as n, last_used_at::text as at from key_usage`)).toEqual([
      { user_id: USER, key_id: USED, n: 42, at: '2026-11-20 10:00:00+00' },
    ]);

    await migrateDown(orm, { to: 'Migration20261125000000_throttle_scopes' });
    expect(await conn.execute(`select id, usage_count::int as n, last_used_at::text as at from api_keys order by name`)).toEqual([
      { id: UNUSED, n: 0, at: null },
      { id: USED, n: 42, at: '2026-11-20 10:00:00+00' },
    ]);
    await migrateUp(orm);
  });
});
