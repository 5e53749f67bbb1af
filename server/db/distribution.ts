import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Where every table goes when one PostgreSQL is not enough and Harmonic moves to
 * Citus (docs/scaling.md). Declared once: `harmonic db citus-plan` prints the
 * Citus calls from it, and the readiness check (and its test) hold the schema to it.
 *
 * - reference: small, read on every admission, written rarely; replicated to every
 *   node so the admission statement's joins stay local to one shard.
 * - distributed: the per-call tables, sharded by the user (or, for demo calls, the
 *   client address), co-located so one user's counter, summaries and ledger rows
 *   live on one node and every hot-path statement is routed to exactly one shard.
 * - local: the admin side, on the coordinator only (Citus local tables), never
 *   joined with the per-call tables.
 */
export type Placement =
  | { kind: 'reference' }
  | { kind: 'distributed'; column: string; colocateWith?: string; timePartitioned?: { column: string; interval: string } }
  | { kind: 'local' };

export const DISTRIBUTION: Readonly<Record<string, Placement>> = {
  tiers: { kind: 'reference' },
  users: { kind: 'reference' },
  api_keys: { kind: 'reference' },
  kb_entries: { kind: 'reference' },
  admin_accounts: { kind: 'reference' },
  usage_counters: { kind: 'distributed', column: 'user_id' },
  usage_summaries: { kind: 'distributed', column: 'user_id', colocateWith: 'usage_counters' },
  key_usage: { kind: 'distributed', column: 'user_id', colocateWith: 'usage_counters' },
  usage_events: { kind: 'distributed', column: 'user_id', colocateWith: 'usage_counters', timePartitioned: { column: 'period', interval: '1 month' } },
  refusal_counters: { kind: 'distributed', column: 'user_id', colocateWith: 'usage_counters' },
  quota_alerts: { kind: 'distributed', column: 'user_id', colocateWith: 'usage_counters' },
  demo_counters: { kind: 'distributed', column: 'client_ip' },
  audit_events: { kind: 'local' },
  admin_sessions: { kind: 'local' },
  auth_throttle: { kind: 'local' },
  management_keys: { kind: 'local' },
  customer_sessions: { kind: 'local' },
  account_tokens: { kind: 'local' },
  settings: { kind: 'local' },
  billing_events: { kind: 'local' },
  subscriptions: { kind: 'local' },
  invoices: { kind: 'local' },
  billing_reconciliations: { kind: 'local' },
  webhook_endpoints: { kind: 'local' },
  webhook_deliveries: { kind: 'local' },
  mikro_orm_migrations: { kind: 'local' },
};

/** Months of ledger kept in row storage; older partitions are converted to columnar. */
export const ROW_STORAGE_MONTHS = 3;

/** The Citus calls that lay out a migrated Harmonic database, in an order Citus accepts. */
export function citusLayoutSql(layout: Readonly<Record<string, Placement>> = DISTRIBUTION): string[] {
  const entries = Object.entries(layout);
  const q = (s: string) => `'${s.replaceAll("'", "''")}'`;
  const sql: string[] = ['create extension if not exists citus;'];
  // Reference tables first: distributed tables hold foreign keys to them.
  for (const [table, p] of entries) if (p.kind === 'reference') sql.push(`select create_reference_table(${q(table)});`);
  for (const [table, p] of entries) if (p.kind === 'local') sql.push(`select citus_add_local_table_to_metadata(${q(table)}, cascade_via_foreign_keys => true);`);
  // Co-location groups start at the table others name.
  const distributed = entries.filter((e): e is [string, Extract<Placement, { kind: 'distributed' }>] => e[1].kind === 'distributed');
  distributed.sort(([, a], [, b]) => Number(a.colocateWith !== undefined) - Number(b.colocateWith !== undefined));
  for (const [table, p] of distributed) {
    sql.push(`select create_distributed_table(${q(table)}, ${q(p.column)}${p.colocateWith ? `, colocate_with => ${q(p.colocateWith)}` : ''});`);
  }
  for (const [table, p] of distributed) {
    if (!p.timePartitioned) continue;
    sql.push(`select create_time_partitions(table_name => ${q(table)}, partition_interval => ${q(p.timePartitioned.interval)}, end_at => now() + interval '12 months');`);
    sql.push(
      `call alter_old_partitions_set_access_method(${q(table)}, now() - interval '${ROW_STORAGE_MONTHS} months', 'columnar');`,
    );
  }
  return sql;
}

