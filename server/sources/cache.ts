import { LRUCache } from 'lru-cache';
import type { SourceItem, SourceName } from '../../shared/data.ts';

/** What is worth keeping of a source's answer: only successes, never errors or timeouts. */
export interface CachedAnswer {
  status: 'ok' | 'empty';
  items: SourceItem[];
  message: string | null;
}

/**
 * The form of a query that decides whether two queries are "the same":
 * Unicode-normalised, case-folded, whitespace collapsed. Every source is
 * case-insensitive, so "Weather in London" and "weather in  london" share an entry.
 */
export function normaliseQuery(query: string): string {
  return query.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

/**
 * Answers per (source, variant, normalised query, options), each with its
 * source's TTL, bounded by entry count and by approximate size in bytes.
 */
export class AnswerCache {
  private readonly lru: LRUCache<string, CachedAnswer> | undefined;

  constructor(opts: { maxEntries: number; maxBytes: number; now?: () => number }) {
    this.lru =
      opts.maxEntries > 0
        ? new LRUCache<string, CachedAnswer>({
            max: opts.maxEntries,
            maxSize: opts.maxBytes,
            // JSON length is what the answer costs to hold and to send; close enough as a size.
            sizeCalculation: (value) => Math.max(1, JSON.stringify(value).length),
            ...(opts.now ? { perf: { now: opts.now }, ttlResolution: 0 } : {}),
          })
        : undefined;
  }

  static key(source: SourceName, variant: string, query: string, options: Record<string, string | number>): string {
    const opts = Object.keys(options)
      .sort()
      .map((k) => `${k}=${options[k]}`)
      .join('&');
    return `${source}|${variant}|${opts}|${normaliseQuery(query)}`;
  }

  get(key: string): CachedAnswer | undefined {
    return this.lru?.get(key);
  }

  set(key: string, answer: CachedAnswer, ttlMs: number): void {
    if (ttlMs > 0) this.lru?.set(key, answer, { ttl: ttlMs });
  }

  /** Drops every entry of one source (e.g. after the knowledge base changed), or all. */
  clear(source?: SourceName): void {
    if (!this.lru) return;
    if (!source) return this.lru.clear();
    for (const key of [...this.lru.keys()]) if (key.startsWith(`${source}|`)) this.lru.delete(key);
  }

  get size(): number {
    return this.lru?.size ?? 0;
  }
}
