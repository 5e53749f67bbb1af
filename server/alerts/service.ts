import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { describeAlert } from '../../shared/alerts.ts';
import type { WebhookEvent } from '../../shared/webhooks.ts';
import type { Orm } from '../db/orm.ts';
import type { Jobs } from '../jobs/service.ts';
import type { Email, MailService } from '../mail/service.ts';
import type { Metrics } from '../metrics.ts';
import type { FiredAlertRow } from '../usage/admission/repository.ts';
import type { UsageService } from '../usage/service.ts';
import { User } from '../users/entity.ts';
import type { WebhookEmitter } from '../webhooks/service.ts';
import { QuotaAlert } from './entity.ts';
import type { ClaimedAlert } from './repository.ts';
import { eventThreshold } from './thresholds.ts';

/** One job per fired alert: its webhook event and email. */
export const DISPATCH_QUEUE = 'alerts.dispatch';
/** One job per resolved alert: its quota.resolved event. */
export const RESOLVED_QUEUE = 'alerts.resolved';
/** Resolves what no longer holds: every minute, and right after a tier or quota change. */
export const RESOLVE_QUEUE = 'alerts.resolve';
/** Every minute: announces alerts (and resolutions) whose job was never queued. */
export const SWEEP_QUEUE = 'alerts.sweep';
export const QUOTA_ALERT_EMAIL_KIND = 'quota-alert';

/** How long after an alert fired the sweep takes its job as lost (the flush queues it at once). */
const SWEEP_GRACE_MS = 30_000;
const SWEEP_BATCH = 500;
/** pg-boss drops a second job for the same alert within this slot (a sweep racing the flush's own); the claim covers the rest. */
const once = (alertId: string) => ({ singletonKey: alertId, singletonSeconds: 60 });

interface AlertJob {
  alertId: string;
}

/**
 * Usage alerts: detection is in the ledger flush (one CTE of the ledger's own
 * statement, server/usage/admission/repository.ts), which inserts each
 * threshold crossed at most once per user and period (the unique key of
 * quota_alerts) and hands the new rows to `queue`. Announcing one is a job:
 * claim (dispatched_at), the webhook event and the email, in one transaction,
 * so it happens once however many instances or duplicate jobs there are.
 * Resolution is one statement (`resolve`), announced the same once-only way.
 */
export class AlertService {
  private readonly logger: Logger;
  private readonly orm: Orm;
  private readonly jobs: Jobs;
  private readonly mail: MailService;
  private readonly events: WebhookEmitter;
  private readonly usage: UsageService;
  private readonly metrics: Metrics | undefined;
  private working = false;

  constructor(deps: { logger: Logger; orm: Orm; jobs: Jobs; mail: MailService; events: WebhookEmitter; usage: UsageService; metrics?: Metrics }) {
    this.logger = deps.logger.child({ component: 'alerts' });
    this.orm = deps.orm;
    this.jobs = deps.jobs;
    this.mail = deps.mail;
    this.events = deps.events;
    this.usage = deps.usage;
    this.metrics = deps.metrics;
    this.mail.define<AlertJob>(QUOTA_ALERT_EMAIL_KIND, (em, data) => this.composeEmail(em as EntityManager, data.alertId));
  }

  /** Registers the handlers and the minute schedules; they run once the jobs service starts. */
  start(): void {
    if (this.working) return;
    this.working = true;
    const announcing = { retryLimit: 5, retryDelay: 5, retryBackoff: true, retryDelayMax: 300, expireInSeconds: 120, deleteAfterSeconds: 86_400 };
    this.jobs.work<AlertJob>(DISPATCH_QUEUE, async ({ alertId }) => void (await this.dispatch(alertId)), { ...announcing, concurrency: 4 });
    this.jobs.work<AlertJob>(RESOLVED_QUEUE, async ({ alertId }) => void (await this.announceResolution(alertId)), { ...announcing, concurrency: 2 });
    // The next run is the retry.
    const periodic = { retryLimit: 0, expireInSeconds: 120, deleteAfterSeconds: 3600 };
    this.jobs.work(RESOLVE_QUEUE, async () => void (await this.resolve()), periodic);
    this.jobs.work(SWEEP_QUEUE, async () => void (await this.sweep()), periodic);
    this.jobs.schedule(RESOLVE_QUEUE, '* * * * *');
    this.jobs.schedule(SWEEP_QUEUE, '* * * * *');
  }

  async stop(): Promise<void> {
    if (!this.working) return;
    this.working = false;
    await Promise.all([DISPATCH_QUEUE, RESOLVED_QUEUE, RESOLVE_QUEUE, SWEEP_QUEUE].map((q) => this.jobs.offWork(q)));
  }

  /** The ledger writer's hook: one announcement job per alert its flush fired. */
  async queue(rows: FiredAlertRow[]): Promise<void> {
    const em = this.orm.em.fork() as EntityManager;
    for (const row of rows) await this.jobs.send(em, DISPATCH_QUEUE, { alertId: row.id } satisfies AlertJob, once(row.id));
  }

