import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { KeyedRouter } from '../../server/routers/keyed.ts';

export type { KeyedRouter };
export { TRPCClientError };

// Named from the router itself, so they are exactly what the server accepts and answers.
type Inputs = inferRouterInputs<KeyedRouter>;
type Outputs = inferRouterOutputs<KeyedRouter>;
export type DataQueryInput = Inputs['data']['fetch'];
export type DataAnswer = Outputs['data']['fetch'];
export type SourceName = Outputs['data']['sources']['sources'][number];
export type SourceReport = NonNullable<DataAnswer['sources'][SourceName]>;
export type KeySummary = Outputs['keys']['list'][number];
export type CreatedKey = Outputs['keys']['create'];
export type QuotaState = Outputs['usage']['current'];
export type UsageAnalytics = Outputs['usage']['analytics'];

/** The quota numbers of the last metered response, read from its headers. */
export interface RateLimit {
  /** null = unlimited */
  limit: number | null;
  used: number;
  remaining: number | null;
  resetAt: string;
  userId: string;
  demo: boolean;
}

export interface HarmonicClientOptions {
  /** Where Harmonic runs, e.g. `https://api.example.com` or `http://localhost:3000`. */
  baseUrl: string;
  /** `hm_…`; sent as `X-API-Key` on every call. */
  apiKey: string;
  /** Called after every metered call with its rate-limit headers. */
  onRateLimit?: (rateLimit: RateLimit) => void;
  /** A custom fetch (for proxies, retries or tests). */
  fetch?: typeof fetch;
}

function readRateLimit(headers: Headers): RateLimit | undefined {
  const limit = headers.get('x-ratelimit-limit');
  const used = headers.get('x-ratelimit-used');
  if (limit === null || used === null) return undefined;
  const remaining = headers.get('x-ratelimit-remaining');
  return {
    limit: limit === 'unlimited' ? null : Number(limit),
    used: Number(used),
    remaining: remaining === null || remaining === 'unlimited' ? null : Number(remaining),
    resetAt: headers.get('x-ratelimit-reset') ?? '',
    userId: headers.get('x-user-id') ?? '',
    demo: headers.get('x-demo-mode') === 'true',
  };
}

/**
 * A fully typed client for TypeScript apps: every procedure an API key may
 * call, with its input and result, inferred from the server's KeyedRouter.
 *
 *   const harmonic = createHarmonicClient({ baseUrl: 'http://localhost:3000', apiKey: process.env.HARMONIC_KEY! });
 *   const answer = await harmonic.data.fetch.mutate({ query: 'rate limiting', sources: ['kb', 'wiki'] });
 *
 * Calls are not batched, so each metered call has its own rate-limit headers.
 */
export function createHarmonicClient(options: HarmonicClientOptions) {
  const baseFetch = options.fetch ?? globalThis.fetch;
  return createTRPCClient<KeyedRouter>({
    links: [
      httpLink({
        url: `${options.baseUrl.replace(/\/+$/, '')}/trpc`,
        headers: () => ({ 'X-API-Key': options.apiKey }),
        fetch: async (input, init) => {
          const res = await baseFetch(input as RequestInfo, init as RequestInit);
          const rateLimit = readRateLimit(res.headers);
          if (rateLimit) options.onRateLimit?.(rateLimit);
          return res;
        },
      }),
    ],
  });
}

export type HarmonicClient = ReturnType<typeof createHarmonicClient>;
