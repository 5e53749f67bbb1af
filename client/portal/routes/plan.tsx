import { useMutation, useQuery } from '@tanstack/react-query';
import { createLazyRoute } from '@tanstack/react-router';
import { CreditCard } from 'lucide-react';
import { useEffect, useState } from 'react';
import type { SubscriptionView } from '../../../shared/billing.ts';
import type { PortalPlan, PublicTier } from '../../../shared/portal.ts';
import { InvoicesTable, SubscriptionStatusLine } from '../../ui/billing.tsx';
import { Button } from '../../ui/components/button.tsx';
import { Card, CardHeader, PageHeader } from '../../ui/components/card.tsx';
import { ConfirmDialog } from '../../ui/components/dialog.tsx';
import { Alert, EmptyState, ErrorState, LoadingBlock } from '../../ui/components/feedback.tsx';
import { periodSentence, subscriptionStatus } from '../../ui/lib/billing.ts';
import { errorMessage } from '../../ui/lib/errors.ts';
import { formatDate, formatPrice, formatQuota } from '../../ui/lib/format.ts';
import { toast } from '../../ui/lib/toast.ts';
import { useNow } from '../../ui/lib/use-now.ts';
import { PricingTable } from '../components/pricing.tsx';
import { useInvalidate } from '../lib/invalidation.ts';
import { checkoutSettled } from '../lib/plan.ts';
import { useInfo } from '../lib/session.ts';
import { trpc } from '../lib/trpc.ts';

export const Route = createLazyRoute('/app/plan')({ component: PlanPage });

/** Back from checkout, the plan is asked for again this often until the tier moves... */
const CHECKOUT_POLL_MS = 3_000;
/** ...or for this long: the webhook normally lands within seconds, and the reconciler catches a missed one later. */
const CHECKOUT_WAIT_MS = 60_000;

/**
 * The customer's plan and its status, when their quota resets, the other
 * plans with Upgrade / Change buttons (while billing is on), cancelling and
 * resuming, the card, and the billing history. Without billing, changing plan
 * goes through the operator.
 */
function PlanPage() {
  const info = useInfo();
  const { checkout } = Route.useSearch();
  const returning = checkout === 'done';
  const now = useNow();
  const [fromTier, setFromTier] = useState<string | null>(null);
  const [gaveUp, setGaveUp] = useState(false);
  useEffect(() => {
    if (!returning) return;
    const timer = setTimeout(() => setGaveUp(true), CHECKOUT_WAIT_MS);
    return () => clearTimeout(timer);
  }, [returning]);
  const plan = useQuery({
    ...trpc.plan.get.queryOptions(),
    ...(returning
      ? {
          staleTime: 0,
          refetchInterval: (q: { state: { data: PortalPlan | undefined } }) => (!checkoutSettled(q.state.data, fromTier) && !gaveUp ? CHECKOUT_POLL_MS : false),
        }
      : {}),
  });
  const p = plan.data;
  if (returning && p && fromTier === null) setFromTier(p.current.id);
  // The current tier may not be public (an admin can put a customer on any tier): show it anyway.
  const tiers = p ? (p.tiers.some((t) => t.id === p.current.id) ? p.tiers : [p.current, ...p.tiers]) : [];
  const canBuy = !!p && p.billingEnabled && p.purchasable.length > 0;
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
          {returning && <CheckoutReturn plan={p} done={checkoutSettled(p, fromTier)} waiting={!gaveUp || plan.isFetching} />}
          <CurrentPlan plan={p} now={now} />
          {!canBuy && (
            <Alert tone="info" title="Changing plan">
              {p.billingEnabled
                ? 'Plans cannot be bought here. To move to another plan, contact the operator of this service.'
                : `Plans are changed by the operator of ${info?.productName ?? 'this service'} for now: contact them to move to another plan. Your keys keep working through the change.`}
            </Alert>
          )}
          <section aria-labelledby="plans-heading">
            <h2 id="plans-heading" className="mb-3 text-base font-semibold text-zinc-900">
              All plans
            </h2>
            <PricingTable tiers={tiers} current={p.current.id} action={canBuy ? (tier) => <PlanAction plan={p} tier={tier} now={now} /> : undefined} />
            {canBuy && <p className="mt-3 text-sm text-zinc-600">Payments are handled by Lemon Squeezy. Your keys keep working through a change of plan; the new quota applies from the next request.</p>}
          </section>
          {(p.billingEnabled || p.billing.subscription) && <Invoices />}
        </div>
      )}
    </>
  );
}

