import { z } from 'zod';
import { text } from './text.ts';

export const MAX_ANALYTICS_DAYS = 366;

export const analyticsInputSchema = z.strictObject({
  // Typed as a number for callers (coercion alone would make it `unknown`); REST query strings are coerced.
  days: z.coerce
    .number<number>({ error: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(MAX_ANALYTICS_DAYS, `must be at most ${MAX_ANALYTICS_DAYS}`)
    .default(30),
});

export const trackUsageSchema = z.strictObject({
  /** What was done, e.g. `/v1/reports/export` or `pdf-render`. */
  endpoint: text().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
  /** Optional label for where the work happened. */
  source: text().trim().min(1, 'must not be empty').max(50, 'must be at most 50 characters').optional(),
  /** How much of the quota this work uses. */
  units: z.int('must be a whole number').min(1, 'must be at least 1').max(10_000, 'must be at most 10000').default(1),
});
export type TrackUsageInput = z.input<typeof trackUsageSchema>;
export type TrackUsageOutput = z.output<typeof trackUsageSchema>;

/** The caller's standing in the current period: the same numbers as the X-RateLimit-* headers. */
export const quotaStateSchema = z
  .object({
    userId: z.uuid(),
    tier: text(),
    limit: z.int().nullable().meta({ description: 'Monthly quota; null means unlimited' }),
    used: z.int(),
    remaining: z.int().nullable(),
    periodStart: z.iso.datetime().meta({ description: "First instant of the user's current period: the first of the month at 00:00 UTC, or while subscribed the last renewal" }),
    resetAt: z.iso.datetime().meta({ description: 'When usage resets: the start of the next period' }),
  })
  .meta({ id: 'QuotaState' });
export type QuotaState = z.infer<typeof quotaStateSchema>;

export const breakdownSchema = z.object({ key: text(), requests: z.int(), units: z.int() });
export type Breakdown = z.infer<typeof breakdownSchema>;

export const dailyUsageSchema = z.object({
  date: text().meta({ description: 'YYYY-MM-DD (UTC)' }),
  requests: z.int(),
  units: z.int(),
  errors: z.int(),
});
export type DailyUsage = z.infer<typeof dailyUsageSchema>;

/** Refused keyed calls by reason: 429 over quota, 403 owner suspended, 401 the caller's own key revoked or expired. */
export const refusedCountsSchema = z.object({
  overQuota: z.int().meta({ description: 'Refused with 429: the quota was used up ("usage exceeded")' }),
  suspended: z.int().meta({ description: "Refused with 403: the key's owner is suspended" }),
  keyInvalid: z.int().meta({ description: 'Refused with 401: a genuine key that was revoked or had expired (made-up keys count nowhere)' }),
});
export type RefusedCounts = z.infer<typeof refusedCountsSchema>;

export const dailyRefusedSchema = refusedCountsSchema.extend({ date: text().meta({ description: 'YYYY-MM-DD (UTC)' }) });
export type DailyRefused = z.infer<typeof dailyRefusedSchema>;

export const refusedUsageSchema = refusedCountsSchema
  .extend({
    total: z.int(),
    daily: z.array(dailyRefusedSchema),
  })
  .meta({ id: 'RefusedUsage', description: 'Calls refused before admission; they use no quota and are not in `daily`, `totals` or the ledger' });
export type RefusedUsage = z.infer<typeof refusedUsageSchema>;

export const usageAnalyticsSchema = z
  .object({
    days: z.int(),
    daily: z.array(dailyUsageSchema).meta({ description: 'Admitted calls per UTC day' }),
    byEndpoint: z.array(breakdownSchema),
    bySource: z.array(breakdownSchema),
    byStatus: z.array(breakdownSchema).meta({
      description: 'Every call by status: admitted calls by their answer, and refused calls as 429, 403 and 401 (with 0 units)',
    }),
    avgResponseMs: z.int().nullable(),
    p95ResponseMs: z.int().nullable(),
    totals: z.object({ requests: z.int(), units: z.int(), errors: z.int() }).meta({ description: 'Admitted calls only; refused calls are in `refused`' }),
    refused: refusedUsageSchema,
  })
  .meta({ id: 'UsageAnalytics' });
export type UsageAnalytics = z.infer<typeof usageAnalyticsSchema>;

export const trackedUsageSchema = z
  .object({
    recorded: z.literal(true),
    units: z.int(),
    used: z.int(),
    limit: z.int().nullable(),
    remaining: z.int().nullable(),
    resetAt: z.iso.datetime(),
  })
  .meta({ id: 'TrackedUsage' });
export type TrackedUsage = z.infer<typeof trackedUsageSchema>;

/** The answer to a tracked call (REST and tRPC alike), from the admission that counted it. */
export function trackedUsage(units: number, admission: { used: number; limit: number | null; remaining: number | null; resetAt: Date }): TrackedUsage {
  return { recorded: true, units, used: admission.used, limit: admission.limit, remaining: admission.remaining, resetAt: admission.resetAt.toISOString() };
}

/** `GET /api/v1/usage?action=current` or `?action=analytics&days=N`. */
export const usageQuerySchema = z.strictObject({
  action: z.enum(['current', 'analytics'], { error: 'must be "current" or "analytics"' }).default('current'),
  days: analyticsInputSchema.shape.days,
});
