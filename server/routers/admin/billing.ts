import {
  assignBillingEventSchema,
  billingEventIdSchema,
  listBillingEventsSchema,
  type BillingEventDetail,
  type BillingEventPage,
  type BillingEventView,
  type BillingStatus,
  type ReconciliationResult,
  type Revenue,
  type UserBilling,
} from '../../../shared/billing.ts';
import { idSchema } from '../../../shared/admin.ts';
import { adminProcedure, router, uses } from '../../trpc.ts';

const procedure = adminProcedure.use(uses('billing'));

export const adminBillingRouter = router({
  /** Whether billing is on, its settings (never the key or secret) and the last reconciliation. */
  status: procedure.query(({ ctx }): Promise<BillingStatus> => ctx.services.billing.status(ctx.em)),
  /** Stored webhook deliveries, newest first, by state. */
  events: procedure.input(listBillingEventsSchema).query(({ ctx, input }): Promise<BillingEventPage> => ctx.services.billing.events(ctx.em, input)),
  /** One delivery with its raw body. */
  event: procedure.input(billingEventIdSchema).query(({ ctx, input }): Promise<BillingEventDetail> => ctx.services.billing.event(ctx.em, input.id)),
  /** Runs a stored delivery's processing again (failed, unmatched or processed). */
  replay: procedure.input(billingEventIdSchema).mutation(({ ctx, input }): Promise<BillingEventView> => ctx.services.billing.replay(ctx.em, input.id, ctx.actor)),
  /** Matches an unmatched delivery to a user and applies it. */
  assign: procedure.input(assignBillingEventSchema).mutation(({ ctx, input }): Promise<BillingEventView> => ctx.services.billing.assign(ctx.em, input, ctx.actor)),
  /** Reconciles now: lists the store's subscriptions and corrects drift. */
  sync: procedure.mutation(({ ctx }): Promise<ReconciliationResult> => ctx.services.billing.reconcile()),
  /** The per-user billing panel. */
  user: procedure.input(idSchema).query(({ ctx, input }): Promise<UserBilling> => ctx.services.billing.userBilling(ctx.em, input.id)),
  /** MRR from live subscriptions beside list-price revenue (the dashboard). */
  revenue: procedure.query(({ ctx }): Promise<Revenue> => ctx.services.billing.revenue(ctx.em)),
});