export interface DistributionBlocker {
  table: string;
  problem: string;
}

/**
 * What in the live schema would stop `citusLayoutSql` from running, or would
 * make a hot-path statement fan out: a table the layout does not place, a
 * distribution column that is missing or nullable, a unique index without the
 * distribution column (Citus cannot enforce it), or a foreign key Citus refuses.
 */
export async function distributionBlockers(em: EntityManager, layout: Readonly<Record<string, Placement>> = DISTRIBUTION): Promise<DistributionBlocker[]> {
  const conn = em.getConnection();
  const tables = await conn.execute<{ table: string }[]>(
    `select c.relname as "table" from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition order by 1`,
  );
  const columns = await conn.execute<{ table: string; column: string; nullable: boolean }[]>(
    `select table_name as "table", column_name as "column", is_nullable = 'YES' as nullable
       from information_schema.columns where table_schema = 'public'`,
  );
  const uniques = await conn.execute<{ table: string; index: string; columns: string[] }[]>(
    `select t.relname as "table", i.relname as "index",
            array(select a.attname::text from unnest(x.indkey) k join pg_attribute a on a.attrelid = t.oid and a.attnum = k) as columns
       from pg_index x join pg_class i on i.oid = x.indexrelid join pg_class t on t.oid = x.indrelid
       join pg_namespace n on n.oid = t.relnamespace
      where n.nspname = 'public' and x.indisunique and not t.relispartition and not i.relispartition`,
  );
  const foreignKeys = await conn.execute<{ table: string; name: string; target: string; columns: string[]; targetColumns: string[] }[]>(
    `select t.relname as "table", c.conname as name, r.relname as target,
            array(select a.attname::text from unnest(c.conkey) k join pg_attribute a on a.attrelid = t.oid and a.attnum = k) as columns,
            array(select a.attname::text from unnest(c.confkey) k join pg_attribute a on a.attrelid = r.oid and a.attnum = k) as "targetColumns"
       from pg_constraint c join pg_class t on t.oid = c.conrelid join pg_class r on r.oid = c.confrelid
       join pg_namespace n on n.oid = t.relnamespace
      where n.nspname = 'public' and c.contype = 'f' and not t.relispartition and c.conparentid = 0`,
  );

  const blockers: DistributionBlocker[] = [];
  const present = new Set(tables.map((t) => t.table));
  for (const { table } of tables) if (!layout[table]) blockers.push({ table, problem: 'not placed: add it to server/db/distribution.ts' });
  for (const table of Object.keys(layout)) if (!present.has(table)) blockers.push({ table, problem: 'placed but absent from the schema' });

  for (const [table, p] of Object.entries(layout)) {
    if (p.kind !== 'distributed' || !present.has(table)) continue;
    const column = columns.find((c) => c.table === table && c.column === p.column);
    if (!column) blockers.push({ table, problem: `distribution column ${p.column} is missing` });
    else if (column.nullable) blockers.push({ table, problem: `distribution column ${p.column} is nullable` });
    for (const u of uniques.filter((x) => x.table === table && !x.columns.includes(p.column))) {
      blockers.push({ table, problem: `unique index ${u.index} (${u.columns.join(', ')}) does not include ${p.column}` });
    }
    if (p.colocateWith && layout[p.colocateWith]?.kind !== 'distributed') blockers.push({ table, problem: `co-located with ${p.colocateWith}, which is not distributed` });
  }

  const groupOf = (table: string) => {
    const p = layout[table];
    return p?.kind === 'distributed' ? (p.colocateWith ?? table) : undefined;
  };
  for (const fk of foreignKeys) {
    const from = layout[fk.table];
    const to = layout[fk.target];
    if (!from || !to) continue;
    if (to.kind === 'distributed') {
      const sameShard =
        from.kind === 'distributed' &&
        groupOf(fk.table) === groupOf(fk.target) &&
        fk.columns[fk.targetColumns.indexOf(to.column)] === from.column;
      if (!sameShard) blockers.push({ table: fk.table, problem: `foreign key ${fk.name} points into distributed ${fk.target} from another shard` });
    } else if (to.kind === 'local' && from.kind !== 'local') {
      blockers.push({ table: fk.table, problem: `foreign key ${fk.name} points from a ${from.kind} table to local ${fk.target}` });
    }
  }
  return blockers.sort((a, b) => a.table.localeCompare(b.table) || a.problem.localeCompare(b.problem));
}
