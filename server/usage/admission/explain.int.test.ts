import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pool } from 'pg';
import { rawPool, type Statement } from '../../db/pool.ts';
import { createUserWithKey, postData } from '../../testing/fixtures.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';

/**
 * Ready for a sharded PostgreSQL (Citus): tiers, users and api_keys are to be
 * reference tables; the counters, the ledger, its summaries, key_usage and quota_alerts are
 * distributed by user_id (demo_counters by client_ip). Every admission and
 * ledger statement must then name its row's distribution value, so it goes to
 * one shard, and touch nothing else. This records the statements the running
 * server really sends and checks their plans on plain PostgreSQL.
 */
const REFERENCE = ['tiers', 'users', 'api_keys'];
const BY_USER = ['usage_counters', 'usage_events', 'usage_summaries', 'key_usage', 'quota_alerts'];
const BY_ADDRESS = ['demo_counters'];
const HOT_PATH = /^harmonic_(admit|ledger)_/;

let server: TestServer;
let pool: Pool;
const sent: Statement[] = [];
let original: Pool['query'];

beforeAll(async () => {
  server = await startTestServer({ env: { LOG_LEVEL: 'fatal', LEDGER_FLUSH_MS: '60000' } });
  pool = await rawPool(server.orm.em.fork());
  original = pool.query.bind(pool) as Pool['query'];
  pool.query = ((...args: unknown[]) => {
    const [first] = args;
    if (typeof first === 'object' && first !== null && 'name' in first && HOT_PATH.test(String(first.name))) {
      sent.push(first as Statement);
    }
    return (original as (...a: unknown[]) => unknown)(...args);
  }) as Pool['query'];
});
afterAll(async () => {
  pool.query = original;
  await server.close();
});

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Cond'?: string;
  Filter?: string;
  'Recheck Cond'?: string;
  Output?: string[];
  Plans?: PlanNode[];
}

function* nodes(node: PlanNode): Generator<PlanNode> {
  yield node;
  for (const child of node.Plans ?? []) yield* nodes(child);
}

/** The table a relation belongs to: ledger partitions (usage_events_2026_12, usage_events_default) are the ledger. */
const tableOf = (relation: string) => (/^usage_events_/.test(relation) ? 'usage_events' : relation);

async function plan(statement: Statement): Promise<PlanNode> {
  const { rows } = await original<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(`explain (verbose, format json) ${statement.text}`, statement.values);
  const root = rows[0]?.['QUERY PLAN'][0]?.Plan;
  if (!root) throw new Error(`no plan for ${statement.name}`);
  return root;
}

/**
 * Every relation in the plan is a reference table or one distributed by
 * `column`; every scan of a distributed one is restricted to `value`, and
 * every row written to one carries `value` (a constant of the statement).
 */
async function expectOneShard(statement: Statement, column: string, value: string, distributed: string[]): Promise<void> {
  const root = await plan(statement);
  const allowed = [...REFERENCE, ...distributed];
  const problems: string[] = [];
  for (const node of nodes(root)) {
    const relation = node['Relation Name'];
    if (!relation) continue;
    const table = tableOf(relation);
    if (!allowed.includes(table)) problems.push(`${node['Node Type']} on ${relation}: not a reference table nor distributed by ${column}`);
    if (!distributed.includes(table)) continue;
    if (node['Node Type'] === 'ModifyTable') {
      if (!JSON.stringify(node.Plans ?? []).includes(value)) problems.push(`rows written to ${relation} do not carry ${column} = ${value}`);
    } else {
      const conditions = [node['Index Cond'], node.Filter, node['Recheck Cond']].filter(Boolean).join(' and ');
      if (!new RegExp(`\\b${column} = '${value}'`).test(conditions)) problems.push(`${node['Node Type']} on ${relation} is not restricted to ${column} = ${value}: ${conditions || 'no condition'}`);
    }
  }
  expect(problems, statement.name).toEqual([]);
}

describe('admission and ledger statements, ready for Citus', () => {
  it('each keyed and demo admission and each ledger write names its shard and touches only co-located or reference tables', async () => {
    const u = await createUserWithKey(server.services);
    const query = { query: 'rate limiting', sources: ['kb'] };
    // Batched keyed calls, a multi-unit tracked call (admitted alone), a demo call; then one flush per kind.
    await Promise.all(Array.from({ length: 5 }, async () => (await postData(server.url, query, u.key)).arrayBuffer()));
    const tracked = await fetch(`${server.url}/api/v1/usage/track`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': u.key },
      body: JSON.stringify({ endpoint: '/work', units: 3 }),
    });
    expect(tracked.status).toBe(201);
    await server.services.ledger.flush();
    const demo = await postData(server.url, query);
    await demo.arrayBuffer();
    await server.services.ledger.flush();

    const byName = new Map(sent.map((s) => [s.name, s]));
    expect([...byName.keys()].sort()).toEqual(['harmonic_admit_demo', 'harmonic_admit_key', 'harmonic_ledger_demo', 'harmonic_ledger_user']);

    for (const s of sent.filter((x) => x.name === 'harmonic_admit_key' || x.name === 'harmonic_ledger_user')) {
      await expectOneShard(s, 'user_id', u.userId, BY_USER);
    }
    const demoAdmissions = sent.filter((x) => x.name === 'harmonic_admit_demo');
    // The address the counter is kept under (IPv6: its /64), as the statement wrote it.
    const [address] = (await original<{ a: string }>(`select host(client_ip) as a from demo_counters`)).rows;
    for (const s of demoAdmissions) await expectOneShard(s, 'client_ip', address?.a ?? 'none', BY_ADDRESS);
    // Demo ledger rows have no user: they only touch the ledger itself.
    for (const s of sent.filter((x) => x.name === 'harmonic_ledger_demo')) {
      const relations = [...nodes(await plan(s))].flatMap((n) => (n['Relation Name'] ? [tableOf(n['Relation Name'])] : []));
      expect(new Set(relations)).toEqual(new Set(['usage_events']));
    }
  });
});
