import { Migration } from '@mikro-orm/migrations';

/** Demo counters record the quota in force at the last admission, as usage_counters do, so one statement serves both. */
export class Migration20261201100001_demo_counter_quota extends Migration {
  override up(): void {
    this.addSql(`alter table demo_counters add column quota integer null`);
  }

  override down(): void {
    this.addSql(`alter table demo_counters drop column quota`);
  }
}
