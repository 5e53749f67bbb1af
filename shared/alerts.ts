import { z } from 'zod';
import { text } from './text.ts';

/**
 * Usage alerts: thresholds (tier defaults and a customer's own), the alerts
 * they fire, the portal's notices and the operator's feed. The single source
 * of truth for the server, the portal and the admin app.
 */

export const MIN_PERCENT = 1;
export const MAX_PERCENT = 1000;
/** A user or tier holds at most this many thresholds. */
export const MAX_THRESHOLDS = 10;
export const DEFAULT_ALERT_PERCENTS = [80, 100] as const;

/** A percentage of the quota, or an absolute count (the only kind that means anything on an unlimited tier). */
export const thresholdSchema = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({
      kind: z.literal('percent'),
      value: z.int('must be a whole number').min(MIN_PERCENT, `must be at least ${MIN_PERCENT}`).max(MAX_PERCENT, `must be at most ${MAX_PERCENT}`),
    }),
    z.strictObject({
      kind: z.literal('count'),
      value: z.int('must be a whole number').min(1, 'must be at least 1').max(2_000_000_000, 'must be at most 2000000000'),
    }),
  ],
  { error: 'must be {"kind":"percent","value":1..1000} or {"kind":"count","value":N}' },
);
export type Threshold = z.infer<typeof thresholdSchema>;

const sameThreshold = (a: Threshold, b: Threshold) => a.kind === b.kind && a.value === b.value;

/** Distinct, sorted (percentages first, then counts, each ascending). */
export const thresholdListSchema = z
  .array(thresholdSchema)
  .max(MAX_THRESHOLDS, `must hold at most ${MAX_THRESHOLDS} thresholds`)
  .transform((list) =>
    list
      .filter((t, i) => list.findIndex((o) => sameThreshold(o, t)) === i)
      .sort((a, b) => (a.kind === b.kind ? a.value - b.value : a.kind === 'percent' ? -1 : 1)),
  );

/** `portal.alerts.update`: the customer's own thresholds, or null to follow the tier's defaults. An empty list turns alerts off. */
export const updateAlertSettingsSchema = z.strictObject({ thresholds: thresholdListSchema.nullable() });
export type UpdateAlertSettingsInput = z.input<typeof updateAlertSettingsSchema>;

/** `admin.tiers.setAlertPercents`: a tier's default thresholds, in percent of its quota. */
export const setTierAlertPercentsSchema = z.strictObject({
  id: z.uuid('must be a tier id (a UUID)'),
  percents: z
    .array(z.int('must be a whole number').min(MIN_PERCENT, `must be at least ${MIN_PERCENT}`).max(MAX_PERCENT, `must be at most ${MAX_PERCENT}`))
    .max(MAX_THRESHOLDS, `must hold at most ${MAX_THRESHOLDS} thresholds`)
    .transform((list) => [...new Set(list)].sort((a, b) => a - b)),
});
export type SetTierAlertPercentsInput = z.input<typeof setTierAlertPercentsSchema>;

/** What the portal's alert settings show. */
export const alertSettingsViewSchema = z.object({
  /** The thresholds in force: the customer's own, or else the tier's. */
  thresholds: z.array(thresholdSchema),
  /** True when the customer has set none of their own. */
  usingTierDefaults: z.boolean(),
  tierDefaults: z.array(thresholdSchema),
  /** Null on an unlimited tier: percentages then never fire. */
  limit: z.int().nullable(),
});
export type AlertSettingsView = z.infer<typeof alertSettingsViewSchema>;

export const ALERT_KINDS = ['percent', 'count', 'exhausted'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];
export const RESOLVED_REASONS = ['period_reset', 'upgrade'] as const;

/** One fired alert: a threshold crossed in one period. */
export const alertViewSchema = z.object({
  id: z.uuid(),
  userId: z.uuid(),
  /** `exhausted`: the quota itself (100%), announced as quota.exhausted. */
  kind: z.enum(ALERT_KINDS),
  /** The percentage or the count as set (100 for `exhausted`). */
  value: z.int(),
  /** The count the threshold stood for when it fired. */
  atCount: z.int(),
  used: z.int(),
  limit: z.int().nullable(),
  periodStart: z.iso.datetime(),
  resetAt: z.iso.datetime(),
  firedAt: z.iso.datetime(),
  resolvedAt: z.iso.datetime().nullable(),
  resolvedReason: z.enum(RESOLVED_REASONS).nullable(),
});
export type AlertView = z.infer<typeof alertViewSchema>;

/** `portal.alerts.notifications`: the customer's notices, newest first. */
export const notificationsViewSchema = z.object({
  /** Alerts that still hold in the current period, highest first: what the banner says. */
  active: z.array(alertViewSchema),
  /** Recent alerts, fired and resolved, newest first. */
  recent: z.array(alertViewSchema),
  /** Alerts fired since the customer last opened the list. */
  unread: z.int(),
});
export type NotificationsView = z.infer<typeof notificationsViewSchema>;

/** `admin.alerts.feed`: the operator's feed, newest first, across users. */
export const alertFeedItemSchema = alertViewSchema.extend({ email: text(), name: text(), tier: text() });
export type AlertFeedItem = z.infer<typeof alertFeedItemSchema>;
export const alertFeedInputSchema = z.strictObject({
  limit: z.int('must be a whole number').min(1, 'must be at least 1').max(100, 'must be at most 100').default(20),
  userId: z.uuid('must be a user id (a UUID)').optional(),
});

/** How an alert reads, in the banner, the list, the feed and the email. */
export function describeAlert(a: Pick<AlertView, 'kind' | 'value' | 'atCount' | 'used' | 'limit'>): string {
  const of = a.limit === null ? `${a.used.toLocaleString('en-US')} requests` : `${a.used.toLocaleString('en-US')} of ${a.limit.toLocaleString('en-US')} requests`;
  if (a.kind === 'exhausted') return `Quota used up: ${of} this period`;
  if (a.kind === 'percent') return `${a.value}% of the quota reached: ${of} this period`;
  return `${a.value.toLocaleString('en-US')} requests reached: ${of} this period`;
}
