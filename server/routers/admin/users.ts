import { adminCreateUserSchema, idSchema, listUsersSchema, updateUserSchema } from '../../../shared/admin.ts';
import { adminProcedure, router, uses } from '../../trpc.ts';

const procedure = adminProcedure.use(uses('users', 'usage', 'keys', 'customerAccounts'));

export const adminUsersRouter = router({
  list: procedure.input(listUsersSchema).query(({ ctx, input }) => ctx.services.users.list(ctx.em, input)),

  /** A user with this period's quota standing and their keys. */
  get: procedure.input(idSchema).query(async ({ ctx, input }) => {
    const user = await ctx.services.users.get(ctx.em, input.id);
    const [quota, keys] = await Promise.all([ctx.services.usage.current(ctx.em.fork(), input.id), ctx.services.keys.list(ctx.em.fork(), input.id)]);
    return { user, quota, keys };
  }),

  create: procedure
    .input(adminCreateUserSchema)
    .mutation(({ ctx, input }) =>
      ctx.services.users.create(ctx.em, { email: input.email, name: input.name, tier: input.tierId }, ctx.actor, 'tierId'),
    ),

  update: procedure.input(updateUserSchema).mutation(({ ctx, input }) => ctx.services.users.update(ctx.em, input, ctx.actor)),

  suspend: procedure
    .input(idSchema)
    .mutation(({ ctx, input }) => ctx.services.users.setStatus(ctx.em, input.id, 'suspended', ctx.actor)),

  reactivate: procedure
    .input(idSchema)
    .mutation(({ ctx, input }) => ctx.services.users.setStatus(ctx.em, input.id, 'active', ctx.actor)),

  /** Emails the verification link again, to a user whose email is not verified yet. */
  resendVerification: procedure.input(idSchema).mutation(({ ctx, input }) => ctx.services.customerAccounts.adminResendVerification(ctx.em, input.id, ctx.actor)),

  /** Revokes every key at once; the user's ledger is kept. */
  delete: procedure.input(idSchema).mutation(async ({ ctx, input }) => {
    await ctx.services.users.delete(ctx.em, input.id, ctx.actor);
    return { deleted: true };
  }),
});
