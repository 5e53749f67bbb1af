import { Migration } from '@mikro-orm/migrations';

/** Batched admission for demo calls too (see Migration20261124200000_admission_batches). */
export class Migration20261124210000_demo_batches extends Migration {
  override up(): void {
    this.addSql(`alter table demo_counters add column batch_requested integer not null default 0`);
    this.addSql(`alter table demo_counters add column batch_admitted integer not null default 0`);
  }

  override down(): void {
    this.addSql(`alter table demo_counters drop column batch_admitted`);
    this.addSql(`alter table demo_counters drop column batch_requested`);
  }
}
