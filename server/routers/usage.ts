import { analyticsInputSchema, trackUsageSchema } from '../../shared/usage.ts';
import { trackUsage } from '../metered.ts';
import { keyedProcedure, router, uses } from '../trpc.ts';

const procedure = keyedProcedure.use(uses('usage', 'reporting'));

/** The caller's own usage; a key only ever sees its own user's numbers. */
export const usageProcedures = {
  current: procedure.query(({ ctx }) => ctx.services.usage.current(ctx.em, ctx.apiKey.userId)),

  analytics: procedure
    .input(analyticsInputSchema)
    .query(({ ctx, input }) => ctx.services.reporting.analytics(ctx.em, ctx.apiKey.userId, input.days)),

  /** Meters work done elsewhere: admitted and counted against the quota exactly like a call. */
  track: procedure.input(trackUsageSchema).mutation(async ({ ctx, input }) => {
    const { answer, headers } = await trackUsage(ctx.services, ctx.em, ctx.apiKey, input, performance.now());
    for (const [name, value] of Object.entries(headers)) ctx.setHeader(name, value);
    return answer;
  }),
};

export const usageRouter = router(usageProcedures);
