import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261124000000_initial } from './Migration20261124000000_initial.ts';
import { Migration20261124020000_admin } from './Migration20261124020000_admin.ts';
import { Migration20261124100000_kb_seed } from './Migration20261124100000_kb_seed.ts';
import { Migration20261124200000_admission_batches } from './Migration20261124200000_admission_batches.ts';
import { Migration20261124210000_demo_batches } from './Migration20261124210000_demo_batches.ts';
import { Migration20261124220000_audit_by_user } from './Migration20261124220000_audit_by_user.ts';
import { Migration20261125000000_throttle_scopes } from './Migration20261125000000_throttle_scopes.ts';
import { Migration20261201100000_key_usage } from './Migration20261201100000_key_usage.ts';
import { Migration20261201100001_demo_counter_quota } from './Migration20261201100001_demo_counter_quota.ts';
import { Migration20261201300001_management_keys } from './Migration20261201300001_management_keys.ts';
import { Migration20261202100000_customer_accounts } from './Migration20261202100000_customer_accounts.ts';
import { Migration20261202200000_billing_columns } from './Migration20261202200000_billing_columns.ts';
import { Migration20261202200001_period_functions } from './Migration20261202200001_period_functions.ts';
import { Migration20261202200002_kb_quota_periods } from './Migration20261202200002_kb_quota_periods.ts';
import { Migration20261202300000_billing } from './Migration20261202300000_billing.ts';
import { Migration20261202500000_quota_alerts } from './Migration20261202500000_quota_alerts.ts';
import { Migration20261202400000_webhooks } from './Migration20261202400000_webhooks.ts';
import { Migration20261202600000_refusal_counters } from './Migration20261202600000_refusal_counters.ts';

/**
 * Every migration in order. Listed explicitly rather than globbed so the same
 * list runs from source, from tests and from a bundled build.
 */
export const migrationsList: MigrationObject[] = [
  { name: 'Migration20261124000000_initial', class: Migration20261124000000_initial },
  { name: 'Migration20261124020000_admin', class: Migration20261124020000_admin },
  { name: 'Migration20261124100000_kb_seed', class: Migration20261124100000_kb_seed },
  { name: 'Migration20261124200000_admission_batches', class: Migration20261124200000_admission_batches },
  { name: 'Migration20261124210000_demo_batches', class: Migration20261124210000_demo_batches },
  { name: 'Migration20261124220000_audit_by_user', class: Migration20261124220000_audit_by_user },
  { name: 'Migration20261125000000_throttle_scopes', class: Migration20261125000000_throttle_scopes },
  { name: 'Migration20261201100000_key_usage', class: Migration20261201100000_key_usage },
  { name: 'Migration20261201100001_demo_counter_quota', class: Migration20261201100001_demo_counter_quota },
  { name: 'Migration20261201300001_management_keys', class: Migration20261201300001_management_keys },
  { name: 'Migration20261202100000_customer_accounts', class: Migration20261202100000_customer_accounts },
  { name: 'Migration20261202200000_billing_columns', class: Migration20261202200000_billing_columns },
  { name: 'Migration20261202200001_period_functions', class: Migration20261202200001_period_functions },
  { name: 'Migration20261202200002_kb_quota_periods', class: Migration20261202200002_kb_quota_periods },
  { name: 'Migration20261202300000_billing', class: Migration20261202300000_billing },
  { name: 'Migration20261202400000_webhooks', class: Migration20261202400000_webhooks },
  { name: 'Migration20261202500000_quota_alerts', class: Migration20261202500000_quota_alerts },
  { name: 'Migration20261202600000_refusal_counters', class: Migration20261202600000_refusal_counters },
];
