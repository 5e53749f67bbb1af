import { z } from 'zod';
import { freeFormObject } from './json.ts';
import { text } from './text.ts';

/** API keys: `hm_` + 32 characters from [A-Za-z0-9]. */
export type { JsonValue } from './json.ts';

export const API_KEY_PATTERN = /^hm_[A-Za-z0-9]{32}$/;
export const MAX_ROTATION_GRACE_SECONDS = 24 * 60 * 60;

/** Free-form JSON the caller attaches to a key; bounded so that checking it can never be costly or recurse. */
const metadataSchema = freeFormObject({ maxEntries: 32, maxKeyLength: 64, maxDepth: 8, maxBytes: 4096, maxBytesLabel: '4 KB' });

export const keyNameSchema = text()
  .trim()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters');

export const createKeySchema = z.strictObject({
  name: keyNameSchema,
  /** ISO 8601; must be in the future. */
  expiresAt: z.iso
    .datetime({ offset: true, error: 'must be an ISO 8601 date-time, e.g. 2027-01-31T00:00:00Z' })
    .refine((v) => Date.parse(v) > Date.now(), 'must be in the future')
    .optional(),
  metadata: metadataSchema.optional(),
});
export type CreateKeyInput = z.input<typeof createKeySchema>;

export const keyIdSchema = z.strictObject({ id: z.uuid('must be a key id (a UUID)') });

export const rotateKeySchema = z.strictObject({
  id: z.uuid('must be a key id (a UUID)'),
  /** How long the old key keeps working; 0 (the default) stops it at once. */
  gracePeriodSeconds: z
    .int('must be a whole number of seconds')
    .min(0, 'must not be negative')
    .max(MAX_ROTATION_GRACE_SECONDS, 'must be at most 86400 (24 hours)')
    .default(0),
});
export type RotateKeyInput = z.input<typeof rotateKeySchema>;

/** A key as listed: never the hash, never the secret. */
export const keySummarySchema = z
  .object({
    id: z.uuid(),
    name: text(),
    masked: text().meta({ description: 'hm_ and the non-secret lookup id', example: 'hm_AbCd1234…' }),
    status: z.enum(['active', 'expired', 'revoked']),
    createdAt: z.iso.datetime(),
    lastUsedAt: z.iso.datetime().nullable(),
    expiresAt: z.iso.datetime().nullable(),
    revokedAt: z.iso.datetime().nullable(),
    usageCount: z.int(),
    metadata: z.record(text(), z.unknown()),
    replacedById: z.uuid().nullable(),
  })
  .meta({ id: 'KeySummary' });
export type KeySummary = z.infer<typeof keySummarySchema>;

/** Returned once, at creation or rotation: the only time the plaintext key exists outside the caller. */
export const createdKeySchema = keySummarySchema
  .extend({ key: text().meta({ description: 'The API key. Shown once: store it now.', example: 'hm_AbCd1234efGhIjKlMnOpQrStUvWxYz0123' }) })
  .meta({ id: 'CreatedKey' });
export type CreatedKey = z.infer<typeof createdKeySchema>;

export const rotatedKeySchema = z.object({ key: createdKeySchema, previous: keySummarySchema }).meta({ id: 'RotatedKey' });
export type RotatedKey = z.infer<typeof rotatedKeySchema>;
