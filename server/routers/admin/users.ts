import { adminCreateUserSchema, idSchema, listUsersSchema, updateUserSchema } from '../../../shared/admin.ts';
import { adminActor } from '../../admin/service.ts';
import { adminProcedure, router } from '../../trpc.ts';

export const adminUsersRouter = router({
  list: adminProcedure.input(listUsersSchema).query(({ ctx, input }) => ctx.services.users.list(ctx.em, input)),

  /** A user with this period's quota standing and their keys. */
  get: adminProcedure.input(idSchema).query(async ({ ctx, input }) => {
    const user = await ctx.services.users.get(ctx.em, input.id);
    const [quota, keys] = await Promise.all([ctx.services.usage.current(ctx.em.fork(), input.id), ctx.services.keys.list(ctx.em.fork(), input.id)]);
    return { user, quota, keys };
  }),

  create: adminProcedure
    .input(adminCreateUserSchema)
    .mutation(({ ctx, input }) =>
      ctx.services.users.create(ctx.em, { email: input.email, name: input.name, tier: input.tierId }, adminActor(ctx.admin, ctx.ip), 'tierId'),
    ),

  update: adminProcedure.input(updateUserSchema).mutation(({ ctx, input }) => ctx.services.users.update(ctx.em, input, adminActor(ctx.admin, ctx.ip))),

  suspend: adminProcedure
    .input(idSchema)
    .mutation(({ ctx, input }) => ctx.services.users.setStatus(ctx.em, input.id, 'suspended', adminActor(ctx.admin, ctx.ip))),

  reactivate: adminProcedure
    .input(idSchema)
    .mutation(({ ctx, input }) => ctx.services.users.setStatus(ctx.em, input.id, 'active', adminActor(ctx.admin, ctx.ip))),

  /** Revokes every key at once; the user's ledger is kept. */
  delete: adminProcedure.input(idSchema).mutation(async ({ ctx, input }) => {
    await ctx.services.users.delete(ctx.em, input.id, adminActor(ctx.admin, ctx.ip));
    return { deleted: true };
  }),
});
