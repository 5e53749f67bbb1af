import { randomUUID } from 'node:crypto';
import { defineEntity, p } from '@mikro-orm/core';
import { DELIVERY_STATES, WEBHOOK_EVENT_TYPES } from '../../shared/webhooks.ts';
import { User } from '../users/entity.ts';
import { WebhookDeliveryRepository, WebhookEndpointRepository } from './repository.ts';

/**
 * Where events go: a customer's endpoint (user set) gets that user's events, an
 * operator's (user null) every user's. The signing secret is kept sealed under
 * the server key (server/webhooks/secret-box.ts), never in plaintext.
 */
const WebhookEndpointSchema = defineEntity({
  name: 'WebhookEndpoint',
  tableName: 'webhook_endpoints',
  repository: () => WebhookEndpointRepository,
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    user: () => p.manyToOne(User).ref().nullable().deleteRule('cascade'),
    url: p.string().length(2000),
    description: p.string().length(200).default(''),
    eventTypes: p.array(),
    secretSealed: p.text().hidden(),
    enabled: p.boolean().default(true),
    disabledReason: p.string().length(300).nullable(),
    disabledAt: p.datetime().nullable(),
    failingSince: p.datetime().nullable(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
});
export class WebhookEndpoint extends WebhookEndpointSchema.class {}
WebhookEndpointSchema.setClass(WebhookEndpoint);

/** One message to one endpoint; its id is the `webhook-id` of every attempt. */
const WebhookDeliverySchema = defineEntity({
  name: 'WebhookDelivery',
  tableName: 'webhook_deliveries',
  repository: () => WebhookDeliveryRepository,
  properties: {
    id: p.string().length(48).primary(),
    endpoint: () => p.manyToOne(WebhookEndpoint).ref().deleteRule('cascade'),
    /** The user the event is about (null for an operator's test event); not a foreign key, so the log outlives nothing it should not. */
    userId: p.uuid().nullable(),
    eventType: p.enum(WEBHOOK_EVENT_TYPES).columnType('varchar(64)'),
    payload: p.json<Record<string, unknown>>().columnType('json'),
    state: p.enum(DELIVERY_STATES).default('pending'),
    attempts: p.integer().default(0),
    nextAttemptAt: p.datetime().nullable(),
    lastStatus: p.integer().nullable(),
    lastError: p.string().length(1000).nullable(),
    lastResponse: p.string().length(1024).nullable(),
    lastDurationMs: p.integer().nullable(),
    lastAttemptAt: p.datetime().nullable(),
    createdAt: p.datetime(),
    deliveredAt: p.datetime().nullable(),
  },
});
export class WebhookDelivery extends WebhookDeliverySchema.class {}
WebhookDeliverySchema.setClass(WebhookDelivery);
