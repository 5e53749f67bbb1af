import type { SourceItem, SourceName } from '../../shared/data.ts';
import type { UpstreamName } from './config.ts';

export interface SourceOptions {
  /** Results wanted from this source, 1–20. */
  limit: number;
}

export interface SourceResult {
  /** Best first. No items means the source is `empty`. */
  items: SourceItem[];
  /** A note for people, e.g. why nothing was found. */
  message?: string;
}

/**
 * One data source. The service owns everything around the call (timeout,
 * cache, backoff, status, timing); a source only turns a query into items, and
 * throws SourceError with a readable message when it cannot.
 */
export interface Source {
  readonly name: SourceName;
  /** The upstreams it calls: while any of them asked us to back off, the source is skipped. */
  readonly upstreams: readonly UpstreamName[];
  /** Settings beyond (query, options) that change its answers (provider, language…); part of the cache key. */
  readonly variant: string;
  /** `query` is trimmed with whitespace collapsed. Must stop promptly when `signal` aborts. */
  fetch(query: string, options: SourceOptions, signal: AbortSignal): Promise<SourceResult>;
}