/** Back from Lemon Squeezy's checkout: the payment is theirs, the tier moves when their webhook arrives. */
function CheckoutReturn({ plan, done, waiting }: { plan: PortalPlan; done: boolean; waiting: boolean }) {
  if (done) return <Alert tone="success" title="Payment received">{`You are on ${plan.current.name} now.`}</Alert>;
  if (waiting) return <Alert tone="info" title="Payment received — your plan updates in a moment" />;
  return (
    <Alert tone="warn" title="Your plan has not changed yet">
      Lemon Squeezy has not confirmed the payment to us yet. Your plan changes as soon as it does: reload this page in a few minutes, or contact the operator of this service if it does not.
    </Alert>
  );
}

function CurrentPlan({ plan: p, now }: { plan: PortalPlan; now: number }) {
  const sub = p.billing.subscription;
  return (
    <Card aria-labelledby="current-heading">
      <CardHeader id="current-heading" title="Your plan" />
      <div className="space-y-3 px-4 py-3 text-sm text-zinc-700">
        <p>
          You are on <strong>{p.current.name}</strong>: {formatQuota(p.current.monthlyQuota).toLowerCase()} requests a month, {formatPrice(p.current.priceCents).toLowerCase()}
          {p.current.priceCents ? ' a month' : ''}.
        </p>
        {sub && <SubscriptionStatusLine subscription={sub} now={now} />}
        {sub?.cardLastFour && subscriptionStatus(sub, now).live && (
          <p className="flex items-center gap-2 text-zinc-600">
            <CreditCard className="size-4 shrink-0" aria-hidden="true" />
            {sub.cardBrand ? `${sub.cardBrand[0]?.toUpperCase()}${sub.cardBrand.slice(1)}` : 'Card'} ending {sub.cardLastFour}
          </p>
        )}
        <p data-testid="usage-period">{periodSentence(p.billing.period)}</p>
      </div>
      {p.billingEnabled && sub && <SubscriptionActions plan={p} subscription={sub} now={now} />}
    </Card>
  );
}

/** Cancel (kept until the period ends), resume before then, and a fresh signed link to update the card. */
function SubscriptionActions({ plan, subscription: sub, now }: { plan: PortalPlan; subscription: SubscriptionView; now: number }) {
  const invalidate = useInvalidate();
  const [confirming, setConfirming] = useState(false);
  const [leaving, setLeaving] = useState(false);
  const cancel = useMutation(trpc.plan.cancel.mutationOptions());
  const resume = useMutation(trpc.plan.resume.mutationOptions());
  const links = useMutation(trpc.plan.paymentLinks.mutationOptions());
  const status = subscriptionStatus(sub, now);
  if (!status.live && !status.resumable) return null;
  const until = sub.endsAt ?? sub.renewsAt ?? plan.billing.period.end;
  const fallback = plan.tiers.find((t) => t.isDefault)?.name ?? 'the starter plan';
  const updateCard = () =>
    links.mutate(undefined, {
      onSuccess: (l) => {
        // Signed links expire: this one was made just now, for this click.
        if (l.updatePaymentMethod) {
          setLeaving(true);
          window.location.assign(l.updatePaymentMethod);
        } else toast('Lemon Squeezy gave no link to update the card', { tone: 'error', description: 'Try again in a moment.' });
      },
      onError: (err) => toast('Could not open the payment page', { tone: 'error', description: errorMessage(err) }),
    });
  return (
    <div className="flex flex-wrap gap-2 border-t border-zinc-100 px-4 py-3">
      {status.resumable ? (
        <Button
          variant="primary"
          pending={resume.isPending}
          onClick={() =>
            resume.mutate(undefined, {
              onSuccess: async () => {
                await invalidate('plan');
                toast(`Resumed: you stay on ${plan.current.name}`);
              },
              onError: (err) => toast('Could not resume the plan', { tone: 'error', description: errorMessage(err) }),
            })
          }
        >
          Resume plan
        </Button>
      ) : (
        <>
          <Button variant={sub.status === 'past_due' || sub.status === 'unpaid' ? 'primary' : 'secondary'} pending={links.isPending || leaving} onClick={updateCard}>
            Update payment method
          </Button>
          <Button variant="ghost" className="text-red-700 hover:bg-red-50" onClick={() => setConfirming(true)}>
            Cancel plan
          </Button>
        </>
      )}
      <ConfirmDialog
        open={confirming}
        onOpenChange={setConfirming}
        title="Cancel your plan?"
        description={`You keep ${plan.current.name} until ${formatDate(until)}, the end of the period you have paid for, then move to ${fallback}. You can resume it until then.`}
        confirmLabel="Cancel plan"
        cancelLabel="Keep my plan"
        onConfirm={async () => {
          await cancel.mutateAsync();
          await invalidate('plan');
          toast(`Cancelled: ${plan.current.name} stays until ${formatDate(until)}`);
        }}
      />
    </div>
  );
}

