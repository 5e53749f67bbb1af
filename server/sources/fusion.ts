import type { MergedItem, SourceItem, SourceName } from '../../shared/data.ts';

/**
 * Reciprocal rank fusion (Cormack, Clarke & Büttcher, SIGIR 2009): an item's
 * score is the sum over the sources that returned it of 1 / (k + rank), rank
 * counted from 1. It needs no comparable scores across sources (ts_rank,
 * Algolia and arXiv relevance are on unrelated scales), rewards agreement
 * between sources, and k = 60 keeps any single first place from dominating.
 */
export const RRF_K = 60;

const ABSOLUTE = /^\s*[a-z][a-z\d+.-]*:/i;

/** Query parameters that only track where a click came from; they never change the page. */
const TRACKING_PARAM = /^(utm_[a-z]+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|ref_src)$/i;

/**
 * The form of a URL under which two results count as the same page: http and
 * https alike, host case and a leading `www.`/`m.` ignored, no fragment, no
 * tracking parameters, parameters sorted, no trailing slash, and arXiv
 * abstract versions (`/abs/2202.12139v1`) folded into the paper.
 * Relative URLs (knowledge-base entries) are compared as they are.
 */
export function normaliseUrl(raw: string): string {
  // Relative URLs are common (every knowledge-base item): skip the parser, whose exception is costly on a hot path.
  if (!ABSOLUTE.test(raw)) return raw.trim();
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return raw.trim();
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return url.href;
  const host = url.hostname.toLowerCase().replace(/^(www|m)\./, '').replace(/\.m\.(wikipedia\.org)$/, '.$1');
  const params = [...url.searchParams].filter(([k]) => !TRACKING_PARAM.test(k)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  let path = url.pathname.replace(/\/+$/, '') || '/';
  if (host === 'arxiv.org' || host === 'export.arxiv.org') path = path.replace(/^\/(abs|pdf)\/(.+?)(v\d+)?(\.pdf)?$/, '/abs/$2');
  const port = url.port ? `:${url.port}` : '';
  const query = params.length ? `?${new URLSearchParams(params).toString()}` : '';
  return `https://${host}${port}${path}${query}`;
}

interface Entry {
  item: SourceItem;
  score: number;
  bestRank: number;
  /** Position of the best-ranked source in the request, to break ties the same way every time. */
  sourceOrder: number;
  foundIn: SourceName[];
  firstSeen: number;
}

/**
 * Merges per-source rankings (in the order the sources were asked for) into
 * one list, best first. The item kept for a URL found by several sources is the
 * one from the source that ranked it highest (the earlier source on a tie).
 * Ties in score go to the better single rank, then the earlier source.
 */
export function fuse(rankings: readonly { source: SourceName; items: readonly SourceItem[] }[], k = RRF_K): MergedItem[] {
  const byUrl = new Map<string, Entry>();
  let seen = 0;
  rankings.forEach(({ source, items }, sourceOrder) => {
    items.forEach((item, index) => {
      const rank = index + 1;
      const key = normaliseUrl(item.url);
      const entry = byUrl.get(key);
      if (!entry) {
        byUrl.set(key, { item, score: 1 / (k + rank), bestRank: rank, sourceOrder, foundIn: [source], firstSeen: seen++ });
        return;
      }
      // A source listing the same URL twice counts once, at its better rank.
      if (entry.foundIn.includes(source)) return;
      entry.score += 1 / (k + rank);
      entry.foundIn.push(source);
      if (rank < entry.bestRank) {
        entry.item = item;
        entry.bestRank = rank;
        entry.sourceOrder = sourceOrder;
      }
    });
  });
  return [...byUrl.values()]
    // Compared at 1e-9 so that float summation order cannot break a tie one way or the other.
    .sort((a, b) => Math.round((b.score - a.score) * 1e9) || a.bestRank - b.bestRank || a.sourceOrder - b.sourceOrder || a.firstSeen - b.firstSeen)
    .map((e) => ({ ...e.item, score: Math.round(e.score * 1e6) / 1e6, foundIn: e.foundIn }));
}
