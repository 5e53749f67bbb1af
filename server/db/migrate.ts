import type { Orm } from './orm.ts';

export interface MigrationStep {
  name: string;
}

/** Applies every pending migration; returns the names applied. */
export async function migrateUp(orm: Orm): Promise<string[]> {
  const applied = await orm.migrator.up();
  return applied.map((m) => m.name);
}

/** Rolls back the most recent migration, or all of them with `{ to: 0 }`. */
export async function migrateDown(orm: Orm, opts: { all?: boolean } = {}): Promise<string[]> {
  const reverted = await orm.migrator.down(opts.all ? { to: 0 } : undefined);
  return reverted.map((m) => m.name);
}

export async function pendingMigrations(orm: Orm): Promise<string[]> {
  return (await orm.migrator.getPending()).map((m) => m.name);
}
