import { alertFeedInputSchema, type AlertFeedItem } from '../../../shared/alerts.ts';
import { adminProcedure, router, uses } from '../../trpc.ts';

const procedure = adminProcedure.use(uses('alertSettings'));

/** The operator's view of usage alerts. */
export const adminAlertsRouter = router({
  /** The latest alerts across users (the dashboard), or one user's (the user page), newest first. */
  feed: procedure.input(alertFeedInputSchema).query(({ ctx, input }): Promise<AlertFeedItem[]> => ctx.services.alertSettings.feed(ctx.em, input)),
});
