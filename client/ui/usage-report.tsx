import { useMemo, type ReactNode } from 'react';
import type { RefusedCounts, UsageAnalytics } from '../../shared/usage.ts';
import { BreakdownList, StackedDailyChart } from './charts.tsx';
import { Card, CardHeader, StatCard } from './components/card.tsx';
import { EmptyState, LoadingBlock, Skeleton } from './components/feedback.tsx';
import { formatMs, formatNumber } from './lib/format.ts';

const BREAKDOWNS = [
  ['By source', 'bySource'],
  ['By endpoint', 'byEndpoint'],
  ['By status', 'byStatus'],
] as const;

/** Refused calls by reason, as a card's hint: "12 usage exceeded · 3 suspended · 1 key invalid". */
export function refusedHint(r: RefusedCounts): string {
  const parts = [
    [r.overQuota, 'usage exceeded'],
    [r.suspended, 'suspended'],
    [r.keyInvalid, 'key invalid'],
  ] as const;
  const shown = parts.filter(([n]) => n > 0).map(([n, what]) => `${formatNumber(n)} ${what}`);
  return shown.length ? shown.join(' · ') : 'None refused';
}

/**
 * One user's usage over `days` days, as the admin's user page and the customer's
 * overview both show it: totals and latency, calls refused (over quota, suspended,
 * revoked or expired key), requests per day (successes, errors and refused), and
 * the breakdowns by source, endpoint and status. Skeletons while `usage` loads;
 * `empty` when there were no calls at all.
 */
export function UsageReport({ usage, days, empty }: { usage: UsageAnalytics | undefined; days: number; empty: ReactNode }) {
  const chart = useMemo(() => {
    const refused = new Map(usage?.refused.daily.map((d) => [d.date, d.overQuota + d.suspended + d.keyInvalid]));
    return usage?.daily.map((d) => ({ date: d.date, ok: d.requests - d.errors, errors: d.errors, refused: refused.get(d.date) ?? 0 })) ?? [];
  }, [usage]);
  return (
    <>
      <div className="grid grid-cols-2 gap-3 lg:grid-cols-3 xl:grid-cols-6">
        <StatCard label={`Requests (${days} d)`} value={usage ? formatNumber(usage.totals.requests) : '…'} hint="Admitted, in the quota" />
        <StatCard label="Errors" value={usage ? formatNumber(usage.totals.errors) : '…'} tone={usage && usage.totals.errors > 0 ? 'warn' : 'default'} />
        <StatCard label="Usage exceeded" value={usage ? formatNumber(usage.refused.overQuota) : '…'} hint="429: over quota" tone={usage && usage.refused.overQuota > 0 ? 'bad' : 'default'} />
        <StatCard label="Refused" value={usage ? formatNumber(usage.refused.total) : '…'} hint={usage ? refusedHint(usage.refused) : undefined} tone={usage && usage.refused.total > 0 ? 'warn' : 'default'} />
        <StatCard label="Average latency" value={usage ? formatMs(usage.avgResponseMs) : '…'} />
        <StatCard label="p95 latency" value={usage ? formatMs(usage.p95ResponseMs) : '…'} />
      </div>
      <Card aria-labelledby="usage-chart">
        <CardHeader id="usage-chart" title="Requests per day" description={`Last ${days} days (UTC)`} />
        <div className="px-2 py-4 sm:px-4">
          {!usage ? (
            <Skeleton className="h-[240px] w-full" />
          ) : usage.totals.requests === 0 && usage.refused.total === 0 ? (
            <EmptyState title={`No requests in the last ${days} days`}>{empty}</EmptyState>
          ) : (
            <StackedDailyChart
              height={240}
              data={chart}
              series={[
                { key: 'ok', label: 'Success', color: '#6366f1' },
                { key: 'errors', label: 'Errors', color: '#ef4444' },
                { key: 'refused', label: 'Refused', color: '#f59e0b' },
              ]}
              summary={`${formatNumber(usage.totals.requests)} requests in ${days} days, ${formatNumber(usage.totals.errors)} errors, ${formatNumber(usage.refused.total)} refused (${formatNumber(usage.refused.overQuota)} usage exceeded).`}
            />
          )}
        </div>
      </Card>
      <div className="grid grid-cols-1 gap-6 md:grid-cols-3">
        {BREAKDOWNS.map(([title, key]) => (
          <Card key={key} aria-label={`Requests ${title.toLowerCase()}`}>
            <CardHeader title={title} />
            {usage ? <BreakdownList items={usage[key]} label={`Requests ${title.toLowerCase()}`} /> : <LoadingBlock rows={3} />}
          </Card>
        ))}
      </div>
    </>
  );
}
