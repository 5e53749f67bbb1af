import { overviewSchema, resetUsageSchema, userAnalyticsSchema } from '../../../shared/admin.ts';
import { adminProcedure, router, uses } from '../../trpc.ts';

const procedure = adminProcedure.use(uses('usage', 'reporting'));

/** The dashboards, read from the same ledger and counters that feed the rate-limit headers. */
export const adminAnalyticsRouter = router({
  overview: procedure.input(overviewSchema).query(({ ctx, input }) => ctx.services.reporting.overview(ctx.em, input.days)),

  user: procedure.input(userAnalyticsSchema).query(async ({ ctx, input }) => {
    const [quota, usage] = await Promise.all([
      ctx.services.usage.current(ctx.em.fork(), input.userId),
      ctx.services.reporting.analytics(ctx.em.fork(), input.userId, input.days),
    ]);
    return { quota, usage };
  }),

  /** Starts the user's count for this period again at zero; audited. */
  resetUsage: procedure
    .input(resetUsageSchema)
    .mutation(({ ctx, input }) => ctx.services.reporting.resetUsage(ctx.em, input.userId, ctx.actor)),
});
