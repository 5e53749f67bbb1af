import { useQuery } from '@tanstack/react-query';
import { createLazyRoute, Link } from '@tanstack/react-router';
import { useMemo } from 'react';
import { BreakdownList, sourceSeries, STATUS_SERIES, StackedDailyChart } from '../../ui/charts.tsx';
import { QuotaBar } from '../../ui/quota-bar.tsx';
import { Badge, Card, CardHeader, PageHeader, StatCard } from '../../ui/components/card.tsx';
import { EmptyState, ErrorState, LoadingBlock, Skeleton } from '../../ui/components/feedback.tsx';
import { Segmented } from '../../ui/components/segmented.tsx';
import { TBody, THead, Table, Td, Th } from '../../ui/components/table.tsx';
import { errorMessage } from '../../ui/lib/errors.ts';
import { formatMoney, formatMs, formatNumber, formatPercent, formatPrice } from '../../ui/lib/format.ts';
import { AlertFeedCard } from '../features/alert-feed.tsx';
import { SubscriptionRevenueCard } from '../features/subscription-revenue.tsx';
import { refusedHint } from '../../ui/usage-report.tsx';
import { trpc } from '../lib/trpc.ts';

export const Route = createLazyRoute('/_app/')({ component: DashboardPage });

const DAYS = 30;

/** By status, refused calls (never admitted, so not in the ledger's counts) stacked on top. */
const STATUS_AND_REFUSED_SERIES = [...STATUS_SERIES, { key: 'refused', label: 'Refused (429/403/401)', color: '#a855f7' }];

