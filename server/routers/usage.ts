import { analyticsInputSchema, trackUsageSchema } from '../../shared/usage.ts';
import { quotaHeaders } from '../usage/admission/headers.ts';
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
    const { admission } = await ctx.services.usage.meter(
      ctx.em,
      { kind: 'key', key: ctx.apiKey },
      { endpoint: input.endpoint, method: 'TRACK', sources: input.source ? [input.source] : [], units: input.units, startedAt: performance.now() },
      async () => undefined,
    );
    for (const [name, value] of Object.entries(quotaHeaders(admission))) ctx.setHeader(name, value);
    return { recorded: true, units: input.units, used: admission.used, limit: admission.limit, remaining: admission.remaining, resetAt: admission.resetAt.toISOString() };
  }),
};

export const usageRouter = router(usageProcedures);
