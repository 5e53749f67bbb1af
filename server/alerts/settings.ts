import type { EntityManager } from '@mikro-orm/postgresql';
import type { AlertFeedItem, AlertSettingsView, AlertView, NotificationsView, Threshold } from '../../shared/alerts.ts';
import { audit, type Actor } from '../audit/service.ts';
import { AppError } from '../errors.ts';
import { User } from '../users/entity.ts';
import { QuotaAlert } from './entity.ts';
import type { AlertFeedRow, AlertRow } from './repository.ts';

/** How many alerts the portal's notifications list holds. */
export const RECENT_ALERTS = 50;

export function alertView(r: AlertRow): AlertView {
  return {
    id: r.id,
    userId: r.user_id,
    kind: r.kind,
    value: r.value,
    atCount: Number(r.at_count),
    used: r.used,
    limit: r.quota_limit,
    periodStart: new Date(r.period_start).toISOString(),
    resetAt: new Date(r.period_end).toISOString(),
    firedAt: new Date(r.fired_at).toISOString(),
    resolvedAt: r.resolved_at ? new Date(r.resolved_at).toISOString() : null,
    resolvedReason: r.resolved_reason,
  };
}

const feedItem = (r: AlertFeedRow): AlertFeedItem => ({ ...alertView(r), email: r.email, name: r.name, tier: r.tier });

const percents = (list: readonly number[]): Threshold[] => list.map((value) => ({ kind: 'percent', value }));

/**
 * What customers and operators set and see of usage alerts: thresholds, the
 * portal's notices, the operator's feed. Detecting and announcing alerts is
 * server/alerts/service.ts's; this only reads what it wrote.
 */
export class AlertSettingsService {
  async settings(em: EntityManager, userId: string): Promise<AlertSettingsView> {
    const user = await this.user(em, userId);
    const tier = await user.tier.loadOrFail();
    const tierDefaults = percents(tier.alertPercents);
    const own = user.alertThresholds ?? null;
    return { thresholds: own ?? tierDefaults, usingTierDefaults: own === null, tierDefaults, limit: tier.monthlyQuota ?? null };
  }

  /** Sets the customer's own thresholds ([] turns alerts off), or (null) goes back to the tier's; audited. */
  async update(em: EntityManager, userId: string, thresholds: Threshold[] | null, actor: Actor): Promise<AlertSettingsView> {
    await em.transactional(async (tx) => {
      const user = await this.user(tx, userId);
      const from = user.alertThresholds ?? null;
      if (JSON.stringify(from) === JSON.stringify(thresholds)) return;
      user.alertThresholds = thresholds;
      audit(tx, actor, { action: 'user.alert_thresholds_set', target: { type: 'user', id: user.id }, details: { thresholds: { from, to: thresholds } } });
      await tx.flush();
    });
    return this.settings(em.fork(), userId);
  }

  async notifications(em: EntityManager, userId: string): Promise<NotificationsView> {
    const repo = em.getRepository(QuotaAlert);
    const [active, recent, unread] = await Promise.all([repo.activeFor(userId), repo.recentFor(userId, RECENT_ALERTS), repo.unreadFor(userId)]);
    return { active: active.map(alertView), recent: recent.map(alertView), unread };
  }

  async markSeen(em: EntityManager, userId: string): Promise<{ unread: 0 }> {
    await em.getRepository(QuotaAlert).markSeen(userId);
    return { unread: 0 };
  }

  /** The operator's feed, across users or for one (an unknown user is NOT_FOUND, not an empty feed). */
  async feed(em: EntityManager, input: { limit: number; userId?: string | undefined }): Promise<AlertFeedItem[]> {
    if (input.userId) await this.user(em, input.userId);
    return (await em.getRepository(QuotaAlert).feed(input.limit, input.userId)).map(feedItem);
  }

  private async user(em: EntityManager, id: string): Promise<User> {
    const user = await em.findOne(User, { id }, { populate: ['tier'] });
    if (!user) throw new AppError('NOT_FOUND', `No user with id ${id}`);
    return user;
  }
}
