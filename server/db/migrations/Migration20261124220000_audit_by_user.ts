import { Migration } from '@mikro-orm/migrations';

/** The audit trail of one user (their own events and their keys'), read by the user page. */
export class Migration20261124220000_audit_by_user extends Migration {
  override up(): void {
    this.addSql(`create index audit_events_details_user_index on audit_events ((details ->> 'userId'), id desc)`);
  }

  override down(): void {
    this.addSql(`drop index if exists audit_events_details_user_index`);
  }
}
