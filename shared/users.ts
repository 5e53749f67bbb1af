import { z } from 'zod';

export const emailSchema = z
  .email({ error: 'must be an email address' })
  .max(320, 'must be at most 320 characters')
  .transform((e) => e.toLowerCase());

export const userNameSchema = z
  .string({ error: 'must be a string' })
  .trim()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters');

export const tierNameSchema = z
  .string({ error: 'must be a string' })
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
