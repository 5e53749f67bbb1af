import { createAdminSchema, idSchema, updateAdminSchema } from '../../../shared/admin.ts';
import { ownerProcedure, router, uses } from '../../trpc.ts';

const procedure = ownerProcedure.use(uses('adminAccounts'));

/** Admin accounts: owners only. */
export const adminAccountsRouter = router({
  list: procedure.query(({ ctx }) => ctx.services.adminAccounts.listAccounts(ctx.em)),
  /** Without a password, one is generated and returned here, once. */
  create: procedure.input(createAdminSchema).mutation(({ ctx, input }) => ctx.services.adminAccounts.createAccount(ctx.em, input, ctx.actor)),
  update: procedure.input(updateAdminSchema).mutation(({ ctx, input }) => ctx.services.adminAccounts.updateAccount(ctx.em, input, ctx.actor)),
  delete: procedure.input(idSchema).mutation(async ({ ctx, input }) => {
    await ctx.services.adminAccounts.deleteAccount(ctx.em, input.id, ctx.actor);
    return { deleted: true };
  }),
});