function DashboardPage() {
  const { chart } = Route.useSearch();
  const navigate = Route.useNavigate();
  const overview = useQuery({ ...trpc.admin.analytics.overview.queryOptions({ days: DAYS }), refetchInterval: 30_000 });
  const o = overview.data;

  const chartData = useMemo(() => {
    const refused = new Map(o?.refused.daily.map((d) => [d.date, d.overQuota + d.suspended + d.keyInvalid]));
    return o ? o.daily.map((d) => ({ date: d.date, ok: d.ok, clientErrors: d.clientErrors, serverErrors: d.serverErrors, refused: refused.get(d.date) ?? 0, ...d.bySource })) : [];
  }, [o]);
  const sources = useMemo(() => sourceSeries(o ? o.daily.flatMap((d) => Object.keys(d.bySource)) : []), [o]);
  const totalBySource = useMemo(() => {
    const totals = new Map<string, number>();
    for (const d of o?.daily ?? []) for (const [k, v] of Object.entries(d.bySource)) totals.set(k, (totals.get(k) ?? 0) + v);
    return [...totals].map(([key, requests]) => ({ key, requests })).sort((a, b) => b.requests - a.requests);
  }, [o]);

  return (
    <>
      <PageHeader title="Dashboard" description={`Traffic, errors and quotas across every user. Charts cover the last ${DAYS} days (UTC).`} />
      {overview.isError ? (
        <Card>
          <ErrorState message={errorMessage(overview.error)} onRetry={() => void overview.refetch()} />
        </Card>
      ) : (
        <div className="space-y-6">
          <div className="grid grid-cols-2 gap-3 lg:grid-cols-3 xl:grid-cols-6">
            {o ? (
              <>
                <StatCard label="Requests today" value={formatNumber(o.requestsToday)} />
                <StatCard label="This month" value={formatNumber(o.requestsThisMonth)} />
                <StatCard label="Active keys" value={formatNumber(o.activeKeys)} hint={`${formatNumber(o.users)} users`} />
                <StatCard label="Error rate" value={formatPercent(o.errorRate)} hint={`${formatNumber(o.errors)} of ${formatNumber(o.requests)} in ${DAYS} days`} tone={o.errorRate > 0.05 ? 'bad' : o.errorRate > 0.01 ? 'warn' : 'default'} />
                <StatCard label="p95 latency" value={formatMs(o.p95Ms)} hint={`p50 ${formatMs(o.p50Ms)}`} />
                <StatCard label={`Refused (${DAYS} d)`} value={formatNumber(o.refused.total)} hint={refusedHint(o.refused)} tone={o.refused.total > 0 ? 'warn' : 'default'} />
              </>
            ) : (
              Array.from({ length: 6 }, (_, i) => (
                <Card as="div" key={i} className="space-y-2 px-4 py-3.5">
                  <Skeleton className="h-3 w-20" />
                  <Skeleton className="h-7 w-16" />
                </Card>
              ))
            )}
          </div>

          <Card aria-labelledby="requests-chart">
            <CardHeader
              id="requests-chart"
              title="Requests per day"
              description={chart === 'status' ? 'Stacked by response status' : 'Stacked by source'}
              actions={
                <Segmented
                  label="Stack the chart by"
                  value={chart}
                  onChange={(v) => void navigate({ search: (s) => ({ ...s, chart: v }), replace: true })}
                  options={[
                    { value: 'status', label: 'By status' },
                    { value: 'source', label: 'By source' },
                  ]}
                />
              }
            />
            <div className="px-2 py-4 sm:px-4">
              {!o ? (
                <Skeleton className="h-[260px] w-full" />
              ) : o.requests === 0 && o.refused.total === 0 ? (
                <EmptyState title="No requests in the last 30 days">Calls to the API show up here within a second. Try one from the <Link to="/playground" className="font-medium text-brand-600 underline">playground</Link>.</EmptyState>
              ) : chart === 'status' ? (
                <StackedDailyChart
                  data={chartData}
                  series={STATUS_AND_REFUSED_SERIES}
                  summary={`Requests per day for ${DAYS} days by status: ${formatNumber(o.requests)} in total, ${formatNumber(o.errors)} errors, and ${formatNumber(o.refused.total)} refused (${formatNumber(o.refused.overQuota)} usage exceeded).`}
                />
              ) : (
                <StackedDailyChart data={chartData} series={sources} summary={`Requests per day for ${DAYS} days by source: ${totalBySource.map((s) => `${s.key} ${s.requests}`).join(', ')}.`} />
              )}
            </div>
          </Card>

          <div className="grid grid-cols-1 gap-6 lg:grid-cols-2">
            <Card aria-labelledby="near-quota">
              <CardHeader id="near-quota" title="Near or over quota" description="Users at 80 % or more of this month's quota" />
              {!o ? (
                <LoadingBlock rows={4} />
              ) : o.nearQuota.length === 0 ? (
                <EmptyState title="Everyone is comfortably within quota" />
              ) : (
                <ul className="divide-y divide-zinc-100">
                  {o.nearQuota.map((u) => (
                    <li key={u.userId} className="px-4 py-3">
                      <div className="mb-1.5 flex items-center justify-between gap-3">
                        <Link to="/users/$userId" params={{ userId: u.userId }} className="truncate font-medium text-zinc-900 hover:text-brand-700 hover:underline">
                          {u.email}
                        </Link>
                        <span className="shrink-0 text-xs tabular-nums text-zinc-600">
                          {formatNumber(u.used)} / {formatNumber(u.quota)} · {u.tier}
                          {u.used >= u.quota && (
                            <Badge tone="red" className="ml-2">
                              Over
                            </Badge>
                          )}
                        </span>
                      </div>
                      <QuotaBar used={u.used} limit={u.quota} compact />
                    </li>
                  ))}
                </ul>
              )}
            </Card>
            <AlertFeedCard limit={10} />
          </div>

          <div className="grid grid-cols-1 gap-6 lg:grid-cols-2">
            <Card aria-labelledby="top-users">
              <CardHeader id="top-users" title="Top users" description={`Most requests in the last ${DAYS} days`} />
              {!o ? (
                <LoadingBlock rows={4} />
              ) : o.topUsers.length === 0 ? (
                <EmptyState title="No keyed traffic yet" />
              ) : (
                <Table label="Top users">
                  <THead>
                    <tr>
                      <Th>User</Th>
                      <Th>Tier</Th>
                      <Th className="text-right">Requests</Th>
                    </tr>
                  </THead>
                  <TBody>
                    {o.topUsers.map((u) => (
                      <tr key={u.userId}>
                        <Td>
                          <Link to="/users/$userId" params={{ userId: u.userId }} className="font-medium text-zinc-900 hover:text-brand-700 hover:underline">
                            {u.email}
                          </Link>
                        </Td>
                        <Td>
                          <Badge>{u.tier}</Badge>
                        </Td>
                        <Td className="text-right tabular-nums">{formatNumber(u.requests)}</Td>
                      </tr>
                    ))}
                  </TBody>
                </Table>
              )}
            </Card>
            <Card aria-labelledby="by-source">
              <CardHeader id="by-source" title="Requests by source" description={`Last ${DAYS} days`} />
              {o ? <BreakdownList items={totalBySource} label="Requests by source" /> : <LoadingBlock rows={4} />}
            </Card>
          </div>

          <Card aria-labelledby="revenue">
            <CardHeader id="revenue" title="Revenue by tier" description={o ? `${formatMoney(o.monthlyRevenueCents)} a month from paying users` : 'Paying users × price'} />
            {!o ? (
              <LoadingBlock rows={4} />
            ) : (
              <Table label="Revenue by tier">
                <THead>
                  <tr>
                    <Th>Tier</Th>
                    <Th className="text-right">Users</Th>
                    <Th className="text-right">Price</Th>
                    <Th className="text-right">Monthly</Th>
                  </tr>
                </THead>
                <TBody>
                  {o.revenue.map((r) => (
                    <tr key={r.tierId}>
                      <Td className="font-medium">{r.tier}</Td>
                      <Td className="text-right tabular-nums">{formatNumber(r.users)}</Td>
                      <Td className="text-right">{formatPrice(r.priceCents)}</Td>
                      <Td className="text-right tabular-nums">{r.monthlyRevenueCents === null ? 'Custom' : formatMoney(r.monthlyRevenueCents)}</Td>
                    </tr>
                  ))}
                </TBody>
              </Table>
            )}
          </Card>

          <SubscriptionRevenueCard />
        </div>
      )}
    </>
  );
}
