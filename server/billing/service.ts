import { createHash, randomUUID } from 'node:crypto';
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type {
  BillingEventDetail,
  BillingEventPage,
  BillingEventView,
  BillingStatus,
  ChangePlanResult,
  InvoiceView,
  ListBillingEventsInput,
  PaymentLinks,
  ReconciliationResult,
  Revenue,
  SubscriptionView,
  UsagePeriod,
  UserBilling,
} from '../../shared/billing.ts';
import type { TierView } from '../../shared/admin.ts';
import type { PortalPlan } from '../../shared/portal.ts';
import type { AlertService } from '../alerts/service.ts';
import { audit, type Actor } from '../audit/service.ts';
import type { Config } from '../config.ts';
import type { Orm } from '../db/orm.ts';
import { AppError } from '../errors.ts';
import { broadcastInvalidation } from '../events/invalidation.ts';
import type { Jobs } from '../jobs/service.ts';
import type { Metrics } from '../metrics.ts';
import { Tier } from '../tiers/entity.ts';
import { publicTierView, type TierService } from '../tiers/service.ts';
import { subscriptionAnchor } from '../usage/admission/period.ts';
import type { UsageService } from '../usage/service.ts';
import { User } from '../users/entity.ts';
import type { WebhookEmitter } from '../webhooks/service.ts';
import { LemonSqueezyClient, LemonSqueezyError } from './client.ts';
import { BillingEvent, BillingReconciliation, Invoice, Subscription } from './entity.ts';
import {
  INVOICE_EVENTS,
  invoiceAttributesSchema,
  SUBSCRIPTION_EVENTS,
  subscriptionPayload,
  webhookEnvelopeSchema,
  type SubscriptionPayload,
  type WebhookEnvelope,
} from './payload.ts';
import { graceEndsAt, pastDueSince, tierGrant } from './rules.ts';

/** pg-boss queues: one stored delivery to apply; a user's tier to re-evaluate at a due instant; the reconciler. */
export const BILLING_EVENT_QUEUE = 'billing.event';
export const BILLING_RECHECK_QUEUE = 'billing.recheck';
export const BILLING_RECONCILE_QUEUE = 'billing.reconcile';

/** Who changes tiers on billing's behalf in the audit log. */
export const BILLING_ACTOR: Actor = { type: 'billing', id: null, label: 'lemonsqueezy' };

/** Attempts of the event job before the delivery is marked failed (an admin can replay it). */
const EVENT_RETRY_LIMIT = 5;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Outcome = { state: 'processed' | 'unmatched' | 'ignored' | 'failed'; detail: string | null; userId: string | null; subscriptionId: string | null };

/** What applying one subscription did: whether its stored row changed, and whether the user's tier did. */
interface Applied {
  stored: boolean;
  tierChanged: boolean;
  userId: string | null;
  unknownVariant: boolean;
}

/** The cron for "every N minutes", rounded to what cron can say (N < 60 divides the hour; whole hours; whole days). */
export function reconcileCron(minutes: number): string {
  if (minutes < 60) return `*/${minutes} * * * *`;
  if (minutes < 1440) return `0 */${Math.max(1, Math.round(minutes / 60))} * * *`;
  return `0 0 */${Math.max(1, Math.round(minutes / 1440))} * *`;
}

/**
 * Billing through Lemon Squeezy: webhooks are stored raw and applied by a job;
 * subscriptions move users' tiers by the rules in rules.ts; a reconciler lists
 * the store's subscriptions and corrects what missed webhooks left wrong; the
 * portal buys, changes and cancels through the API.
 *
 * Every tier change is one transaction: `users.tier_id` and `users.period_anchor`,
 * an audit event by actor `billing`, and the invalidation every instance hears.
 */
export class BillingService {
  private readonly config: Config;
  private readonly logger: Logger;
  private readonly orm: Orm;
  private readonly jobs: Jobs;
  private readonly metrics: Metrics;
  private readonly tiers: TierService;
  private readonly usage: UsageService;
  private readonly webhooks: WebhookEmitter | undefined;
  private readonly alerts: Pick<AlertService, 'quotaChanged'> | undefined;
  private readonly publicUrl: () => string;
  /** The billing clock: grace periods and ends_at are judged by it (tests move it). */
  readonly now: () => Date;
  readonly client: LemonSqueezyClient | undefined;
  private working = false;

  constructor(deps: {
    config: Config;
    logger: Logger;
    orm: Orm;
    jobs: Jobs;
    metrics: Metrics;
    tiers: TierService;
    usage: UsageService;
    /** Where subscription.changed goes (server/webhooks/). */
    events?: WebhookEmitter;
    /** Told of every tier change, to resolve the quota alerts it undoes (server/alerts/). */
    alerts?: Pick<AlertService, 'quotaChanged'>;
    publicUrl: () => string;
    now?: () => Date;
  }) {
    this.config = deps.config;
    this.logger = deps.logger.child({ component: 'billing' });
    this.orm = deps.orm;
    this.jobs = deps.jobs;
    this.metrics = deps.metrics;
    this.tiers = deps.tiers;
    this.usage = deps.usage;
    this.webhooks = deps.events;
    this.alerts = deps.alerts;
    this.publicUrl = deps.publicUrl;
    this.now = deps.now ?? (() => new Date());
    const b = this.config.billing;
    this.client = b.enabled && b.apiKey && b.storeId ? new LemonSqueezyClient({ apiUrl: b.apiUrl, apiKey: b.apiKey, storeId: b.storeId }) : undefined;
  }

  get enabled(): boolean {
    return this.config.billing.enabled;
  }

