import { z } from 'zod';
import { text } from './text.ts';

/**
 * Outgoing webhooks: the event catalogue, the payloads, and the inputs and views
 * of endpoints and their delivery log. The single source of truth for the
 * server, the portal, the admin app and docs/operations.md.
 */

/** Every event Harmonic sends. `webhook.test` goes only to the endpoint it is sent to. */
export const WEBHOOK_EVENT_TYPES = [
  'quota.threshold_reached',
  'quota.exhausted',
  'quota.resolved',
  'key.created',
  'key.revoked',
  'key.rotated',
  'key.expired',
  'subscription.changed',
  'webhook.test',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** What an endpoint may subscribe to: everything but the test event, which every endpoint takes. */
export const SUBSCRIBABLE_EVENT_TYPES = WEBHOOK_EVENT_TYPES.filter((t): t is Exclude<WebhookEventType, 'webhook.test'> => t !== 'webhook.test');
export type SubscribableEventType = (typeof SUBSCRIBABLE_EVENT_TYPES)[number];

export const EVENT_DESCRIPTIONS: Record<WebhookEventType, string> = {
  'quota.threshold_reached': 'Usage crossed one of the thresholds (once per threshold per period)',
  'quota.exhausted': 'Usage reached 100% of the quota',
  'quota.resolved': 'A threshold that fired no longer holds: a new period began, or an upgrade raised the quota',
  'key.created': 'An API key was created (also by a rotation)',
  'key.revoked': 'An API key was revoked',
  'key.rotated': 'An API key was replaced by a new one',
  'key.expired': 'An API key reached its expiry',
  'subscription.changed': 'The plan or the subscription changed',
  'webhook.test': 'Sent by "Send test event"',
};

/** A key as events name it: never the key, its hash or any secret. */
const keyRef = z.object({ id: z.uuid(), name: text(), masked: text() });

const isoTime = z.iso.datetime();

const quotaState = {
  userId: z.uuid(),
  used: z.int(),
  /** Null on an unlimited tier (absolute thresholds only). */
  limit: z.int().nullable(),
  periodStart: isoTime,
  resetAt: isoTime,
};

const threshold = z.object({ kind: z.enum(['percent', 'count']), value: z.int() });

/** The `data` of each event type. */
export const EVENT_DATA = {
  'quota.threshold_reached': z.object({ ...quotaState, threshold }),
  'quota.exhausted': z.object(quotaState),
  'quota.resolved': z.object({ ...quotaState, threshold, reason: z.enum(['period_reset', 'upgrade']) }),
  'key.created': z.object({ userId: z.uuid(), key: keyRef, expiresAt: isoTime.nullable(), rotatedFromId: z.uuid().nullable() }),
  'key.revoked': z.object({ userId: z.uuid(), key: keyRef }),
  'key.rotated': z.object({ userId: z.uuid(), key: keyRef, newKey: keyRef, oldKeyStopsAt: isoTime.nullable() }),
  'key.expired': z.object({ userId: z.uuid(), key: keyRef, expiresAt: isoTime }),
  'subscription.changed': z.object({
    userId: z.uuid(),
    tierId: z.uuid(),
    tierName: text(),
    previousTierId: z.uuid().nullable(),
    status: text(),
  }),
  'webhook.test': z.object({ endpointId: z.uuid(), message: text(), userId: z.uuid().nullable() }),
} as const satisfies Record<WebhookEventType, z.ZodType>;

export type WebhookEventData<T extends WebhookEventType> = z.infer<(typeof EVENT_DATA)[T]>;

/** What `services.webhooks.emit` takes: a type and its data, checked against each other. */
export type WebhookEvent = { [T in WebhookEventType]: { type: T; data: WebhookEventData<T> } }[WebhookEventType];

/** The body of every delivery (Standard Webhooks style). */
export interface WebhookPayload<T extends WebhookEventType = WebhookEventType> {
  type: T;
  /** When the event happened, ISO 8601. */
  timestamp: string;
  data: WebhookEventData<T>;
}

/** The retry schedule: seconds before each attempt after the first (then the delivery is exhausted). */
export const RETRY_DELAYS_SECONDS = [5, 300, 1800, 7200, 18_000, 36_000, 36_000] as const;
export const MAX_ATTEMPTS = RETRY_DELAYS_SECONDS.length + 1;
/** How long the delivery log keeps a finished delivery. */
export const DELIVERY_LOG_DAYS = 30;
/** An endpoint whose deliveries fail this long without one success is disabled. */
export const AUTO_DISABLE_AFTER_MS = 5 * 86_400_000;

const eventTypesSchema = z
  .array(z.enum(SUBSCRIBABLE_EVENT_TYPES, { error: `must be one of ${SUBSCRIBABLE_EVENT_TYPES.join(', ')}` }))
  .min(1, 'pick at least one event type')
  .max(SUBSCRIBABLE_EVENT_TYPES.length)
  .transform((list) => SUBSCRIBABLE_EVENT_TYPES.filter((t) => list.includes(t)));

/** Checked again on the server against the SSRF rules (https only; see server/webhooks/outbound.ts). */
const urlSchema = text().trim().min(1, 'must not be empty').max(2000, 'must be at most 2000 characters');

const descriptionSchema = text().trim().max(200, 'must be at most 200 characters');

export const createEndpointSchema = z.strictObject({
  url: urlSchema,
  description: descriptionSchema.default(''),
  eventTypes: eventTypesSchema,
});
export type CreateEndpointInput = z.input<typeof createEndpointSchema>;

export const endpointIdSchema = z.strictObject({ id: z.uuid('must be an endpoint id (a UUID)') });

export const updateEndpointSchema = z.strictObject({
  id: z.uuid('must be an endpoint id (a UUID)'),
  url: urlSchema.optional(),
  description: descriptionSchema.optional(),
  eventTypes: eventTypesSchema.optional(),
});
export type UpdateEndpointInput = z.input<typeof updateEndpointSchema>;

export const deliveriesQuerySchema = z.strictObject({
  id: z.uuid('must be an endpoint id (a UUID)'),
  /** The page after this delivery (the previous page's `nextCursor`). */
  cursor: text().regex(/^msg_[A-Za-z0-9]{1,40}$/, 'must be a delivery id (msg_…)').optional(),
  limit: z.int().min(1).max(100).default(25),
});
export type DeliveriesQuery = z.input<typeof deliveriesQuerySchema>;

export const deliveryIdSchema = z.strictObject({ id: text().regex(/^msg_[A-Za-z0-9]{1,40}$/, 'must be a delivery id (msg_…)') });

export const adminListEndpointsSchema = z.strictObject({
  /** A user's endpoints; absent: the operator's own (which receive every user's events). */
  userId: z.uuid('must be a user id (a UUID)').optional(),
});

export const webhookEndpointViewSchema = z
  .object({
    id: z.uuid(),
    /** Null for an operator endpoint, which receives every user's events. */
    userId: z.uuid().nullable(),
    url: text(),
    description: text(),
    eventTypes: z.array(z.enum(SUBSCRIBABLE_EVENT_TYPES)),
    enabled: z.boolean(),
    disabledReason: text().nullable(),
    disabledAt: isoTime.nullable(),
    /** Since when every delivery has failed; null while the last one succeeded. */
    failingSince: isoTime.nullable(),
    createdAt: isoTime,
    updatedAt: isoTime,
  })
  .meta({ id: 'WebhookEndpoint' });
export type WebhookEndpointView = z.infer<typeof webhookEndpointViewSchema>;

/** Returned once, at creation or when the secret is rotated: the only time the secret leaves the server. */
export const createdEndpointSchema = z.object({ endpoint: webhookEndpointViewSchema, secret: text() });
export type CreatedEndpoint = z.infer<typeof createdEndpointSchema>;

export const DELIVERY_STATES = ['pending', 'delivered', 'failed', 'exhausted'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

export const webhookDeliveryViewSchema = z.object({
  /** The `webhook-id` every attempt carries. */
  id: text(),
  endpointId: z.uuid(),
  eventType: z.enum(WEBHOOK_EVENT_TYPES),
  payload: z.record(text(), z.unknown()),
  /** pending: waiting for its next attempt; failed: stopped early (refused by the SSRF rules, or the endpoint is disabled); exhausted: every attempt failed. */
  state: z.enum(DELIVERY_STATES),
  attempts: z.int(),
  nextAttemptAt: isoTime.nullable(),
  lastStatus: z.int().nullable(),
  lastError: text().nullable(),
  lastResponse: text().nullable(),
  lastDurationMs: z.int().nullable(),
  lastAttemptAt: isoTime.nullable(),
  createdAt: isoTime,
  deliveredAt: isoTime.nullable(),
});
export type WebhookDeliveryView = z.infer<typeof webhookDeliveryViewSchema>;

export const deliveryPageSchema = z.object({ items: z.array(webhookDeliveryViewSchema), nextCursor: text().nullable() });
export type DeliveryPage = z.infer<typeof deliveryPageSchema>;
