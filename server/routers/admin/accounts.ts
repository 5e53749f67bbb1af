import { createAdminSchema, idSchema, updateAdminSchema } from '../../../shared/admin.ts';
import { adminActor } from '../../admin/service.ts';
import { ownerProcedure, router } from '../../trpc.ts';

/** Admin accounts: owners only. */
export const adminAccountsRouter = router({
  list: ownerProcedure.query(({ ctx }) => ctx.services.adminAuth.listAccounts(ctx.em)),
  /** Without a password, one is generated and returned here, once. */
  create: ownerProcedure.input(createAdminSchema).mutation(({ ctx, input }) => ctx.services.adminAuth.createAccount(ctx.em, input, adminActor(ctx.admin, ctx.ip))),
  update: ownerProcedure.input(updateAdminSchema).mutation(({ ctx, input }) => ctx.services.adminAuth.updateAccount(ctx.em, input, adminActor(ctx.admin, ctx.ip))),
  delete: ownerProcedure.input(idSchema).mutation(async ({ ctx, input }) => {
    await ctx.services.adminAuth.deleteAccount(ctx.em, input.id, adminActor(ctx.admin, ctx.ip));
    return { deleted: true };
  }),
});
