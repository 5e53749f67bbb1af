import { EntityRepository } from '@mikro-orm/postgresql';
import type { ListUsersParams } from '../../shared/admin.ts';
import type { UserOrigin } from '../../shared/users.ts';
import { nativePool } from '../db/pool.ts';
import { isCurrentPeriodSql } from '../usage/admission/period.ts';
import type { User } from './entity.ts';

export interface UserListRow {
  id: string;
  email: string;
  name: string;
  external_id: string | null;
  status: 'active' | 'suspended';
  created_at_ms: number;
  origin: UserOrigin;
  email_verified_at_ms: number | null;
  tier_id: string;
  tier_name: string;
  monthly_quota: number | null;
  used: number;
  active_keys: number;
}

/** Sort keys to SQL, each with `id` as the tie-breaker so pages are stable. */
const ORDER: Record<ListUsersParams['sort'], string> = {
  createdAt: 'u.created_at',
  email: 'u.email',
  name: 'lower(u.name)',
  used: 'coalesce(c.used, 0)',
};

export class UserRepository extends EntityRepository<User> {
  findLiveByEmail(email: string): Promise<User | null> {
    return this.findOne({ email: email.toLowerCase(), deletedAt: null });
  }

  findLiveByExternalId(externalId: string): Promise<User | null> {
    return this.findOne({ externalId, deletedAt: null });
  }

  findLiveById(id: string): Promise<User | null> {
    return this.findOne({ id, deletedAt: null });
  }

  /**
   * One page of live users with their tier, this period's usage and active key
   * count. Substring search uses the trigram indexes; each sort has an index
   * (except usage, which joins this month's counters).
   */
  async search(q: ListUsersParams): Promise<{ rows: UserListRow[]; total: number }> {
    const pool = await nativePool(this.em);
    const where = [`u.deleted_at is null`];
    const params: unknown[] = [];
    // An empty search matches everyone, as if it were left out.
    if (q.search) {
      params.push(`%${q.search.replace(/[\\%_]/g, '\\$&')}%`);
      where.push(`(u.email ilike $${params.length} or u.name ilike $${params.length})`);
    }
    if (q.status) {
      params.push(q.status);
      where.push(`u.status = $${params.length}`);
    }
    if (q.tierId) {
      params.push(q.tierId);
      where.push(`u.tier_id = $${params.length}`);
    }
    const filter = where.join(' and ');
    const dir = q.order === 'asc' ? 'asc' : 'desc';
    // Page over ids first (an index walk, even deep into the list), then join the details for just those rows.
    // Each user's own current period: the calendar month, or renewal to renewal for a subscriber.
    const counters = `left join usage_counters c on c.user_id = u.id and ${isCurrentPeriodSql('c.period', 'u.period_anchor')}`;
    const [page, count] = await Promise.all([
      pool.query<UserListRow>(
        `with page as (
           select u.id, row_number() over () as n
             from (select u.id from users u ${q.sort === 'used' ? counters : ''}
                    where ${filter}
                    order by ${ORDER[q.sort]} ${dir}, u.id ${dir}
                    limit ${Number(q.pageSize)} offset ${Number((q.page - 1) * q.pageSize)}) u
         )
         select u.id, u.email, u.name, u.external_id, u.status, (extract(epoch from u.created_at) * 1000)::float8 as created_at_ms,
                u.origin, (extract(epoch from u.email_verified_at) * 1000)::float8 as email_verified_at_ms,
                t.id as tier_id, t.name as tier_name, t.monthly_quota,
                coalesce(c.used, 0) as used,
                (select count(*)::int from api_keys k
                  where k.user_id = u.id and k.revoked_at is null and (k.expires_at is null or k.expires_at > now())) as active_keys
           from page
           join users u on u.id = page.id
           join tiers t on t.id = u.tier_id
           ${counters}
          order by page.n`,
        params,
      ),
      pool.query<{ n: number }>(`select count(*)::int as n from users u where ${filter}`, params),
    ]);
    return { rows: page.rows, total: count.rows[0]?.n ?? 0 };
  }

  /** Live users per tier id; a tier nobody is on is missing. */
  async liveCountsByTier(): Promise<Map<string, number>> {
    const rows = await this.em.execute<{ tier_id: string; users: number }[]>(
      `select tier_id, count(*)::int as users from users where deleted_at is null group by tier_id`,
    );
    return new Map(rows.map((r) => [r.tier_id, r.users]));
  }

  /** How many live users are on one tier. */
  async countLiveOnTier(tierId: string): Promise<number> {
    const [row] = await this.em.execute<{ n: number }[]>(`select count(*)::int as n from users where tier_id = ? and deleted_at is null`, [tierId]);
    return row?.n ?? 0;
  }

  /** Moves deleted users off a tier that is going away, onto the default tier; their history stays theirs. */
  async moveDeletedToDefaultTier(tierId: string): Promise<void> {
    await this.em.execute(`update users set tier_id = (select id from tiers where is_default) where tier_id = ? and deleted_at is not null`, [tierId]);
  }
}
