import { randomBytes } from 'node:crypto';
import type { Actor } from '../audit/service.ts';
import { nativePool } from '../db/pool.ts';
import type { Services } from '../services.ts';
import { periodKeySql } from '../usage/admission/period.ts';

export const TEST_ACTOR: Actor = { type: 'system', id: null, label: 'test', ip: null };

export interface UserWithKey {
  userId: string;
  email: string;
  keyId: string;
  /** The plaintext key, as the caller received it once. */
  key: string;
}

/** A user on `tier` with one key, made through the real services. */
export async function createUserWithKey(services: Services, opts: { tier?: string; email?: string } = {}): Promise<UserWithKey> {
  const email = opts.email ?? `user-${randomBytes(4).toString('hex')}@example.com`;
  const user = await services.users.create(services.orm.em.fork(), { email, name: email.split('@')[0] ?? email, tier: opts.tier }, TEST_ACTOR);
  const created = await services.keys.create(services.orm.em.fork(), { userId: user.id, name: 'test', actor: TEST_ACTOR });
  return { userId: user.id, email, keyId: created.id, key: created.key };
}

/** POST /api/v1/data with a JSON body and optional key. */
export function postData(baseUrl: string, body: unknown, key?: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${baseUrl}/api/v1/data`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key !== undefined ? { 'x-api-key': key } : {}), ...headers },
    body: JSON.stringify(body),
  });
}

/** Sets the count of a user's own current period directly, to start a test close to the quota. */
export async function setUsedThisPeriod(services: Services, userId: string, used: number): Promise<void> {
  await services.orm.em.fork().execute(
    `insert into usage_counters (user_id, period, used, updated_at)
     select u.id, ${periodKeySql('u.period_anchor')}, ?, now() from users u where u.id = ?
     on conflict (user_id, period) do update set used = excluded.used`,
    [used, userId],
  );
}

/**
 * counter.used vs the sum of ledger units for each (user, period) of `userIds`
 * (all users when omitted): every row returned is a disagreement.
 */
export async function counterLedgerMismatches(services: Services, userIds?: string[]): Promise<{ user_id: string; counter: number; ledger: number }[]> {
  await services.ledger.flush();
  const pool = await nativePool(services.orm.em.fork());
  const { rows } = await pool.query<{ user_id: string; counter: number; ledger: number }>(
    `select c.user_id, c.used as counter, coalesce(sum(e.units), 0)::int as ledger
       from usage_counters c
       left join usage_events e on e.user_id = c.user_id and e.period = c.period
                               and (c.reset_at is null or e.created_at >= c.reset_at)
      where $1::uuid[] is null or c.user_id = any($1::uuid[])
      group by c.user_id, c.period, c.used
     having c.used <> coalesce(sum(e.units), 0)`,
    [userIds ?? null],
  );
  return rows;
}
