import { Migration } from '@mikro-orm/migrations';

/**
 * Management keys (`hmm_…`, server/management/) and their writes in the audit log; users'
 * external ids, so an operator's script can name a user by its own id (`userId=user123`).
 */
export class Migration20261201300001_management_keys extends Migration {
  override up(): void {
    this.addSql(`
      create table management_keys (
        id uuid primary key,
        name varchar(100) not null,
        lookup_id varchar(16) not null,
        key_hash varchar(100) not null,
        scopes jsonb not null check (jsonb_typeof(scopes) = 'array'),
        created_by varchar(320) not null,
        created_at timestamptz not null default now(),
        last_used_at timestamptz null,
        revoked_at timestamptz null
      )`);
    this.addSql(`create unique index management_keys_lookup_id_unique on management_keys (lookup_id)`);
    this.addSql(`alter table audit_events drop constraint if exists audit_events_actor_type_check`);
    this.addSql(`alter table audit_events add constraint audit_events_actor_type_check check (actor_type in ('admin', 'api_key', 'management_key', 'cli', 'system'))`);
    this.addSql(`alter table users add column external_id varchar(200) null`);
    this.addSql(`create unique index users_external_id_unique on users (external_id) where deleted_at is null and external_id is not null`);
  }

  override down(): void {
    this.addSql(`drop index if exists users_external_id_unique`);
    this.addSql(`alter table users drop column if exists external_id`);
    this.addSql(`delete from audit_events where actor_type = 'management_key'`);
    this.addSql(`alter table audit_events drop constraint if exists audit_events_actor_type_check`);
    this.addSql(`alter table audit_events add constraint audit_events_actor_type_check check (actor_type in ('admin', 'api_key', 'cli', 'system'))`);
    this.addSql(`drop table if exists management_keys`);
  }
}
