import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com), by its
 * reference library: receivers verify with any Standard Webhooks library and
 * the endpoint's `whsec_…` secret.
 */

/** A new endpoint secret: `whsec_` and 24 random bytes in base64, as the specification's examples have it. */
export function newEndpointSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

/**
 * The three headers of one delivery attempt. Every attempt of a message carries
 * the same `id`; the timestamp is the attempt's, since receivers reject old ones.
 */
export function signatureHeaders(secret: string, id: string, at: Date, payload: string): Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, at, payload),
  };
}
