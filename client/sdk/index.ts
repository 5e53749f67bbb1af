import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import type { AppRouter } from '../../server/routers/root.ts';

export type { AppRouter };
export { TRPCClientError };
export type { DataAnswer, DataQueryInput, SourceName, SourceReport } from '../../shared/data.ts';
export type { CreatedKey, KeySummary } from '../../shared/keys.ts';
export type { QuotaState, UsageAnalytics } from '../../shared/usage.ts';

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
 * A fully typed client for TypeScript apps: every procedure, input and result
 * is inferred from the server's AppRouter.
 *
 *   const harmonic = createHarmonicClient({ baseUrl: 'http://localhost:3000', apiKey: process.env.HARMONIC_KEY! });
 *   const answer = await harmonic.data.fetch.mutate({ query: 'rate limiting', sources: ['kb', 'wiki'] });
 *
 * Calls are not batched, so each metered call has its own rate-limit headers.
 */
export function createHarmonicClient(options: HarmonicClientOptions) {
  const baseFetch = options.fetch ?? globalThis.fetch;
  return createTRPCClient<AppRouter>({
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
