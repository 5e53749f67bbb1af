import { z } from 'zod';
import { text } from './text.ts';

/**
 * Billing through Lemon Squeezy: the portal's Plan screen, the admin app's
 * Billing screen and per-user panel, and the tier ↔ variant mapping. The
 * server's billing routers and both apps take their shapes from here.
 */

/** Lemon Squeezy's subscription statuses (https://docs.lemonsqueezy.com/api/subscriptions/the-subscription-object). */
export const SUBSCRIPTION_STATUSES = ['on_trial', 'active', 'paused', 'past_due', 'unpaid', 'cancelled', 'expired'] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

/**
 * What happened to a stored webhook delivery:
 * pending (stored, its job not yet run), processed (applied, or older than
 * what is stored and so skipped), unmatched (no user found: an admin assigns
 * it), ignored (an event Harmonic does not act on, e.g. order_created),
 * failed (the job gave up; the error says why; an admin can replay it).
 */
export const BILLING_EVENT_STATES = ['pending', 'processed', 'unmatched', 'ignored', 'failed'] as const;
export type BillingEventState = (typeof BILLING_EVENT_STATES)[number];

/** Lemon Squeezy ids are strings of digits in `data.id` and integers in attributes; Harmonic keeps the string. */
export const lemonSqueezyIdSchema = text('must be a Lemon Squeezy id (digits)')
  .trim()
  .regex(/^[1-9][0-9]{0,18}$/, 'must be a Lemon Squeezy id (digits)');

/** A subscription as Harmonic last saw it, and what it means for the tier. */
export const subscriptionViewSchema = z.object({
  /** Lemon Squeezy's subscription id. */
  id: text(),
  status: z.enum(SUBSCRIPTION_STATUSES),
  /** Lemon Squeezy's own wording, e.g. "Past due". */
  statusFormatted: text(),
  variantId: text(),
  /** The tier that variant maps to; null when no tier maps to it (an unknown variant). */
  tierId: z.uuid().nullable(),
  tierName: text().nullable(),
  productName: text().nullable(),
  variantName: text().nullable(),
  renewsAt: z.iso.datetime().nullable(),
  endsAt: z.iso.datetime().nullable(),
  trialEndsAt: z.iso.datetime().nullable(),
  /** While past_due: when the grace period (BILLING_GRACE_DAYS) runs out and the tier drops. */
  graceEndsAt: z.iso.datetime().nullable(),
  /** Cancelled but still within `endsAt`: it can be resumed. */
  cancelled: z.boolean(),
  /** Whether the subscription currently holds the paid tier (the tier rules). */
  grantsTier: z.boolean(),
  cardBrand: text().nullable(),
  cardLastFour: text().nullable(),
  testMode: z.boolean(),
  /** The payload's `updated_at`: events older than this are not applied. */
  updatedAt: z.iso.datetime(),
});
export type SubscriptionView = z.infer<typeof subscriptionViewSchema>;

/** A subscription invoice (subscription_payment_* events). */
export const invoiceViewSchema = z.object({
  id: text(),
  subscriptionId: text(),
  /** initial, renewal or updated. */
  billingReason: text(),
  /** pending, paid, void, refunded, partial_refund. */
  status: text(),
  /** The event that last changed it: subscription_payment_success, _failed, _recovered or _refunded. */
  lastEvent: text(),
  currency: text(),
  /** In the currency's smallest unit. */
  totalCents: z.int(),
  totalFormatted: text(),
  refunded: z.boolean(),
  /** Lemon Squeezy's invoice download URL, when it sent one. */
  invoiceUrl: text().nullable(),
  createdAt: z.iso.datetime(),
});
export type InvoiceView = z.infer<typeof invoiceViewSchema>;

/** The current usage period: the calendar month, or while a subscription is live, renewal to renewal. */
export const usagePeriodSchema = z.object({
  start: z.iso.datetime(),
  /** When the quota resets. */
  end: z.iso.datetime(),
  anchored: z.boolean().meta({ description: 'true: the period follows the subscription\'s renewals; false: the calendar month (UTC)' }),
});
export type UsagePeriod = z.infer<typeof usagePeriodSchema>;

// Portal

/** What the Plan screen needs beyond the tiers (portal.plan.get). */
export const portalBillingSchema = z.object({
  /** The customer's subscription, live or the last one; null if they never subscribed. */
  subscription: subscriptionViewSchema.nullable(),
  period: usagePeriodSchema,
});
export type PortalBilling = z.infer<typeof portalBillingSchema>;

/** "Upgrade to X" / "Change to X": the tier wanted. */
export const changePlanSchema = z.strictObject({ tierId: z.uuid('must be a tier id') });
export type ChangePlanInput = z.input<typeof changePlanSchema>;

/**
 * checkout: no live subscription, so the browser goes to `url` (Lemon Squeezy's
 * hosted checkout) and comes back to the portal. changed: a live subscription
 * moved to the new variant through the API (Lemon Squeezy prorates).
 */
export const changePlanResultSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('checkout'), url: text() }),
  z.object({ kind: z.literal('changed'), subscription: subscriptionViewSchema }),
]);
export type ChangePlanResult = z.infer<typeof changePlanResultSchema>;

