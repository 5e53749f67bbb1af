import { EntityRepository } from '@mikro-orm/postgresql';
import { DATABASE_NOW, periodKeySql } from '../usage/admission/period.ts';
import type { QuotaAlert } from './entity.ts';

/** One quota_alerts row as the portal and the admin app read it, with its owner for the feed. */
export interface AlertRow {
  id: string;
  user_id: string;
  kind: 'percent' | 'count' | 'exhausted';
  value: number;
  at_count: string | number;
  used: number;
  quota_limit: number | null;
  period_start: Date;
  period_end: Date;
  fired_at: Date;
  resolved_at: Date | null;
  resolved_reason: 'period_reset' | 'upgrade' | null;
}

export interface AlertFeedRow extends AlertRow {
  email: string;
  name: string;
  tier: string;
}

const ALERT_COLUMNS = `a.id, a.user_id, a.kind, a.value, a.at_count, a.used, a.quota_limit, a.period_start, a.period_end,
                       a.fired_at, a.resolved_at, a.resolved_reason`;

/** Every SQL statement about quota alerts (the ledger flush's insert lives with the ledger's statement). */
export class QuotaAlertRepository extends EntityRepository<QuotaAlert> {
  // --- Reads for the portal's notices and the operator's feed (server/alerts/settings.ts) ---

  /** The user's alerts still holding in their current period (by the database clock), highest count first. */
  async activeFor(userId: string): Promise<AlertRow[]> {
    return this.em.execute<AlertRow[]>(
      `select ${ALERT_COLUMNS}
         from quota_alerts a
         join users u on u.id = a.user_id
        where a.user_id = ? and a.resolved_at is null and a.period = ${periodKeySql('u.period_anchor')}
        order by a.at_count desc, a.fired_at desc, a.id`,
      [userId],
    );
  }

  /** The user's latest alerts, fired and resolved, newest first. */
  async recentFor(userId: string, limit: number): Promise<AlertRow[]> {
    return this.em.execute<AlertRow[]>(
      `select ${ALERT_COLUMNS} from quota_alerts a where a.user_id = ? order by a.fired_at desc, a.id limit ?`,
      [userId, limit],
    );
  }

  /** How many of the user's alerts fired after they last opened their notifications (all of them if they never did). */
  async unreadFor(userId: string): Promise<number> {
    const [row] = await this.em.execute<{ n: number }[]>(
      `select count(*)::int as n
         from quota_alerts a
         join users u on u.id = a.user_id
        where a.user_id = ? and (u.notifications_seen_at is null or a.fired_at > u.notifications_seen_at)`,
      [userId],
    );
    return row?.n ?? 0;
  }

  /** Marks the user's notifications seen as of the database clock, the clock alerts fire by. */
  async markSeen(userId: string): Promise<void> {
    await this.em.execute(`update users set notifications_seen_at = ${DATABASE_NOW} where id = ?`, [userId]);
  }

  /** The operator's feed: the latest alerts across users (or one user's), newest first, with who they are about. */
  async feed(limit: number, userId?: string): Promise<AlertFeedRow[]> {
    return this.em.execute<AlertFeedRow[]>(
      `select ${ALERT_COLUMNS}, u.email, u.name, t.name as tier
         from quota_alerts a
         join users u on u.id = a.user_id
         join tiers t on t.id = u.tier_id
        where (?::uuid is null or a.user_id = ?::uuid)
        order by a.fired_at desc, a.id
        limit ?`,
      [userId ?? null, userId ?? null, limit],
    );
  }

  // --- Detection, dispatch and resolution (helper A) below ---
}
