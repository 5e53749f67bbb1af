import { adminCreateKeySchema, adminListKeysSchema, adminRotateKeySchema, idSchema } from '../../../shared/admin.ts';
import { adminProcedure, router, uses } from '../../trpc.ts';

const procedure = adminProcedure.use(uses('keys'));

/** Keys of any user. */
export const adminKeysRouter = router({
  list: procedure.input(adminListKeysSchema).query(({ ctx, input }) => ctx.services.keys.list(ctx.em, input.userId)),

  /** The key is in the result once, and never again. */
  create: procedure.input(adminCreateKeySchema).mutation(({ ctx, input }) =>
    ctx.services.keys.create(ctx.em, {
      userId: input.userId,
      name: input.name,
      expiresAt: input.expiresAt ? new Date(input.expiresAt) : undefined,
      metadata: input.metadata,
      actor: ctx.actor,
    }),
  ),

  revoke: procedure.input(idSchema).mutation(({ ctx, input }) => ctx.services.keys.revoke(ctx.em, { keyId: input.id, actor: ctx.actor })),

  rotate: procedure.input(adminRotateKeySchema).mutation(({ ctx, input }) =>
    ctx.services.keys.rotate(ctx.em, { keyId: input.id, gracePeriodSeconds: input.gracePeriodSeconds, actor: ctx.actor }),
  ),
});
