import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pool } from 'pg';
import { rawPool } from '../../db/pool.ts';
import { setDatabaseClock } from '../../testing/clock.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';
import { anchoredPeriod, DATABASE_NOW, periodEndSql, periodKeySql, periodStartSql } from './period.ts';

/**
 * The database decides periods for admission (harmonic_period_* of migration
 * Migration20261202200001_period_functions); JS mirrors them (anchoredPeriod)
 * where it has an instant but no statement. They must agree to the millisecond.
 */
let server: TestServer;
let pool: Pool;
beforeAll(async () => {
  server = await startTestServer({ env: { LOG_LEVEL: 'fatal' } });
  pool = await rawPool(server.orm.em.fork());
});
afterAll(() => server.close());

const ANCHORS = [
  null,
  '2026-01-01T00:00:00.000Z',
  '2026-01-31T10:00:00.000Z',
  '2026-03-30T23:59:59.999Z',
  '2027-01-29T00:00:00.000Z',
  '2026-11-15T18:30:00.250Z',
  '2027-02-28T12:00:00.000Z',
  '2028-02-29T06:00:00.000Z',
  '2030-07-31T01:02:03.000Z',
];

/** Month ends, leap days, renewals to the millisecond on either side, year ends. */
const INSTANTS = [
  '2026-02-28T09:59:59.999Z',
  '2026-02-28T10:00:00.000Z',
  '2026-12-31T23:59:59.999Z',
  '2027-01-01T00:00:00.000Z',
  '2027-02-28T23:59:59.999Z',
  '2027-03-01T00:00:00.000Z',
  '2027-03-30T23:59:59.998Z',
  '2027-03-31T10:00:00.000Z',
  '2027-04-30T23:59:59.999Z',
  '2028-02-29T05:59:59.999Z',
  '2028-02-29T06:00:00.000Z',
  '2028-03-29T00:00:00.000Z',
  '2026-12-15T18:30:00.249Z',
  '2026-12-15T18:30:00.250Z',
];

describe('harmonic_period_* (SQL) and anchoredPeriod (JS)', () => {
  it('agree on the start, end and key of every anchor × instant in the table', async () => {
    const cases = ANCHORS.flatMap((anchor) => INSTANTS.map((at) => ({ anchor, at })));
    const { rows } = await pool.query<{ anchor: string | null; at: string; key: string; start_ms: number; end_ms: number }>(
      `select c.anchor, c.at, ${periodKeySql('c.anchor::timestamptz', 'c.at::timestamptz')}::text as key,
              (extract(epoch from ${periodStartSql('c.anchor::timestamptz', 'c.at::timestamptz')}) * 1000)::float8 as start_ms,
              (extract(epoch from ${periodEndSql('c.anchor::timestamptz', 'c.at::timestamptz')}) * 1000)::float8 as end_ms
         from jsonb_to_recordset($1::jsonb) as c(anchor text, at text)`,
      [JSON.stringify(cases)],
    );
    expect(rows).toHaveLength(cases.length);
    const sql = rows.map((r) => ({ anchor: r.anchor, at: r.at, key: r.key, start: new Date(r.start_ms).toISOString(), end: new Date(r.end_ms).toISOString() }));
    const js = cases.map(({ anchor, at }) => {
      const p = anchoredPeriod(new Date(at), anchor === null ? null : new Date(anchor));
      return { anchor, at, key: p.key, start: p.start.toISOString(), end: p.end.toISOString() };
    });
    expect(sql).toEqual(js);
    // And the table does exercise the rules: the 31st on 28 February and back on 31 March.
    expect(js).toContainEqual({ anchor: '2026-01-31T10:00:00.000Z', at: '2027-03-01T00:00:00.000Z', key: '2027-02-28', start: '2027-02-28T10:00:00.000Z', end: '2027-03-31T10:00:00.000Z' });
  });

  it('are inlined into the statements that use them (no function call left in the plan)', async () => {
    const { rows } = await pool.query<{ 'QUERY PLAN': unknown }>(
      `explain (verbose, format json) select ${periodKeySql('u.period_anchor')}, ${periodEndSql('u.period_anchor')} from users u`,
    );
    const plan = JSON.stringify(rows[0]?.['QUERY PLAN']);
    expect(plan).toContain('now()');
    expect(plan).not.toMatch(/harmonic_/);
  });

  it('read the database clock, which a test sets for its own database only', async () => {
    const now = async () => new Date((await pool.query<{ ms: number }>(`select (extract(epoch from ${DATABASE_NOW}) * 1000)::float8 as ms`)).rows[0]?.ms ?? 0).toISOString();
    await setDatabaseClock(server.orm.em, new Date('2027-02-28T09:59:59.000Z'));
    expect(await now()).toBe('2027-02-28T09:59:59.000Z');
    await setDatabaseClock(server.orm.em, { offsetMs: 365 * 86_400_000 });
    const { rows: ahead } = await pool.query<{ ahead: string }>(`select (${DATABASE_NOW} - now())::text as ahead`);
    expect(ahead[0]?.ahead).toBe('365 days');
    await setDatabaseClock(server.orm.em, null);
    const { rows } = await pool.query<{ same: boolean }>(`select ${DATABASE_NOW} = now() as same`);
    expect(rows[0]?.same).toBe(true);
  });
});
