import { dataQuerySchema, SOURCE_NAMES } from '../../shared/data.ts';
import { fetchData } from '../metered.ts';
import { keyedProcedure, publicProcedure, router, uses } from '../trpc.ts';

const metered = keyedProcedure.use(uses('usage', 'sources', 'metrics'));

export const dataProcedures = {
  /** What `/api/v1/data` can answer from; no key needed. */
  sources: publicProcedure.query(() => ({ sources: [...SOURCE_NAMES] })),

  /** A metered query: admitted against the caller's monthly quota, answered from the requested sources. */
  fetch: metered.input(dataQuerySchema).mutation(async ({ ctx, input, signal }) => {
    const startedAt = performance.now();
    const { answer, headers } = await fetchData(ctx.services, ctx.em, { kind: 'key', key: ctx.apiKey }, input, { endpoint: 'trpc:data.fetch', startedAt, signal });
    for (const [name, value] of Object.entries(headers)) ctx.setHeader(name, value);
    ctx.setHeader('X-Response-Time', `${(performance.now() - startedAt).toFixed(1)}ms`);
    return answer;
  }),
};

export const dataRouter = router(dataProcedures);
