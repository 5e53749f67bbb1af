import { z } from 'zod';
import { createUserSchema, tierNameSchema } from './users.ts';
import { text } from './text.ts';
import { USER_STATUSES, userListItemSchema, userViewSchema } from './admin.ts';

/** Management keys: `hmm_` + 32 characters from [A-Za-z0-9]. Never accepted where an API key (`hm_`) is, nor the reverse. */
export const MANAGEMENT_KEY_PATTERN = /^hmm_[A-Za-z0-9]{32}$/;
export const MANAGEMENT_KEY_PREFIX = 'hmm_';

export const MANAGEMENT_SCOPES = ['users:read', 'users:write', 'keys:write', 'usage:read', 'tiers:read'] as const;
export type ManagementScope = (typeof MANAGEMENT_SCOPES)[number];

export const SCOPE_HELP: Record<ManagementScope, string> = {
  'users:read': 'List and read users, and list their keys',
  'users:write': 'Create users, change their tier, suspend and reactivate them',
  'keys:write': "Create, revoke and rotate users' API keys",
  'usage:read': "Read users' usage and analytics",
  'tiers:read': 'List the tiers',
};

export const managementScopeSchema = z.enum(MANAGEMENT_SCOPES, { error: `must be one of: ${MANAGEMENT_SCOPES.join(', ')}` });

export const createManagementKeySchema = z.strictObject({
  name: text().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters'),
  scopes: z
    .array(managementScopeSchema, { error: 'must be a list of scopes' })
    .min(1, 'must name at least one scope')
    .max(MANAGEMENT_SCOPES.length)
    .transform((s) => [...new Set(s)]),
});
export type CreateManagementKeyInput = z.input<typeof createManagementKeySchema>;

export const managementKeySummarySchema = z
  .object({
    id: z.uuid(),
    name: text(),
    masked: text().meta({ description: 'hmm_ and the non-secret lookup id', example: 'hmm_AbCd1234…' }),
    scopes: z.array(managementScopeSchema),
    status: z.enum(['active', 'revoked']),
    createdAt: z.iso.datetime(),
    createdBy: text().meta({ description: 'Who created it, as the audit log names them' }),
    lastUsedAt: z.iso.datetime().nullable(),
    revokedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'ManagementKeySummary' });
export type ManagementKeySummary = z.infer<typeof managementKeySummarySchema>;

export const createdManagementKeySchema = managementKeySummarySchema
  .extend({ key: text().meta({ description: 'The management key. Shown once: store it now.' }) })
  .meta({ id: 'CreatedManagementKey' });
export type CreatedManagementKey = z.infer<typeof createdManagementKeySchema>;

/**
 * The user a management key acts for, in the body or query of the routes an
 * API key also calls (`/keys`, `/usage`): their id, email or external id.
 */
export const actingForSchema = z.object({
  userId: text('must be a user id, email or external id')
    .trim()
    .min(1, 'must be a user id, email or external id')
    .max(320, 'must be at most 320 characters'),
});

// The users REST API (management keys only)

/** `GET /api/v1/users?search=&status=&tier=&page=&pageSize=`: query strings, so numbers are coerced. */
export const restListUsersSchema = z.strictObject({
  search: text().trim().max(200, 'must be at most 200 characters').optional(),
  status: z.enum(USER_STATUSES, { error: 'must be active or suspended' }).optional(),
  tier: tierNameSchema.optional(),
  page: z.coerce.number<number>({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(1_000_000).default(1),
  pageSize: z.coerce.number<number>({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(100, 'must be at most 100').default(25),
});

/** `POST /api/v1/users`: the body of `harmonic users create` (tier by name; omitted means the default tier), plus the operator's own id. */
export const restCreateUserSchema = createUserSchema.extend({
  externalId: text()
    .trim()
    .min(1, 'must not be empty')
    .max(200, 'must be at most 200 characters')
    .refine((v) => !v.includes('@') && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v), 'must be neither an email nor a UUID (those name users already)')
    .optional()
    .meta({ description: "Your own id for this user (e.g. user123); userId and {id} accept it as well as Harmonic's id and the email", example: 'user123' }),
});

/** `PATCH /api/v1/users/{id}`. */
export const restUpdateUserSchema = z.strictObject({ tier: tierNameSchema });

/** `{id}` in `/api/v1/users/{id}`: a user id or email. */
export const userRefSchema = z.strictObject({ id: actingForSchema.shape.userId });

/** A user, as the REST API answers: the same view as the admin app's. */
export const restUserSchema = userViewSchema.meta({ id: 'User' });

export const restUserListSchema = z.object({
  items: z.array(userListItemSchema),
  total: z.int(),
  page: z.int(),
  pageSize: z.int(),
});

export const restTierSchema = z
  .object({ id: z.uuid(), name: text(), monthlyQuota: z.int().nullable(), priceCents: z.int().nullable(), description: text(), isDefault: z.boolean() })
  .meta({ id: 'Tier' });
