import type { EntityManager } from '@mikro-orm/postgresql';
import type { DataAnswer, DataQuery } from '../shared/data.ts';
import { trackedUsage, type TrackedUsage, type TrackUsageOutput } from '../shared/usage.ts';
import type { VerifiedKey } from './keys/cache.ts';
import type { Services } from './services.ts';
import { quotaHeaders } from './usage/admission/headers.ts';
import type { Subject } from './usage/service.ts';

/**
 * The metered calls, one function each, that the REST routes and the tRPC
 * procedures both make: the same admission, the same ledger row and the same
 * answer, whichever transport asked. Each returns the rate-limit headers for
 * the transport to set.
 */
export interface Metered<T> {
  answer: T;
  headers: Record<string, string>;
}

/** Where a call came from, as the ledger records it, and when it arrived (performance.now()). */
export interface CallSite {
  endpoint: string;
  startedAt: number;
}

/** A data query, admitted against the caller's quota and answered from the requested sources. */
export async function fetchData(
  services: Pick<Services, 'usage' | 'sources' | 'metrics'>,
  em: EntityManager,
  subject: Subject,
  query: DataQuery,
  site: CallSite & { signal?: AbortSignal | undefined },
): Promise<Metered<DataAnswer>> {
  const { result, admission } = await services.usage.meter(
    em,
    subject,
    { endpoint: site.endpoint, method: 'POST', sources: query.sources, startedAt: site.startedAt },
    () => services.sources.answer(query, site.signal ? { signal: site.signal } : {}),
  );
  services.metrics.observeAnswer(result);
  return { answer: result, headers: quotaHeaders(admission) };
}

/** Work done elsewhere, counted against the quota exactly like a call. */
export async function trackUsage(
  services: Pick<Services, 'usage'>,
  em: EntityManager,
  key: VerifiedKey,
  input: TrackUsageOutput,
  startedAt: number,
): Promise<Metered<TrackedUsage>> {
  const { admission } = await services.usage.meter(
    em,
    { kind: 'key', key },
    { endpoint: input.endpoint, method: 'TRACK', sources: input.source ? [input.source] : [], units: input.units, startedAt },
    async () => undefined,
  );
  return { answer: trackedUsage(input.units, admission), headers: quotaHeaders(admission) };
}
