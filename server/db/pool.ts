import type { EntityManager } from '@mikro-orm/core';
import { CompiledQuery, type Transaction } from 'kysely';
import type { Pool, QueryResultRow } from 'pg';

/** A hand-written statement: `name` makes it a named prepared statement where that is possible. */
export interface Statement {
  name?: string;
  text: string;
  values?: unknown[];
}

/** What hand-written SQL runs on: the pool, or the connection of the caller's transaction. */
export interface SqlResult<R> {
  rows: R[];
  rowCount: number | null;
}

/* eslint-disable @typescript-eslint/no-explicit-any -- the same default as pg's own Pool.query */
export interface SqlClient {
  query<R extends QueryResultRow = any>(statement: Statement): Promise<SqlResult<R>>;
  query<R extends QueryResultRow = any>(text: string, values?: unknown[]): Promise<SqlResult<R>>;
}
/* eslint-enable @typescript-eslint/no-explicit-any */

/**
 * Where a repository's hand-written SQL runs. Hot-path statements (key lookup,
 * admission, the ledger) go straight to the `pg` pool behind MikroORM as named
 * prepared statements, which skips the ORM's query building and lets
 * PostgreSQL reuse their plans. But when `em` is inside a transaction
 * (`em.transactional`, or a repository from `tx.getRepository()`), the
 * statement must run on that transaction's connection: on the pool it would
 * commit on its own and survive the caller's rollback.
 */
export async function nativePool(em: EntityManager): Promise<SqlClient> {
  const trx = em.getTransactionContext<Transaction<unknown>>();
  if (trx) return transactionClient(trx);
  return (await em.getConnection().getNativeClient()) as Pool;
}

/** The `pg` pool itself, for what needs a connection of its own (advisory locks, LISTEN). */
export async function rawPool(em: EntityManager): Promise<Pool> {
  return (await em.getConnection().getNativeClient()) as Pool;
}

function transactionClient(trx: Transaction<unknown>): SqlClient {
  const run = async <R extends QueryResultRow>(statement: Statement | string, values?: unknown[]) => {
    const { text, values: params } = typeof statement === 'string' ? { text: statement, values } : statement;
    // Through the transaction's connection; not prepared by name, since a named statement is per connection.
    const result = await trx.executeQuery<R>(CompiledQuery.raw(text, params ?? []));
    return { rows: [...result.rows], rowCount: result.numAffectedRows === undefined ? result.rows.length : Number(result.numAffectedRows) };
  };
  return { query: run } as SqlClient;
}
