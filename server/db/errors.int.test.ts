import net from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testing/database.ts';
import { isBadDataError, isDatabaseUnavailable } from './errors.ts';
import { initOrm, type Orm } from './orm.ts';

/**
 * The classifier against errors PostgreSQL and the drivers really produce, raw
 * (pg) and as MikroORM wraps them: a value the database refuses is bad data,
 * never an outage; a connection that is refused or killed is an outage.
 */
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

/** The error one statement fails with, on a connection of its own (some of them end the connection). */
async function rawError(text: string, values: unknown[] = []): Promise<unknown> {
  const client = new pg.Client({ connectionString: db.url });
  client.on('error', () => {});
  await client.connect();
  try {
    await client.query(text, values);
  } catch (err) {
    return err;
  } finally {
    await client.end().catch(() => {});
  }
  throw new Error(`${text} did not fail`);
}

async function ormError(text: string, values: unknown[] = []): Promise<unknown> {
  try {
    await orm.em.fork().execute(text, values);
  } catch (err) {
    return err;
  }
  throw new Error(`${text} did not fail`);
}

const circular: Record<string, unknown> = {};
circular['self'] = circular;

/** [what, statement, parameters, SQLSTATE from pg, SQLSTATE through MikroORM (which inlines parameters into the text)] */
const badData: [string, string, unknown[], string | undefined, string | undefined][] = [
  ['NUL in a text parameter', 'select $1::text', ['a\u0000b'], '22021', '08P01'],
  ['NUL in a jsonb parameter', 'select $1::jsonb', [JSON.stringify({ a: 'x\u0000' })], '22P05', '22P05'],
  ['an unpaired surrogate in a jsonb parameter', 'select $1::jsonb', [JSON.stringify({ a: 'x\ud800' })], '22P02', '22P02'],
  ['NUL inside the statement text', "select 'a\u0000b'", [], '08P01', '08P01'],
  ['a number out of range', 'select $1::smallint', ['99999'], '22003', '22003'],
  ['a circular parameter (the driver refuses it)', 'select $1::jsonb', [circular], undefined, undefined],
  ['a BigInt in a JSON parameter (the driver refuses it)', 'select $1::jsonb', [{ n: 1n }], undefined, undefined],
];

describe('a value the database or driver refuses', () => {
  it.each(badData)('%s is bad data, not an outage (pg)', async (_name, text, values, code) => {
    const err = await rawError(text, values);
    if (code) expect((err as { code?: string }).code).toBe(code);
    expect(isBadDataError(err)).toBe(true);
    expect(isDatabaseUnavailable(err)).toBe(false);
  });

  it.each(badData.map(([name, text, values, , code]) => [name, text.replaceAll('$1', '?'), values, code] as const))(
    '%s is bad data, not an outage (MikroORM)',
    async (_name, text, values, code) => {
      const err = await ormError(text, [...values]);
      if (code) expect((err as { code?: string }).code).toBe(code);
      expect(isBadDataError(err)).toBe(true);
      expect(isDatabaseUnavailable(err)).toBe(false);
    },
  );

  it('leaves ordinary query errors alone: neither bad data nor an outage', async () => {
    const err = await rawError('select * from no_such_table');
    expect((err as { code?: string }).code).toBe('42P01');
    expect(isBadDataError(err)).toBe(false);
    expect(isDatabaseUnavailable(err)).toBe(false);
  });
});

describe('a lost database', () => {
  it('a refused connection is an outage (pg and MikroORM)', async () => {
    const closed = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as net.AddressInfo;
        s.close(() => resolve(port));
      });
    });
    const url = `postgres://postgres@127.0.0.1:${closed}/x`;
    const client = new pg.Client({ connectionString: url });
    const raw = await client.connect().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isDatabaseUnavailable(raw)).toBe(true);
    expect(isBadDataError(raw)).toBe(false);

    const down = await initOrm({ clientUrl: url, poolMax: 1 }).catch((e: unknown) => e);
    if (down && typeof down === 'object' && 'em' in down) {
      const wrapped = await (down as Orm).em.fork().execute('select 1').catch((e: unknown) => e);
      await (down as Orm).close();
      expect(isDatabaseUnavailable(wrapped)).toBe(true);
    } else {
      expect(isDatabaseUnavailable(down)).toBe(true);
    }
  });

  it('a connection the server terminates is an outage', async () => {
    const client = new pg.Client({ connectionString: db.url });
    client.on('error', () => {});
    await client.connect();
    const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
    await orm.em.fork().execute('select pg_terminate_backend(?)', [rows[0]?.pid]);
    const err = await client.query('select 1').catch((e: unknown) => e);
    await client.end().catch(() => {});
    expect(isDatabaseUnavailable(err)).toBe(true);
    expect(isBadDataError(err)).toBe(false);
  });
});
