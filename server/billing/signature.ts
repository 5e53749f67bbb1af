import { createHmac, timingSafeEqual } from 'node:crypto';

/** Lemon Squeezy's `X-Signature`: the lowercase hex HMAC-SHA256 of the raw body under the webhook signing secret. */
export function webhookSignature(rawBody: Buffer | string, secret: string): string {
  return createHmac('sha256', secret).update(rawBody).digest('hex');
}

const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;

/**
 * Whether `signature` is the body's signature. Over the bytes as received: the
 * recorded bodies keep escapes such as `https:\/\/`, so a parsed-and-reserialised
 * body would never match. The comparison takes the same time whatever the bytes
 * (timingSafeEqual), after a length check it needs and that leaks nothing secret.
 */
export function verifyWebhookSignature(rawBody: Buffer | string, signature: string | undefined, secret: string): boolean {
  if (signature === undefined || !HEX_SHA256.test(signature)) return false;
  const expected = Buffer.from(webhookSignature(rawBody, secret), 'hex');
  const given = Buffer.from(signature, 'hex');
  if (given.length !== expected.length) return false;
  return timingSafeEqual(given, expected);
}
