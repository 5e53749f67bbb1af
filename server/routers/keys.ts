import { createKeySchema, keyIdSchema, rotateKeySchema, type RotatedKey } from '../../shared/keys.ts';
import { keyActor } from '../keys/actor.ts';
import { keyedProcedure, router, uses } from '../trpc.ts';

const procedure = keyedProcedure.use(uses('keys'));

/** Self-service key management: a key manages its own user's keys, and only those. */
export const keysProcedures = {
  list: procedure.query(({ ctx }) => ctx.services.keys.list(ctx.em, ctx.apiKey.userId)),

  create: procedure.input(createKeySchema).mutation(({ ctx, input }) =>
    ctx.services.keys.create(ctx.em, {
      userId: ctx.apiKey.userId,
      name: input.name,
      expiresAt: input.expiresAt ? new Date(input.expiresAt) : undefined,
      metadata: input.metadata,
      actor: keyActor(ctx.apiKey, ctx.ip),
    }),
  ),

  revoke: procedure.input(keyIdSchema).mutation(({ ctx, input }) =>
    ctx.services.keys.revoke(ctx.em, { keyId: input.id, ownerId: ctx.apiKey.userId, actor: keyActor(ctx.apiKey, ctx.ip) }),
  ),

  // Named as the shared schema's type, so the client's declaration spells it out instead of pointing at zod.
  rotate: procedure.input(rotateKeySchema).mutation(({ ctx, input }): Promise<RotatedKey> =>
    ctx.services.keys.rotate(ctx.em, {
      keyId: input.id,
      ownerId: ctx.apiKey.userId,
      gracePeriodSeconds: input.gracePeriodSeconds,
      actor: keyActor(ctx.apiKey, ctx.ip),
    }),
  ),
};

export const keysRouter = router(keysProcedures);
