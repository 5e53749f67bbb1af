import { Migration } from '@mikro-orm/migrations';

/**
 * Refused keyed calls (over quota, owner suspended, key no longer valid) as
 * one counter per user, UTC day and reason. Refusals are never ledger rows:
 * a flood of 429s adds to a count, so it cannot grow the database beyond
 * days × reasons rows per user.
 */
export class Migration20261202600000_refusal_counters extends Migration {
  override up(): void {
    this.addSql(`
      create table refusal_counters (
        user_id uuid not null references users (id) on delete cascade,
        day date not null,
        reason varchar(16) not null check (reason in ('over_quota', 'suspended', 'key_invalid')),
        count bigint not null default 0,
        updated_at timestamptz not null default now(),
        primary key (user_id, day, reason)
      )`);
    // The dashboards' window over everyone reads by day.
    this.addSql(`create index refusal_counters_day on refusal_counters (day)`);
  }

  override down(): void {
    this.addSql(`drop table refusal_counters`);
  }
}
