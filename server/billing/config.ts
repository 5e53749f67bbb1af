import { z } from 'zod';

/**
 * Environment for billing through Lemon Squeezy (server/billing/). Merged into
 * the one schema in server/config.ts. Billing is on only when the key, the
 * store and the webhook secret are all set; with any of them unset, the
 * portal hides upgrades and nothing else changes.
 */
const int = (min: number, max: number) => {
  const message = `must be a whole number from ${min} to ${max}`;
  return z.coerce.number({ error: message }).int(message).min(min, message).max(max, message);
};

export const billingEnvShape = {
  LEMONSQUEEZY_API_KEY: z.string().trim().min(1, 'must not be empty').optional(),
  LEMONSQUEEZY_STORE_ID: z.string().trim().regex(/^[1-9][0-9]{0,18}$/, 'must be a store id (digits)').optional(),
  LEMONSQUEEZY_WEBHOOK_SECRET: z
    .string()
    .min(6, 'must be 6 to 40 characters (Lemon Squeezy\'s signing secret)')
    .max(40, 'must be 6 to 40 characters (Lemon Squeezy\'s signing secret)')
    .optional(),
  LEMONSQUEEZY_API_URL: z
    .url({ error: 'must be a URL such as https://api.lemonsqueezy.com/v1' })
    .refine((v) => /^https?:\/\//.test(v), 'must start with http:// or https://')
    .default('https://api.lemonsqueezy.com/v1'),
  BILLING_GRACE_DAYS: int(0, 60).default(3),
  BILLING_RECONCILE_MINUTES: int(1, 10_080).default(60),
};

export interface BillingConfig {
  /** All three of key, store and secret set. */
  enabled: boolean;
  apiKey: string | undefined;
  storeId: string | undefined;
  webhookSecret: string | undefined;
  /** Without a trailing slash, e.g. https://api.lemonsqueezy.com/v1. */
  apiUrl: string;
  graceDays: number;
  reconcileEveryMinutes: number;
}

export function toBillingConfig(e: {
  LEMONSQUEEZY_API_KEY?: string | undefined;
  LEMONSQUEEZY_STORE_ID?: string | undefined;
  LEMONSQUEEZY_WEBHOOK_SECRET?: string | undefined;
  LEMONSQUEEZY_API_URL: string;
  BILLING_GRACE_DAYS: number;
  BILLING_RECONCILE_MINUTES: number;
}): BillingConfig {
  return {
    enabled: Boolean(e.LEMONSQUEEZY_API_KEY && e.LEMONSQUEEZY_STORE_ID && e.LEMONSQUEEZY_WEBHOOK_SECRET),
    apiKey: e.LEMONSQUEEZY_API_KEY,
    storeId: e.LEMONSQUEEZY_STORE_ID,
    webhookSecret: e.LEMONSQUEEZY_WEBHOOK_SECRET,
    apiUrl: e.LEMONSQUEEZY_API_URL.replace(/\/+$/, ''),
    graceDays: e.BILLING_GRACE_DAYS,
    reconcileEveryMinutes: e.BILLING_RECONCILE_MINUTES,
  };
}
