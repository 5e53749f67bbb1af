import { z } from 'zod';
import { USER_SORTS, USER_STATUSES } from '../../../shared/admin.ts';
import { BILLING_EVENT_STATES } from '../../../shared/billing.ts';
import { SOURCE_NAMES } from '../../../shared/data.ts';

/**
 * The URL is the state of each screen: its search params are validated here,
 * so a reload or a shared link shows the same thing. A bad or hand-edited value
 * never breaks a screen: it falls back to the default (`.catch`).
 */

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .optional()
    .transform((v) => (v ? v : undefined))
    .catch(undefined);

const page = z.coerce.number().int().min(1).max(1_000_000).default(1).catch(1);

/** Where to go after signing in: a path inside the app, never another origin or the sign-in page itself. */
export function safeNext(next: unknown): string | undefined {
  if (typeof next !== 'string') return undefined;
  if (!next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return undefined;
  if (next === '/sign-in' || next.startsWith('/sign-in?') || next.startsWith('/sign-in/')) return undefined;
  if (next.length > 2000) return undefined;
  return next;
}

export const signInSearchSchema = z.object({
  next: z.string().optional().transform(safeNext).catch(undefined),
});

export const CHART_MODES = ['status', 'source'] as const;
export const dashboardSearchSchema = z.object({
  chart: z.enum(CHART_MODES).default('status').catch('status'),
});
export const dashboardSearchDefaults = { chart: 'status' } as const;

export const usersSearchSchema = z.object({
  q: optionalText(200),
  status: z.enum(USER_STATUSES).optional().catch(undefined),
  tier: z.uuid().optional().catch(undefined),
  sort: z.enum(USER_SORTS).default('createdAt').catch('createdAt'),
  order: z.enum(['asc', 'desc']).default('desc').catch('desc'),
  page,
});
export type UsersSearch = z.output<typeof usersSearchSchema>;
export const usersSearchDefaults = { sort: 'createdAt', order: 'desc', page: 1 } as const;

export const USER_TABS = ['overview', 'keys', 'billing', 'webhooks', 'activity'] as const;
export const userSearchSchema = z.object({
  tab: z.enum(USER_TABS).default('overview').catch('overview'),
});
export const userSearchDefaults = { tab: 'overview' } as const;

export const keysSearchSchema = z.object({
  user: z.uuid().optional().catch(undefined),
  q: optionalText(200),
});

export const kbSearchSchema = z.object({
  q: optionalText(200),
  page,
});
export const kbSearchDefaults = { page: 1 } as const;

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)))
  .optional()
  .catch(undefined);

export const auditSearchSchema = z.object({
  actor: optionalText(320),
  action: optionalText(64),
  targetType: optionalText(32),
  targetId: optionalText(64),
  /** Days (UTC), inclusive at both ends. */
  from: day,
  to: day,
  before: z.coerce.number().int().min(1).optional().catch(undefined),
});
export type AuditSearch = z.output<typeof auditSearchSchema>;

/** The audit filter as the procedure takes it: whole UTC days, `to` inclusive. */
export function auditInput(s: AuditSearch, limit = 50) {
  return {
    actor: s.actor,
    action: s.action,
    targetType: s.targetType,
    targetId: s.targetId,
    from: s.from ? `${s.from}T00:00:00.000Z` : undefined,
    to: s.to ? `${s.to}T23:59:59.999Z` : undefined,
    before: s.before,
    limit,
  };
}

export const playgroundSearchSchema = z.object({
  mode: z.enum(['demo', 'key']).default('demo').catch('demo'),
  query: z.string().max(500).optional().catch(undefined),
  sources: z
    .array(z.enum(SOURCE_NAMES))
    .max(SOURCE_NAMES.length)
    .optional()
    .catch(undefined),
  limit: z.coerce.number().int().min(1).max(20).optional().catch(undefined),
});
export type PlaygroundSearch = z.output<typeof playgroundSearchSchema>;
export const playgroundSearchDefaults = { mode: 'demo' } as const;

/** The Billing screen: the events' state filter, and the event open in the drawer. */
export const billingSearchSchema = z.object({
  state: z.enum(BILLING_EVENT_STATES).optional().catch(undefined),
  event: z.uuid().optional().catch(undefined),
  /** The last event of the previous page (newest first). */
  cursor: z.uuid().optional().catch(undefined),
});
export type BillingSearch = z.output<typeof billingSearchSchema>;
