import { createAdminSchema, idSchema, updateAdminSchema } from '../../../shared/admin.ts';
import { ownerProcedure, router, uses } from '../../trpc.ts';

const procedure = ownerProcedure.use(uses('adminAuth'));

/** Admin accounts: owners only. */
export const adminAccountsRouter = router({
  list: procedure.query(({ ctx }) => ctx.services.adminAuth.listAccounts(ctx.em)),
  /** Without a password, one is generated and returned here, once. */
  create: procedure.input(createAdminSchema).mutation(({ ctx, input }) => ctx.services.adminAuth.createAccount(ctx.em, input, ctx.actor)),
  update: procedure.input(updateAdminSchema).mutation(({ ctx, input }) => ctx.services.adminAuth.updateAccount(ctx.em, input, ctx.actor)),
  delete: procedure.input(idSchema).mutation(async ({ ctx, input }) => {
    await ctx.services.adminAuth.deleteAccount(ctx.em, input.id, ctx.actor);
    return { deleted: true };
  }),
});
