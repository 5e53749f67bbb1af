import { adminCreateKeySchema, adminListKeysSchema, adminRotateKeySchema, idSchema } from '../../../shared/admin.ts';
import { adminActor } from '../../admin/service.ts';
import { adminProcedure, router } from '../../trpc.ts';

/** Keys of any user. */
export const adminKeysRouter = router({
  list: adminProcedure.input(adminListKeysSchema).query(({ ctx, input }) => ctx.services.keys.list(ctx.em, input.userId)),

  /** The key is in the result once, and never again. */
  create: adminProcedure.input(adminCreateKeySchema).mutation(({ ctx, input }) =>
    ctx.services.keys.create(ctx.em, {
      userId: input.userId,
      name: input.name,
      expiresAt: input.expiresAt ? new Date(input.expiresAt) : undefined,
      metadata: input.metadata,
      actor: adminActor(ctx.admin, ctx.ip),
    }),
  ),

  revoke: adminProcedure.input(idSchema).mutation(({ ctx, input }) => ctx.services.keys.revoke(ctx.em, { keyId: input.id, actor: adminActor(ctx.admin, ctx.ip) })),

  rotate: adminProcedure.input(adminRotateKeySchema).mutation(({ ctx, input }) =>
    ctx.services.keys.rotate(ctx.em, { keyId: input.id, gracePeriodSeconds: input.gracePeriodSeconds, actor: adminActor(ctx.admin, ctx.ip) }),
  ),
});
