import { idSchema } from '../../../shared/admin.ts';
import { createManagementKeySchema } from '../../../shared/management.ts';
import { ownerProcedure, router, uses } from '../../trpc.ts';

const procedure = ownerProcedure.use(uses('managementKeys'));

/** Management keys act on every user, so, like admin accounts, only owners see or issue them. */
export const adminManagementKeysRouter = router({
  list: procedure.query(({ ctx }) => ctx.services.managementKeys.list(ctx.em)),
  /** The key is in the result once, and never again. */
  create: procedure.input(createManagementKeySchema).mutation(({ ctx, input }) => ctx.services.managementKeys.create(ctx.em, { ...input, actor: ctx.actor })),
  revoke: procedure.input(idSchema).mutation(async ({ ctx, input }) => (await ctx.services.managementKeys.revoke(ctx.em, { id: input.id, actor: ctx.actor })).key),
});
