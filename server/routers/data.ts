import { dataQuerySchema, SOURCE_NAMES } from '../../shared/data.ts';
import { quotaHeaders } from '../usage/admission/headers.ts';
import { keyedProcedure, publicProcedure, router, uses } from '../trpc.ts';

const metered = keyedProcedure.use(uses('usage', 'sources', 'metrics'));

export const dataProcedures = {
  /** What `/api/v1/data` can answer from; no key needed. */
  sources: publicProcedure.query(() => ({ sources: [...SOURCE_NAMES] })),

  /** A metered query: admitted against the caller's monthly quota, answered from the requested sources. */
  fetch: metered.input(dataQuerySchema).mutation(async ({ ctx, input, signal }) => {
    const startedAt = performance.now();
    const { result, admission } = await ctx.services.usage.meter(
      ctx.em,
      { kind: 'key', key: ctx.apiKey },
      { endpoint: 'trpc:data.fetch', method: 'POST', sources: input.sources, startedAt },
      () => ctx.services.sources.answer(input, signal ? { signal } : {}),
    );
    ctx.services.metrics.observeAnswer(result);
    for (const [name, value] of Object.entries(quotaHeaders(admission))) ctx.setHeader(name, value);
    ctx.setHeader('X-Response-Time', `${(performance.now() - startedAt).toFixed(1)}ms`);
    return result;
  }),
};

export const dataRouter = router(dataProcedures);
