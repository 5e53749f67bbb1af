import { z } from 'zod';
import { verifyWebhookSignature } from '../billing/signature.ts';
import { AppError } from '../errors.ts';
import type { Services } from '../services.ts';
import { errorResponse, type RestApi } from './route.ts';

/** Lemon Squeezy's bodies are a few KiB; anything near this is not one of theirs. */
export const WEBHOOK_BODY_LIMIT_BYTES = 256 * 1024;

const header = (headers: Record<string, string | string[] | undefined>, name: string) => {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
};

const webhookBodySchema = z
  .looseObject({
    meta: z.looseObject({
      event_name: z.string().min(1).max(64).meta({ example: 'subscription_created' }),
      webhook_id: z.string().max(64).optional(),
      custom_data: z.unknown().optional(),
    }),
    data: z.looseObject({
      type: z.string().min(1).max(64).meta({ example: 'subscriptions' }),
      id: z.union([z.string().regex(/^[0-9]{1,19}$/, 'must be a Lemon Squeezy id (digits)'), z.int().nonnegative()]),
      attributes: z.record(z.string(), z.unknown()),
    }),
  })
  .meta({ id: 'LemonSqueezyWebhook', description: 'A Lemon Squeezy webhook body (JSON:API resource with `meta`), signed in X-Signature' });

/**
 * Lemon Squeezy's webhook: no key and no quota, its own body limit, and the
 * signature checked over the raw bytes before anything is parsed or stored. A
 * good delivery is stored (once) and answered 200 at once; a job applies it.
 */
export function registerBillingRoutes(route: RestApi['route'], services: Services): void {
  const { billing, config } = services;
  route({
    method: 'POST',
    url: '/billing/lemonsqueezy',
    operationId: 'lemonSqueezyWebhook',
    summary: 'Lemon Squeezy webhook (signed with the webhook secret); 404 while billing is off',
    description:
      'Point a Lemon Squeezy webhook here (docs/billing.md). The body is checked against `X-Signature` (HMAC-SHA256 of the raw body, hex) before it is parsed; ' +
      'a good one is stored once (a retried delivery is recognised by `meta.webhook_id`, else by the body’s SHA-256) and answered 200 at once.',
    auth: 'public',
    body: webhookBodySchema,
    rawBody: {
      limitBytes: WEBHOOK_BODY_LIMIT_BYTES,
      check: (req, raw) => {
        if (!config.billing.enabled || !config.billing.webhookSecret) throw new AppError('NOT_FOUND', 'Billing is off on this server');
        if (!verifyWebhookSignature(raw, header(req.headers, 'x-signature'), config.billing.webhookSecret)) {
          throw new AppError('UNAUTHORIZED', 'Missing or invalid X-Signature: it must be the HMAC-SHA256 (hex) of the raw body under the webhook signing secret');
        }
      },
    },
    responses: {
      200: {
        description: 'Stored (or already stored: a retry); it is processed by a job',
        schema: z.object({ received: z.literal(true), duplicate: z.boolean(), id: z.uuid() }).meta({ id: 'WebhookReceived' }),
      },
      401: errorResponse('Missing or invalid X-Signature; nothing was stored'),
      404: errorResponse('Billing is off (LEMONSQUEEZY_* unset)'),
      413: errorResponse(`Body larger than ${WEBHOOK_BODY_LIMIT_BYTES} bytes`),
      415: errorResponse('Body is not JSON (Content-Type must be application/json)'),
    },
    handler: async ({ em, req, body, rawBody }) => {
      const stored = await billing.receive(em, rawBody, body, header(req.headers, 'x-event-name'));
      return { received: true as const, duplicate: stored.duplicate, id: stored.id };
    },
  });
}
