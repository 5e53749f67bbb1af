import { Migration } from '@mikro-orm/migrations';

/**
 * Keys' usage counts and last-used times move off api_keys into key_usage,
 * keyed by (user_id, key_id). Every ledger flush writes them; api_keys is to
 * be a reference table in a sharded deployment (replicated, so every write
 * commits on all nodes), while key_usage is distributed by user_id alongside
 * the counters and the ledger.
 */
export class Migration20261201100000_key_usage extends Migration {
  override up(): void {
    this.addSql(`
      create table key_usage (
        user_id uuid not null references users (id),
        key_id uuid not null references api_keys (id),
        usage_count bigint not null default 0,
        last_used_at timestamptz null,
        primary key (user_id, key_id)
      )`);
    this.addSql(`
      insert into key_usage (user_id, key_id, usage_count, last_used_at)
      select user_id, id, usage_count, last_used_at from api_keys where usage_count <> 0 or last_used_at is not null`);
    this.addSql(`alter table api_keys drop column usage_count, drop column last_used_at`);
  }

  override down(): void {
    this.addSql(`alter table api_keys add column last_used_at timestamptz null, add column usage_count bigint not null default 0`);
    this.addSql(`
      update api_keys k set usage_count = ku.usage_count, last_used_at = ku.last_used_at
        from key_usage ku where ku.key_id = k.id`);
    this.addSql(`drop table key_usage`);
  }
}
