import type { Logger } from 'pino';
import type { DataAnswer, DataQuery, SourceInfo, SourceItem, SourceName, SourceReport, SourceStatus } from '../../shared/data.ts';
import type { Orm } from '../db/orm.ts';
import { ArxivSource } from './arxiv.ts';
import { AnswerCache, type CachedAnswer } from './cache.ts';
import type { SourcesConfig } from './config.ts';
import { fuse } from './fusion.ts';
import { isoSeconds, SourceError, UpstreamClient } from './http.ts';
import { KbSource } from './kb.ts';
import { NewsSource } from './news.ts';
import { Backoff, Spacer, type Clock } from './politeness.ts';
import type { Source } from './source.ts';
import { WeatherSource } from './weather.ts';
import { WikiSource } from './wiki.ts';

export interface SourceServiceDeps {
  config: SourcesConfig;
  logger: Logger;
  orm: Orm;
  /** Wall clock in ms, for backoff deadlines and cache expiry; tests move it. */
  now?: () => number;
  /** Monotonic clock for spacing out calls to an upstream; tests pass a manual one. */
  clock?: Clock;
  /** Replace built-in sources by name (tests, or a self-hoster's own source). */
  sources?: readonly Source[];
}

class TimeoutSignal {
  readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  constructor(ms: number) {
    this.timer = setTimeout(() => this.controller.abort(new DOMException(`timed out after ${ms} ms`, 'TimeoutError')), ms);
  }
  get signal(): AbortSignal {
    return this.controller.signal;
  }
  clear(): void {
    clearTimeout(this.timer);
  }
}

/** Settles with `promise`, or rejects with the signal's reason as soon as it aborts, whichever comes first. */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e as Error);
      },
    );
  });
}

const isTimeoutReason = (reason: unknown) => reason instanceof DOMException && reason.name === 'TimeoutError';

/**
 * Answers a data query from the requested sources, in parallel. Each source
 * runs under its own timeout (and the caller's signal), behind the answer
 * cache and the upstream backoff; whatever happens to one source becomes its
 * report's status, so `answer` never rejects because of a source. The
 * results are then merged by reciprocal rank fusion (./fusion.ts).
 */
export class SourceService {
  private readonly config: SourcesConfig;
  private readonly logger: Logger;
  private readonly backoff: Backoff;
  private readonly cache: AnswerCache;
  private readonly sources = new Map<SourceName, Source>();
  private readonly inflight = new Set<AbortController>();

  constructor(deps: SourceServiceDeps) {
    this.config = deps.config;
    this.logger = deps.logger.child({ component: 'sources' });
    const now = deps.now ?? Date.now;
    this.backoff = new Backoff({ now, defaultMs: deps.config.politeness.defaultBackoffMs, maxMs: deps.config.politeness.maxBackoffMs });
    this.cache = new AnswerCache({ ...deps.config.cache, ...(deps.now ? { now: deps.now } : {}) });
    const http = new UpstreamClient({ userAgent: deps.config.politeness.userAgent, backoff: this.backoff, logger: this.logger, spacer: new Spacer(deps.clock) });
    const builtIn: Source[] = [
      new WikiSource({ http, config: deps.config }),
      new ArxivSource({ http, config: deps.config }),
      new NewsSource({ http, config: deps.config }),
      new WeatherSource({ http, config: deps.config }),
      new KbSource({ orm: deps.orm }),
    ];
    for (const source of [...builtIn, ...(deps.sources ?? [])]) this.sources.set(source.name, source);
    if (!deps.config.politeness.contactUrl) {
      this.logger.info('SOURCE_CONTACT_URL is not set; upstream APIs ask for a contact in the User-Agent, so set it to your site or an email (mailto:)');
    }
  }

  async answer(query: DataQuery, opts: { signal?: AbortSignal } = {}): Promise<DataAnswer> {
    const started = performance.now();
    const text = query.query.replace(/\s+/g, ' ').trim();
    const reports = await Promise.all(query.sources.map((name) => this.report(name, text, query.limit, opts.signal)));
    const sources: Partial<Record<SourceName, SourceReport>> = {};
    for (const r of reports) sources[r.source] = r;
    const answer: DataAnswer = {
      query: query.query,
      sources,
      merged: fuse(reports.map((r) => ({ source: r.source, items: r.items }))),
      cachedSources: reports.filter((r) => r.cached).map((r) => r.source),
      tookMs: Math.round(performance.now() - started),
    };
    this.logger.debug(
      { tookMs: answer.tookMs, statuses: Object.fromEntries(reports.map((r) => [r.source, r.cached ? `${r.status} (cached)` : r.status])) },
      'data answer',
    );
    return answer;
  }

