import { z } from 'zod';
import { text } from './text.ts';
import { createKeySchema, MAX_ROTATION_GRACE_SECONDS } from './keys.ts';
import { breakdownSchema, refusedUsageSchema } from './usage.ts';
import { emailSchema, tierNameSchema, USER_ORIGINS, userNameSchema } from './users.ts';

/**
 * Input shapes of the admin API (tRPC), shared by the server and the admin SPA's forms,
 * and the views it answers with (as types; nothing validates them at run time).
 */

export const ADMIN_ROLES = ['owner', 'admin', 'viewer'] as const;
export type AdminRole = (typeof ADMIN_ROLES)[number];
export const adminRoleSchema = z.enum(ADMIN_ROLES, { error: 'must be owner, admin or viewer' });

export const idSchema = z.strictObject({ id: z.uuid('must be an id (a UUID)') });

/** bcrypt reads at most 72 bytes, so longer passwords would be silently truncated: refuse them. */
export const passwordSchema = text()
  .min(12, 'must be at least 12 characters')
  .refine((p) => new TextEncoder().encode(p).length <= 72, 'must be at most 72 bytes');

export const signInSchema = z.strictObject({
  email: text().trim().min(1, 'enter your email').max(320, 'must be at most 320 characters'),
  password: text().min(1, 'enter your password').max(200, 'must be at most 200 characters'),
});
export type SignInInput = z.input<typeof signInSchema>;

/** The signed-in admin as `auth.signIn` and `auth.me` return them, with the CSRF token mutations must send. */
export const adminSessionViewSchema = z.object({
  admin: z.object({ id: z.uuid(), email: text(), name: text(), role: z.enum(ADMIN_ROLES) }),
  csrfToken: text(),
});
export type AdminSessionView = z.infer<typeof adminSessionViewSchema>;

export const changePasswordSchema = z.strictObject({
  currentPassword: text().min(1, 'enter your current password').max(200),
  newPassword: passwordSchema,
});

export const createAdminSchema = z.strictObject({
  email: emailSchema,
  name: userNameSchema.optional(),
  role: adminRoleSchema,
  /** Omitted: a strong password is generated and returned once. */
  password: passwordSchema.optional(),
});

export const updateAdminSchema = z.strictObject({
  id: z.uuid('must be an id (a UUID)'),
  role: adminRoleSchema.optional(),
  name: userNameSchema.optional(),
});

/** An admin account as listed: never the password hash. */
export const adminViewSchema = z.object({
  id: z.uuid(),
  email: text(),
  name: text(),
  role: z.enum(ADMIN_ROLES),
  createdAt: z.iso.datetime(),
  lastSignInAt: z.iso.datetime().nullable(),
});
export type AdminView = z.infer<typeof adminViewSchema>;

// Users

export const USER_SORTS = ['createdAt', 'email', 'name', 'used'] as const;
export const USER_STATUSES = ['active', 'suspended'] as const;

export const listUsersSchema = z.strictObject({
  search: text().trim().max(200, 'must be at most 200 characters').optional(),
  status: z.enum(USER_STATUSES, { error: 'must be active or suspended' }).optional(),
  tierId: z.uuid('must be a tier id').optional(),
  sort: z.enum(USER_SORTS, { error: `must be one of: ${USER_SORTS.join(', ')}` }).default('createdAt'),
  order: z.enum(['asc', 'desc'], { error: 'must be asc or desc' }).default('desc'),
  page: z.int('must be a whole number').min(1, 'must be at least 1').max(1_000_000).default(1),
  pageSize: z.int('must be a whole number').min(1, 'must be at least 1').max(100, 'must be at most 100').default(25),
});
export type ListUsersInput = z.input<typeof listUsersSchema>;
/** A users query with its defaults applied: what the service and the repository take. */
export type ListUsersParams = z.output<typeof listUsersSchema>;

export const userViewSchema = z.object({
  id: z.uuid(),
  email: text(),
  name: text(),
  /** The operator's own id for the user, when one was given at creation. */
  externalId: text().nullable(),
  tier: text(),
  tierId: z.uuid(),
  status: z.enum(USER_STATUSES),
  createdAt: z.iso.datetime(),
  /** `signup`: the customer signed up on the portal; `admin`: an admin created them (app, CLI or management API). */
  origin: z.enum(USER_ORIGINS),
  /** When the customer followed a link sent to their email; null: not verified (they cannot create keys on the portal yet). */
  emailVerifiedAt: z.iso.datetime().nullable(),
});
export type UserView = z.infer<typeof userViewSchema>;

