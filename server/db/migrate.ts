import type { Orm } from './orm.ts';
import { rawPool } from './pool.ts';

/**
 * Applies every pending migration; returns the names applied. Several
 * instances starting at once queue on an advisory lock, so exactly one runs
 * each migration and the others find nothing pending.
 */
export async function migrateUp(orm: Orm): Promise<string[]> {
  const pool = await rawPool(orm.em.fork());
  const lock = await pool.connect();
  try {
    await lock.query(`select pg_advisory_lock(hashtext('harmonic:migrations'))`);
    const applied = await orm.migrator.up();
    return applied.map((m) => m.name);
  } finally {
    await lock.query(`select pg_advisory_unlock(hashtext('harmonic:migrations'))`).catch(() => undefined);
    lock.release();
  }
}

/** Rolls back the most recent migration; `all` rolls back every one, `to` every one after the named migration. */
export async function migrateDown(orm: Orm, opts: { all?: boolean; to?: string } = {}): Promise<string[]> {
  const reverted = await orm.migrator.down(opts.all ? { to: 0 } : opts.to ? { to: opts.to } : undefined);
  return reverted.map((m) => m.name);
}

export async function pendingMigrations(orm: Orm): Promise<string[]> {
  return (await orm.migrator.getPending()).map((m) => m.name);
}
