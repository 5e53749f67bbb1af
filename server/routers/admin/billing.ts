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
import { AppError } from '../../errors.ts';
import { adminProcedure, router } from '../../trpc.ts';

// Contract stubs: the billing issue's helpers replace these bodies.
const notYet = (): never => {
  throw new AppError('SERVICE_UNAVAILABLE', 'Billing is not available yet');
};

export const adminBillingRouter = router({
  /** Whether billing is on, its settings (never the key or secret) and the last reconciliation. */
  status: adminProcedure.query((): BillingStatus => notYet()),
  /** Stored webhook deliveries, newest first, by state. */
  events: adminProcedure.input(listBillingEventsSchema).query((): BillingEventPage => notYet()),
  /** One delivery with its raw body. */
  event: adminProcedure.input(billingEventIdSchema).query((): BillingEventDetail => notYet()),
  /** Runs a stored delivery's processing again (failed, unmatched or processed). */
  replay: adminProcedure.input(billingEventIdSchema).mutation((): BillingEventView => notYet()),
  /** Matches an unmatched delivery to a user and applies it. */
  assign: adminProcedure.input(assignBillingEventSchema).mutation((): BillingEventView => notYet()),
  /** Reconciles now: lists the store's subscriptions and corrects drift. */
  sync: adminProcedure.mutation((): ReconciliationResult => notYet()),
  /** The per-user billing panel. */
  user: adminProcedure.input(idSchema).query((): UserBilling => notYet()),
  /** MRR from live subscriptions beside list-price revenue (the dashboard). */
  revenue: adminProcedure.query((): Revenue => notYet()),
});
