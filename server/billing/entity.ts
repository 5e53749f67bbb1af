import { randomUUID } from 'node:crypto';
import { defineEntity, p } from '@mikro-orm/core';
import { BILLING_EVENT_STATES, SUBSCRIPTION_STATUSES } from '../../shared/billing.ts';
import { BillingEventRepository, InvoiceRepository, SubscriptionRepository } from './repository.ts';

/** One signed webhook delivery, stored raw as received, deduplicated, and processed by the `billing.event` job. */
const BillingEventSchema = defineEntity({
  name: 'BillingEvent',
  tableName: 'billing_events',
  repository: () => BillingEventRepository,
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    eventName: p.string().length(64),
    webhookId: p.string().length(64).nullable(),
    /** meta.webhook_id when sent, else the body's SHA-256; unique. */
    dedupeKey: p.string().length(80),
    /** The exact bytes the signature covered (UTF-8). */
    body: p.text().lazy(),
    bodySha256: p.string().length(64),
    resourceType: p.string().length(64),
    resourceId: p.string().length(64),
    subscriptionId: p.string().length(20).nullable(),
    userId: p.uuid().nullable(),
    payloadEmail: p.string().length(320).nullable(),
    testMode: p.boolean().default(false),
    state: p.enum(BILLING_EVENT_STATES).default('pending'),
    detail: p.text().nullable(),
    attempts: p.integer().default(0),
    receivedAt: p.datetime().onCreate(() => new Date()),
    processedAt: p.datetime().nullable(),
  },
});
export class BillingEvent extends BillingEventSchema.class {}
BillingEventSchema.setClass(BillingEvent);

/** A Lemon Squeezy subscription as its newest event (or the reconciler) described it. */
const SubscriptionSchema = defineEntity({
  name: 'Subscription',
  tableName: 'subscriptions',
  repository: () => SubscriptionRepository,
  properties: {
    id: p.string().length(20).primary(),
    /** Null while no user could be matched (an admin assigns the event). */
    userId: p.uuid().nullable(),
    variantId: p.string().length(20),
    productId: p.string().length(20).nullable(),
    customerId: p.string().length(20).nullable(),
    status: p.enum(SUBSCRIPTION_STATUSES),
    statusFormatted: p.string().length(64),
    productName: p.string().length(200).nullable(),
    variantName: p.string().length(200).nullable(),
    userEmail: p.string().length(320).nullable(),
    cancelled: p.boolean().default(false),
    renewsAt: p.datetime().nullable(),
    endsAt: p.datetime().nullable(),
    trialEndsAt: p.datetime().nullable(),
    billingAnchor: p.integer().columnType('smallint').nullable(),
    pastDueSince: p.datetime().nullable(),
    cardBrand: p.string().length(32).nullable(),
    cardLastFour: p.string().length(4).nullable(),
    testMode: p.boolean().default(false),
    priceCents: p.integer().nullable(),
    /** The payload's updated_at. */
    lsUpdatedAt: p.datetime(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  },
});
export class Subscription extends SubscriptionSchema.class {}
SubscriptionSchema.setClass(Subscription);

/** A subscription invoice (subscription_payment_* events). */
const InvoiceSchema = defineEntity({
  name: 'Invoice',
  tableName: 'invoices',
  repository: () => InvoiceRepository,
  properties: {
    id: p.string().length(20).primary(),
    subscriptionId: p.string().length(20),
    userId: p.uuid().nullable(),
    billingReason: p.string().length(32),
    status: p.string().length(32),
    lastEvent: p.string().length(64),
    currency: p.string().length(8),
    total: p.integer(),
    totalFormatted: p.string().length(64),
    refunded: p.boolean().default(false),
    invoiceUrl: p.text().nullable(),
    createdAt: p.datetime(),
    lsUpdatedAt: p.datetime(),
  },
});
export class Invoice extends InvoiceSchema.class {}
InvoiceSchema.setClass(Invoice);

/** One reconciliation run: the Billing screen shows the last. */
const BillingReconciliationSchema = defineEntity({
  name: 'BillingReconciliation',
  tableName: 'billing_reconciliations',
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    at: p.datetime().onCreate(() => new Date()),
    checked: p.integer(),
    drifted: p.integer(),
    unmatched: p.integer(),
    pages: p.integer(),
    error: p.text().nullable(),
  },
});
export class BillingReconciliation extends BillingReconciliationSchema.class {}
BillingReconciliationSchema.setClass(BillingReconciliation);
