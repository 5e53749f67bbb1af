import { EntityRepository } from '@mikro-orm/postgresql';
import type { WebhookEventType } from '../../shared/webhooks.ts';
import type { WebhookDelivery, WebhookEndpoint } from './entity.ts';

/**
 * Whose endpoints a caller may touch: a customer's own (their user id), the
 * operator's (null), or any (undefined: an admin looking at a user's).
 */
export type EndpointScope = string | null | undefined;

const scoped = (scope: EndpointScope) => (scope === undefined ? {} : { user: scope });

export class WebhookEndpointRepository extends EntityRepository<WebhookEndpoint> {
  /** An endpoint in the caller's scope; another customer's is the same as none. */
  findScoped(id: string, scope: EndpointScope): Promise<WebhookEndpoint | null> {
    return this.findOne({ id, ...scoped(scope) });
  }

  /** A customer's endpoints, or (null) the operator's. */
  listFor(userId: string | null): Promise<WebhookEndpoint[]> {
    return this.find({ user: userId }, { orderBy: { createdAt: 'asc', id: 'asc' } });
  }

  /** Where an event about `userId` goes: that user's enabled endpoints subscribed to it, and every enabled operator endpoint subscribed to it. */
  async subscribers(userId: string | null, type: WebhookEventType): Promise<{ id: string; user_id: string | null }[]> {
    return this.em.execute<{ id: string; user_id: string | null }[]>(
      `select id, user_id from webhook_endpoints
        where enabled and ? = any(event_types) and (user_id is null or user_id = ?)
        order by created_at, id`,
      [type, userId],
    );
  }

  /** Marks a failure: failing since now unless it already was; returns since when. */
  async markFailing(id: string, now: Date): Promise<Date | null> {
    const [row] = await this.em.execute<{ failing_since: Date }[]>(
      `update webhook_endpoints set failing_since = coalesce(failing_since, ?) where id = ? returning failing_since`,
      [now, id],
    );
    return row ? new Date(row.failing_since) : null;
  }

  async markHealthy(id: string): Promise<void> {
    await this.em.execute(`update webhook_endpoints set failing_since = null where id = ? and failing_since is not null`, [id]);
  }

  /** Disables an endpoint that is still enabled; false when another attempt got there first. */
  async disable(id: string, reason: string, now: Date): Promise<boolean> {
    const rows = await this.em.execute<{ id: string }[]>(
      `update webhook_endpoints set enabled = false, disabled_reason = ?, disabled_at = ?, updated_at = ? where id = ? and enabled returning id`,
      [reason, now, now, id],
    );
    return rows.length > 0;
  }
}

/** A delivery just claimed for an attempt, with what sending it needs. */
export interface ClaimedDelivery {
  id: string;
  endpoint_id: string;
  event_type: WebhookEventType;
  payload: unknown;
  attempts: number;
  url: string;
  secret_sealed: string;
  enabled: boolean;
  owner_id: string | null;
}

export interface AttemptRecord {
  id: string;
  attempt: number;
  state: WebhookDelivery['state'];
  nextAttemptAt: Date | null;
  status: number | null;
  error: string | null;
  response: string | null;
  durationMs: number | null;
  deliveredAt: Date | null;
}

export class WebhookDeliveryRepository extends EntityRepository<WebhookDelivery> {
  /**
   * Takes attempt number `attempt` of a pending delivery that is due: one
   * statement, so of two workers handed the same attempt (a duplicate job, a
   * sweep) exactly one gets the row. It moves the next attempt to `leaseUntil`,
   * when a sweep may hand the delivery on if this attempt never reports back,
   * and clears the last result, so the log shows an attempt under way.
   */
  async claim(id: string, attempt: number, due: Date, now: Date, leaseUntil: Date): Promise<ClaimedDelivery | undefined> {
    const [row] = await this.em.execute<ClaimedDelivery[]>(
      `update webhook_deliveries d
          set attempts = d.attempts + 1, last_attempt_at = ?, next_attempt_at = ?,
              last_status = null, last_error = null, last_response = null, last_duration_ms = null
         from webhook_endpoints e
        where d.id = ? and e.id = d.endpoint_id and d.state = 'pending' and d.attempts = ? and d.next_attempt_at <= ?
       returning d.id, d.endpoint_id, d.event_type, d.payload, d.attempts, e.url, e.secret_sealed, e.enabled, e.user_id as owner_id`,
      [now, leaseUntil, id, attempt - 1, due],
    );
    return row;
  }

  /** Writes an attempt's result, unless the delivery moved on meanwhile (retried by hand). */
  async record(r: AttemptRecord): Promise<boolean> {
    const rows = await this.em.execute<{ id: string }[]>(
      `update webhook_deliveries
          set state = ?, next_attempt_at = ?, last_status = ?, last_error = ?, last_response = ?, last_duration_ms = ?, delivered_at = ?
        where id = ? and attempts = ? and state = 'pending'
       returning id`,
      [r.state, r.nextAttemptAt, r.status, r.error?.slice(0, 1000) ?? null, r.response?.slice(0, 1024) ?? null, r.durationMs, r.deliveredAt, r.id, r.attempt],
    );
    return rows.length > 0;
  }

  /** Pending deliveries whose next attempt is due by `before`, oldest first. */
  async due(before: Date, limit: number): Promise<{ id: string; attempts: number }[]> {
    return this.em.execute<{ id: string; attempts: number }[]>(
      `select id, attempts from webhook_deliveries where state = 'pending' and next_attempt_at <= ? order by next_attempt_at limit ?`,
      [before, limit],
    );
  }

  /** Ends the pending deliveries of a disabled endpoint. */
  async failPendingOf(endpointId: string, error: string): Promise<void> {
    await this.em.execute(`update webhook_deliveries set state = 'failed', next_attempt_at = null, last_error = ? where endpoint_id = ? and state = 'pending'`, [
      error,
      endpointId,
    ]);
  }

  /** One page of an endpoint's log, newest first, after the delivery `cursor`. */
  async page(endpointId: string, cursor: string | undefined, limit: number): Promise<WebhookDelivery[]> {
    if (!cursor) return this.find({ endpoint: endpointId }, { orderBy: { createdAt: 'desc', id: 'desc' }, limit });
    const after = await this.findOne({ id: cursor, endpoint: endpointId });
    if (!after) return [];
    return this.find(
      { endpoint: endpointId, $or: [{ createdAt: { $lt: after.createdAt } }, { createdAt: after.createdAt, id: { $lt: after.id } }] },
      { orderBy: { createdAt: 'desc', id: 'desc' }, limit },
    );
  }

  /** Forgets finished deliveries (delivered, failed, exhausted) older than `days`; pending ones stay whatever their age. */
  async purgeFinished(days: number): Promise<void> {
    await this.em.execute(`delete from webhook_deliveries where state <> 'pending' and created_at < now() - make_interval(days => ?)`, [days]);
  }

  /** For /metrics: how many deliveries wait, and the age in seconds of the oldest. */
  async backlog(now: Date): Promise<{ pending: number; oldestSeconds: number }> {
    const [row] = await this.em.execute<{ pending: number; oldest: number | null }[]>(
      `select count(*)::int as pending, extract(epoch from (?::timestamptz - min(created_at)))::float8 as oldest
         from webhook_deliveries where state = 'pending'`,
      [now],
    );
    return { pending: row?.pending ?? 0, oldestSeconds: Math.max(0, row?.oldest ?? 0) };
  }
}
