import { randomInt, randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import {
  AUTO_DISABLE_AFTER_MS,
  EVENT_DATA,
  MAX_ATTEMPTS,
  RETRY_DELAYS_SECONDS,
  type CreatedEndpoint,
  type DeliveryPage,
  type SubscribableEventType,
  type WebhookDeliveryView,
  type WebhookEndpointView,
  type WebhookEvent,
  type WebhookPayload,
} from '../../shared/webhooks.ts';
import { audit, SYSTEM_ACTOR, type Actor } from '../audit/service.ts';
import { takeRate, type RateLimit } from '../auth/rate-limit.ts';
import type { Orm } from '../db/orm.ts';
import { AppError, validationError } from '../errors.ts';
import type { Jobs } from '../jobs/service.ts';
import type { MailService } from '../mail/service.ts';
import type { Metrics } from '../metrics.ts';
import { User } from '../users/entity.ts';
import type { WebhooksConfig } from './config.ts';
import { WebhookDelivery, WebhookEndpoint } from './entity.ts';
import { endpointUrlProblem, OutboundClient, type OutboundResult } from './outbound.ts';
import type { EndpointScope } from './repository.ts';
import { SecretBox } from './secret-box.ts';
import { newEndpointSecret, signatureHeaders } from './signing.ts';

/** One job per delivery attempt. */
export const DELIVER_QUEUE = 'webhooks.deliver';
/** Once a minute: hands on deliveries whose attempt never reported back (its instance died mid-send). */
export const SWEEP_QUEUE = 'webhooks.sweep';
export const DISABLED_EMAIL_KIND = 'webhook-disabled';

interface DeliverJob {
  deliveryId: string;
  /** Which attempt this job is (1 = the first); a job whose attempt already ran does nothing. */
  attempt: number;
}

/** A pg-boss job may reach us a moment before our clock says its attempt is due (the two clocks differ). */
const DUE_TOLERANCE_MS = 2000;
/** How long after an attempt's lease ends the sweep takes it as lost and queues the next. */
const SWEEP_GRACE_MS = 60_000;
const SWEEP_BATCH = 500;

/**
 * Test events and "retry now" per endpoint: each is a request to an address a customer chose, so
 * neither may make Harmonic a request cannon.
 */
export const SEND_LIMITS: readonly RateLimit[] = [
  { name: 'webhook-send-minute', max: 10, windowMs: 60_000 },
  { name: 'webhook-send-hour', max: 100, windowMs: 3_600_000 },
];
const tooOften = (wait: string) => `Too many test events and retries for this endpoint; try again in ${wait}`;

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** `msg_` and 24 random letters and digits (about 143 bits): the `webhook-id`. */
const newMessageId = () => `msg_${Array.from({ length: 24 }, () => ID_ALPHABET[randomInt(ID_ALPHABET.length)]).join('')}`;

export function endpointView(e: WebhookEndpoint): WebhookEndpointView {
  return {
    id: e.id,
    userId: e.user?.id ?? null,
    url: e.url,
    description: e.description,
    eventTypes: e.eventTypes as SubscribableEventType[],
    enabled: e.enabled,
    disabledReason: e.disabledReason ?? null,
    disabledAt: e.disabledAt?.toISOString() ?? null,
    failingSince: e.failingSince?.toISOString() ?? null,
    createdAt: e.createdAt.toISOString(),
    updatedAt: e.updatedAt.toISOString(),
  };
}

export function deliveryView(d: WebhookDelivery): WebhookDeliveryView {
  return {
    id: d.id,
    endpointId: d.endpoint.id,
    eventType: d.eventType,
    payload: d.payload,
    state: d.state,
    attempts: d.attempts,
    nextAttemptAt: d.state === 'pending' ? (d.nextAttemptAt?.toISOString() ?? null) : null,
    lastStatus: d.lastStatus ?? null,
    lastError: d.lastError ?? null,
    lastResponse: d.lastResponse ?? null,
    lastDurationMs: d.lastDurationMs ?? null,
    lastAttemptAt: d.lastAttemptAt?.toISOString() ?? null,
    createdAt: d.createdAt.toISOString(),
    deliveredAt: d.deliveredAt?.toISOString() ?? null,
  };
}

/** What code elsewhere (keys, alerts, billing) needs to announce an event. */
export interface WebhookEmitter {
  emit(em: EntityManager, userId: string, event: WebhookEvent): Promise<void>;
}

/**
 * Outgoing webhooks: endpoints, events fanned out to them as durable
 * deliveries, and the attempts that send them, signed per Standard Webhooks.
 *
 * An event becomes one delivery row and one job per subscribed endpoint, in the
 * caller's transaction: no event is lost, and none is sent for a change that
 * rolled back. Each attempt is a pg-boss job; the attempt number in the job and
 * a conditional claim on the row make it run once however many instances (or
 * duplicate jobs) there are. A failed attempt queues the next with pg-boss's
 * `startAfter`, per RETRY_DELAYS_SECONDS; every attempt carries the same
 * `webhook-id` and a fresh timestamp and signature.
 */
export class WebhookService implements WebhookEmitter {
  /** The clock deliveries are scheduled by (ms since the epoch). Tests move it instead of waiting. */
  clock: () => number = Date.now;
  /** Replaceable in tests, to resolve a name to a private address. */
  outbound: OutboundClient;
  private readonly config: WebhooksConfig;
  private readonly logger: Logger;
  private readonly orm: Orm;
  private readonly jobs: Jobs;
  private readonly mail: MailService;
  private readonly metrics: Metrics | undefined;
  private readonly secretKey: () => Buffer;
  private sealer: SecretBox | undefined;
  private working = false;

  constructor(deps: { config: WebhooksConfig; secretKey: () => Buffer; logger: Logger; orm: Orm; jobs: Jobs; mail: MailService; metrics?: Metrics }) {
    this.config = deps.config;
    this.logger = deps.logger.child({ component: 'webhooks' });
    this.orm = deps.orm;
    this.jobs = deps.jobs;
    this.mail = deps.mail;
    this.metrics = deps.metrics;
    this.secretKey = deps.secretKey;
    this.outbound = new OutboundClient({ config: deps.config });
    this.mail.define<{ endpointId: string }>(DISABLED_EMAIL_KIND, (em, data) => this.composeDisabledEmail(em as EntityManager, data.endpointId));
  }

  /** Read on first use, so a server that never has an endpoint never makes a key file. */
  private get box(): SecretBox {
    this.sealer ??= new SecretBox(this.secretKey());
    return this.sealer;
  }

  private now(): Date {
    return new Date(this.clock());
  }

  /** Registers the attempt handler and the sweep; they run once the jobs service starts. */
  start(): void {
    if (this.working) return;
    this.working = true;
    this.jobs.work<DeliverJob>(DELIVER_QUEUE, (data) => this.attempt(data), {
      // Our own schedule retries, not pg-boss's: a job is one attempt. One retry covers a worker that crashed between claim and send.
      retryLimit: 1,
      retryDelay: 30,
      expireInSeconds: Math.ceil(this.config.timeoutMs / 1000) + 60,
      concurrency: 4,
      deleteAfterSeconds: 86_400,
    });
    this.jobs.work(SWEEP_QUEUE, async () => void (await this.requeueDue(SWEEP_GRACE_MS)), { retryLimit: 0, expireInSeconds: 120, deleteAfterSeconds: 3600 });
    this.jobs.schedule(SWEEP_QUEUE, '* * * * *');
  }

  async stop(): Promise<void> {
    if (!this.working) return;
    this.working = false;
    await Promise.all([this.jobs.offWork(DELIVER_QUEUE), this.jobs.offWork(SWEEP_QUEUE)]);
  }

  // ── Events ──────────────────────────────────────────────────────────────

  /**
   * Announces an event about `userId` to their endpoints and the operator's
   * that subscribe to its type. Inside `em`'s transaction when it is in one.
   * The data is parsed by its schema (shared/webhooks.ts), which drops any
   * field it does not name, so no key or secret can ride along.
   */
  async emit(em: EntityManager, userId: string, event: WebhookEvent): Promise<void> {
    const data = EVENT_DATA[event.type].parse(event.data) as WebhookEvent['data'];
    const payload = { type: event.type, timestamp: this.now().toISOString(), data } as WebhookPayload;
    await this.inTransaction(em, async (tx) => {
      const endpoints = await tx.getRepository(WebhookEndpoint).subscribers(userId, event.type);
      for (const endpoint of endpoints) await this.enqueue(tx, endpoint.id, userId, payload);
    });
  }

  /** Sends `webhook.test` to one endpoint, whatever it subscribes to. */
  async sendTest(em: EntityManager, params: { id: string; scope: EndpointScope; actor: Actor }): Promise<WebhookDeliveryView> {
    return this.inTransaction(em, async (tx) => {
      const endpoint = await this.endpointOrThrow(tx, params.id, params.scope);
      if (!endpoint.enabled) throw new AppError('CONFLICT', 'This endpoint is disabled; enable it first');
      await takeRate(tx, SEND_LIMITS, endpoint.id, this.now(), tooOften);
      const userId = endpoint.user?.id ?? null;
      const payload: WebhookPayload<'webhook.test'> = {
        type: 'webhook.test',
        timestamp: this.now().toISOString(),
        data: { endpointId: endpoint.id, message: 'A test event from Harmonic', userId },
      };
      const id = await this.enqueue(tx, endpoint.id, userId, payload);
      return deliveryView(await tx.getRepository(WebhookDelivery).findOneOrFail({ id }));
    });
  }

  private async enqueue(tx: EntityManager, endpointId: string, userId: string | null, payload: WebhookPayload): Promise<string> {
    const id = newMessageId();
    const now = this.now();
    tx.create(WebhookDelivery, {
      id,
      endpoint: endpointId,
      userId,
      eventType: payload.type,
      payload: payload as unknown as Record<string, unknown>,
      state: 'pending',
      attempts: 0,
      nextAttemptAt: now,
      createdAt: now,
    });
    await tx.flush();
    await this.jobs.send(tx, DELIVER_QUEUE, { deliveryId: id, attempt: 1 } satisfies DeliverJob);
    return id;
  }

  private async inTransaction<T>(em: EntityManager, work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return em.isInTransaction() ? work(em) : em.transactional((tx) => work(tx));
  }

  // ── Attempts ────────────────────────────────────────────────────────────

  /** One attempt: claim, sign, send, record, and queue the next attempt or stop. */
  private async attempt({ deliveryId, attempt }: DeliverJob): Promise<void> {
    const now = this.now();
    const lease = new Date(now.getTime() + this.config.timeoutMs + 30_000);
    const em = this.orm.em.fork() as EntityManager;
    const claimed = await em.getRepository(WebhookDelivery).claim(deliveryId, attempt, new Date(now.getTime() + DUE_TOLERANCE_MS), now, lease);
    // Already done by another job, retried by hand, not due yet by our clock (the sweep brings it back), or gone.
    if (!claimed) return;
    if (!claimed.enabled) {
      await this.finish(claimed, attempt, { outcome: 'refused', status: null, responsePreview: '', error: 'The endpoint is disabled', durationMs: 0 }, 'failed');
      return;
    }
    const body = JSON.stringify(claimed.payload);
    let result: OutboundResult;
    try {
      const secret = this.box.open(claimed.secret_sealed, claimed.endpoint_id);
      // The signature's time is the wall clock's: receivers compare it with theirs.
      result = await this.outbound.post({ url: claimed.url, body, headers: signatureHeaders(secret, claimed.id, new Date(), body) });
    } catch (err) {
      this.logger.error({ err, endpointId: claimed.endpoint_id }, 'cannot sign a webhook: the endpoint secret does not open under this server key (HARMONIC_SECRET_KEY)');
      result = { outcome: 'refused', status: null, responsePreview: '', error: 'The signing secret cannot be read on this server (see HARMONIC_SECRET_KEY)', durationMs: 0 };
    }
    // A refusal by the SSRF rules will not change by waiting: stop there.
    const state = result.outcome === 'delivered' ? 'delivered' : result.outcome === 'refused' ? 'failed' : attempt >= MAX_ATTEMPTS ? 'exhausted' : 'pending';
    await this.finish(claimed, attempt, result, state);
  }

  private async finish(claimed: { id: string; endpoint_id: string; event_type: WebhookEvent['type']; owner_id: string | null }, attempt: number, result: OutboundResult, state: WebhookDelivery['state']): Promise<void> {
    const now = this.now();
    const delaySeconds = state === 'pending' ? (RETRY_DELAYS_SECONDS[attempt - 1] ?? RETRY_DELAYS_SECONDS[RETRY_DELAYS_SECONDS.length - 1] ?? 0) : 0;
    const nextAttemptAt = state === 'pending' ? new Date(now.getTime() + delaySeconds * 1000) : null;
    let disabled = false;
    let recorded = false;
    await this.orm.em.fork().transactional(async (tx) => {
      recorded = await tx.getRepository(WebhookDelivery).record({
        id: claimed.id,
        attempt,
        state,
        nextAttemptAt,
        status: result.status,
        error: result.error,
        response: result.responsePreview || null,
        durationMs: result.durationMs,
        deliveredAt: state === 'delivered' ? now : null,
      });
      if (!recorded) return;
      const endpoints = tx.getRepository(WebhookEndpoint);
      if (state === 'delivered') await endpoints.markHealthy(claimed.endpoint_id);
      else if (result.error !== 'The endpoint is disabled') {
        const since = await endpoints.markFailing(claimed.endpoint_id, now);
        if (since && now.getTime() - since.getTime() >= AUTO_DISABLE_AFTER_MS) disabled = await this.autoDisable(tx, claimed.endpoint_id, claimed.owner_id, since, now);
      }
      if (state === 'pending' && !disabled) {
        // pg-boss counts the delay on the database's clock; the claim checks it against ours.
        await this.jobs.send(tx, DELIVER_QUEUE, { deliveryId: claimed.id, attempt: attempt + 1 } satisfies DeliverJob, { startAfter: delaySeconds });
      }
    });
    if (recorded) this.metrics?.webhookDeliveries.inc({ outcome: state === 'pending' ? 'retrying' : state, event_type: claimed.event_type });
  }

  /** Five days of failures: off it goes, its pending deliveries end, and its owner hears of it. */
  private async autoDisable(tx: EntityManager, endpointId: string, ownerId: string | null, since: Date, now: Date): Promise<boolean> {
    const reason = `Every delivery failed for ${Math.floor((now.getTime() - since.getTime()) / 86_400_000)} days (since ${since.toISOString()})`;
    if (!(await tx.getRepository(WebhookEndpoint).disable(endpointId, reason, now))) return false;
    await tx.getRepository(WebhookDelivery).failPendingOf(endpointId, 'The endpoint was disabled after failing for 5 days');
    audit(tx, SYSTEM_ACTOR, { action: 'webhook.disabled', target: { type: 'webhook_endpoint', id: endpointId }, details: { userId: ownerId, reason, automatic: true } });
    await tx.flush();
    if (ownerId) await this.mail.enqueue(tx, DISABLED_EMAIL_KIND, { endpointId });
    else this.logger.warn({ endpointId, failingSince: since.toISOString() }, 'operator webhook endpoint disabled: every delivery failed for 5 days');
    return true;
  }

  private async composeDisabledEmail(em: EntityManager, endpointId: string) {
    const endpoint = await em.findOne(WebhookEndpoint, { id: endpointId }, { populate: ['user'] });
    const user = endpoint?.user ? await em.findOne(User, { id: endpoint.user.id, deletedAt: null }) : null;
    // Enabled again, deleted, or the account is gone: nothing to say.
    if (!endpoint || endpoint.enabled || !user) return null;
    const content = {
      heading: 'A webhook endpoint was disabled',
      paragraphs: [
        `Every delivery to ${endpoint.url} has failed since ${endpoint.failingSince?.toISOString().slice(0, 10) ?? 'five days ago'}, so we stopped sending to it.`,
        'Fix the endpoint, then enable it again on the Webhooks page of the portal; "Retry now" resends any delivery from its log.',
      ],
      action: { label: 'Open Webhooks', url: this.mail.link('/app/webhooks') },
    };
    return { to: user.email, subject: 'Your webhook endpoint was disabled', ...this.mail.render(content) };
  }

  /**
   * Queues the next attempt of every pending delivery due by our clock at least
   * `graceMs` ago. The minute sweep runs it with a grace, for attempts whose
   * worker died; with 0 it is the tests' "due now". Returns how many it queued.
   */
  async requeueDue(graceMs = 0): Promise<number> {
    const em = this.orm.em.fork() as EntityManager;
    const due = await em.getRepository(WebhookDelivery).due(new Date(this.clock() - graceMs), SWEEP_BATCH);
    for (const d of due) await this.jobs.send(em, DELIVER_QUEUE, { deliveryId: d.id, attempt: d.attempts + 1 } satisfies DeliverJob);
    return due.length;
  }

  /** "Retry now": a failed, exhausted or waiting delivery gets its next attempt at once. */
  async retry(em: EntityManager, params: { id: string; scope: EndpointScope; actor: Actor }): Promise<WebhookDeliveryView> {
    return em.transactional(async (tx) => {
      const delivery = await tx.findOne(WebhookDelivery, { id: params.id }, { populate: ['endpoint'] });
      const endpoint = delivery?.endpoint.getEntity();
      if (!delivery || !endpoint || (params.scope !== undefined && (endpoint.user?.id ?? null) !== params.scope)) {
        throw new AppError('NOT_FOUND', `No delivery with id ${params.id}`);
      }
      if (delivery.state === 'delivered') throw new AppError('CONFLICT', 'This delivery was delivered; send a test event instead');
      if (!endpoint.enabled) throw new AppError('CONFLICT', 'This endpoint is disabled; enable it first');
      await takeRate(tx, SEND_LIMITS, endpoint.id, this.now(), tooOften);
      delivery.state = 'pending';
      delivery.nextAttemptAt = this.now();
      await tx.flush();
      await this.jobs.send(tx, DELIVER_QUEUE, { deliveryId: delivery.id, attempt: delivery.attempts + 1 } satisfies DeliverJob);
      audit(tx, params.actor, { action: 'webhook.retried', target: { type: 'webhook_delivery', id: delivery.id }, details: { userId: endpoint.user?.id ?? null, endpointId: endpoint.id } });
      await tx.flush();
      return deliveryView(delivery);
    });
  }

  /** For /metrics. */
  backlog(): Promise<{ pending: number; oldestSeconds: number }> {
    return (this.orm.em.fork() as EntityManager).getRepository(WebhookDelivery).backlog(this.now());
  }

  // ── Endpoints ───────────────────────────────────────────────────────────

  list(em: EntityManager, ownerId: string | null): Promise<WebhookEndpointView[]> {
    return em.getRepository(WebhookEndpoint).listFor(ownerId).then((list) => list.map(endpointView));
  }

  async get(em: EntityManager, id: string, scope: EndpointScope): Promise<WebhookEndpointView> {
    return endpointView(await this.endpointOrThrow(em, id, scope));
  }

  /** The secret is in the answer once, and never again. */
  async create(
    em: EntityManager,
    params: { ownerId: string | null; url: string; description: string; eventTypes: SubscribableEventType[]; actor: Actor },
  ): Promise<CreatedEndpoint> {
    this.checkUrl(params.url);
    return em.transactional(async (tx) => {
      if (params.ownerId && !(await tx.findOne(User, { id: params.ownerId, deletedAt: null }))) throw new AppError('NOT_FOUND', `No user with id ${params.ownerId}`);
      const id = randomUUID();
      const secret = newEndpointSecret();
      const now = new Date();
      const endpoint = tx.create(WebhookEndpoint, {
        id,
        user: params.ownerId,
        url: params.url,
        description: params.description,
        eventTypes: params.eventTypes,
        secretSealed: this.box.seal(secret, id),
        enabled: true,
        createdAt: now,
        updatedAt: now,
      });
      audit(tx, params.actor, {
        action: 'webhook.created',
        target: { type: 'webhook_endpoint', id },
        details: { userId: params.ownerId, url: params.url, eventTypes: params.eventTypes },
      });
      await tx.flush();
      return { endpoint: endpointView(endpoint), secret };
    });
  }

  async update(
    em: EntityManager,
    params: { id: string; scope: EndpointScope; url?: string | undefined; description?: string | undefined; eventTypes?: SubscribableEventType[] | undefined; actor: Actor },
  ): Promise<WebhookEndpointView> {
    if (params.url !== undefined) this.checkUrl(params.url);
    return em.transactional(async (tx) => {
      const endpoint = await this.endpointOrThrow(tx, params.id, params.scope);
      const changes: Record<string, unknown> = {};
      if (params.url !== undefined && params.url !== endpoint.url) endpoint.url = changes['url'] = params.url;
      if (params.description !== undefined && params.description !== endpoint.description) endpoint.description = changes['description'] = params.description;
      if (params.eventTypes !== undefined && params.eventTypes.join() !== endpoint.eventTypes.join()) endpoint.eventTypes = changes['eventTypes'] = params.eventTypes;
      if (Object.keys(changes).length) {
        endpoint.updatedAt = new Date();
        audit(tx, params.actor, { action: 'webhook.updated', target: { type: 'webhook_endpoint', id: endpoint.id }, details: { userId: endpoint.user?.id ?? null, ...changes } });
        await tx.flush();
      }
      return endpointView(endpoint);
    });
  }

  /** A new secret, returned once; the old one stops signing at once. */
  async rotateSecret(em: EntityManager, params: { id: string; scope: EndpointScope; actor: Actor }): Promise<CreatedEndpoint> {
    return em.transactional(async (tx) => {
      const endpoint = await this.endpointOrThrow(tx, params.id, params.scope);
      const secret = newEndpointSecret();
      endpoint.secretSealed = this.box.seal(secret, endpoint.id);
      endpoint.updatedAt = new Date();
      audit(tx, params.actor, { action: 'webhook.secret_rotated', target: { type: 'webhook_endpoint', id: endpoint.id }, details: { userId: endpoint.user?.id ?? null } });
      await tx.flush();
      return { endpoint: endpointView(endpoint), secret };
    });
  }

  async delete(em: EntityManager, params: { id: string; scope: EndpointScope; actor: Actor }): Promise<void> {
    await em.transactional(async (tx) => {
      const endpoint = await this.endpointOrThrow(tx, params.id, params.scope);
      audit(tx, params.actor, { action: 'webhook.deleted', target: { type: 'webhook_endpoint', id: endpoint.id }, details: { userId: endpoint.user?.id ?? null, url: endpoint.url } });
      tx.remove(endpoint);
      await tx.flush();
    });
  }

  /** Disabled: no new deliveries, and those waiting for a retry end `failed`. */
  async setEnabled(em: EntityManager, params: { id: string; scope: EndpointScope; enabled: boolean; actor: Actor }): Promise<WebhookEndpointView> {
    return em.transactional(async (tx) => {
      const endpoint = await this.endpointOrThrow(tx, params.id, params.scope);
      if (endpoint.enabled === params.enabled) return endpointView(endpoint);
      const now = new Date();
      endpoint.enabled = params.enabled;
      endpoint.updatedAt = now;
      if (params.enabled) {
        endpoint.disabledAt = null;
        endpoint.disabledReason = null;
        endpoint.failingSince = null;
      } else {
        endpoint.disabledAt = now;
        endpoint.disabledReason = `Disabled by ${params.actor.label}`;
      }
      audit(tx, params.actor, {
        action: params.enabled ? 'webhook.enabled' : 'webhook.disabled',
        target: { type: 'webhook_endpoint', id: endpoint.id },
        details: { userId: endpoint.user?.id ?? null },
      });
      await tx.flush();
      if (!params.enabled) await tx.getRepository(WebhookDelivery).failPendingOf(endpoint.id, 'The endpoint is disabled');
      return endpointView(endpoint);
    });
  }

  async deliveries(em: EntityManager, params: { id: string; scope: EndpointScope; cursor?: string | undefined; limit: number }): Promise<DeliveryPage> {
    const endpoint = await this.endpointOrThrow(em, params.id, params.scope);
    const rows = await em.getRepository(WebhookDelivery).page(endpoint.id, params.cursor, params.limit + 1);
    const page = rows.slice(0, params.limit);
    return { items: page.map(deliveryView), nextCursor: rows.length > params.limit ? (page[page.length - 1]?.id ?? null) : null };
  }

  private async endpointOrThrow(em: EntityManager, id: string, scope: EndpointScope): Promise<WebhookEndpoint> {
    const endpoint = await em.getRepository(WebhookEndpoint).findScoped(id, scope);
    if (!endpoint) throw new AppError('NOT_FOUND', `No webhook endpoint with id ${id}`);
    return endpoint;
  }

  private checkUrl(url: string): void {
    const problem = endpointUrlProblem(url, this.config);
    if (problem) throw validationError([{ field: 'url', message: problem }]);
  }
}
