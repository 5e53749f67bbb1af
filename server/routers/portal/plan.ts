import type { PortalPlan } from '../../../shared/portal.ts';
import { changePlanSchema, type ChangePlanResult, type InvoiceView, type PaymentLinks, type SubscriptionView } from '../../../shared/billing.ts';
import { AppError } from '../../errors.ts';
import { publicTierView } from '../../tiers/service.ts';
import { customerProcedure, router, uses } from '../../trpc.ts';

const customer = customerProcedure.use(uses('tiers', 'usage'));

// Contract stubs, answering as they will while billing is off: the billing issue's helpers replace these bodies.
const noSubscription = (): never => {
  throw new AppError('NOT_FOUND', 'You have no subscription');
};

export const portalPlanRouter = router({
  /** The customer's tier (public or not) beside the public ones, their subscription and their current usage period. */
  get: customer.query(async ({ ctx }): Promise<PortalPlan> => {
    const [current, tiers, period] = await Promise.all([
      ctx.customerUser.tier.loadOrFail(),
      ctx.services.tiers.listPublic(ctx.em.fork()),
      ctx.services.usage.period(ctx.em.fork(), ctx.customerUser.id),
    ]);
    return {
      current: publicTierView(current),
      tiers,
      billingEnabled: false,
      purchasable: [],
      billing: { subscription: null, period },
    };
  }),
  /** Upgrade (a Lemon Squeezy checkout to go to) or, with a live subscription, change its variant. */
  changePlan: customer.input(changePlanSchema).mutation((): ChangePlanResult => {
    throw new AppError('CONFLICT', 'Plans cannot be bought here; contact the operator');
  }),
  /** Cancels at the end of the paid period (the tier stays until ends_at). */
  cancel: customer.mutation((): SubscriptionView => noSubscription()),
  /** Undoes a cancellation before ends_at. */
  resume: customer.mutation((): SubscriptionView => noSubscription()),
  /** Fresh signed URLs for "Update payment method" and Lemon Squeezy's customer portal. */
  paymentLinks: customer.mutation((): PaymentLinks => noSubscription()),
  /** The billing history, newest first. */
  invoices: customer.query((): InvoiceView[] => []),
});
