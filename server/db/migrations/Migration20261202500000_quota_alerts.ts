import { Migration } from '@mikro-orm/migrations';

/**
 * Usage alerts. Thresholds: a tier's default percentages, and a customer's own
 * list (null: the tier's). quota_alerts holds one row per threshold crossed per
 * user per period; its unique key is the exactly-once guard, whichever instance
 * and whichever batch crossed it. A threshold stands for a count (atCount); an
 * upgrade moves a percentage to another count, which is another threshold.
 */
export class Migration20261202500000_quota_alerts extends Migration {
  override up(): void {
    this.addSql(`alter table tiers add column alert_percents jsonb not null default '[80, 100]'`);
    this.addSql(`alter table users add column alert_thresholds jsonb null`);
    this.addSql(`alter table users add column notifications_seen_at timestamptz null`);
    this.addSql(`
      create table quota_alerts (
        id uuid not null,
        user_id uuid not null references users (id) on delete cascade,
        period date not null,
        kind varchar(16) not null check (kind in ('percent', 'count', 'exhausted')),
        value integer not null,
        at_count bigint not null,
        used integer not null,
        quota_limit integer null,
        period_start timestamptz not null,
        period_end timestamptz not null,
        fired_at timestamptz not null default now(),
        dispatched_at timestamptz null,
        resolved_at timestamptz null,
        resolved_reason varchar(16) null check (resolved_reason in ('period_reset', 'upgrade')),
        resolution_dispatched_at timestamptz null,
        -- The user first: in a sharded deployment the table is distributed by user_id (server/db/distribution.ts).
        primary key (user_id, id),
        constraint quota_alerts_once unique (user_id, period, kind, value, at_count)
      )`);
    this.addSql(`create index quota_alerts_user_fired on quota_alerts (user_id, fired_at desc)`);
    this.addSql(`create index quota_alerts_fired on quota_alerts (fired_at desc)`);
    // The sweeps' work lists stay small: only alerts still to announce or still holding.
    this.addSql(`create index quota_alerts_undispatched on quota_alerts (fired_at) where dispatched_at is null`);
    this.addSql(`create index quota_alerts_unresolved on quota_alerts (user_id) where resolved_at is null`);
    this.addSql(`create index quota_alerts_resolution_undispatched on quota_alerts (resolved_at) where resolved_at is not null and resolution_dispatched_at is null`);
  }

  override down(): void {
    this.addSql(`drop table quota_alerts`);
    this.addSql(`alter table users drop column notifications_seen_at`);
    this.addSql(`alter table users drop column alert_thresholds`);
    this.addSql(`alter table tiers drop column alert_percents`);
  }
}
