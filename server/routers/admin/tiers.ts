import { createTierSchema, idSchema, updateTierSchema, type TierView } from '../../../shared/admin.ts';
import { setTierAlertPercentsSchema } from '../../../shared/alerts.ts';
import { setTierVariantSchema } from '../../../shared/billing.ts';
import { adminProcedure, router, uses } from '../../trpc.ts';

const procedure = adminProcedure.use(uses('tiers'));

export const adminTiersRouter = router({
  list: procedure.query(({ ctx }) => ctx.services.tiers.list(ctx.em)),
  create: procedure.input(createTierSchema).mutation(({ ctx, input }) => ctx.services.tiers.create(ctx.em, input, ctx.actor)),
  update: procedure.input(updateTierSchema).mutation(({ ctx, input }) => ctx.services.tiers.update(ctx.em, input, ctx.actor)),
  /** Refused, saying why, while any user is on the tier. */
  delete: procedure.input(idSchema).mutation(async ({ ctx, input }) => {
    await ctx.services.tiers.delete(ctx.em, input.id, ctx.actor);
    return { deleted: true };
  }),
  /** The tier's default alert thresholds, in percent of its quota. */
  setAlertPercents: procedure
    .input(setTierAlertPercentsSchema)
    .mutation(({ ctx, input }) => ctx.services.tiers.setAlertPercents(ctx.em, input.id, input.percents, ctx.actor)),
  /** Sets or clears the Lemon Squeezy variant the tier is sold as; the variant is checked against the API (409 while billing is off). */
  setVariant: adminProcedure
    .use(uses('billing'))
    .input(setTierVariantSchema)
    .mutation(({ ctx, input }): Promise<TierView> => ctx.services.billing.setVariant(ctx.em, input.tierId, input.variantId, ctx.actor)),
});
