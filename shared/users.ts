import { z } from 'zod';
import { storableText, text } from './text.ts';

/** How a user came to exist: signed up on the portal, or created by an admin (app, CLI or management API). */
export const USER_ORIGINS = ['signup', 'admin'] as const;
export type UserOrigin = (typeof USER_ORIGINS)[number];

export const emailSchema = z
  .email({ error: 'must be an email address' })
  .max(320, 'must be at most 320 characters')
  .check(storableText)
  .transform((e) => e.toLowerCase());

export const userNameSchema = text()
  .trim()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters');

export const tierNameSchema = text()
  .trim()
  .min(1, 'must not be empty')
  .max(64, 'must be at most 64 characters');

export const createUserSchema = z.strictObject({
  email: emailSchema,
  name: userNameSchema,
  /** Tier name; omitted means the default tier (Free). */
  tier: tierNameSchema.optional(),
});
export type CreateUserInput = z.input<typeof createUserSchema>;
