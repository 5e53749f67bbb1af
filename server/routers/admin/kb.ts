import { idSchema } from '../../../shared/admin.ts';
import { kbCreateSchema, kbListSchema, kbUpdateSchema } from '../../../shared/kb.ts';
import { adminActor } from '../../admin/service.ts';
import { adminProcedure, router } from '../../trpc.ts';

export const adminKbRouter = router({
  list: adminProcedure.input(kbListSchema).query(({ ctx, input }) => ctx.services.kb.list(ctx.em, input)),
  get: adminProcedure.input(idSchema).query(({ ctx, input }) => ctx.services.kb.get(ctx.em, input.id)),
  create: adminProcedure.input(kbCreateSchema).mutation(({ ctx, input }) => ctx.services.kb.create(ctx.em, input, adminActor(ctx.admin, ctx.ip))),
  update: adminProcedure.input(kbUpdateSchema).mutation(({ ctx, input }) => ctx.services.kb.update(ctx.em, input, adminActor(ctx.admin, ctx.ip))),
  delete: adminProcedure.input(idSchema).mutation(async ({ ctx, input }) => {
    await ctx.services.kb.delete(ctx.em, input.id, adminActor(ctx.admin, ctx.ip));
    return { deleted: true };
  }),
});
