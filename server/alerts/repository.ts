import { EntityRepository } from '@mikro-orm/postgresql';
import type { AlertKind } from '../../shared/alerts.ts';
import { periodKeySql } from '../usage/admission/period.ts';
import type { QuotaAlert } from './entity.ts';

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
export class QuotaAlertRepository extends EntityRepository<QuotaAlert> {
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
