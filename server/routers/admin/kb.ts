import { idSchema } from '../../../shared/admin.ts';
import { kbCreateSchema, kbListSchema, kbUpdateSchema } from '../../../shared/kb.ts';
import { adminProcedure, router, uses } from '../../trpc.ts';

const procedure = adminProcedure.use(uses('kb'));

export const adminKbRouter = router({
  list: procedure.input(kbListSchema).query(({ ctx, input }) => ctx.services.kb.list(ctx.em, input)),
  get: procedure.input(idSchema).query(({ ctx, input }) => ctx.services.kb.get(ctx.em, input.id)),
  create: procedure.input(kbCreateSchema).mutation(({ ctx, input }) => ctx.services.kb.create(ctx.em, input, ctx.actor)),
  update: procedure.input(kbUpdateSchema).mutation(({ ctx, input }) => ctx.services.kb.update(ctx.em, input, ctx.actor)),
  delete: procedure.input(idSchema).mutation(async ({ ctx, input }) => {
    await ctx.services.kb.delete(ctx.em, input.id, ctx.actor);
    return { deleted: true };
  }),
});
