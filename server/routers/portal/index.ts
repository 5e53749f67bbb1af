import { router } from '../../trpc.ts';
import { portalAccountRouter } from './account.ts';
import { portalAlertsRouter } from './alerts.ts';
import { portalAuthRouter } from './auth.ts';
import { portalKeysRouter } from './keys.ts';
import { portalPlanRouter } from './plan.ts';
import { portalPublicRouter } from './public.ts';
import { portalUsageRouter } from './usage.ts';
import { portalWebhooksRouter } from './webhooks.ts';

/**
 * The customer portal's API: `public` and parts of `auth` for anyone (pinned in
 * server/guards.int.test.ts), everything else behind `customerProcedure`, the customer session.
 */
export const portalRouter = router({
  public: portalPublicRouter,
  auth: portalAuthRouter,
  account: portalAccountRouter,
  keys: portalKeysRouter,
  usage: portalUsageRouter,
  plan: portalPlanRouter,
  webhooks: portalWebhooksRouter,
  alerts: portalAlertsRouter,
});