/** Fresh signed URLs (they expire, so they are fetched on each click). */
export const paymentLinksSchema = z.object({
  updatePaymentMethod: text().nullable(),
  customerPortal: text().nullable(),
});
export type PaymentLinks = z.infer<typeof paymentLinksSchema>;

// Admin

export const billingEventViewSchema = z.object({
  id: z.uuid(),
  eventName: text(),
  state: z.enum(BILLING_EVENT_STATES),
  /** meta.webhook_id, when Lemon Squeezy sent one. */
  webhookId: text().nullable(),
  /** The resource's type and id (subscriptions/421953, subscription-invoices/1134198, orders/…). */
  resourceType: text(),
  resourceId: text(),
  /** The subscription it concerns (for invoices, through subscription_id). */
  subscriptionId: text().nullable(),
  userId: z.uuid().nullable(),
  userEmail: text().nullable(),
  /** The customer's email in the payload (what an email-only match used). */
  payloadEmail: text().nullable(),
  testMode: z.boolean(),
  /** Why it failed, or why it is unmatched or ignored. */
  detail: text().nullable(),
  attempts: z.int(),
  receivedAt: z.iso.datetime(),
  processedAt: z.iso.datetime().nullable(),
});
export type BillingEventView = z.infer<typeof billingEventViewSchema>;

/** One event with its raw body, as received (the bytes the signature covered). */
export const billingEventDetailSchema = billingEventViewSchema.extend({ body: text() });
export type BillingEventDetail = z.infer<typeof billingEventDetailSchema>;

export const listBillingEventsSchema = z.strictObject({
  state: z.enum(BILLING_EVENT_STATES, { error: `must be one of ${BILLING_EVENT_STATES.join(', ')}` }).optional(),
  userId: z.uuid('must be a user id').optional(),
  /** The last id of the previous page (newest first). */
  cursor: z.uuid('must be an event id').optional(),
  limit: z.int('must be a whole number').min(1, 'must be between 1 and 200').max(200, 'must be between 1 and 200').default(50),
});
export type ListBillingEventsInput = z.input<typeof listBillingEventsSchema>;

export const billingEventPageSchema = z.object({
  items: z.array(billingEventViewSchema),
  nextCursor: z.uuid().nullable(),
  /** How many events are in each state (the screen's filter counts). */
  counts: z.record(z.enum(BILLING_EVENT_STATES), z.int()),
});
export type BillingEventPage = z.infer<typeof billingEventPageSchema>;

export const billingEventIdSchema = z.strictObject({ id: z.uuid('must be an event id') });

/** An admin matches an unmatched event to a user; it is then applied, and later events of that subscription follow. */
export const assignBillingEventSchema = z.strictObject({ id: z.uuid('must be an event id'), userId: z.uuid('must be a user id') });
export type AssignBillingEventInput = z.input<typeof assignBillingEventSchema>;

/** The Billing screen's header: whether billing is on, and the reconciler's last run. */
export const billingStatusSchema = z.object({
  enabled: z.boolean(),
  storeId: text().nullable(),
  /** Where the API calls go (LEMONSQUEEZY_API_URL); never the key. */
  apiUrl: text(),
  graceDays: z.int(),
  reconcileEveryMinutes: z.int(),
  lastReconciliation: z
    .object({
      at: z.iso.datetime(),
      checked: z.int(),
      drifted: z.int(),
      error: text().nullable(),
    })
    .nullable(),
});
export type BillingStatus = z.infer<typeof billingStatusSchema>;

/** What a reconciliation (the cron, `harmonic billing sync` or the admin button) found. */
export const reconciliationResultSchema = z.object({
  checked: z.int(),
  drifted: z.int(),
  /** Subscriptions whose user could not be found (parked as unmatched). */
  unmatched: z.int(),
  pages: z.int(),
});
export type ReconciliationResult = z.infer<typeof reconciliationResultSchema>;

/** The per-user billing panel in the admin app. */
export const userBillingSchema = z.object({
  subscription: subscriptionViewSchema.nullable(),
  /** Older subscriptions of the same user, newest first. */
  previous: z.array(subscriptionViewSchema),
  invoices: z.array(invoiceViewSchema),
  events: z.array(billingEventViewSchema),
  period: usagePeriodSchema,
});
export type UserBilling = z.infer<typeof userBillingSchema>;

/** The dashboard's revenue: what live subscriptions bring each month beside what the users' tiers list at. */
export const revenueSchema = z.object({
  /** Sum over subscriptions that hold a paid tier now, at their variant's price per month, in cents. */
  mrrCents: z.int(),
  /** Sum over live users of their tier's list price (the figure the dashboard showed before billing). */
  listPriceCents: z.int(),
  liveSubscriptions: z.int(),
  trialing: z.int(),
  pastDue: z.int(),
  /** Cancelled but still paid up until ends_at. */
  cancelling: z.int(),
  currency: text(),
});
export type Revenue = z.infer<typeof revenueSchema>;

/** Sets or clears the Lemon Squeezy variant a paid tier is sold as (checked with GET /v1/variants/:id). */
export const setTierVariantSchema = z.strictObject({
  tierId: z.uuid('must be a tier id'),
  variantId: lemonSqueezyIdSchema.nullable(),
});
export type SetTierVariantInput = z.input<typeof setTierVariantSchema>;
