import { router } from '../../trpc.ts';
import { adminAccountsRouter } from './accounts.ts';
import { adminAlertsRouter } from './alerts.ts';
import { adminAnalyticsRouter } from './analytics.ts';
import { adminAuditRouter } from './audit.ts';
import { adminBillingRouter } from './billing.ts';
import { adminKbRouter } from './kb.ts';
import { adminKeysRouter } from './keys.ts';
import { adminManagementKeysRouter } from './management-keys.ts';
import { adminSettingsRouter } from './settings.ts';
import { adminTiersRouter } from './tiers.ts';
import { adminUsersRouter } from './users.ts';
import { adminWebhooksRouter } from './webhooks.ts';

/** Everything an admin does in the SPA; every procedure is behind the admin session guard. */
export const adminRouter = router({
  users: adminUsersRouter,
  tiers: adminTiersRouter,
  keys: adminKeysRouter,
  analytics: adminAnalyticsRouter,
  audit: adminAuditRouter,
  accounts: adminAccountsRouter,
  managementKeys: adminManagementKeysRouter,
  kb: adminKbRouter,
  settings: adminSettingsRouter,
  billing: adminBillingRouter,
  webhooks: adminWebhooksRouter,
  alerts: adminAlertsRouter,
});