  private async report(name: SourceName, query: string, limit: number, callerSignal: AbortSignal | undefined): Promise<SourceReport> {
    const started = performance.now();
    const done = (status: SourceStatus, fields: { items?: SourceItem[]; error?: string; message?: string | null; cached?: boolean } = {}): SourceReport => {
      const items = fields.items ?? [];
      return {
        source: name,
        status,
        tookMs: Math.round(performance.now() - started),
        count: items.length,
        cached: fields.cached ?? false,
        error: fields.error ?? null,
        message: fields.message ?? null,
        items,
      };
    };
    const settings = this.config.perSource[name];
    const source = this.sources.get(name);
    if (!settings.enabled || !source) return done('skipped', { error: 'This source is disabled on this server.' });

    const key = AnswerCache.key(name, source.variant, query, { limit });
    const hit = this.cache.get(key);
    if (hit) return done(hit.status, { items: hit.items, message: hit.message, cached: true });

    const blocked = this.backoff.active(source.upstreams);
    if (blocked) {
      const label = this.config.upstreams[blocked.upstream].label;
      return done('skipped', { error: `${label} asked Harmonic to slow down (${blocked.reason}); this source is skipped until ${isoSeconds(blocked.until)}.` });
    }
    if (callerSignal?.aborted) return this.abortedReport(done, callerSignal);

    const timeout = new TimeoutSignal(settings.timeoutMs);
    const signal = callerSignal ? AbortSignal.any([callerSignal, timeout.signal]) : timeout.signal;
    this.inflight.add(timeout.controller);
    try {
      const result = await raceAbort(source.fetch(query, { limit }, signal), signal);
      const items = result.items.slice(0, limit);
      const answer: CachedAnswer = { status: items.length ? 'ok' : 'empty', items, message: result.message ?? null };
      this.cache.set(key, answer, settings.cacheTtlMs);
      return done(answer.status, { items, message: answer.message });
    } catch (err) {
      let report: SourceReport;
      if (timeout.signal.aborted && isTimeoutReason(timeout.signal.reason)) {
        report = done('timeout', { error: `No answer within ${settings.timeoutMs} ms.` });
      } else if (callerSignal?.aborted) {
        report = this.abortedReport(done, callerSignal);
      } else if (timeout.signal.aborted) {
        report = done('error', { error: 'Harmonic is shutting down; the source call was stopped.' });
      } else if (err instanceof SourceError) {
        report = done('error', { error: err.message });
      } else {
        this.logger.error({ err, source: name }, 'source failed unexpectedly');
        report = done('error', { error: 'The source failed unexpectedly; the error has been logged.' });
      }
      this.logger.warn({ source: name, status: report.status, tookMs: report.tookMs, error: report.error }, 'source did not answer');
      return report;
    } finally {
      timeout.clear();
      this.inflight.delete(timeout.controller);
    }
  }

  /** The caller gave up (client gone, or its own deadline): a deadline reads as a timeout, anything else as cancelled. */
  private abortedReport(done: (status: SourceStatus, fields: { error: string }) => SourceReport, signal: AbortSignal): SourceReport {
    return isTimeoutReason(signal.reason)
      ? done('timeout', { error: 'The request deadline passed before this source answered.' })
      : done('error', { error: 'The request was cancelled before this source answered.' });
  }

  /** Forgets cached answers of one source (e.g. after knowledge-base edits on this instance), or of all. */
  invalidate(source?: SourceName): void {
    this.cache.clear(source);
  }

  describeSources(): SourceInfo[] {
    return [...this.sources.values()].map((s) => {
      const settings = this.config.perSource[s.name];
      const blocked = this.backoff.active(s.upstreams);
      return {
        name: s.name,
        enabled: settings.enabled,
        upstreams: [...s.upstreams],
        timeoutMs: settings.timeoutMs,
        cacheTtlSeconds: Math.round(settings.cacheTtlMs / 1000),
        skippedUntil: blocked ? new Date(blocked.until).toISOString() : null,
      };
    });
  }

  /** Stops calls still in flight (they report an error) and drops the cache and backoff state. */
  async close(): Promise<void> {
    for (const controller of this.inflight) controller.abort(new DOMException('source service closed', 'AbortError'));
    this.inflight.clear();
    this.cache.clear();
    this.backoff.clear();
  }
}
