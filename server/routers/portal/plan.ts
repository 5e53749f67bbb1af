import type { PortalPlan } from '../../../shared/portal.ts';
import { publicTierView } from '../../tiers/service.ts';
import { customerProcedure, router, uses } from '../../trpc.ts';

const customer = customerProcedure.use(uses('tiers'));

export const portalPlanRouter = router({
  /** The customer's tier (public or not) beside the public ones. Changing plan is the billing issue's; until then, contact the operator. */
  get: customer.query(async ({ ctx }): Promise<PortalPlan> => {
    const [current, tiers] = await Promise.all([ctx.customerUser.tier.loadOrFail(), ctx.services.tiers.listPublic(ctx.em.fork())]);
    return { current: publicTierView(current), tiers, billingEnabled: false };
  }),
});
