import { updateAlertSettingsSchema, type AlertSettingsView, type NotificationsView } from '../../../shared/alerts.ts';
import { customerProcedure, router, uses } from '../../trpc.ts';

const customer = customerProcedure.use(uses('alertSettings'));

/** The customer's own usage-alert thresholds and notices (server/alerts/settings.ts). */
export const portalAlertsRouter = router({
  /** The thresholds in force, the tier's defaults beside them. */
  settings: customer.query(({ ctx }): Promise<AlertSettingsView> => ctx.services.alertSettings.settings(ctx.em, ctx.customer.id)),

  /** The customer's own thresholds; null goes back to the tier's defaults, [] turns alerts off. */
  update: customer
    .input(updateAlertSettingsSchema)
    .mutation(({ ctx, input }): Promise<AlertSettingsView> => ctx.services.alertSettings.update(ctx.em, ctx.customer.id, input.thresholds, ctx.actor)),

  /** What the banner and the notifications list show: alerts holding this period, recent ones, the unread count. */
  notifications: customer.query(({ ctx }): Promise<NotificationsView> => ctx.services.alertSettings.notifications(ctx.em, ctx.customer.id)),

  /** The customer opened their notifications: the unread count starts again from now. */
  markSeen: customer.mutation(({ ctx }) => ctx.services.alertSettings.markSeen(ctx.em, ctx.customer.id)),
});
