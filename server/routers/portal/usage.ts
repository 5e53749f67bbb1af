import type { PortalOverview } from '../../../shared/portal.ts';
import { analyticsInputSchema } from '../../../shared/usage.ts';
import { customerProcedure, router, uses } from '../../trpc.ts';

const customer = customerProcedure.use(uses('usage', 'reporting'));

export const portalUsageRouter = router({
  /** This period's quota standing and the customer's usage over the last `days` days. */
  overview: customer.input(analyticsInputSchema).query(async ({ ctx, input }): Promise<PortalOverview> => {
    const [quota, analytics] = await Promise.all([
      ctx.services.usage.current(ctx.em.fork(), ctx.customer.id),
      ctx.services.reporting.analytics(ctx.em.fork(), ctx.customer.id, input.days),
    ]);
    return { quota, analytics };
  }),
});
