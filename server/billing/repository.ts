import { LockMode } from '@mikro-orm/core';
import { EntityRepository } from '@mikro-orm/postgresql';
import { BILLING_EVENT_STATES, type BillingEventState } from '../../shared/billing.ts';
import type { BillingEvent, Invoice, Subscription } from './entity.ts';

export interface NewBillingEvent {
  id: string;
  eventName: string;
  webhookId: string | null;
  dedupeKey: string;
  body: string;
  bodySha256: string;
  resourceType: string;
  resourceId: string;
  subscriptionId: string | null;
  payloadEmail: string | null;
  testMode: boolean;
}

export class BillingEventRepository extends EntityRepository<BillingEvent> {
  /**
   * Stores a delivery unless one with its dedupe key is stored already (a retry,
   * or two instances receiving it at once: the unique index decides). True when
   * this call stored it. Runs in the caller's transaction, beside its job.
   */
  async insertOnce(e: NewBillingEvent): Promise<boolean> {
    const rows = await this.em.execute<{ id: string }[]>(
      `insert into billing_events (id, event_name, webhook_id, dedupe_key, body, body_sha256, resource_type, resource_id, subscription_id, payload_email, test_mode)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       on conflict (dedupe_key) do nothing returning id`,
      [e.id, e.eventName, e.webhookId, e.dedupeKey, e.body, e.bodySha256, e.resourceType, e.resourceId, e.subscriptionId, e.payloadEmail, e.testMode],
    );
    return rows.length === 1;
  }

  /** The event, its row locked until the transaction ends, so a job and a replay never apply it at once. */
  lock(id: string): Promise<BillingEvent | null> {
    return this.findOne({ id }, { lockMode: LockMode.PESSIMISTIC_WRITE, populate: ['body'] });
  }

  async page(f: { state?: BillingEventState | undefined; userId?: string | undefined; cursor?: string | undefined; limit: number }): Promise<{ rows: BillingEvent[]; next: string | null }> {
    const where: Record<string, unknown> = {};
    if (f.state) where['state'] = f.state;
    if (f.userId) where['userId'] = f.userId;
    if (f.cursor) {
      const after = await this.findOne({ id: f.cursor }, { fields: ['receivedAt'] });
      if (after) where['$or'] = [{ receivedAt: { $lt: after.receivedAt } }, { receivedAt: after.receivedAt, id: { $lt: f.cursor } }];
    }
    const rows = await this.find(where, { orderBy: { receivedAt: 'desc', id: 'desc' }, limit: f.limit + 1 });
    const page = rows.slice(0, f.limit);
    return { rows: page, next: rows.length > f.limit ? (page.at(-1)?.id ?? null) : null };
  }

  async counts(): Promise<Record<BillingEventState, number>> {
    const rows = await this.em.execute<{ state: BillingEventState; n: number }[]>(`select state, count(*)::int as n from billing_events group by state`);
    const out = Object.fromEntries(BILLING_EVENT_STATES.map((s) => [s, 0])) as Record<BillingEventState, number>;
    for (const r of rows) out[r.state] = r.n;
    return out;
  }

  /** Unmatched events of one subscription, oldest first: an assignment applies them all. */
  unmatchedOf(subscriptionId: string): Promise<BillingEvent[]> {
    return this.find({ subscriptionId, state: 'unmatched' }, { orderBy: { receivedAt: 'asc' } });
  }
}

export class SubscriptionRepository extends EntityRepository<Subscription> {
  lock(id: string): Promise<Subscription | null> {
    return this.findOne({ id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  }

  /** A user's subscriptions, the most recently changed first. */
  ofUser(userId: string): Promise<Subscription[]> {
    return this.find({ userId }, { orderBy: { lsUpdatedAt: 'desc', id: 'desc' } });
  }

  /** Every subscription linked to a user (revenue, the reconciler's re-evaluation). */
  linked(): Promise<Subscription[]> {
    return this.find({ userId: { $ne: null } }, { orderBy: { id: 'asc' } });
  }
}

export class InvoiceRepository extends EntityRepository<Invoice> {
  ofUser(userId: string): Promise<Invoice[]> {
    return this.find({ userId }, { orderBy: { createdAt: 'desc', id: 'desc' } });
  }

  /** Invoices recorded before their subscription was linked to a user follow it. */
  async linkSubscription(subscriptionId: string, userId: string): Promise<void> {
    await this.em.execute(`update invoices set user_id = ? where subscription_id = ? and user_id is null`, [userId, subscriptionId]);
  }
}
