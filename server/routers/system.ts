import { publicProcedure, router } from '../trpc.ts';

export const systemRouter = router({
  /** Liveness and database readiness, for the SPA's status indicator and the typed client. */
  health: publicProcedure.query(async ({ ctx }) => {
    const database = await ctx.services.databaseHealth.check();
    return { status: database.up ? ('ready' as const) : ('not_ready' as const), database };
  }),
});
