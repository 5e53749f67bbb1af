import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmptyDatabase, type TestDatabase } from '../../testing/database.ts';
import { migrateDown, migrateUp } from '../migrate.ts';
import { initOrm, type Orm } from '../orm.ts';

/** Migration20261201100000_key_usage carries keys' usage counts and last-used times over, both ways. */
let db: TestDatabase;
let orm: Orm;
beforeAll(async () => {
  db = await createEmptyDatabase();
  orm = await initOrm({ clientUrl: db.url });
});
afterAll(async () => {
  await orm.close();
  await db.drop();
});

const USER = '00000000-0000-4000-8000-000000000001';
const USED = '00000000-0000-4000-8000-0000000000a1';
const UNUSED = '00000000-0000-4000-8000-0000000000a2';

describe('Migration20261201100000_key_usage', () => {
  it('moves usage_count and last_used_at from api_keys to key_usage, and back on down()', async () => {
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