  /** Registers the job handlers and the reconciler's schedule (billing on only); they run once the jobs service starts. */
  start(): void {
    if (this.working || !this.enabled) return;
    this.working = true;
    this.jobs.work<{ eventId: string }>(
      BILLING_EVENT_QUEUE,
      async ({ eventId }, job) => {
        try {
          await this.processEvent(eventId);
        } catch (err) {
          if (job.retryCount >= EVENT_RETRY_LIMIT) await this.markFailed(eventId, err);
          throw err;
        }
      },
      { retryLimit: EVENT_RETRY_LIMIT, retryDelay: 5, retryBackoff: true, retryDelayMax: 600, expireInSeconds: 300 },
    );
    this.jobs.work<{ userId: string }>(BILLING_RECHECK_QUEUE, async ({ userId }) => void (await this.recheck(userId)), { retryLimit: 5, retryDelay: 30, retryBackoff: true, expireInSeconds: 300 });
    this.jobs.work(
      BILLING_RECONCILE_QUEUE,
      async () => {
        await this.reconcile();
      },
      // The next run is the retry.
      { retryLimit: 0, expireInSeconds: 1800, deleteAfterSeconds: 7 * 24 * 3600 },
    );
    this.jobs.schedule(BILLING_RECONCILE_QUEUE, reconcileCron(this.config.billing.reconcileEveryMinutes));
  }

  async stop(): Promise<void> {
    if (!this.working) return;
    this.working = false;
    await Promise.all([this.jobs.offWork(BILLING_EVENT_QUEUE), this.jobs.offWork(BILLING_RECHECK_QUEUE), this.jobs.offWork(BILLING_RECONCILE_QUEUE)]);
  }

  private requireClient(): LemonSqueezyClient {
    if (!this.client) throw new AppError('CONFLICT', 'Billing is off: set LEMONSQUEEZY_API_KEY, LEMONSQUEEZY_STORE_ID and LEMONSQUEEZY_WEBHOOK_SECRET');
    return this.client;
  }

  // ----- webhooks -----

