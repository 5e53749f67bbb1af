import { Migration } from '@mikro-orm/migrations';

/**
 * Sign-in throttling by (account, address) as well as by address and account, plus the
 * addresses an account signed in from (docs/operations.md, "Sign-in lockouts"). A subject
 * `email|address` can be longer than an email alone.
 */
export class Migration20261125000000_throttle_scopes extends Migration {
  override up(): void {
    this.addSql(`alter table auth_throttle drop constraint if exists auth_throttle_scope_check`);
    // Old per-account rows counted every address together; they would now mean an hourly total.
    this.addSql(`delete from auth_throttle where scope = 'account'`);
    this.addSql(`alter table auth_throttle add constraint auth_throttle_scope_check check (scope in ('ip', 'account_ip', 'account', 'known'))`);
    this.addSql(`alter table auth_throttle alter column subject type varchar(400)`);
  }

  override down(): void {
    this.addSql(`delete from auth_throttle where scope not in ('ip', 'account') or length(subject) > 320`);
    this.addSql(`alter table auth_throttle drop constraint if exists auth_throttle_scope_check`);
    this.addSql(`alter table auth_throttle add constraint auth_throttle_scope_check check (scope in ('ip', 'account'))`);
    this.addSql(`alter table auth_throttle alter column subject type varchar(320)`);
  }
}
