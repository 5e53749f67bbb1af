import type { Logger } from 'pino';
import type { DataAnswer, DataQuery, SourceName, SourceReport } from '../../shared/data.ts';
import type { Orm } from '../db/orm.ts';
import type { SourcesConfig } from './config.ts';

export interface SourceServiceDeps {
  config: SourcesConfig;
  logger: Logger;
  orm: Orm;
}

/**
 * Answers a data query from the requested sources. This first version answers
 * from the internal knowledge base only; the upstream sources report `skipped`.
 */
export class SourceService {
  private readonly deps: SourceServiceDeps;
  constructor(deps: SourceServiceDeps) {
    this.deps = deps;
  }

  async answer(query: DataQuery, _opts: { signal?: AbortSignal } = {}): Promise<DataAnswer> {
    const started = performance.now();
    const reports = await Promise.all(query.sources.map((s) => this.report(s, query)));
    const sources: Partial<Record<SourceName, SourceReport>> = {};
    for (const r of reports) sources[r.source] = r;
    return {
      query: query.query,
      sources,
      merged: reports.flatMap((r) => r.items.map((item, i) => ({ ...item, score: 1 / (60 + i + 1), foundIn: [r.source] }))),
      cachedSources: [],
      tookMs: Math.round(performance.now() - started),
    };
  }

  private async report(source: SourceName, query: DataQuery): Promise<SourceReport> {
    const started = performance.now();
    if (source !== 'kb') {
      return { source, status: 'skipped', tookMs: 0, count: 0, cached: false, error: 'This source is not enabled', items: [] };
    }
    const pool = await this.deps.orm.em.getConnection().getNativeClient();
    const { rows } = await pool.query<{ id: string; title: string; snippet: string; updated_at: Date }>(
      `select id, title, left(body, 280) as snippet, updated_at
         from kb_entries, websearch_to_tsquery('english', $1) q
        where search @@ q
        order by ts_rank(search, q) desc
        limit $2`,
      [query.query, query.limit],
    );
    const items = rows.map((r) => ({
      title: r.title,
      snippet: r.snippet,
      url: `/kb/${r.id}`,
      source: 'kb' as const,
      publishedAt: null,
      updatedAt: r.updated_at.toISOString(),
    }));
    return {
      source,
      status: items.length ? 'ok' : 'empty',
      tookMs: Math.round(performance.now() - started),
      count: items.length,
      cached: false,
      error: null,
      items,
    };
  }

  async close(): Promise<void> {}
}