  /**
   * Stores a verified delivery (once: a retry finds it stored) and enqueues its
   * job in the same transaction. `raw` is the body as received; `body` the same
   * parsed. Returns the stored event's id, and whether this call stored it.
   */
  async receive(em: EntityManager, raw: Buffer, body: unknown, eventNameHeader: string | undefined): Promise<{ id: string; duplicate: boolean }> {
    const parsed = webhookEnvelopeSchema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new AppError('VALIDATION_FAILED', `Not a Lemon Squeezy webhook body: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'}`, {
        details: { issues: parsed.error.issues.slice(0, 5).map((i) => ({ field: i.path.join('.'), message: i.message })) },
      });
    }
    const envelope = parsed.data;
    if (eventNameHeader !== undefined && eventNameHeader !== envelope.meta.event_name) {
      throw new AppError('BAD_REQUEST', `X-Event-Name ${JSON.stringify(eventNameHeader.slice(0, 64))} does not match meta.event_name ${JSON.stringify(envelope.meta.event_name)}`, {
        details: { headers: ['X-Event-Name'] },
      });
    }
    const sha = createHash('sha256').update(raw).digest('hex');
    const webhookId = envelope.meta.webhook_id ?? null;
    const dedupeKey = webhookId ? `webhook:${webhookId}` : `sha256:${sha}`;
    const id = randomUUID();
    const stored = await em.fork().transactional(async (tx) => {
      const inserted = await tx.getRepository(BillingEvent).insertOnce({
        id,
        eventName: envelope.meta.event_name,
        webhookId,
        dedupeKey,
        body: raw.toString('utf8'),
        bodySha256: sha,
        resourceType: envelope.data.type,
        resourceId: envelope.data.id,
        subscriptionId: subscriptionIdOf(envelope),
        payloadEmail: emailOf(envelope),
        testMode: envelope.meta.test_mode ?? false,
      });
      if (inserted) await this.jobs.send(tx, BILLING_EVENT_QUEUE, { eventId: id });
      return inserted;
    });
    if (!stored) {
      const existing = await em.fork().findOneOrFail(BillingEvent, { dedupeKey }, { fields: ['id'] });
      this.metrics.billingEvents.inc({ outcome: 'duplicate' });
      return { id: existing.id, duplicate: true };
    }
    this.metrics.billingEvents.inc({ outcome: 'received' });
    return { id, duplicate: false };
  }

  /** The job: applies a pending delivery once (its row locked, so a replay or a second worker waits and then finds it done). */
  async processEvent(eventId: string, opts: { replay?: boolean; assignTo?: string } = {}): Promise<BillingEvent | null> {
    return this.orm.em.fork().transactional(async (tx) => {
      const event = await tx.getRepository(BillingEvent).lock(eventId);
      if (!event) return null;
      if (event.state !== 'pending' && !opts.replay && !opts.assignTo) return event;
      event.attempts++;
      const outcome = await this.apply(tx, event, opts.assignTo);
      event.state = outcome.state;
      event.detail = outcome.detail;
      event.userId = outcome.userId ?? event.userId ?? null;
      event.subscriptionId = outcome.subscriptionId ?? event.subscriptionId ?? null;
      event.processedAt = this.now();
      await tx.flush();
      this.metrics.billingEvents.inc({ outcome: outcome.state });
      this.logger.info({ eventId, event: event.eventName, state: outcome.state }, 'billing event applied');
      return event;
    });
  }

  private async markFailed(eventId: string, err: unknown): Promise<void> {
    await this.orm.em.fork().nativeUpdate(BillingEvent, { id: eventId }, { state: 'failed', detail: `Processing failed: ${err instanceof Error ? err.message.slice(0, 500) : String(err)}`, processedAt: new Date() });
  }

  private async apply(tx: EntityManager, event: BillingEvent, assignTo: string | undefined): Promise<Outcome> {
    let envelope: WebhookEnvelope;
    try {
      envelope = webhookEnvelopeSchema.parse(JSON.parse(event.body));
    } catch (err) {
      return { state: 'failed', detail: `The stored body does not parse: ${errorText(err)}`, userId: null, subscriptionId: null };
    }
    const name = envelope.meta.event_name;
    if (SUBSCRIPTION_EVENTS.has(name) && envelope.data.type === 'subscriptions') {
      let payload: SubscriptionPayload;
      try {
        payload = subscriptionPayload(envelope.data.id, envelope.data.attributes);
      } catch (err) {
        return { state: 'failed', detail: `The subscription does not parse: ${errorText(err)}`, userId: null, subscriptionId: envelope.data.id };
      }
      const hint = assignTo ?? envelope.meta.custom_data['user_id'];
      const result = await this.applySubscription(tx, payload, hint, { force: assignTo !== undefined, cause: name });
      return result;
    }
    if (INVOICE_EVENTS.has(name) && envelope.data.type === 'subscription-invoices') return this.applyInvoice(tx, envelope, assignTo);
    return { state: 'ignored', detail: `Harmonic does not act on ${name} (${envelope.data.type})`, userId: null, subscriptionId: subscriptionIdOf(envelope) };
  }

  /**
   * Stores a subscription if it is newer than the stored one (or new), links it
   * to its user, and re-evaluates that user's tier. An equal-or-older one is
   * "processed, skipped": deliveries out of order end in the newest state.
   */
  private async applySubscription(
    tx: EntityManager,
    payload: SubscriptionPayload,
    userHint: string | undefined,
    opts: { force?: boolean; cause: string },
  ): Promise<Outcome & { applied: Applied }> {
    const existing = await tx.getRepository(Subscription).lock(payload.id);
    const none: Applied = { stored: false, tierChanged: false, userId: existing?.userId ?? null, unknownVariant: false };
    let userId = opts.force && userHint ? userHint : (existing?.userId ?? null);
    const linkNow = !existing?.userId && !!userId;
    if (existing?.userId && payload.updatedAt <= existing.lsUpdatedAt && !linkNow) {
      // Nothing to store, but the tier is re-evaluated: a replay after an admin mapped the variant must take effect.
      const tierChanged = await this.evaluateUser(tx, existing.userId, opts.cause);
      const known = await this.tiers.findByVariant(tx, existing.variantId);
      const same = payload.updatedAt.getTime() === existing.lsUpdatedAt.getTime();
      return {
        state: known ? 'processed' : 'failed',
        detail: known
          ? same
            ? 'Already applied (the stored subscription has this updated_at); the tier was re-evaluated'
            : `Skipped: older than the stored subscription (updated_at ${payload.updatedAt.toISOString()} < ${existing.lsUpdatedAt.toISOString()})`
          : unknownVariantDetail(existing),
        userId: existing.userId,
        subscriptionId: payload.id,
        applied: { ...none, tierChanged, unknownVariant: !known },
      };
    }
    if (!userId) userId = await this.matchUser(tx, userHint, payload.userEmail);
    const now = this.now();
    const newer = !existing || payload.updatedAt > existing.lsUpdatedAt;
    let sub = existing;
    if (!sub) {
      sub = tx.create(Subscription, { ...fields(payload), id: payload.id, userId, pastDueSince: pastDueSince(null, payload.status, now), lsUpdatedAt: payload.updatedAt });
    } else if (newer) {
      const since = pastDueSince(sub, payload.status, now);
      tx.assign(sub, { ...fields(payload), userId: userId ?? sub.userId ?? null, pastDueSince: since, lsUpdatedAt: payload.updatedAt });
    } else if (userId) {
      sub.userId = userId;
    }
    await tx.flush();
    if (!sub.userId) {
      return {
        state: 'unmatched',
        detail: `No user found: meta.custom_data.user_id ${userHint ? JSON.stringify(userHint) : 'absent'}, and no verified user with the email ${payload.userEmail ?? '(none)'}; assign it to a user`,
        userId: null,
        subscriptionId: payload.id,
        applied: { stored: newer, tierChanged: false, userId: null, unknownVariant: false },
      };
    }
    const linked = linkNow || !existing?.userId;
    if (linked) await tx.getRepository(Invoice).linkSubscription(sub.id, sub.userId);
    const tier = await this.tiers.findByVariant(tx, sub.variantId);
    const tierChanged = await this.evaluateUser(tx, sub.userId, opts.cause);
    const applied: Applied = { stored: newer || linked, tierChanged, userId: sub.userId, unknownVariant: !tier };
    if (!tier) {
      return {
        state: 'failed',
        detail: unknownVariantDetail(sub),
        userId: sub.userId,
        subscriptionId: sub.id,
        applied,
      };
    }
    return { state: 'processed', detail: newer || linked ? null : 'Skipped: not newer than the stored subscription', userId: sub.userId, subscriptionId: sub.id, applied };
  }

  /**
   * The user the payload names: `meta.custom_data.user_id` when it is a live
   * user, else a live user with the payload's email whose address is verified
   * or who was created by an admin (a sign-up that never verified could be anyone's).
   */
  private async matchUser(tx: EntityManager, userId: string | undefined, email: string | null): Promise<string | null> {
    if (userId && UUID.test(userId)) {
      const user = await tx.getRepository(User).findLiveById(userId);
      if (user) return user.id;
    }
    if (email) {
      const user = await tx.getRepository(User).findLiveByEmail(email);
      if (user && (user.emailVerifiedAt || user.origin === 'admin')) return user.id;
    }
    return null;
  }

  private async applyInvoice(tx: EntityManager, envelope: WebhookEnvelope, assignTo: string | undefined): Promise<Outcome> {
    const parsed = invoiceAttributesSchema.safeParse(envelope.data.attributes);
    if (!parsed.success) return { state: 'failed', detail: `The invoice does not parse: ${errorText(parsed.error)}`, userId: null, subscriptionId: subscriptionIdOf(envelope) };
    const a = parsed.data;
    const sub = await tx.findOne(Subscription, { id: a.subscription_id });
    let userId = assignTo ?? sub?.userId ?? null;
    if (!userId) userId = await this.matchUser(tx, envelope.meta.custom_data['user_id'], null);
    if (assignTo && sub && !sub.userId) {
      sub.userId = assignTo;
      await tx.flush();
      await tx.getRepository(Invoice).linkSubscription(sub.id, assignTo);
      await this.evaluateUser(tx, assignTo, envelope.meta.event_name);
    }
    const existing = await tx.findOne(Invoice, { id: envelope.data.id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    const values = {
      subscriptionId: a.subscription_id,
      userId,
      billingReason: a.billing_reason,
      status: a.status,
      lastEvent: envelope.meta.event_name,
      currency: a.currency,
      total: a.total,
      totalFormatted: a.total_formatted,
      refunded: a.refunded,
      invoiceUrl: a.urls,
      createdAt: a.created_at,
      lsUpdatedAt: a.updated_at,
    };
    if (!existing) tx.create(Invoice, { id: envelope.data.id, ...values });
    else if (a.updated_at >= existing.lsUpdatedAt) tx.assign(existing, { ...values, userId: userId ?? existing.userId ?? null });
    await tx.flush();
    if (!userId) {
      return {
        state: 'unmatched',
        detail: `Invoice of subscription ${a.subscription_id}, which ${sub ? 'has no user yet' : 'Harmonic has not seen yet'}: recorded; assign it to a user`,
        userId: null,
        subscriptionId: a.subscription_id,
      };
    }
    return { state: 'processed', detail: null, userId, subscriptionId: a.subscription_id };
  }

  // ----- tiers -----

  /**
   * Puts the user on the tier their subscriptions grant now (rules.ts), with the
   * period anchor that goes with it, and schedules the next re-evaluation when
   * a grant runs out by itself (ends_at, grace). Returns whether the tier changed.
   *
   * Without a granting subscription the user drops to the default tier, but only
   * from a tier sold through billing: a tier an admin gave by hand stays.
   */
  async evaluateUser(tx: EntityManager, userId: string, cause: string): Promise<boolean> {
    const user = await tx.findOne(User, { id: userId, deletedAt: null }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!user) return false;
    const now = this.now();
    const subs = await tx.getRepository(Subscription).ofUser(userId);
    const current = await tx.findOneOrFail(Tier, { id: user.tier.id });
    let target: { tier: Tier; sub: Subscription } | undefined;
    let unknownGrant = false;
    for (const sub of subs) {
      const grant = tierGrant(sub, now, this.config.billing.graceDays);
      if (!grant.paid) continue;
      if (grant.until) await this.jobs.send(tx, BILLING_RECHECK_QUEUE, { userId }, { startAfter: grant.until, singletonKey: `${userId}@${grant.until.toISOString()}` });
      const tier = await this.tiers.findByVariant(tx, sub.variantId);
      if (!tier) unknownGrant = true;
      else target ??= { tier, sub };
    }
    let tier = current;
    let anchor: Date | null = user.periodAnchor ?? null;
    if (target) {
      tier = target.tier;
      anchor = target.sub.renewsAt ? subscriptionAnchor(target.sub.renewsAt, target.sub.billingAnchor ?? null) : null;
    } else if (!unknownGrant && current.lemonsqueezyVariantId) {
      const fallback = await tx.getRepository(Tier).findDefault();
      if (fallback) tier = fallback;
      anchor = null;
    } else if (!unknownGrant) {
      anchor = null;
    }
    const tierChanged = tier.id !== current.id;
    const anchorChanged = (anchor?.getTime() ?? null) !== (user.periodAnchor?.getTime() ?? null);
    if (!tierChanged && !anchorChanged) return false;
    user.tier = tx.getReference(Tier, tier.id, { wrapped: true });
    user.periodAnchor = anchor;
    if (tierChanged) {
      const sub = target?.sub ?? subs[0];
      audit(tx, BILLING_ACTOR, {
        action: 'user.tier_changed',
        target: { type: 'user', id: user.id },
        details: { tier: { from: current.name, to: tier.name }, cause, ...(sub ? { subscriptionId: sub.id, status: sub.status } : {}) },
      });
    }
    await broadcastInvalidation(tx, { kind: 'user', id: user.id });
    await tx.flush();
    const status = target?.sub.status ?? subs[0]?.status ?? 'none';
    await this.webhooks?.emit(tx, user.id, {
      type: 'subscription.changed',
      data: { userId: user.id, tierId: tier.id, tierName: tier.name, previousTierId: tierChanged ? current.id : null, status },
    });
    // A new tier or a new period can bring usage back under thresholds that fired.
    await this.alerts?.quotaChanged(tx);
    if (tierChanged) this.logger.info({ userId, from: current.name, to: tier.name, cause }, 'billing moved a user to another tier');
    return tierChanged;
  }

  /** Re-evaluates one user now (the job scheduled at ends_at or the end of grace). */
  async recheck(userId: string): Promise<boolean> {
    return this.orm.em.fork().transactional((tx) => this.evaluateUser(tx, userId, 'recheck'));
  }

  // ----- reconciliation -----

  /**
   * Lists the store's subscriptions page by page (within the API's rate limit),
   * stores any that are newer than what Harmonic has, or missing, and
   * re-evaluates every linked user's tier (time-based drops included). Each
   * correction counts as drift: a metric, and one audit event per run with any.
   */
  async reconcile(): Promise<ReconciliationResult> {
    const client = this.requireClient();
    const result: ReconciliationResult = { checked: 0, drifted: 0, unmatched: 0, pages: 0 };
    const drifted: string[] = [];
    let error: string | null = null;
    const seen = new Set<string>();
    try {
      for await (const page of client.listSubscriptions()) {
        result.pages++;
        for (const payload of page.subscriptions) {
          result.checked++;
          seen.add(payload.id);
          const outcome = await this.orm.em.fork().transactional((tx) => this.applySubscription(tx, payload, undefined, { cause: 'reconciliation' }));
          if (outcome.state === 'unmatched') {
            result.unmatched++;
            if (outcome.applied.stored) await this.parkUnmatched(payload);
          }
          if (outcome.applied.stored || outcome.applied.tierChanged) drifted.push(payload.id);
        }
        for (const bad of page.invalid) this.logger.warn({ subscriptionId: bad.id, error: bad.error }, 'reconciliation skipped a subscription that does not parse');
      }
      // Time-based drops whose job was lost, and users of subscriptions the list no longer has.
      const users = new Set((await this.orm.em.fork().getRepository(Subscription).linked()).map((s) => s.userId).filter((u): u is string => !!u));
      for (const userId of users) {
        if (await this.orm.em.fork().transactional((tx) => this.evaluateUser(tx, userId, 'reconciliation'))) drifted.push(`user:${userId}`);
      }
    } catch (err) {
      error = errorText(err);
      this.logger.warn({ err }, 'reconciliation failed');
    }
    result.drifted = new Set(drifted).size;
    await this.orm.em.fork().transactional(async (tx) => {
      tx.create(BillingReconciliation, { checked: result.checked, drifted: result.drifted, unmatched: result.unmatched, pages: result.pages, error, at: new Date() });
      if (result.drifted) {
        audit(tx, BILLING_ACTOR, { action: 'billing.drift_corrected', target: { type: 'billing', id: null }, details: { drifted: result.drifted, checked: result.checked, subscriptions: drifted.slice(0, 50) } });
      }
      await tx.flush();
    });
    if (result.drifted) this.metrics.billingDrift.inc(result.drifted);
    this.metrics.billingReconciliations.inc({ outcome: error ? 'failed' : 'completed' });
    if (error) throw new AppError('SERVICE_UNAVAILABLE', `Reconciliation stopped after ${result.checked} subscriptions: ${error}`);
    this.logger.info(result, 'reconciliation done');
    return result;
  }

  /** A listed subscription with no user: parked as an unmatched event, so admins see and assign it like a webhook's. */
  private async parkUnmatched(payload: SubscriptionPayload): Promise<void> {
    const client = this.requireClient();
    const body = JSON.stringify({
      meta: { event_name: 'subscription_updated', custom_data: {}, test_mode: payload.testMode, source: 'reconciliation' },
      data: { type: 'subscriptions', id: payload.id, attributes: { ...rawAttributes(payload), store_id: Number(client.storeId) } },
    });
    const sha = createHash('sha256').update(body).digest('hex');
    await this.orm.em.fork().transactional(async (tx) => {
      const id = randomUUID();
      await tx.getRepository(BillingEvent).insertOnce({
        id,
        eventName: 'subscription_updated',
        webhookId: null,
        dedupeKey: `sha256:${sha}`,
        body,
        bodySha256: sha,
        resourceType: 'subscriptions',
        resourceId: payload.id,
        subscriptionId: payload.id,
        payloadEmail: payload.userEmail,
        testMode: payload.testMode,
      });
      await tx.nativeUpdate(BillingEvent, { id }, { state: 'unmatched', detail: 'Found by reconciliation with no matching user; assign it to a user', processedAt: new Date() });
    });
  }

  // ----- admin -----

  async status(em: EntityManager): Promise<BillingStatus> {
    const b = this.config.billing;
    const [last] = await em.find(BillingReconciliation, {}, { orderBy: { id: 'desc' }, limit: 1 });
    return {
      enabled: b.enabled,
      storeId: b.storeId ?? null,
      apiUrl: b.apiUrl,
      graceDays: b.graceDays,
      reconcileEveryMinutes: b.reconcileEveryMinutes,
      lastReconciliation: last ? { at: last.at.toISOString(), checked: last.checked, drifted: last.drifted, error: last.error ?? null } : null,
    };
  }

  async events(em: EntityManager, input: ListBillingEventsInput & { limit: number }): Promise<BillingEventPage> {
    const repo = em.getRepository(BillingEvent);
    const [{ rows, next }, counts] = await Promise.all([repo.page(input), em.fork().getRepository(BillingEvent).counts()]);
    return { items: await this.eventViews(em, rows), nextCursor: next, counts };
  }

  async event(em: EntityManager, id: string): Promise<BillingEventDetail> {
    const event = await em.findOne(BillingEvent, { id }, { populate: ['body'] });
    if (!event) throw new AppError('NOT_FOUND', `No billing event with id ${id}`);
    const [view] = await this.eventViews(em, [event]);
    return { ...view!, body: event.body };
  }

  /** Runs a stored delivery's processing again, now; audited as the admin's. */
  async replay(em: EntityManager, id: string, actor: Actor): Promise<BillingEventView> {
    const event = await this.processEvent(id, { replay: true });
    if (!event) throw new AppError('NOT_FOUND', `No billing event with id ${id}`);
    await em.fork().transactional(async (tx) => {
      audit(tx, actor, { action: 'billing.event_replayed', target: { type: 'billing_event', id }, details: { event: event.eventName, state: event.state } });
      await tx.flush();
    });
    const [view] = await this.eventViews(em.fork(), [event]);
    return view!;
  }

  /** Matches an unmatched (or failed) delivery to a user and applies it; the subscription stays linked, so later events follow. */
  async assign(em: EntityManager, input: { id: string; userId: string }, actor: Actor): Promise<BillingEventView> {
    const found = await em.fork().findOne(BillingEvent, { id: input.id });
    if (!found) throw new AppError('NOT_FOUND', `No billing event with id ${input.id}`);
    if (found.state !== 'unmatched' && found.state !== 'failed') throw new AppError('CONFLICT', `The event is ${found.state}; only unmatched or failed events can be assigned`);
    const user = await em.fork().getRepository(User).findLiveById(input.userId);
    if (!user) throw new AppError('VALIDATION_FAILED', `No user with id ${input.userId}`, { details: { issues: [{ field: 'userId', message: 'no such user' }] } });
    const event = await this.processEvent(input.id, { assignTo: user.id });
    if (!event) throw new AppError('NOT_FOUND', `No billing event with id ${input.id}`);
    await em.fork().transactional(async (tx) => {
      audit(tx, actor, { action: 'billing.event_assigned', target: { type: 'user', id: user.id }, details: { eventId: event.id, event: event.eventName, subscriptionId: event.subscriptionId ?? null, state: event.state } });
      await tx.flush();
    });
    const [view] = await this.eventViews(em.fork(), [event]);
    return view!;
  }

  async userBilling(em: EntityManager, userId: string): Promise<UserBilling> {
    const user = await em.getRepository(User).findLiveById(userId);
    if (!user) throw new AppError('NOT_FOUND', `No user with id ${userId}`);
    const [subs, invoices, events, period] = await Promise.all([
      em.fork().getRepository(Subscription).ofUser(userId),
      em.fork().getRepository(Invoice).ofUser(userId),
      em.fork().getRepository(BillingEvent).page({ userId, limit: 50 }),
      this.period(em.fork(), user),
    ]);
    const views = await this.subscriptionViews(em, subs);
    const current = pickCurrent(views);
    return {
      subscription: current,
      previous: views.filter((v) => v !== current),
      invoices: invoices.map(invoiceView),
      events: await this.eventViews(em, events.rows),
      period,
    };
  }

  /** MRR: subscriptions that hold a paid tier now, at their own price when known, else their tier's list price. */
  async revenue(em: EntityManager): Promise<Revenue> {
    const now = this.now();
    const subs = await em.getRepository(Subscription).linked();
    const tiers = new Map((await em.find(Tier, {})).map((t) => [t.id, t]));
    const byVariant = new Map([...tiers.values()].filter((t) => t.lemonsqueezyVariantId).map((t) => [t.lemonsqueezyVariantId!, t]));
    let mrrCents = 0;
    let liveSubscriptions = 0;
    let trialing = 0;
    let pastDue = 0;
    let cancelling = 0;
    for (const s of subs) {
      if (!tierGrant(s, now, this.config.billing.graceDays).paid) continue;
      liveSubscriptions++;
      if (s.status === 'on_trial') trialing++;
      else {
        mrrCents += s.priceCents ?? byVariant.get(s.variantId)?.priceCents ?? 0;
        if (s.status === 'past_due') pastDue++;
        if (s.status === 'cancelled') cancelling++;
      }
    }
    const rows = await em.execute<{ cents: string | null }[]>(`select coalesce(sum(t.price_cents), 0)::bigint as cents from users u join tiers t on t.id = u.tier_id where u.deleted_at is null`);
    return { mrrCents, listPriceCents: Number(rows[0]?.cents ?? 0), liveSubscriptions, trialing, pastDue, cancelling, currency: 'USD' };
  }

  /** Sets or clears a tier's variant; a variant is first checked with GET /variants/:id. */
  async setVariant(em: EntityManager, tierId: string, variantId: string | null, actor: Actor): Promise<TierView> {
    if (variantId !== null) {
      const variant = await this.requireClient().getVariant(variantId);
      if (!variant) {
        throw new AppError('VALIDATION_FAILED', `variantId: Lemon Squeezy has no variant ${variantId} in this store's mode`, {
          details: { issues: [{ field: 'variantId', message: `Lemon Squeezy has no variant ${variantId}` }] },
        });
      }
    }
    return this.tiers.setVariant(em, tierId, variantId, actor);
  }

  // ----- portal -----

  async plan(em: EntityManager, user: User): Promise<PortalPlan> {
    const [current, tiers, subs, period] = await Promise.all([
      em.fork().findOneOrFail(Tier, { id: user.tier.id }),
      em.fork().find(Tier, { public: true }, { orderBy: { monthlyQuota: 'asc nulls last', name: 'asc' } }),
      em.fork().getRepository(Subscription).ofUser(user.id),
      this.period(em.fork(), user),
    ]);
    return {
      current: publicTierView(current),
      tiers: tiers.map(publicTierView),
      billingEnabled: this.enabled,
      purchasable: this.enabled ? tiers.filter((t) => t.lemonsqueezyVariantId && !t.isDefault).map((t) => t.id) : [],
      billing: { subscription: pickCurrent(await this.subscriptionViews(em, subs)), period },
    };
  }

  /** The user's current usage period as admission counts it (renewal to renewal while anchored). */
  private period(em: EntityManager, user: User): Promise<UsagePeriod> {
    return this.usage.period(em, user.id);
  }

  /** The subscription a customer can act on: not expired, and not cancelled past its end. */
  private async liveSubscription(em: EntityManager, userId: string): Promise<Subscription | undefined> {
    const now = this.now();
    const subs = await em.getRepository(Subscription).ofUser(userId);
    return subs.find((s) => s.status !== 'expired' && !(s.status === 'cancelled' && s.endsAt && s.endsAt <= now));
  }

  /** Upgrade: a checkout to go to; with a live subscription, a variant change through the API (Lemon Squeezy prorates). */
  async changePlan(em: EntityManager, user: User, tierId: string, actor: Actor): Promise<ChangePlanResult> {
    if (!this.enabled) throw new AppError('CONFLICT', 'Plans cannot be bought here; contact the operator');
    const client = this.requireClient();
    const tier = await em.findOne(Tier, { id: tierId });
    if (!tier || !tier.public || tier.isDefault || !tier.lemonsqueezyVariantId) {
      throw new AppError('VALIDATION_FAILED', `tierId: ${tier ? `${tier.name} cannot be bought here` : 'no such plan'}`, {
        details: { issues: [{ field: 'tierId', message: tier ? `${tier.name} is not for sale` : 'no such plan' }] },
      });
    }
    const variantId = tier.lemonsqueezyVariantId;
    const live = await this.liveSubscription(em, user.id);
    if (live ? live.variantId === variantId : user.tier.id === tier.id) {
      throw new AppError('VALIDATION_FAILED', `tierId: you are already on ${tier.name}`, { details: { issues: [{ field: 'tierId', message: `is already your plan` }] } });
    }
    if (!live) {
      const url = await this.lsCall(() => client.createCheckout({ variantId, email: user.email, userId: user.id, redirectUrl: `${this.publicUrl().replace(/\/+$/, '')}/app/plan?checkout=done` }), 'variantId');
      await em.fork().transactional(async (tx) => {
        audit(tx, actor, { action: 'billing.checkout_started', target: { type: 'user', id: user.id }, details: { tier: tier.name, variantId } });
        await tx.flush();
      });
      return { kind: 'checkout', url };
    }
    const updated = await this.lsCall(() => client.updateSubscription(live.id, { variant_id: Number(variantId) }), 'tierId');
    const sub = await this.store(updated, user.id, 'plan_changed');
    await em.fork().transactional(async (tx) => {
      audit(tx, actor, { action: 'billing.plan_changed', target: { type: 'user', id: user.id }, details: { subscriptionId: live.id, variantId: { from: live.variantId, to: variantId }, tier: tier.name } });
      await tx.flush();
    });
    return { kind: 'changed', subscription: sub };
  }

  async cancel(em: EntityManager, user: User, actor: Actor): Promise<SubscriptionView> {
    return this.setCancelled(em, user, actor, true);
  }

  async resume(em: EntityManager, user: User, actor: Actor): Promise<SubscriptionView> {
    return this.setCancelled(em, user, actor, false);
  }

  private async setCancelled(em: EntityManager, user: User, actor: Actor, cancelled: boolean): Promise<SubscriptionView> {
    const client = this.requireClient();
    const live = await this.liveSubscription(em, user.id);
    if (!live) throw new AppError('NOT_FOUND', 'You have no subscription');
    if (cancelled && live.status === 'cancelled') throw new AppError('CONFLICT', `Your subscription is already cancelled; it ends on ${live.endsAt?.toISOString() ?? 'its renewal date'}`);
    if (!cancelled && live.status !== 'cancelled') throw new AppError('CONFLICT', 'Your subscription is not cancelled');
    const updated = await this.lsCall(() => (cancelled ? client.cancelSubscription(live.id) : client.updateSubscription(live.id, { cancelled: false })), 'subscription');
    const view = await this.store(updated, user.id, cancelled ? 'cancelled_in_portal' : 'resumed_in_portal');
    await em.fork().transactional(async (tx) => {
      audit(tx, actor, { action: cancelled ? 'billing.subscription_cancelled' : 'billing.subscription_resumed', target: { type: 'user', id: user.id }, details: { subscriptionId: live.id, endsAt: view.endsAt } });
      await tx.flush();
    });
    return view;
  }

  /** Fresh signed URLs: they expire, so they are fetched on every click and never stored. */
  async paymentLinks(em: EntityManager, user: User): Promise<PaymentLinks> {
    const client = this.requireClient();
    const subs = await em.getRepository(Subscription).ofUser(user.id);
    const sub = subs[0];
    if (!sub) throw new AppError('NOT_FOUND', 'You have no subscription');
    const fresh = await this.lsCall(() => client.getSubscription(sub.id), 'subscription');
    return { updatePaymentMethod: fresh.urls.updatePaymentMethod, customerPortal: fresh.urls.customerPortal };
  }

  async invoices(em: EntityManager, userId: string): Promise<InvoiceView[]> {
    return (await em.getRepository(Invoice).ofUser(userId)).map(invoiceView);
  }

  /** Stores what the API answered (newer than what is stored) and re-evaluates the tier, as an event would. */
  private async store(payload: SubscriptionPayload, userId: string, cause: string): Promise<SubscriptionView> {
    await this.orm.em.fork().transactional((tx) => this.applySubscription(tx, payload, userId, { cause }));
    const em = this.orm.em.fork();
    const sub = await em.findOneOrFail(Subscription, { id: payload.id });
    const [view] = await this.subscriptionViews(em, [sub]);
    return view!;
  }

  /** Lemon Squeezy's 4xx refusals as our 400s, naming the field the customer or admin chose. */
  private async lsCall<T>(call: () => Promise<T>, field: string): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (err instanceof LemonSqueezyError) {
        if (err.status === 404 && field === 'variantId') {
          throw new AppError('VALIDATION_FAILED', `variantId: Lemon Squeezy has no such variant (${err.detail})`, { details: { issues: [{ field: 'variantId', message: err.detail }] } });
        }
        throw new AppError('BAD_REQUEST', `Lemon Squeezy refused: ${err.detail}`, { details: { issues: [{ field, message: err.detail }] } });
      }
      throw err;
    }
  }

  // ----- views -----

  private async subscriptionViews(em: EntityManager, subs: Subscription[]): Promise<SubscriptionView[]> {
    if (!subs.length) return [];
    const tiers = await em.fork().find(Tier, { lemonsqueezyVariantId: { $in: [...new Set(subs.map((s) => s.variantId))] } });
    const byVariant = new Map(tiers.map((t) => [t.lemonsqueezyVariantId!, t]));
    const now = this.now();
    return subs.map((s) => {
      const tier = byVariant.get(s.variantId);
      const grant = tierGrant(s, now, this.config.billing.graceDays);
      return {
        id: s.id,
        status: s.status,
        statusFormatted: s.statusFormatted,
        variantId: s.variantId,
        tierId: tier?.id ?? null,
        tierName: tier?.name ?? null,
        productName: s.productName ?? null,
        variantName: s.variantName ?? null,
        renewsAt: s.renewsAt?.toISOString() ?? null,
        endsAt: s.endsAt?.toISOString() ?? null,
        trialEndsAt: s.trialEndsAt?.toISOString() ?? null,
        graceEndsAt: s.status === 'past_due' ? graceEndsAt(s.pastDueSince ?? now, this.config.billing.graceDays).toISOString() : null,
        cancelled: s.status === 'cancelled' && grant.paid,
        grantsTier: grant.paid && !!tier,
        cardBrand: s.cardBrand ?? null,
        cardLastFour: s.cardLastFour ?? null,
        testMode: s.testMode,
        updatedAt: s.lsUpdatedAt.toISOString(),
      };
    });
  }

  private async eventViews(em: EntityManager, events: BillingEvent[]): Promise<BillingEventView[]> {
    const ids = [...new Set(events.map((e) => e.userId).filter((u): u is string => !!u))];
    const users = ids.length ? await em.fork().find(User, { id: { $in: ids } }, { fields: ['id', 'email'] }) : [];
    const emails = new Map(users.map((u) => [u.id, u.email]));
    return events.map((e) => ({
      id: e.id,
      eventName: e.eventName,
      state: e.state,
      webhookId: e.webhookId ?? null,
      resourceType: e.resourceType,
      resourceId: e.resourceId,
      subscriptionId: e.subscriptionId ?? null,
      userId: e.userId ?? null,
      userEmail: e.userId ? (emails.get(e.userId) ?? null) : null,
      payloadEmail: e.payloadEmail ?? null,
      testMode: e.testMode,
      detail: e.detail ?? null,
      attempts: e.attempts,
      receivedAt: e.receivedAt.toISOString(),
      processedAt: e.processedAt?.toISOString() ?? null,
    }));
  }
}

