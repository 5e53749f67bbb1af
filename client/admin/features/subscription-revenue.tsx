import { useQuery } from '@tanstack/react-query';
import type { Revenue } from '../../../shared/billing.ts';
import { Card, CardHeader } from '../../ui/components/card.tsx';
import { ErrorState, LoadingBlock } from '../../ui/components/feedback.tsx';
import { errorMessage } from '../../ui/lib/errors.ts';
import { formatMoney, formatNumber } from '../../ui/lib/format.ts';
import { useBillingStatus } from '../lib/billing.ts';
import { trpc } from '../lib/trpc.ts';
import { BillingOff } from './billing-off.tsx';

/**
 * The dashboard's revenue from live subscriptions (MRR) beside what the users'
 * tiers list at, as two labelled bars, and how the subscriptions stand.
 */
export function SubscriptionRevenueCard() {
  const { off, on, status } = useBillingStatus();
  const revenue = useQuery({ ...trpc.admin.billing.revenue.queryOptions(), enabled: on, refetchInterval: 60_000 });
  return (
    <Card aria-labelledby="mrr-heading">
      <CardHeader id="mrr-heading" title="Subscription revenue" description="Monthly recurring revenue from live Lemon Squeezy subscriptions, beside the list price of every user's tier" />
      {off ? (
        <div className="p-4">
          <BillingOff />
        </div>
      ) : status.isError ? (
        <ErrorState message={errorMessage(status.error)} onRetry={() => void status.refetch()} />
      ) : revenue.isError ? (
        <ErrorState message={errorMessage(revenue.error)} onRetry={() => void revenue.refetch()} />
      ) : !revenue.data ? (
        <LoadingBlock rows={4} label="Loading revenue" />
      ) : (
        <RevenueFigures revenue={revenue.data} />
      )}
    </Card>
  );
}

function money(cents: number, currency: string): string {
  if (currency === 'USD') return formatMoney(cents);
  try {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency, minimumFractionDigits: cents % 100 === 0 ? 0 : 2 }).format(cents / 100);
  } catch {
    return `${formatMoney(cents)} (${currency})`;
  }
}

function RevenueFigures({ revenue: r }: { revenue: Revenue }) {
  const max = Math.max(1, r.mrrCents, r.listPriceCents);
  const bars = [
    { label: 'MRR from live subscriptions', cents: r.mrrCents, color: 'bg-brand-500' },
    { label: 'List price of users’ tiers', cents: r.listPriceCents, color: 'bg-zinc-400' },
  ];
  const counts = [
    ['Live', r.liveSubscriptions],
    ['Trialing', r.trialing],
    ['Past due', r.pastDue],
    ['Cancelling', r.cancelling],
  ] as const;
  return (
    <div className="space-y-4 p-4">
      <ul aria-label="Monthly revenue" className="space-y-3">
        {bars.map((b) => (
          <li key={b.label}>
            <div className="flex items-baseline justify-between gap-3 text-sm">
              <span className="text-zinc-700">{b.label}</span>
              <span className="font-semibold tabular-nums text-zinc-900">{money(b.cents, r.currency)}</span>
            </div>
            <div className="mt-1 h-2 rounded-full bg-zinc-100" aria-hidden="true">
              <div className={`h-full rounded-full ${b.color}`} style={{ width: `${(b.cents / max) * 100}%` }} />
            </div>
          </li>
        ))}
      </ul>
      <dl aria-label="Subscriptions" className="grid grid-cols-2 gap-3 sm:grid-cols-4">
        {counts.map(([k, n]) => (
          <div key={k} className="rounded-lg border border-zinc-200 px-3 py-2">
            <dt className="text-xs font-medium uppercase tracking-wide text-zinc-500">{k}</dt>
            <dd className={`mt-0.5 text-lg font-semibold tabular-nums ${k === 'Past due' && n > 0 ? 'text-red-700' : 'text-zinc-900'}`}>{formatNumber(n)}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}
