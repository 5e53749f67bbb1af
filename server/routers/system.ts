import { publicProcedure, router, uses } from '../trpc.ts';

const procedure = publicProcedure.use(uses('databaseHealth'));

export const systemRouter = router({
  /** Liveness and database readiness, for the SPA's status indicator and the typed client. */
  health: procedure.query(async ({ ctx }) => {
    const database = await ctx.services.databaseHealth.check();
    return { status: database.up ? ('ready' as const) : ('not_ready' as const), database };
  }),
});