function unknownVariantDetail(sub: Subscription): string {
  const name = [sub.productName, sub.variantName].filter(Boolean).join(' / ') || 'unnamed';
  return `No tier is sold as Lemon Squeezy variant ${sub.variantId} (${name}): the subscription is stored and the user keeps their tier. Set the variant on a tier (Tiers screen or \`harmonic tiers set-variant\`), then replay`;
}

function fields(p: SubscriptionPayload) {
  return {
    variantId: p.variantId,
    productId: p.productId,
    customerId: p.customerId,
    status: p.status,
    statusFormatted: p.statusFormatted,
    productName: p.productName,
    variantName: p.variantName,
    userEmail: p.userEmail?.toLowerCase() ?? null,
    cancelled: p.cancelled,
    renewsAt: p.renewsAt,
    endsAt: p.endsAt,
    trialEndsAt: p.trialEndsAt,
    billingAnchor: p.billingAnchor,
    cardBrand: p.cardBrand,
    cardLastFour: p.cardLastFour?.slice(0, 4) ?? null,
    testMode: p.testMode,
  };
}

/** The attributes of a parsed subscription back in Lemon Squeezy's names (a parked reconciliation finding). */
function rawAttributes(p: SubscriptionPayload): Record<string, unknown> {
  return {
    customer_id: p.customerId === null ? null : Number(p.customerId),
    product_id: p.productId === null ? null : Number(p.productId),
    variant_id: Number(p.variantId),
    product_name: p.productName,
    variant_name: p.variantName,
    user_email: p.userEmail,
    status: p.status,
    status_formatted: p.statusFormatted,
    cancelled: p.cancelled,
    renews_at: p.renewsAt?.toISOString() ?? null,
    ends_at: p.endsAt?.toISOString() ?? null,
    trial_ends_at: p.trialEndsAt?.toISOString() ?? null,
    billing_anchor: p.billingAnchor,
    card_brand: p.cardBrand,
    card_last_four: p.cardLastFour,
    test_mode: p.testMode,
    updated_at: p.updatedAt.toISOString(),
  };
}