/**
 * "Upgrade to X" without a live subscription (to Lemon Squeezy's checkout), or
 * "Change to X" with one (moved through their API, prorated, after asking).
 */
function PlanAction({ plan, tier, now }: { plan: PortalPlan; tier: PublicTier; now: number }) {
  const invalidate = useInvalidate();
  const change = useMutation(trpc.plan.changePlan.mutationOptions());
  const [confirming, setConfirming] = useState(false);
  const [leaving, setLeaving] = useState(false);
  if (tier.id === plan.current.id || !plan.purchasable.includes(tier.id)) return null;
  const sub = plan.billing.subscription;
  const hasLive = !!sub && subscriptionStatus(sub, now).live;
  const label = `${(tier.priceCents ?? 0) > (plan.current.priceCents ?? 0) ? 'Upgrade' : 'Change'} to ${tier.name}`;
  const go = async () => {
    const result = await change.mutateAsync({ tierId: tier.id });
    if (result.kind === 'checkout') {
      setLeaving(true);
      window.location.assign(result.url);
      return;
    }
    await invalidate('plan');
    toast(`You are on ${tier.name} now`);
  };
  if (hasLive) {
    return (
      <>
        <Button className="w-full" onClick={() => setConfirming(true)}>
          {label}
        </Button>
        <ConfirmDialog
          open={confirming}
          onOpenChange={setConfirming}
          title={`${label}?`}
          description={`Your subscription moves to ${tier.name} (${formatPrice(tier.priceCents).toLowerCase()}${tier.priceCents ? ' a month' : ''}) now. Lemon Squeezy prorates: the difference for the rest of this period is charged or credited on your next invoice.`}
          confirmLabel={label}
          tone="primary"
          onConfirm={go}
        />
      </>
    );
  }
  return (
    <Button
      variant="primary"
      className="w-full"
      pending={change.isPending || leaving}
      onClick={() => void go().catch((err: unknown) => toast(`Could not start the checkout for ${tier.name}`, { tone: 'error', description: errorMessage(err) }))}
    >
      {label}
    </Button>
  );
}

function Invoices() {
  const invoices = useQuery(trpc.plan.invoices.queryOptions());
  return (
    <Card aria-labelledby="invoices-heading">
      <CardHeader id="invoices-heading" title="Billing history" description="Your payments, newest first" />
      {invoices.isError ? (
        <ErrorState message={errorMessage(invoices.error)} onRetry={() => void invoices.refetch()} />
      ) : !invoices.data ? (
        <LoadingBlock rows={3} label="Loading invoices" />
      ) : invoices.data.length === 0 ? (
        <EmptyState title="No payments yet">Your invoices appear here after your first payment.</EmptyState>
      ) : (
        <InvoicesTable invoices={invoices.data} label="Invoices" />
      )}
    </Card>
  );
}
