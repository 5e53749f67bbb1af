import { Check } from 'lucide-react';
import type { ReactNode } from 'react';
import type { PublicTier } from '../../../shared/portal.ts';
import { Badge } from '../../ui/components/card.tsx';
import { cx } from '../../ui/components/cx.ts';
import { formatPrice, formatQuota } from '../../ui/lib/format.ts';

/** The monthly price as a headline: "Free", "$29", or "Custom" for a negotiated one. */
function Price({ cents }: { cents: number | null }) {
  return (
    <p className="mt-3 flex items-baseline gap-1">
      <span className="text-3xl font-semibold tracking-tight text-zinc-900">{formatPrice(cents)}</span>
      {cents !== null && cents > 0 && <span className="text-sm text-zinc-600">a month</span>}
    </p>
  );
}

/**
 * The public tiers side by side (stacked on phones): name, price, monthly
 * quota and description. `current` marks the customer's own tier; `action`
 * adds a call to action under each.
 */
export function PricingTable({ tiers, current, action, headingLevel = 3 }: { tiers: PublicTier[]; current?: string | undefined; action?: (tier: PublicTier) => ReactNode; headingLevel?: 2 | 3 }) {
  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  return (
    <ul aria-label="Plans" className={cx('grid grid-cols-1 gap-4 sm:grid-cols-2', tiers.length >= 3 && 'lg:grid-cols-3')}>
      {tiers.map((tier) => {
        const isCurrent = tier.id === current;
        return (
          <li key={tier.id} aria-current={isCurrent ? 'true' : undefined} className={cx('flex flex-col rounded-xl border bg-white p-5 shadow-sm', isCurrent ? 'border-brand-500 ring-1 ring-brand-500' : 'border-zinc-200')}>
            <div className="flex items-center justify-between gap-2">
              <Heading className="text-base font-semibold text-zinc-900">{tier.name}</Heading>
              {isCurrent ? <Badge tone="brand">Your plan</Badge> : tier.isDefault && <Badge>Starter plan</Badge>}
            </div>
            <Price cents={tier.priceCents} />
            <p className="mt-3 flex items-center gap-2 text-sm text-zinc-800">
              <Check className="size-4 shrink-0 text-emerald-600" aria-hidden="true" />
              {tier.monthlyQuota === null ? 'Unlimited requests' : `${formatQuota(tier.monthlyQuota)} requests a month`}
            </p>
            {tier.description && <p className="mt-2 text-sm text-zinc-600">{tier.description}</p>}
            {action && <div className="mt-auto pt-5">{action(tier)}</div>}
          </li>
        );
      })}
    </ul>
  );
}