  /**
   * Announces one alert: quota.threshold_reached (or quota.exhausted) to the
   * user's and the operator's endpoints, and the email. False when it was
   * already announced (the claim found it taken) or is gone.
   */
  async dispatch(alertId: string): Promise<boolean> {
    const claimed = await (this.orm.em.fork() as EntityManager).transactional(async (tx) => {
      const alert = await tx.getRepository(QuotaAlert).claimDispatch(alertId);
      if (!alert) return null;
      await this.events.emit(tx, alert.user_id, firedEvent(alert));
      // A threshold at the quota itself (100%) fires with `exhausted`, whose email says it: one email, not two.
      const saidByExhausted = alert.kind !== 'exhausted' && alert.quota_limit !== null && alert.at_count === alert.quota_limit;
      if (!saidByExhausted && (await this.emailable(tx, alert.user_id))) await this.mail.enqueue(tx, QUOTA_ALERT_EMAIL_KIND, { alertId } satisfies AlertJob);
      return alert;
    });
    if (!claimed) return false;
    this.metrics?.alertsFired.inc({ kind: claimed.kind });
    this.logger.info({ alertId, userId: claimed.user_id, kind: claimed.kind, value: claimed.value }, 'quota alert fired');
    return true;
  }

  /**
   * Resolves every alert that no longer holds (a new period, or a bigger
   * quota) and queues the announcement of each, in one transaction. Returns
   * how many it resolved.
   */
  async resolve(): Promise<number> {
    return (this.orm.em.fork() as EntityManager).transactional(async (tx) => {
      const ids = await tx.getRepository(QuotaAlert).resolveStale();
      for (const id of ids) await this.jobs.send(tx, RESOLVED_QUEUE, { alertId: id } satisfies AlertJob, once(id));
      return ids.length;
    });
  }

  /**
   * Called in the transaction of a tier change or a quota change: a resolution run follows its commit.
   * Where no job queue is open (a script's own services) the change must still go through; the
   * servers' minute schedule of the same run resolves it then.
   */
  async quotaChanged(tx: EntityManager): Promise<void> {
    if (!this.jobs.open) return;
    await this.jobs.send(tx, RESOLVE_QUEUE, {});
  }

  /** Announces one resolution (quota.resolved), once. */
  async announceResolution(alertId: string): Promise<boolean> {
    return (this.orm.em.fork() as EntityManager).transactional(async (tx) => {
      const alert = await tx.getRepository(QuotaAlert).claimResolution(alertId);
      if (!alert?.resolved_reason) return false;
      const now = await this.usage.current(tx, alert.user_id);
      await this.events.emit(tx, alert.user_id, {
        type: 'quota.resolved',
        data: {
          userId: alert.user_id,
          threshold: eventThreshold(alert),
          reason: alert.resolved_reason,
          used: now.used,
          limit: now.limit,
          periodStart: now.periodStart,
          resetAt: now.resetAt,
        },
      });
      return true;
    });
  }

  /**
   * Queues the announcement of every alert and resolution older than
   * `graceMs` that was never announced: the flush or the resolution committed
   * but its instance died before the job was queued. With 0 it is the tests'
   * "now". Returns how many it queued.
   */
  async sweep(graceMs = SWEEP_GRACE_MS): Promise<number> {
    const em = this.orm.em.fork() as EntityManager;
    const repo = em.getRepository(QuotaAlert);
    const fired = await repo.undispatched(graceMs, SWEEP_BATCH);
    for (const id of fired) await this.jobs.send(em, DISPATCH_QUEUE, { alertId: id } satisfies AlertJob, once(id));
    const resolved = await repo.unannouncedResolutions(graceMs, SWEEP_BATCH);
    for (const id of resolved) await this.jobs.send(em, RESOLVED_QUEUE, { alertId: id } satisfies AlertJob, once(id));
    return fired.length + resolved.length;
  }

  /** Emails go only to a live, active customer whose address is verified. */
  private async emailable(em: EntityManager, userId: string): Promise<User | null> {
    const user = await em.getRepository(User).findLiveById(userId);
    return user && user.status === 'active' && user.emailVerifiedAt ? user : null;
  }

  private async composeEmail(em: EntityManager, alertId: string): Promise<Email | null> {
    const alert = await em.findOne(QuotaAlert, { id: alertId });
    const user = alert ? await this.emailable(em, alert.user.id) : null;
    if (!alert || !user) return null;
    const numbers = { kind: alert.kind, value: alert.value, atCount: alert.atCount, used: alert.used, limit: alert.quotaLimit ?? null };
    const reset = alert.periodEnd.toISOString().slice(0, 10);
    const subject =
      alert.kind === 'exhausted'
        ? 'You have used all of your API quota'
        : alert.kind === 'percent'
          ? `You have used ${alert.value}% of your API quota`
          : `You have made ${alert.value.toLocaleString('en-US')} API requests this period`;
    return {
      to: user.email,
      subject,
      ...this.mail.render({
        heading: subject,
        paragraphs: [
          `Hello ${user.name},`,
          `${describeAlert(numbers)}.`,
          alert.kind === 'exhausted'
            ? `Further requests are refused until your quota resets on ${reset} (UTC). A bigger plan raises the quota at once.`
            : `Your quota resets on ${reset} (UTC).`,
        ],
        action: { label: 'See your usage and plan', url: this.mail.link('/app/plan') },
        footer: 'You get this email because of the usage alerts on your account; change them in the portal.',
      }),
    };
  }
}

/** The event a fired alert announces. */
function firedEvent(a: ClaimedAlert): WebhookEvent {
  const state = { userId: a.user_id, used: a.used, limit: a.quota_limit, periodStart: new Date(a.period_start_ms).toISOString(), resetAt: new Date(a.period_end_ms).toISOString() };
  if (a.kind === 'exhausted') return { type: 'quota.exhausted', data: state };
  return { type: 'quota.threshold_reached', data: { ...state, threshold: eventThreshold(a) } };
}
