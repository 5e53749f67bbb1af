import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import type { SubscriptionView } from '../../../shared/billing.ts';
import { InvoicesTable, SubscriptionStatusLine } from '../../ui/billing.tsx';
import { Badge, Card, CardHeader } from '../../ui/components/card.tsx';
import { EmptyState, ErrorState, LoadingBlock } from '../../ui/components/feedback.tsx';
import { periodSentence } from '../../ui/lib/billing.ts';
import { errorMessage } from '../../ui/lib/errors.ts';
import { formatDate } from '../../ui/lib/format.ts';
import { useNow } from '../../ui/lib/use-now.ts';
import { useBillingStatus } from '../lib/billing.ts';
import { trpc } from '../lib/trpc.ts';
import { BillingEventsTable } from './billing-events.tsx';
import { BillingOff } from './billing-off.tsx';

/** The user page's Billing tab: their subscription (and older ones), usage period, invoices and webhook events. */
export function UserBillingPanel({ userId }: { userId: string }) {
  const { off, on, status } = useBillingStatus();
  const billing = useQuery({ ...trpc.admin.billing.user.queryOptions({ id: userId }), enabled: on });
  const now = useNow();
  if (off) return <BillingOff />;
  const failed = status.error ?? billing.error;
  if (failed) {
    return (
      <Card>
        <ErrorState message={errorMessage(failed)} onRetry={() => void (status.isError ? status.refetch() : billing.refetch())} />
      </Card>
    );
  }
  if (!billing.data) {
    return (
      <Card>
        <LoadingBlock rows={5} label="Loading billing" />
      </Card>
    );
  }
  const b = billing.data;
  return (
    <div className="space-y-6">
      <div className="grid grid-cols-1 gap-6 lg:grid-cols-2">
        <Card aria-labelledby="subscription-heading">
          <CardHeader id="subscription-heading" title="Subscription" description={b.subscription ? `Lemon Squeezy subscription ${b.subscription.id}` : undefined} />
          {b.subscription ? <SubscriptionFacts subscription={b.subscription} now={now} /> : <EmptyState title="No subscription">This user has never subscribed through Lemon Squeezy.</EmptyState>}
        </Card>
        <Card aria-labelledby="period-heading">
          <CardHeader id="period-heading" title="Usage period" description={b.period.anchored ? "Follows the subscription's renewals" : 'The calendar month (UTC)'} />
          <p className="px-4 py-3 text-sm text-zinc-700">{periodSentence(b.period, 'their')}</p>
        </Card>
      </div>
      {b.previous.length > 0 && (
        <Card aria-labelledby="previous-heading">
          <CardHeader id="previous-heading" title="Earlier subscriptions" />
          <ul className="divide-y divide-zinc-100">
            {b.previous.map((s) => (
              <li key={s.id} className="flex flex-wrap items-center justify-between gap-2 px-4 py-2.5 text-sm">
                <span className="font-mono text-xs text-zinc-600">{s.id}</span>
                <span>{s.tierName ?? s.variantName ?? `variant ${s.variantId}`}</span>
                <SubscriptionStatusLine subscription={s} now={now} />
              </li>
            ))}
          </ul>
        </Card>
      )}
      <Card aria-labelledby="user-invoices-heading">
        <CardHeader id="user-invoices-heading" title="Invoices" description="Subscription payments, newest first" />
        {b.invoices.length === 0 ? <EmptyState title="No invoices" /> : <InvoicesTable invoices={b.invoices} label="Invoices" />}
      </Card>
      <Card aria-labelledby="user-events-heading">
        <CardHeader
          id="user-events-heading"
          title="Webhook events"
          description="Deliveries about this user, newest first"
          actions={
            <Link to="/billing" className="text-sm font-medium text-brand-600 hover:underline">
              All events
            </Link>
          }
        />
        {b.events.length === 0 ? <EmptyState title="No webhook events" /> : <BillingEventsTable events={b.events} label="This user's webhook events" showUser={false} />}
      </Card>
    </div>
  );
}

function SubscriptionFacts({ subscription: s, now }: { subscription: SubscriptionView; now: number }) {
  const rows: [string, string][] = [
    ['Tier', s.tierName ?? `None (variant ${s.variantId} maps to no tier)`],
    ['Product', [s.productName, s.variantName].filter(Boolean).join(' · ') || '—'],
    ['Lemon Squeezy status', s.statusFormatted],
    ['Holds the paid tier', s.grantsTier ? 'Yes' : 'No'],
    ['Renews', formatDate(s.renewsAt)],
    ['Ends', formatDate(s.endsAt)],
    ['Trial ends', formatDate(s.trialEndsAt)],
    ...(s.graceEndsAt ? ([['Grace period ends', formatDate(s.graceEndsAt)]] as [string, string][]) : []),
    ['Card', s.cardLastFour ? `${s.cardBrand ?? 'Card'} ending ${s.cardLastFour}` : '—'],
    ['Last update from Lemon Squeezy', formatDate(s.updatedAt)],
  ];
  return (
    <>
      <div className="flex flex-wrap items-center gap-2 px-4 pt-3">
        <SubscriptionStatusLine subscription={s} now={now} />
        {s.testMode && <Badge>Test mode</Badge>}
      </div>
      <dl className="divide-y divide-zinc-100 text-sm">
        {rows.map(([k, v]) => (
          <div key={k} className="flex justify-between gap-4 px-4 py-2.5">
            <dt className="text-zinc-500">{k}</dt>
            <dd className="min-w-0 truncate text-right font-medium text-zinc-900" title={v}>
              {v}
            </dd>
          </div>
        ))}
      </dl>
    </>
  );
}
