import { Migration } from '@mikro-orm/migrations';

/**
 * Customers serve themselves (server/customers/): users gain credentials (a bcrypt hash, the
 * verified email, a pending new email) and where they came from; customers sign in to their own
 * sessions (`customer_sessions`, apart from admin_sessions); emailed links are single-use tokens
 * kept as SHA-256 (`account_tokens`); tiers can be shown publicly; one row of instance settings
 * (sign-up on or off). Customers act in the audit log (actor type `customer`), and the throttle
 * table counts rate limits (`rate`: sign-ups per address, emails per account) beside sign-ins.
 */
export class Migration20261202100000_customer_accounts extends Migration {
  override up(): void {
    this.addSql(`alter table users add column password_hash varchar(100) null`);
    this.addSql(`alter table users add column email_verified_at timestamptz null`);
    this.addSql(`alter table users add column pending_email varchar(320) null`);
    // Every user so far was created by an admin (the app, the CLI or the management API).
    this.addSql(`alter table users add column origin text not null default 'admin' check (origin in ('signup', 'admin'))`);
    this.addSql(`alter table users add column signed_up_at timestamptz null`);
    this.addSql(`alter table users add column signup_ip inet null`);

    this.addSql(`alter table tiers add column public boolean not null default false`);
    // Enterprise's price is negotiated: it stays off the public page until an admin shows it.
    this.addSql(`update tiers set public = true where lower(name) in ('free', 'pro')`);

    this.addSql(`
      create table customer_sessions (
        id uuid primary key,
        token_hash char(64) not null,
        user_id uuid not null references users (id) on delete cascade,
        csrf_token varchar(64) not null,
        created_at timestamptz not null default now(),
        last_seen_at timestamptz not null default now(),
        expires_at timestamptz not null,
        ip inet null,
        user_agent varchar(300) null
      )`);
    this.addSql(`create unique index customer_sessions_token_hash_unique on customer_sessions (token_hash)`);
    this.addSql(`create index customer_sessions_user_index on customer_sessions (user_id)`);
    this.addSql(`create index customer_sessions_expires_index on customer_sessions (expires_at)`);

    this.addSql(`
      create table account_tokens (
        id uuid primary key,
        kind text not null check (kind in ('verify_email', 'reset_password', 'change_email')),
        user_id uuid not null references users (id) on delete cascade,
        email varchar(320) not null,
        token_hash char(64) not null,
        created_at timestamptz not null default now(),
        expires_at timestamptz not null,
        used_at timestamptz null
      )`);
    this.addSql(`create unique index account_tokens_token_hash_unique on account_tokens (token_hash)`);
    this.addSql(`create index account_tokens_user_kind_index on account_tokens (user_id, kind)`);
    this.addSql(`create index account_tokens_expires_index on account_tokens (expires_at)`);

    this.addSql(`
      create table settings (
        id smallint primary key default 1 check (id = 1),
        signup_enabled boolean not null default true,
        updated_at timestamptz not null default now()
      )`);
    this.addSql(`insert into settings (id) values (1)`);

    this.addSql(`alter table audit_events drop constraint if exists audit_events_actor_type_check`);
    this.addSql(
      `alter table audit_events add constraint audit_events_actor_type_check check (actor_type in ('admin', 'api_key', 'management_key', 'cli', 'system', 'customer'))`,
    );
    this.addSql(`alter table auth_throttle drop constraint if exists auth_throttle_scope_check`);
    this.addSql(`alter table auth_throttle add constraint auth_throttle_scope_check check (scope in ('ip', 'account_ip', 'account', 'known', 'rate'))`);
  }

  override down(): void {
    this.addSql(`delete from auth_throttle where scope = 'rate'`);
    this.addSql(`alter table auth_throttle drop constraint if exists auth_throttle_scope_check`);
    this.addSql(`alter table auth_throttle add constraint auth_throttle_scope_check check (scope in ('ip', 'account_ip', 'account', 'known'))`);
    this.addSql(`delete from audit_events where actor_type = 'customer'`);
    this.addSql(`alter table audit_events drop constraint if exists audit_events_actor_type_check`);
    this.addSql(`alter table audit_events add constraint audit_events_actor_type_check check (actor_type in ('admin', 'api_key', 'management_key', 'cli', 'system'))`);
    this.addSql(`drop table if exists settings`);
    this.addSql(`drop table if exists account_tokens`);
    this.addSql(`drop table if exists customer_sessions`);
    this.addSql(`alter table tiers drop column if exists public`);
    for (const column of ['signup_ip', 'signed_up_at', 'origin', 'pending_email', 'email_verified_at', 'password_hash']) {
      this.addSql(`alter table users drop column if exists ${column}`);
    }
  }
}
