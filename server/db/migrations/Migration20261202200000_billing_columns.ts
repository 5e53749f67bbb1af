import { Migration } from '@mikro-orm/migrations';

/**
 * The two columns billing shares with the rest: the Lemon Squeezy variant a
 * tier is sold as, and the anchor of a subscribed user's usage periods.
 */
export class Migration20261202200000_billing_columns extends Migration {
  override up(): void {
    this.addSql(`alter table tiers add column lemonsqueezy_variant_id varchar(20) null`);
    this.addSql(`create unique index tiers_lemonsqueezy_variant_id_unique on tiers (lemonsqueezy_variant_id) where lemonsqueezy_variant_id is not null`);
    this.addSql(`alter table users add column period_anchor timestamptz null`);
  }

  override down(): void {
    this.addSql(`alter table users drop column period_anchor`);
    this.addSql(`drop index tiers_lemonsqueezy_variant_id_unique`);
    this.addSql(`alter table tiers drop column lemonsqueezy_variant_id`);
  }
}
