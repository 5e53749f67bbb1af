import type { PortalInfo } from '../../../shared/portal.ts';
import { publicProcedure, router, uses } from '../../trpc.ts';

const anyone = publicProcedure.use(uses('config', 'tiers', 'customerAuth'));

/** What the portal shows before anyone signs in. */
export const portalPublicRouter = router({
  /** Product name, whether sign-up is open, the public tiers. */
  info: anyone.query(async ({ ctx }): Promise<PortalInfo> => {
    const [signupEnabled, tiers] = await Promise.all([ctx.services.customerAuth.signupEnabled(ctx.em.fork()), ctx.services.tiers.listPublic(ctx.em.fork())]);
    return { productName: ctx.services.config.mail.productName, signupEnabled, billingEnabled: ctx.services.config.billing.enabled, tiers };
  }),
});
