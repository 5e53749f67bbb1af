import type { PortalPlan } from '../../../shared/portal.ts';

/**
 * Back from checkout, the Plan screen asks again until this is true: the tier
 * moved since the screen first saw it (`fromTier`), or the subscription holds
 * the tier the customer is on (the webhook landed before the screen loaded).
 */
export function checkoutSettled(plan: PortalPlan | undefined, fromTier: string | null): boolean {
  if (!plan) return false;
  if (fromTier !== null && plan.current.id !== fromTier) return true;
  const sub = plan.billing.subscription;
  return !!sub && sub.grantsTier && sub.tierId === plan.current.id;
}
