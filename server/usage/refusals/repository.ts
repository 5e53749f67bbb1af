import { EntityRepository } from '@mikro-orm/postgresql';
import { nativePool } from '../../db/pool.ts';
import type { RefusalCounter, RefusalReason } from './entity.ts';

/** Refusals of one user on one UTC day for one reason, waiting to be added to its counter. */
export interface RefusalIncrement {
  userId: string;
  /** YYYY-MM-DD (UTC). */
  day: string;
  reason: RefusalReason;
  count: number;
}

export class RefusalCounterRepository extends EntityRepository<RefusalCounter> {
  /**
   * Adds every increment to its counter in one statement. The increments are
   * distinct by (user, day, reason) (the writer sums them first), as one
   * upsert may touch a row only once. A user deleted since the refusal is
   * skipped: nobody can read their counts any more, and the batch must not fail on them.
   */
  async addAll(increments: RefusalIncrement[]): Promise<void> {
    if (increments.length === 0) return;
    const pool = await nativePool(this.em);
    await pool.query({
      name: 'harmonic_refusals_add',
      text: `
        insert into refusal_counters as r (user_id, day, reason, count, updated_at)
        select x."userId", x.day, x.reason, x.count, now()
          from jsonb_to_recordset($1::jsonb) as x("userId" uuid, day date, reason text, count bigint)
          join users u on u.id = x."userId"
        on conflict (user_id, day, reason) do update
           set count = r.count + excluded.count, updated_at = excluded.updated_at`,
      values: [JSON.stringify(increments)],
    });
  }
}
