import { Migration } from '@mikro-orm/migrations';

/**
 * Batched admission: one statement admits many concurrent calls for one user.
 * It writes into the counter row how many calls it asked for and how many it
 * admitted, so RETURNING can tell each waiting request whether it got in.
 */
export class Migration20261124200000_admission_batches extends Migration {
  override up(): void {
    this.addSql(`alter table usage_counters add column batch_requested integer not null default 0`);
    this.addSql(`alter table usage_counters add column batch_admitted integer not null default 0`);
  }

  override down(): void {
    this.addSql(`alter table usage_counters drop column batch_admitted`);
    this.addSql(`alter table usage_counters drop column batch_requested`);
  }
}
