import type { Command } from 'commander';
import { withDatabase } from './lazy.ts';

const migrations = () => import('../db/migrate.ts');

export function registerDbCommands(program: Command): void {
  const db = program.command('db').description('Database migrations');

  db.command('migrate')
    .description('Apply every pending migration')
    .action(() =>
      withDatabase(
        async (orm) => {
          const applied = await (await migrations()).migrateUp(orm);
          console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Already up to date.');
        },
        { migrate: false },
      ),
    );

  db.command('rollback')
    .description('Roll back the most recent migration (or all with --all)')
    .option('--all', 'roll back every migration')
    .action((opts: { all?: boolean }) =>
      withDatabase(
        async (orm) => {
          const reverted = await (await migrations()).migrateDown(orm, { all: opts.all ?? false });
          console.log(reverted.length ? `Rolled back: ${reverted.join(', ')}` : 'Nothing to roll back.');
        },
        { migrate: false },
      ),
    );

  db.command('status')
    .description('List pending migrations')
    .action(() =>
      withDatabase(
        async (orm) => {
          const pending = await (await migrations()).pendingMigrations(orm);
          console.log(pending.length ? `Pending: ${pending.join(', ')}` : 'Up to date.');
        },
        { migrate: false },
      ),
    );

  db.command('citus-plan')
    .description('Print the Citus calls that distribute this database (docs/scaling.md); exits 1 while the schema has blockers')
    .action(() =>
      withDatabase(
        async (orm) => {
          const { citusLayoutSql, distributionBlockers } = await import('../db/distribution.ts');
          const blockers = await distributionBlockers(orm.em.fork());
          for (const b of blockers) console.error(`blocker: ${b.table}: ${b.problem}`);
          console.log(citusLayoutSql().join('\n'));
          if (blockers.length) {
            console.error(`${blockers.length} blocker(s): fix them before running these statements on Citus (docs/scaling.md).`);
            process.exitCode = 1;
          }
        },
        { migrate: false },
      ),
    );
}