/** The subscription the customer sees: the one granting a tier, else the newest. */
function pickCurrent(views: SubscriptionView[]): SubscriptionView | null {
  return views.find((v) => v.grantsTier) ?? views[0] ?? null;
}

function invoiceView(i: Invoice): InvoiceView {
  return {
    id: i.id,
    subscriptionId: i.subscriptionId,
    billingReason: i.billingReason,
    status: i.status,
    lastEvent: i.lastEvent,
    currency: i.currency,
    totalCents: i.total,
    totalFormatted: i.totalFormatted,
    refunded: i.refunded,
    invoiceUrl: i.invoiceUrl ?? null,
    createdAt: i.createdAt.toISOString(),
  };
}

function subscriptionIdOf(e: WebhookEnvelope): string | null {
  if (e.data.type === 'subscriptions') return e.data.id;
  const sid = e.data.attributes['subscription_id'];
  return typeof sid === 'string' || typeof sid === 'number' ? String(sid).slice(0, 20) : null;
}

function emailOf(e: WebhookEnvelope): string | null {
  const email = e.data.attributes['user_email'];
  return typeof email === 'string' ? email.slice(0, 320).toLowerCase() : null;
}

function errorText(err: unknown): string {
  if (err && typeof err === 'object' && 'issues' in err && Array.isArray((err as { issues: unknown[] }).issues)) {
    return (err as { issues: { path: (string | number)[]; message: string }[] }).issues
      .slice(0, 3)
      .map((i) => `${i.path.join('.')}: ${i.message}`)
      .join('; ');
  }
  return err instanceof Error ? err.message.slice(0, 500) : String(err);
}
