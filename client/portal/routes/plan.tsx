import { useQuery } from '@tanstack/react-query';
import { createLazyRoute } from '@tanstack/react-router';
import { Card, CardHeader, PageHeader } from '../../ui/components/card.tsx';
import { Alert, ErrorState, LoadingBlock } from '../../ui/components/feedback.tsx';
import { errorMessage } from '../../ui/lib/errors.ts';
import { formatPrice, formatQuota } from '../../ui/lib/format.ts';
import { PricingTable } from '../components/pricing.tsx';
import { useInfo } from '../lib/session.ts';
import { trpc } from '../lib/trpc.ts';

export const Route = createLazyRoute('/app/plan')({ component: PlanPage });

/** The customer's tier beside the public ones. Until billing exists, changing plan goes through the operator. */
function PlanPage() {
  const info = useInfo();
  const plan = useQuery(trpc.plan.get.queryOptions());
  const p = plan.data;
  // The current tier may not be public (an admin can put a customer on any tier): show it anyway.
  const tiers = p ? (p.tiers.some((t) => t.id === p.current.id) ? p.tiers : [p.current, ...p.tiers]) : [];
  return (
    <>
      <PageHeader title="Plan" description="What your plan includes, and the other plans." />
      {plan.isError ? (
        <Card>
          <ErrorState message={errorMessage(plan.error)} onRetry={() => void plan.refetch()} />
        </Card>
      ) : !p ? (
        <Card>
          <LoadingBlock rows={5} label="Loading plans" />
        </Card>
      ) : (
        <div className="space-y-6">
          <Card aria-labelledby="current-heading">
            <CardHeader id="current-heading" title="Your plan" />
            <p className="px-4 py-3 text-sm text-zinc-700">
              You are on <strong>{p.current.name}</strong>: {formatQuota(p.current.monthlyQuota).toLowerCase()} requests a month, {formatPrice(p.current.priceCents).toLowerCase()}
              {p.current.priceCents ? ' a month' : ''}. The count starts again on the first of each month (UTC).
            </p>
          </Card>
          <Alert tone="info" title="Changing plan">
            {p.billingEnabled
              ? 'Plans cannot be changed from here yet. To move to another plan, contact the operator of this service.'
              : `Plans are changed by the operator of ${info?.productName ?? 'this service'} for now: contact them to move to another plan. Your keys keep working through the change.`}
          </Alert>
          <section aria-labelledby="plans-heading">
            <h2 id="plans-heading" className="mb-3 text-base font-semibold text-zinc-900">
              All plans
            </h2>
            <PricingTable tiers={tiers} current={p.current.id} />
          </section>
        </div>
      )}
    </>
  );
}
