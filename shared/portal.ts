import { z } from 'zod';
import { passwordSchema } from './admin.ts';
import { portalBillingSchema } from './billing.ts';
import { keySummarySchema } from './keys.ts';
import { quotaStateSchema, usageAnalyticsSchema } from './usage.ts';
import { text } from './text.ts';
import { emailSchema, userNameSchema } from './users.ts';

/**
 * The customer portal's inputs and views: sign-up, sign-in, the account, and what
 * the portal shows. The server's portal routers and the portal app both take their
 * shapes from here.
 */

// Defined beside the other user shapes, so that shared/admin.ts (which this file imports) can use it too.
export { USER_ORIGINS, type UserOrigin } from './users.ts';

/**
 * A customer's new password: at least 12 characters, at most 72 bytes (bcrypt's limit),
 * and not one of the passwords every cracker tries first (checked on the server too).
 */
export const customerPasswordSchema = passwordSchema;

export const signUpSchema = z.strictObject({
  email: emailSchema,
  name: userNameSchema,
  password: customerPasswordSchema,
});
export type SignUpInput = z.input<typeof signUpSchema>;

export const customerSignInSchema = z.strictObject({
  email: text().trim().min(1, 'enter your email').max(320, 'must be at most 320 characters'),
  password: text().min(1, 'enter your password').max(200, 'must be at most 200 characters'),
});
export type CustomerSignInInput = z.input<typeof customerSignInSchema>;

/** The token from an emailed link (verification, password reset, email change). */
export const emailTokenSchema = text('must be the token from the link').trim().min(16, 'is not a valid link token').max(200, 'is not a valid link token');

export const verifyEmailSchema = z.strictObject({ token: emailTokenSchema });

export const forgotPasswordSchema = z.strictObject({ email: emailSchema });

export const resetPasswordSchema = z.strictObject({ token: emailTokenSchema, password: customerPasswordSchema });

export const updateProfileSchema = z.strictObject({ name: userNameSchema });

export const changeEmailSchema = z.strictObject({
  email: emailSchema,
  /** The current password, so a browser left signed in cannot take the account. */
  password: text().min(1, 'enter your password').max(200, 'must be at most 200 characters'),
});

export const confirmEmailChangeSchema = z.strictObject({ token: emailTokenSchema });

export const customerChangePasswordSchema = z.strictObject({
  currentPassword: text().min(1, 'enter your current password').max(200, 'must be at most 200 characters'),
  newPassword: customerPasswordSchema,
});

export const deleteAccountSchema = z.strictObject({
  password: text().min(1, 'enter your password').max(200, 'must be at most 200 characters'),
  /** The customer types their email to confirm. */
  confirmEmail: emailSchema,
});

export const customerSessionIdSchema = z.strictObject({ id: z.uuid('must be a session id (a UUID)') });

/** The signed-in customer, as `portal.auth.me` and `portal.auth.signIn` return them. */
export const customerViewSchema = z.object({
  id: z.uuid(),
  email: text(),
  name: text(),
  /** Set once the email was verified; keys can be created only after. */
  emailVerifiedAt: z.iso.datetime().nullable(),
  /** A new address waiting for its verification link to be followed. */
  pendingEmail: text().nullable(),
  tier: text(),
  status: z.enum(['active', 'suspended']),
  /** Why the API refuses this customer's keys, when it does (suspension). */
  suspendedReason: text().nullable(),
  createdAt: z.iso.datetime(),
});
export type CustomerView = z.infer<typeof customerViewSchema>;

/** `portal.auth.me` and sign-in: the customer, and the CSRF token every mutation must send in X-CSRF-Token. */
export const customerSessionViewSchema = z.object({ customer: customerViewSchema, csrfToken: text() });
export type CustomerSessionView = z.infer<typeof customerSessionViewSchema>;

/** One signed-in browser of the customer's. */
export const customerSessionSchema = z.object({
  id: z.uuid(),
  createdAt: z.iso.datetime(),
  lastSeenAt: z.iso.datetime(),
  ip: text().nullable(),
  userAgent: text().nullable(),
  current: z.boolean(),
});
export type CustomerSession = z.infer<typeof customerSessionSchema>;

/** A tier as the public front page and the Plan screen show it. */
export const publicTierSchema = z.object({
  id: z.uuid(),
  name: text(),
  monthlyQuota: z.int().nullable(),
  priceCents: z.int().nullable(),
  description: text(),
  isDefault: z.boolean(),
});
export type PublicTier = z.infer<typeof publicTierSchema>;

/** What the front page needs before anyone signs in (`portal.public.info`). */
export const portalInfoSchema = z.object({
  productName: text(),
  signupEnabled: z.boolean(),
  /** Whether paid plans can be bought from the portal (the billing issue); false: contact the operator. */
  billingEnabled: z.boolean(),
  tiers: z.array(publicTierSchema),
});
export type PortalInfo = z.infer<typeof portalInfoSchema>;

/** The portal's overview: this period's quota and the usage of the last `days` days. */
export const portalOverviewSchema = z.object({ quota: quotaStateSchema, analytics: usageAnalyticsSchema });
export type PortalOverview = z.infer<typeof portalOverviewSchema>;

/**
 * The Plan screen: the customer's tier beside the public ones, and (billing)
 * their subscription and current usage period. `purchasable` lists the tier ids
 * that can be bought or changed to from the portal: public paid tiers with a
 * Lemon Squeezy variant, while billing is on.
 */
export const portalPlanSchema = z.object({
  current: publicTierSchema,
  tiers: z.array(publicTierSchema),
  billingEnabled: z.boolean(),
  purchasable: z.array(z.uuid()),
  billing: portalBillingSchema,
});
export type PortalPlan = z.infer<typeof portalPlanSchema>;

export const portalKeyListSchema = z.array(keySummarySchema);

/** Outcome of a request whose answer must not reveal whether an account exists (forgot password, sign-up resend). */
export const acceptedSchema = z.object({ accepted: z.literal(true) });
