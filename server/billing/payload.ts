import { z } from 'zod';
import { SUBSCRIPTION_STATUSES, type SubscriptionStatus } from '../../shared/billing.ts';

/**
 * Lemon Squeezy's webhook bodies and API resources, as far as Harmonic reads
 * them. Lenient where Lemon Squeezy is loose: ids come as strings (`data.id`)
 * or integers (attributes), custom_data values as strings or numbers, and an
 * empty object may arrive as `[]` (PHP). Everything else is passed over.
 */

/** An id as a string of digits, whether sent as "421953" or 421953. */
const lsId = z.union([z.string().regex(/^[0-9]{1,19}$/), z.int().nonnegative()]).transform(String);
const nullableId = lsId.nullable().optional().transform((v) => v ?? null);
const instant = z.iso.datetime({ offset: true }).transform((s) => new Date(s));
const nullableInstant = z
  .union([instant, z.null()])
  .optional()
  .transform((v) => v ?? null);
const nullableText = z.string().nullable().optional().transform((v) => v ?? null);

/** `{ "user_id": "…" }`, `{ "user_id": 123 }`, or `[]` for none; every value normalised with String(x). */
const customData = z
  .union([z.record(z.string(), z.unknown()), z.array(z.unknown()).length(0)])
  .nullable()
  .optional()
  .transform((v): Record<string, string> => {
    if (!v || Array.isArray(v)) return {};
    const out: Record<string, string> = {};
    for (const [k, x] of Object.entries(v)) if (typeof x === 'string' || typeof x === 'number') out[k] = String(x);
    return out;
  });

export const webhookEnvelopeSchema = z.object({
  meta: z.object({
    event_name: z.string().min(1).max(64),
    webhook_id: z.string().min(1).max(64).optional(),
    test_mode: z.boolean().optional(),
    custom_data: customData,
  }),
  data: z.object({ type: z.string().min(1).max(64), id: lsId, attributes: z.record(z.string(), z.unknown()) }),
});
export type WebhookEnvelope = z.output<typeof webhookEnvelopeSchema>;

export const subscriptionAttributesSchema = z.object({
  store_id: nullableId,
  customer_id: nullableId,
  product_id: nullableId,
  variant_id: lsId,
  product_name: nullableText,
  variant_name: nullableText,
  user_email: nullableText,
  status: z.enum(SUBSCRIPTION_STATUSES),
  status_formatted: z.string().max(64),
  cancelled: z.boolean().optional().default(false),
  renews_at: nullableInstant,
  ends_at: nullableInstant,
  trial_ends_at: nullableInstant,
  billing_anchor: z.int().min(1).max(31).nullable().optional().transform((v) => v ?? null),
  card_brand: nullableText,
  card_last_four: nullableText,
  test_mode: z.boolean().optional().default(false),
  updated_at: instant,
  urls: z
    .object({ update_payment_method: nullableText, customer_portal: nullableText })
    .partial()
    .nullable()
    .optional()
    .transform((v) => ({ updatePaymentMethod: v?.update_payment_method ?? null, customerPortal: v?.customer_portal ?? null })),
});

/** A subscription as a webhook or the API describes it, with its id. */
export interface SubscriptionPayload {
  id: string;
  storeId: string | null;
  customerId: string | null;
  productId: string | null;
  variantId: string;
  productName: string | null;
  variantName: string | null;
  userEmail: string | null;
  status: SubscriptionStatus;
  statusFormatted: string;
  cancelled: boolean;
  renewsAt: Date | null;
  endsAt: Date | null;
  trialEndsAt: Date | null;
  billingAnchor: number | null;
  cardBrand: string | null;
  cardLastFour: string | null;
  testMode: boolean;
  updatedAt: Date;
  urls: { updatePaymentMethod: string | null; customerPortal: string | null };
}

export function subscriptionPayload(id: string, attributes: unknown): SubscriptionPayload {
  const a = subscriptionAttributesSchema.parse(attributes);
  return {
    id,
    storeId: a.store_id,
    customerId: a.customer_id,
    productId: a.product_id,
    variantId: a.variant_id,
    productName: a.product_name,
    variantName: a.variant_name,
    userEmail: a.user_email,
    status: a.status,
    statusFormatted: a.status_formatted,
    cancelled: a.cancelled,
    renewsAt: a.renews_at,
    endsAt: a.ends_at,
    trialEndsAt: a.trial_ends_at,
    billingAnchor: a.billing_anchor,
    cardBrand: a.card_brand,
    cardLastFour: a.card_last_four,
    testMode: a.test_mode,
    updatedAt: a.updated_at,
    urls: a.urls,
  };
}

export const invoiceAttributesSchema = z.object({
  subscription_id: lsId,
  user_email: nullableText,
  billing_reason: z.string().max(32),
  status: z.string().max(32),
  currency: z.string().max(8),
  total: z.int(),
  total_formatted: z.string().max(64),
  refunded: z.boolean().optional().default(false),
  urls: z
    .object({ invoice_url: nullableText })
    .partial()
    .nullable()
    .optional()
    .transform((v) => v?.invoice_url ?? null),
  created_at: instant,
  updated_at: instant,
});
export type InvoicePayload = z.output<typeof invoiceAttributesSchema>;

/** The events that carry a subscription, and the ones that carry a subscription invoice. */
export const SUBSCRIPTION_EVENTS = new Set([
  'subscription_created',
  'subscription_updated',
  'subscription_cancelled',
  'subscription_resumed',
  'subscription_expired',
  'subscription_paused',
  'subscription_unpaused',
]);
export const INVOICE_EVENTS = new Set(['subscription_payment_success', 'subscription_payment_failed', 'subscription_payment_recovered', 'subscription_payment_refunded']);

/** The JSON:API list and single-resource envelopes of the API. */
/** Checkouts have UUIDs, everything else digits. */
export const resourceSchema = z.object({ type: z.string(), id: z.union([z.string().min(1).max(64), z.int().nonnegative()]).transform(String), attributes: z.record(z.string(), z.unknown()) });
export const listSchema = z.object({
  data: z.array(resourceSchema),
  links: z.object({ next: z.string().nullable().optional() }).partial().optional(),
});
export const singleSchema = z.object({ data: resourceSchema });
