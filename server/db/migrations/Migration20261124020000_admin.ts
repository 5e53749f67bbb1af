import { Migration } from '@mikro-orm/migrations';

/** Admin sign-in: sessions, brute-force throttling, trigram search over users, key-expiry auditing. */
export class Migration20261124020000_admin extends Migration {
  override up(): void {
    this.addSql(`
      create table admin_sessions (
        id uuid primary key,
        token_hash char(64) not null,
        admin_id uuid not null references admin_accounts (id) on delete cascade,
        csrf_token varchar(64) not null,
        created_at timestamptz not null default now(),
        last_seen_at timestamptz not null default now(),
        expires_at timestamptz not null,
        ip inet null,
        user_agent varchar(300) null
      )`);
    this.addSql(`create unique index admin_sessions_token_hash_unique on admin_sessions (token_hash)`);
    this.addSql(`create index admin_sessions_admin_index on admin_sessions (admin_id)`);
    this.addSql(`create index admin_sessions_expires_index on admin_sessions (expires_at)`);

    // Failed sign-ins per IP and per account, shared by every instance.
    this.addSql(`
      create table auth_throttle (
        scope text not null check (scope in ('ip', 'account')),
        subject varchar(320) not null,
        failures integer not null default 0,
        window_started_at timestamptz not null default now(),
        locked_until timestamptz null,
        primary key (scope, subject)
      )`);

    this.addSql(`alter table api_keys add column expiry_audited_at timestamptz null`);
    this.addSql(`create index api_keys_expiry_pending_index on api_keys (expires_at) where expires_at is not null and expiry_audited_at is null`);

    // Substring search over 100,000+ users stays an index scan.
    this.addSql(`create extension if not exists pg_trgm`);
    this.addSql(`create index users_email_trgm_index on users using gin (email gin_trgm_ops)`);
    this.addSql(`create index users_name_trgm_index on users using gin (name gin_trgm_ops)`);
    this.addSql(`create index users_email_sort_index on users (email, id) where deleted_at is null`);
    this.addSql(`create index users_name_sort_index on users (lower(name), id) where deleted_at is null`);
  }

  override down(): void {
    this.addSql(`drop index if exists users_name_sort_index`);
    this.addSql(`drop index if exists users_email_sort_index`);
    this.addSql(`drop index if exists users_name_trgm_index`);
    this.addSql(`drop index if exists users_email_trgm_index`);
    this.addSql(`drop index if exists api_keys_expiry_pending_index`);
    this.addSql(`alter table api_keys drop column if exists expiry_audited_at`);
    this.addSql(`drop table if exists auth_throttle`);
    this.addSql(`drop table if exists admin_sessions`);
  }
}
