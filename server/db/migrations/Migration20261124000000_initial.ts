import { Migration } from '@mikro-orm/migrations';

/**
 * The whole domain model. Written by hand rather than generated, because the
 * ledger is partitioned and the knowledge base needs a generated tsvector,
 * neither of which the schema generator expresses.
 */
export class Migration20261124000000_initial extends Migration {
  override up(): void {
    this.addSql(`
      create table tiers (
        id uuid primary key,
        name varchar(64) not null,
        monthly_quota integer null check (monthly_quota is null or monthly_quota >= 0),
        price_cents integer null check (price_cents is null or price_cents >= 0),
        description text not null default '',
        is_default boolean not null default false,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      )`);
    this.addSql(`create unique index tiers_name_unique on tiers (lower(name))`);
    this.addSql(`create unique index tiers_one_default on tiers (is_default) where is_default`);

    this.addSql(`
      create table users (
        id uuid primary key,
        email varchar(320) not null,
        name varchar(200) not null,
        tier_id uuid not null references tiers (id),
        status text not null default 'active' check (status in ('active', 'suspended')),
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        deleted_at timestamptz null
      )`);
    this.addSql(`create unique index users_email_unique on users (email) where deleted_at is null`);
    this.addSql(`create index users_tier_id_index on users (tier_id)`);
    this.addSql(`create index users_created_at_index on users (created_at, id)`);

    this.addSql(`
      create table api_keys (
        id uuid primary key,
        user_id uuid not null references users (id),
        name varchar(100) not null,
        lookup_id varchar(16) not null,
        key_hash varchar(100) not null,
        created_at timestamptz not null default now(),
        last_used_at timestamptz null,
        expires_at timestamptz null,
        revoked_at timestamptz null,
        usage_count bigint not null default 0,
        metadata jsonb not null default '{}',
        replaced_by_id uuid null references api_keys (id)
      )`);
    this.addSql(`create unique index api_keys_lookup_id_unique on api_keys (lookup_id)`);
    this.addSql(`create index api_keys_user_id_index on api_keys (user_id, created_at)`);

    this.addSql(`
      create table usage_counters (
        user_id uuid not null references users (id),
        period date not null,
        used integer not null default 0 check (used >= 0),
        quota integer null,
        reset_at timestamptz null,
        updated_at timestamptz not null default now(),
        primary key (user_id, period)
      )`);
    this.addSql(`create index usage_counters_period_index on usage_counters (period)`);

    this.addSql(`
      create table demo_counters (
        client_ip inet not null,
        period date not null,
        used integer not null default 0 check (used >= 0),
        updated_at timestamptz not null default now(),
        primary key (client_ip, period)
      )`);

    // The ledger is range-partitioned by period so old months can be detached
    // or dropped without a long delete; see ensure_usage_partitions below.
    this.addSql(`
      create table usage_events (
        period date not null,
        id bigint generated always as identity,
        user_id uuid null references users (id),
        api_key_id uuid null references api_keys (id),
        client_ip inet null,
        endpoint varchar(200) not null,
        method varchar(10) not null,
        sources text[] not null default '{}',
        status smallint not null,
        response_time_ms integer not null,
        units integer not null default 1 check (units > 0),
        created_at timestamptz not null,
        primary key (period, id)
      ) partition by range (period)`);
    this.addSql(`create table usage_events_default partition of usage_events default`);
    this.addSql(`create index usage_events_user_created_index on usage_events (user_id, created_at)`);
    this.addSql(`create index usage_events_created_index on usage_events (created_at)`);
    this.addSql(`create index usage_events_api_key_index on usage_events (api_key_id)`);
    this.addSql(`
      create function ensure_usage_partitions(months_ahead integer default 2) returns void
      language plpgsql as $$
      declare
        first_month date := date_trunc('month', now() at time zone 'utc')::date;
        m date;
        part text;
      begin
        for i in 0..months_ahead loop
          m := (first_month + make_interval(months => i))::date;
          part := format('usage_events_%s', to_char(m, 'YYYY_MM'));
          if to_regclass(part) is null then
            begin
              execute format(
                'create table %I partition of usage_events for values from (%L) to (%L)',
                part, m, (m + interval '1 month')::date);
            exception when duplicate_table then
              null; -- another instance created it first
            end;
          end if;
        end loop;
      end $$`);
    this.addSql(`select ensure_usage_partitions()`);

    this.addSql(`
      create table usage_summaries (
        user_id uuid not null references users (id),
        period date not null,
        requests bigint not null default 0,
        units bigint not null default 0,
        errors bigint not null default 0,
        total_response_ms bigint not null default 0,
        updated_at timestamptz not null default now(),
        primary key (user_id, period)
      )`);

    this.addSql(`
      create table audit_events (
        id bigint generated always as identity primary key,
        actor_type text not null check (actor_type in ('admin', 'api_key', 'cli', 'system')),
        actor_id varchar(64) null,
        actor_label varchar(320) not null,
        action varchar(64) not null,
        target_type varchar(32) not null,
        target_id varchar(64) null,
        details jsonb not null default '{}',
        ip inet null,
        created_at timestamptz not null default now()
      )`);
    this.addSql(`create index audit_events_created_index on audit_events (created_at desc, id desc)`);
    this.addSql(`create index audit_events_actor_index on audit_events (actor_id, created_at desc)`);
    this.addSql(`create index audit_events_action_index on audit_events (action, created_at desc)`);
    this.addSql(`create index audit_events_target_index on audit_events (target_type, target_id, created_at desc)`);

    // array_to_string is only STABLE in general, but for text[] it cannot vary,
    // so this wrapper may be IMMUTABLE and feed a stored generated column.
    this.addSql(`
      create function kb_document(title text, body text, tags text[]) returns tsvector
      language sql immutable parallel safe as $$
        select setweight(to_tsvector('english', coalesce(title, '')), 'A')
            || setweight(to_tsvector('english', array_to_string(coalesce(tags, '{}'), ' ')), 'B')
            || setweight(to_tsvector('english', coalesce(body, '')), 'C')
      $$`);
    this.addSql(`
      create table kb_entries (
        id uuid primary key,
        title varchar(300) not null,
        body text not null,
        tags text[] not null default '{}',
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        search tsvector generated always as (kb_document(title, body, tags)) stored
      )`);
    this.addSql(`create index kb_entries_search_index on kb_entries using gin (search)`);

    this.addSql(`
      create table admin_accounts (
        id uuid primary key,
        email varchar(320) not null,
        name varchar(200) not null default '',
        password_hash varchar(100) not null,
        role text not null check (role in ('owner', 'admin', 'viewer')),
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        last_sign_in_at timestamptz null
      )`);
    this.addSql(`create unique index admin_accounts_email_unique on admin_accounts (email)`);

    // The three tiers every installation starts with; admins may edit them.
    this.addSql(`
      insert into tiers (id, name, monthly_quota, price_cents, description, is_default) values
        (gen_random_uuid(), 'Free', 1000, 0, 'For trying Harmonic out: 1,000 requests a month.', true),
        (gen_random_uuid(), 'Pro', 10000, 2900, 'For production apps: 10,000 requests a month.', false),
        (gen_random_uuid(), 'Enterprise', null, null, 'Unlimited requests at a negotiated price.', false)`);
  }

  override down(): void {
    this.addSql(`drop table if exists admin_accounts`);
    this.addSql(`drop table if exists kb_entries`);
    this.addSql(`drop function if exists kb_document(text, text, text[])`);
    this.addSql(`drop table if exists audit_events`);
    this.addSql(`drop table if exists usage_summaries`);
    this.addSql(`drop function if exists ensure_usage_partitions(integer)`);
    this.addSql(`drop table if exists usage_events`);
    this.addSql(`drop table if exists demo_counters`);
    this.addSql(`drop table if exists usage_counters`);
    this.addSql(`drop table if exists api_keys`);
    this.addSql(`drop table if exists users`);
    this.addSql(`drop table if exists tiers`);
  }
}
