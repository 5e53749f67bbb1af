import { Migration } from '@mikro-orm/migrations';

/**
 * Billing through Lemon Squeezy (server/billing/): every signed webhook delivery
 * stored raw and deduplicated (`billing_events`, processed by a job), the
 * subscriptions and invoices as Lemon Squeezy last described them, and the
 * reconciler's runs. Billing acts in the audit log as actor type `billing`.
 */
export class Migration20261202300000_billing extends Migration {
  override up(): void {
    this.addSql(`
      create table billing_events (
        id uuid primary key,
        event_name varchar(64) not null,
        webhook_id varchar(64) null,
        -- meta.webhook_id when sent, else the body's SHA-256: a retried delivery is stored once.
        dedupe_key varchar(80) not null,
        body text not null,
        body_sha256 char(64) not null,
        resource_type varchar(64) not null,
        resource_id varchar(64) not null,
        subscription_id varchar(20) null,
        user_id uuid null references users (id),
        payload_email varchar(320) null,
        test_mode boolean not null default false,
        state text not null default 'pending' check (state in ('pending', 'processed', 'unmatched', 'ignored', 'failed')),
        detail text null,
        attempts integer not null default 0,
        received_at timestamptz not null default now(),
        processed_at timestamptz null
      )`);
    this.addSql(`create unique index billing_events_dedupe_key_unique on billing_events (dedupe_key)`);
    this.addSql(`create index billing_events_state_index on billing_events (state, id)`);
    this.addSql(`create index billing_events_user_index on billing_events (user_id)`);
    this.addSql(`create index billing_events_subscription_index on billing_events (subscription_id)`);

    this.addSql(`
      create table subscriptions (
        id varchar(20) primary key,
        user_id uuid null references users (id),
        variant_id varchar(20) not null,
        product_id varchar(20) null,
        customer_id varchar(20) null,
        status text not null check (status in ('on_trial', 'active', 'paused', 'past_due', 'unpaid', 'cancelled', 'expired')),
        status_formatted varchar(64) not null,
        product_name varchar(200) null,
        variant_name varchar(200) null,
        user_email varchar(320) null,
        cancelled boolean not null default false,
        renews_at timestamptz null,
        ends_at timestamptz null,
        trial_ends_at timestamptz null,
        billing_anchor smallint null,
        -- When it was first seen past_due (the grace period runs from here); null otherwise.
        past_due_since timestamptz null,
        card_brand varchar(32) null,
        card_last_four varchar(4) null,
        test_mode boolean not null default false,
        -- Price per month in cents, when known (the variant's price at checkout); null: the tier's list price.
        price_cents integer null,
        -- The payload's updated_at: an event or a listed subscription older than this is not applied.
        ls_updated_at timestamptz not null,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      )`);
    this.addSql(`create index subscriptions_user_index on subscriptions (user_id)`);

    this.addSql(`
      create table invoices (
        id varchar(20) primary key,
        subscription_id varchar(20) not null,
        user_id uuid null references users (id),
        billing_reason varchar(32) not null,
        status varchar(32) not null,
        last_event varchar(64) not null,
        currency varchar(8) not null,
        total integer not null,
        total_formatted varchar(64) not null,
        refunded boolean not null default false,
        invoice_url text null,
        created_at timestamptz not null,
        ls_updated_at timestamptz not null
      )`);
    this.addSql(`create index invoices_user_index on invoices (user_id, created_at)`);
    this.addSql(`create index invoices_subscription_index on invoices (subscription_id)`);

    this.addSql(`
      create table billing_reconciliations (
        id bigserial primary key,
        at timestamptz not null default now(),
        checked integer not null,
        drifted integer not null,
        unmatched integer not null,
        pages integer not null,
        error text null
      )`);

    this.addSql(`alter table audit_events drop constraint if exists audit_events_actor_type_check`);
    this.addSql(
      `alter table audit_events add constraint audit_events_actor_type_check check (actor_type in ('admin', 'api_key', 'management_key', 'cli', 'system', 'customer', 'billing'))`,
    );
  }

  override down(): void {
    this.addSql(`delete from audit_events where actor_type = 'billing'`);
    this.addSql(`alter table audit_events drop constraint if exists audit_events_actor_type_check`);
    this.addSql(
      `alter table audit_events add constraint audit_events_actor_type_check check (actor_type in ('admin', 'api_key', 'management_key', 'cli', 'system', 'customer'))`,
    );
    this.addSql(`drop table if exists billing_reconciliations`);
    this.addSql(`drop table if exists invoices`);
    this.addSql(`drop table if exists subscriptions`);
    this.addSql(`drop table if exists billing_events`);
  }
}
