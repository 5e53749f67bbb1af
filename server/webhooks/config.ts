import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { envFlag } from '../env-flag.ts';

/**
 * Environment for outgoing webhooks (server/webhooks/). Merged into the one
 * schema in server/config.ts.
 */
const int = (min: number, max: number) => {
  const message = `must be a whole number from ${min} to ${max}`;
  return z.coerce.number({ error: message }).int(message).min(min, message).max(max, message);
};

const validNetwork = (v: string): boolean => {
  if (isIP(v) !== 0) return true;
  try {
    ipaddr.parseCIDR(v);
    return true;
  } catch {
    return false;
  }
};

export const webhooksEnvShape = {
  /** Lets endpoints use http://localhost (tests, local development). Off in production. */
  ALLOW_INSECURE_WEBHOOKS: envFlag(false),
  /** Addresses or CIDR ranges webhooks may reach although they are private (e.g. an internal receiver at 10.1.2.3). */
  WEBHOOK_ALLOWED_NETWORKS: z
    .string()
    .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
    .refine((list) => list.every(validNetwork), 'must be a comma-separated list of IP addresses or CIDR ranges such as 10.1.0.0/16')
    .optional(),
  WEBHOOK_TIMEOUT_MS: int(100, 60_000).default(10_000),
  WEBHOOK_MAX_RESPONSE_BYTES: int(0, 1_048_576).default(65_536),
  /**
   * The key endpoint signing secrets are encrypted under (AES-256-GCM): base64 of 32 bytes. Unset:
   * a key file made at the first start in HARMONIC_DATA_DIR. Instances sharing a database must share it.
   */
  HARMONIC_SECRET_KEY: z
    .string()
    .trim()
    .refine((v) => /^[A-Za-z0-9+/]+={0,2}$/.test(v) && Buffer.from(v, 'base64').length === 32, 'must be 32 bytes in base64 (e.g. from `openssl rand -base64 32`)')
    .optional(),
};

export interface WebhooksConfig {
  allowInsecure: boolean;
  allowedNetworks: string[];
  timeoutMs: number;
  maxResponseBytes: number;
  /** HARMONIC_SECRET_KEY, decoded; undefined means the key file in the data directory (server/webhooks/secret-box.ts). */
  secretKey: Buffer | undefined;
}

export function toWebhooksConfig(e: {
  ALLOW_INSECURE_WEBHOOKS: boolean;
  WEBHOOK_ALLOWED_NETWORKS?: string[] | undefined;
  WEBHOOK_TIMEOUT_MS: number;
  WEBHOOK_MAX_RESPONSE_BYTES: number;
  HARMONIC_SECRET_KEY?: string | undefined;
}): WebhooksConfig {
  return {
    allowInsecure: e.ALLOW_INSECURE_WEBHOOKS,
    allowedNetworks: e.WEBHOOK_ALLOWED_NETWORKS ?? [],
    timeoutMs: e.WEBHOOK_TIMEOUT_MS,
    maxResponseBytes: e.WEBHOOK_MAX_RESPONSE_BYTES,
    secretKey: e.HARMONIC_SECRET_KEY ? Buffer.from(e.HARMONIC_SECRET_KEY, 'base64') : undefined,
  };
}