/** A row of the users list: the user with their tier's quota, this period's count and live keys. */
export const userListItemSchema = userViewSchema.extend({
  tierQuota: z.int().nullable(),
  usedThisPeriod: z.int(),
  activeKeys: z.int(),
});
export type UserListItem = z.infer<typeof userListItemSchema>;

export const userListSchema = z.object({ items: z.array(userListItemSchema), total: z.int(), page: z.int(), pageSize: z.int() });
export type UserList = z.infer<typeof userListSchema>;

export const adminCreateUserSchema = z.strictObject({
  email: emailSchema,
  name: userNameSchema,
  /** Omitted: the default tier. */
  tierId: z.uuid('must be a tier id').optional(),
});
export type AdminCreateUserInput = z.input<typeof adminCreateUserSchema>;

export const updateUserSchema = z.strictObject({
  id: z.uuid('must be an id (a UUID)'),
  email: emailSchema.optional(),
  name: userNameSchema.optional(),
  tierId: z.uuid('must be a tier id').optional(),
});
export type UpdateUserInput = z.input<typeof updateUserSchema>;

// Tiers

const quotaSchema = z
  .int('must be a whole number')
  .min(0, 'must not be negative')
  .max(2_000_000_000, 'must be at most 2,000,000,000')
  .nullable()
  .meta({ description: 'Requests per month; null means unlimited' });
const priceSchema = z
  .int('must be a whole number of cents')
  .min(0, 'must not be negative')
  .max(100_000_000, 'must be at most 100,000,000 cents')
  .nullable()
  .meta({ description: 'Monthly price in cents; null means a negotiated price' });

export const createTierSchema = z.strictObject({
  name: tierNameSchema,
  monthlyQuota: quotaSchema,
  priceCents: priceSchema,
  description: text().trim().max(1000, 'must be at most 1000 characters').default(''),
  isDefault: z.boolean().optional(),
  /** Shown on the portal's public pages; omitted: not shown. */
  public: z.boolean({ error: 'must be true or false' }).optional(),
});
export type CreateTierInput = z.input<typeof createTierSchema>;

export const updateTierSchema = z.strictObject({
  id: z.uuid('must be an id (a UUID)'),
  name: tierNameSchema.optional(),
  monthlyQuota: quotaSchema.optional(),
  priceCents: priceSchema.optional(),
  description: text().trim().max(1000, 'must be at most 1000 characters').optional(),
  isDefault: z.literal(true, { error: 'can only be set to true (make another tier the default instead)' }).optional(),
  public: z.boolean({ error: 'must be true or false' }).optional(),
});
export type UpdateTierInput = z.input<typeof updateTierSchema>;

export const tierViewSchema = z.object({
  id: z.uuid(),
  name: text(),
  monthlyQuota: z.int().nullable(),
  priceCents: z.int().nullable(),
  description: text(),
  isDefault: z.boolean(),
  /** Shown on the portal's front page and Plan screen; a tier that is not public is still assignable by admins. */
  public: z.boolean(),
  /** Live users on this tier. */
  users: z.int(),
  /** The Lemon Squeezy variant this tier is sold as (billing); null: not for sale (a free tier, or not mapped yet). */
  lemonsqueezyVariantId: text().nullable(),
  /** Default alert thresholds in percent of the quota, ascending (shared/alerts.ts); [] turns them off for users who set none. */
  alertPercents: z.array(z.int()),
  createdAt: z.iso.datetime(),
});
export type TierView = z.infer<typeof tierViewSchema>;

// Settings

/** `admin.settings.get` and `update`: what admins change at run time. */
export const adminSettingsSchema = z.object({
  /** The admins' switch for portal sign-up. */
  signupEnabled: z.boolean(),
  /** False when the server runs with SIGNUP_ENABLED=false, which closes sign-up whatever the switch says. */
  signupAllowedByServer: z.boolean(),
  /** Whether anyone can sign up right now: both of the above. */
  signupOpen: z.boolean(),
});
export type AdminSettings = z.infer<typeof adminSettingsSchema>;

