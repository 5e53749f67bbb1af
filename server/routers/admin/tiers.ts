import { createTierSchema, idSchema, updateTierSchema } from '../../../shared/admin.ts';
import { adminActor } from '../../admin/service.ts';
import { adminProcedure, router } from '../../trpc.ts';

export const adminTiersRouter = router({
  list: adminProcedure.query(({ ctx }) => ctx.services.tiers.list(ctx.em)),
  create: adminProcedure.input(createTierSchema).mutation(({ ctx, input }) => ctx.services.tiers.create(ctx.em, input, adminActor(ctx.admin, ctx.ip))),
  update: adminProcedure.input(updateTierSchema).mutation(({ ctx, input }) => ctx.services.tiers.update(ctx.em, input, adminActor(ctx.admin, ctx.ip))),
  /** Refused, saying why, while any user is on the tier. */
  delete: adminProcedure.input(idSchema).mutation(async ({ ctx, input }) => {
    await ctx.services.tiers.delete(ctx.em, input.id, adminActor(ctx.admin, ctx.ip));
    return { deleted: true };
  }),
});
