import { spawnSync } from 'node:child_process';
import pg from 'pg';

/**
 * Everything stored in a database, as text: `pg_dump` when a compatible one is
 * installed, otherwise every row of every table rendered by PostgreSQL itself
 * (the embedded server can be newer than the machine's pg_dump).
 */
export async function dumpDatabase(url: string): Promise<{ text: string; via: 'pg_dump' | 'sql' }> {
  const dumped = spawnSync('pg_dump', ['--no-owner', '--data-only', url], { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  if (dumped.status === 0 && dumped.stdout) return { text: dumped.stdout, via: 'pg_dump' };
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tables = await client.query<{ name: string }>(
      `select format('%I.%I', schemaname, tablename) as name from pg_tables where schemaname not in ('pg_catalog', 'information_schema')`,
    );
    let text = '';
    for (const { name } of tables.rows) {
      const rows = await client.query<{ row: string }>(`select t::text as row from ${name} t`);
      text += `-- ${name}\n${rows.rows.map((r) => r.row).join('\n')}\n`;
    }
    return { text, via: 'sql' };
  } finally {
    await client.end();
  }
}
