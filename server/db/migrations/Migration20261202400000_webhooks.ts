import { Migration } from '@mikro-orm/migrations';

/**
 * Outgoing webhooks (server/webhooks/): endpoints, a customer's (user_id set) or the operator's
 * (user_id null: every user's events), with their signing secret sealed under the server key
 * (never in plaintext); and the delivery log, one row per message, whose id is the `webhook-id`
 * every attempt carries. Pending deliveries are found by their next attempt's time.
 */
export class Migration20261202400000_webhooks extends Migration {
  override up(): void {
    this.addSql(`
      create table webhook_endpoints (
        id uuid primary key,
        user_id uuid null references users (id) on delete cascade,
        url varchar(2000) not null,
        description varchar(200) not null default '',
        event_types text[] not null check (cardinality(event_types) > 0),
        secret_sealed text not null,
        enabled boolean not null default true,
        disabled_reason varchar(300) null,
        disabled_at timestamptz null,
        failing_since timestamptz null,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      )`);
    this.addSql(`create index webhook_endpoints_user_index on webhook_endpoints (user_id)`);

    this.addSql(`
      create table webhook_deliveries (
        id varchar(48) primary key,
        endpoint_id uuid not null references webhook_endpoints (id) on delete cascade,
        user_id uuid null,
        event_type varchar(64) not null,
        payload json not null,
        state text not null default 'pending' check (state in ('pending', 'delivered', 'failed', 'exhausted')),
        attempts int not null default 0,
        next_attempt_at timestamptz null,
        last_status int null,
        last_error varchar(1000) null,
        last_response varchar(1024) null,
        last_duration_ms int null,
        last_attempt_at timestamptz null,
        created_at timestamptz not null default now(),
        delivered_at timestamptz null
      )`);
    this.addSql(`create index webhook_deliveries_endpoint_index on webhook_deliveries (endpoint_id, created_at desc, id desc)`);
    this.addSql(`create index webhook_deliveries_pending_index on webhook_deliveries (next_attempt_at) where state = 'pending'`);
  }

  override down(): void {
    this.addSql(`drop table if exists webhook_deliveries`);
    this.addSql(`drop table if exists webhook_endpoints`);
  }
}
