import type { PortalPlan } from '../../../shared/portal.ts';
import { changePlanSchema, type ChangePlanResult, type InvoiceView, type PaymentLinks, type SubscriptionView } from '../../../shared/billing.ts';
import { customerProcedure, router, uses } from '../../trpc.ts';

const customer = customerProcedure.use(uses('billing'));

/** The customer's plan and their Lemon Squeezy subscription (server/billing/service.ts). */
export const portalPlanRouter = router({
  /** The customer's tier (public or not) beside the public ones, their subscription and their current usage period. */
  get: customer.query(({ ctx }): Promise<PortalPlan> => ctx.services.billing.plan(ctx.em, ctx.customerUser)),
  /** Upgrade (a Lemon Squeezy checkout to go to) or, with a live subscription, change its variant. 409 while billing is off. */
  changePlan: customer
    .input(changePlanSchema)
    .mutation(({ ctx, input }): Promise<ChangePlanResult> => ctx.services.billing.changePlan(ctx.em, ctx.customerUser, input.tierId, ctx.actor)),
  /** Cancels at the end of the paid period (the tier stays until ends_at). */
  cancel: customer.mutation(({ ctx }): Promise<SubscriptionView> => ctx.services.billing.cancel(ctx.em, ctx.customerUser, ctx.actor)),
  /** Undoes a cancellation before ends_at. */
  resume: customer.mutation(({ ctx }): Promise<SubscriptionView> => ctx.services.billing.resume(ctx.em, ctx.customerUser, ctx.actor)),
  /** Fresh signed URLs for "Update payment method" and Lemon Squeezy's customer portal. */
  paymentLinks: customer.mutation(({ ctx }): Promise<PaymentLinks> => ctx.services.billing.paymentLinks(ctx.em, ctx.customerUser)),
  /** The billing history, newest first. */
  invoices: customer.query(({ ctx }): Promise<InvoiceView[]> => ctx.services.billing.invoices(ctx.em, ctx.customerUser.id)),
});
