import { EntityRepository } from '@mikro-orm/postgresql';
import type { AlertKind } from '../../shared/alerts.ts';
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

/** An alert just claimed for its announcement, with what the event and the email need. */
export interface ClaimedAlert {
  id: string;
  user_id: string;
  kind: AlertKind;
  value: number;
  at_count: number;
  used: number;
  quota_limit: number | null;
  /** Epoch ms. */
  period_start_ms: number;
  period_end_ms: number;
  resolved_reason: 'period_reset' | 'upgrade' | null;
}

const CLAIMED = `id, user_id::text, kind, value, at_count::float8 as at_count, used, quota_limit,
  (extract(epoch from period_start) * 1000)::float8 as period_start_ms, (extract(epoch from period_end) * 1000)::float8 as period_end_ms, resolved_reason`;

/** Every SQL statement about quota alerts (the ledger flush's insert lives with the ledger's statement). */

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

  /** Marks an alert announced, once: null when another job (or instance) already did. Inside the caller's transaction. */
  async claimDispatch(id: string): Promise<ClaimedAlert | null> {
    const [row] = await this.em.execute<ClaimedAlert[]>(
      `update quota_alerts set dispatched_at = now() where id = ? and dispatched_at is null returning ${CLAIMED}`,
      [id],
    );
    return row ?? null;
  }

  /** Marks a resolved alert's resolution announced, once. */
  async claimResolution(id: string): Promise<ClaimedAlert | null> {
    const [row] = await this.em.execute<ClaimedAlert[]>(
      `update quota_alerts set resolution_dispatched_at = now()
        where id = ? and resolved_at is not null and resolution_dispatched_at is null returning ${CLAIMED}`,
      [id],
    );
    return row ?? null;
  }

  /** Alerts fired at least `graceMs` ago whose announcement never ran (its instance died between flush and enqueue). */
  async undispatched(graceMs: number, limit: number): Promise<string[]> {
    const rows = await this.em.execute<{ id: string }[]>(
      `select id from quota_alerts where dispatched_at is null and fired_at <= now() - ? * interval '1 millisecond' order by fired_at limit ?`,
      [graceMs, limit],
    );
    return rows.map((r) => r.id);
  }

  /** Resolved alerts whose resolution was not announced `graceMs` after it was decided. */
  async unannouncedResolutions(graceMs: number, limit: number): Promise<string[]> {
    const rows = await this.em.execute<{ id: string }[]>(
      `select id from quota_alerts
        where resolved_at is not null and resolution_dispatched_at is null and resolved_at <= now() - ? * interval '1 millisecond'
        order by resolved_at limit ?`,
      [graceMs, limit],
    );
    return rows.map((r) => r.id);
  }

  /**
   * Resolves, in one statement, every unresolved alert that no longer holds:
   * `period_reset` when its user's current period (by the database clock) is
   * another one; `upgrade` when, in the same period, the quota is not the one
   * it fired under and the threshold's count under the quota now is above the
   * user's usage (or there is no quota any more). Counts never resolve by an
   * upgrade. Rows are claimed by the update itself, so concurrent runs on
   * several instances resolve each alert once. Returns the resolved ids.
   */
  async resolveStale(): Promise<string[]> {
    const rows = await this.em.execute<{ id: string }[]>(
      `update quota_alerts a set resolved_at = now(), resolved_reason = r.reason
         from (select a.id,
                      case when cur.period <> a.period then 'period_reset'
                           when a.kind = 'count' or t.monthly_quota is not distinct from a.quota_limit then null
                           when t.monthly_quota is null then 'upgrade'
                           when a.kind = 'exhausted' and coalesce(c.used, 0) < t.monthly_quota then 'upgrade'
                           when a.kind = 'percent' and coalesce(c.used, 0) < ceil(a.value::numeric * t.monthly_quota / 100) then 'upgrade'
                      end as reason
                 from quota_alerts a
                 join users u on u.id = a.user_id
                 join tiers t on t.id = u.tier_id
                 cross join lateral (select ${periodKeySql('u.period_anchor')} as period) cur
                 left join usage_counters c on c.user_id = a.user_id and c.period = cur.period
                where a.resolved_at is null) r
        where a.id = r.id and r.reason is not null and a.resolved_at is null
        returning a.id`,
    );
    return rows.map((r) => r.id);
  }
}