export const updateSettingsSchema = z.strictObject({
  signupEnabled: z.boolean({ error: 'must be true or false' }).optional(),
});
export type UpdateSettingsInput = z.input<typeof updateSettingsSchema>;

// Keys of any user

export const adminListKeysSchema = z.strictObject({ userId: z.uuid('must be a user id') });
export const adminCreateKeySchema = createKeySchema.extend({ userId: z.uuid('must be a user id') });
export type AdminCreateKeyInput = z.input<typeof adminCreateKeySchema>;
export const adminRotateKeySchema = z.strictObject({
  id: z.uuid('must be a key id'),
  gracePeriodSeconds: z
    .int('must be a whole number of seconds')
    .min(0, 'must not be negative')
    .max(MAX_ROTATION_GRACE_SECONDS, 'must be at most 86400 (24 hours)')
    .default(0),
});

// Analytics

const daysSchema = z.int('must be a whole number').min(1, 'must be at least 1').max(366, 'must be at most 366').default(30);
export const overviewSchema = z.strictObject({ days: daysSchema });
export const userAnalyticsSchema = z.strictObject({ userId: z.uuid('must be a user id'), days: daysSchema });
export const resetUsageSchema = z.strictObject({ userId: z.uuid('must be a user id') });

/** The admin dashboard over the last `days` UTC days. */
export const dashboardSchema = z.object({
  days: z.int(),
  requestsToday: z.int(),
  requestsThisMonth: z.int(),
  activeKeys: z.int(),
  users: z.int(),
  requests: z.int(),
  errors: z.int(),
  errorRate: z.number(),
  p50Ms: z.int().nullable(),
  p95Ms: z.int().nullable(),
  daily: z.array(
    z.object({
      date: text().meta({ description: 'YYYY-MM-DD (UTC)' }),
      ok: z.int(),
      clientErrors: z.int(),
      serverErrors: z.int(),
      demo: z.int(),
      bySource: z.record(text(), z.int()),
    }),
  ),
  topUsers: z.array(z.object({ userId: z.uuid(), email: text(), tier: text(), requests: z.int() })),
  nearQuota: z.array(z.object({ userId: z.uuid(), email: text(), tier: text(), used: z.int(), quota: z.int(), utilisation: z.number() })),
  revenue: z.array(
    z.object({
      tierId: z.uuid(),
      tier: text(),
      priceCents: z.int().nullable(),
      monthlyQuota: z.int().nullable(),
      users: z.int(),
      payingUsers: z.int(),
      /** null: a negotiated price, not known here. */
      monthlyRevenueCents: z.int().nullable(),
    }),
  ),
  monthlyRevenueCents: z.int(),
  /** Everyone's calls in the window, by endpoint, source and status. */
  byEndpoint: z.array(breakdownSchema),
  bySource: z.array(breakdownSchema),
  byStatus: z.array(breakdownSchema),
  /** Everyone's refused keyed calls in the window, by reason and day (not in `requests` or `daily`). */
  refused: refusedUsageSchema,
});
export type Overview = z.infer<typeof dashboardSchema>;

// Audit log

export const auditListSchema = z.strictObject({
  /** Matches the actor's id exactly or their label (e.g. an admin's email) in part. */
  actor: text().trim().min(1).max(320).optional(),
  action: text().trim().min(1).max(64).optional(),
  targetType: text().trim().min(1).max(32).optional(),
  targetId: text().trim().min(1).max(64).optional(),
  /** Everything about one user: events that target them and events about their keys. */
  userId: z.uuid('must be a user id').optional(),
  from: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time' }).optional(),
  to: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time' }).optional(),
  /** The id of the last event of the previous page. */
  before: z.int().min(1).optional(),
  limit: z.int().min(1, 'must be at least 1').max(200, 'must be at most 200').default(50),
});
export type AuditListInput = z.input<typeof auditListSchema>;

export const auditEventViewSchema = z.object({
  id: z.int(),
  at: z.iso.datetime(),
  actorType: text(),
  actorId: text().nullable(),
  actorLabel: text(),
  action: text(),
  targetType: text(),
  targetId: text().nullable(),
  details: z.record(text(), z.unknown()),
  ip: text().nullable(),
});
export type AuditEventView = z.infer<typeof auditEventViewSchema>;

export const auditPageSchema = z.object({ items: z.array(auditEventViewSchema), nextBefore: z.int().nullable() });
export type AuditPage = z.infer<typeof auditPageSchema>;
